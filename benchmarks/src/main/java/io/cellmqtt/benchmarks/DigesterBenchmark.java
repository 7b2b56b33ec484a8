package io.cellmqtt.benchmarks;

import io.cellmqtt.at.AtDigester;
import io.cellmqtt.at.AtEvent;
import io.cellmqtt.at.PayloadFraming;
import io.cellmqtt.at.QuectelRecvFraming;
import io.cellmqtt.at.SimcomRecvFraming;
import io.cellmqtt.at.SwitchableFraming;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link AtDigester#feed} over a {@link RecordedMix} of about 256 KiB, in the chunks a serial read returns (64 bytes:
 * a slow UART read; 4096: a USB read), with the framing a dialect installs after {@code ATI} (through
 * {@link SwitchableFraming}, as {@code Modem} does). One operation is the whole mix; {@link Counters} reports bytes/s
 * and events/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DigesterBenchmark {

    /** The limits of the profiles: BG95/BG96 payload 4096; SIM7600 topic 1024, payload 10240. */
    static final int QUECTEL_MAX_PAYLOAD = 4096;
    static final int SIMCOM_MAX_TOPIC = 1024;
    static final int SIMCOM_MAX_PAYLOAD = 10240;

    @Param({"QUECTEL", "SIMCOM"})
    public RecordedMix.Dialect dialect;

    @Param({"64", "4096"})
    public int chunk;

    private byte[] mix;
    private int mixEvents;
    private AtDigester digester;

    @Setup(Level.Trial)
    public void setUp() {
        RecordedMix.Mix m = RecordedMix.build(dialect, 0x11_2024L, 256 * 1024);
        mix = m.bytes();
        mixEvents = m.events();
        digester = digester(dialect);
        // the figures only count if the digester reads the mix right: every event, no framing error
        int seen = 0;
        int framed = 0;
        for (int off = 0; off < mix.length; off += chunk) {
            for (AtEvent e : digester.feed(mix, off, Math.min(chunk, mix.length - off))) {
                seen++;
                if (e instanceof AtEvent.Framed) {
                    framed++;
                }
            }
        }
        int expectedFramed = dialect == RecordedMix.Dialect.QUECTEL ? m.messages() : 2 * m.messages();
        if (seen != mixEvents || framed != expectedFramed || digester.framingErrors() != 0
                || digester.ambiguousRecords() != 0 || digester.awaitsQuiet()) {
            throw new IllegalStateException("the digester misread the mix: " + seen + " events (" + framed
                    + " framed), expected " + mixEvents + " (" + expectedFramed + "); framing errors "
                    + digester.framingErrors());
        }
    }

    static AtDigester digester(RecordedMix.Dialect dialect) {
        SwitchableFraming framing = new SwitchableFraming();
        List<PayloadFraming> rules = dialect == RecordedMix.Dialect.QUECTEL
                ? List.of(new QuectelRecvFraming(QUECTEL_MAX_PAYLOAD))
                : List.of(new SimcomRecvFraming(SIMCOM_MAX_TOPIC, SIMCOM_MAX_PAYLOAD));
        framing.use(rules);
        return new AtDigester(List.of(framing));
    }

    @Benchmark
    public void feed(Counters counters, Blackhole bh) {
        byte[] bytes = mix;
        int step = chunk;
        int events = 0;
        for (int off = 0; off < bytes.length; off += step) {
            List<AtEvent> out = digester.feed(bytes, off, Math.min(step, bytes.length - off));
            events += out.size();
            bh.consume(out);
        }
        counters.bytes += bytes.length;
        counters.events += events;
    }
}
