package io.cellmqtt.benchmarks;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Secondary results JMH reports as rates next to the operations: {@code bytes} digested per second and
 * {@code events} emitted per second. Divided by the primary score (operations per second) they give the bytes and
 * events of one operation, which jmh.sh uses to turn {@code gc.alloc.rate.norm} (bytes allocated per operation)
 * into bytes allocated per event and per input byte.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Counters {

    public long bytes;
    public long events;

    @Setup(Level.Iteration)
    public void reset() {
        bytes = 0;
        events = 0;
    }
}
