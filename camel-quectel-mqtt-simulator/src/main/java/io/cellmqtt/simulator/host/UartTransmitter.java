package io.cellmqtt.simulator.host;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The modem's transmitter towards the host: one first-in first-out queue of chunks and the thread
 * that writes them to the attached host, each not before its time and no faster than the baud rate
 * ({@link UartPacer}). A chunk of an older generation than the modem's (it rebooted since) or one
 * that comes while the {@link PortGate} is quiet is never written. The blocking writes happen here,
 * so a host that stops reading never stalls the threads that decide what to write ({@link HostOutput}).
 *
 * <p>The queue holds at most {@link #MAX_QUEUED_BYTES}. Only a host that stops reading, or a broker
 * flood faster than the UART's pace, gets there; what comes then is lost and counted
 * ({@link #droppedBytes()}), with a WARN, as bytes a UART could not carry. A real modem would hold
 * the messages in its own buffers and close the TCP window instead: past this bound the twin is not
 * faithful, only bounded.
 */
final class UartTransmitter implements AutoCloseable {

    /** The most bytes that wait for the UART; far more than any reply or URC burst in the tests. */
    static final int MAX_QUEUED_BYTES = 1 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(UartTransmitter.class);
    private static final long WAIT_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** Bytes to write, not before {@code notBefore} (System.nanoTime, 0 = now), if still of {@code generation}. */
    record Chunk(byte[] bytes, long notBefore, long generation) {
    }

    private static final Chunk STOP = new Chunk(new byte[0], 0, -1);

    private final LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    /** Bytes in {@link #queue}: added when queued, taken off when the writer takes the chunk or {@link #clear()} drops it. */
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong droppedBytes = new AtomicLong();
    /** The last chunk offered was dropped: one WARN per run of drops. */
    private volatile boolean dropping;
    private final PortGate gate;
    private final LongSupplier generation;
    private final Thread writer;
    private volatile OutputStream sink;
    private volatile boolean writing;
    private volatile boolean closed;
    /** The UART's baud rate towards the host; 0: no pacing (see {@link UartPacer}). */
    private volatile int baudRate;
    private final UartPacer pacer = new UartPacer(() -> baudRate);

    /**
     * @param gate       whether a host is there to write to
     * @param generation the modem's generation now: a chunk of another one is never written
     */
    UartTransmitter(PortGate gate, LongSupplier generation) {
        this.gate = gate;
        this.generation = generation;
        writer = new Thread(this::writeLoop, "sim-host-writer");
        writer.setDaemon(true);
        writer.start();
    }

    void attach(OutputStream out) {
        sink = out;
    }

    void detach(OutputStream out) {
        if (sink == out) {
            sink = null;
        }
    }

    void baudRate(int baud) {
        baudRate = Math.max(0, baud);
    }

    /** Queues the chunk behind everything before it, or drops and counts it when the queue is full. */
    void offer(Chunk c) {
        int n = c.bytes().length;
        if (queuedBytes.addAndGet(n) > MAX_QUEUED_BYTES) {
            queuedBytes.addAndGet(-n);
            droppedBytes.addAndGet(n);
            if (!dropping) {
                dropping = true;
                LOG.warn("{} bytes wait for the host already: what the modem writes now is lost until they drain",
                        queuedBytes.get());
            }
            return;
        }
        dropping = false;
        queue.add(c);
    }

    /** Forgets everything not yet written (the chunk being written ends at its next step). */
    void clear() {
        List<Chunk> lost = new ArrayList<>();
        queue.drainTo(lost);
        lost.forEach(c -> queuedBytes.addAndGet(-c.bytes().length));
    }

    long queuedBytes() {
        return queuedBytes.get();
    }

    long droppedBytes() {
        return droppedBytes.get();
    }

    private void writeLoop() {
        try {
            while (true) {
                Chunk c = queue.poll();
                boolean idle = c == null;
                if (c == null) {
                    c = queue.take();
                }
                queuedBytes.addAndGet(-c.bytes().length);
                if (c == STOP || closed) {
                    return;
                }
                writing = true;
                try {
                    if (c.notBefore() != 0 && c.notBefore() - System.nanoTime() > 0) {
                        idle = true; // the UART waits with the chunk, idle
                    }
                    if (waitFor(c)) {
                        if (idle) {
                            pacer.idle();
                        }
                        writePaced(c);
                    }
                } finally {
                    writing = false;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Writes the chunk no faster than the baud rate: as many bytes as the wire carried since the
     * last ones, about a millisecond's worth at a time; the rest dies with a reset or close.
     */
    private void writePaced(Chunk c) throws InterruptedException {
        byte[] bytes = c.bytes();
        if (!pacer.paced()) {
            write(bytes, 0, bytes.length);
            return;
        }
        int off = 0;
        while (off < bytes.length) {
            int n = pacer.await(bytes.length - off);
            if (closed || c.generation() != generation.getAsLong() || gate.quiet()) {
                return;
            }
            write(bytes, off, n);
            pacer.passed(n);
            off += n;
        }
    }

    /** Waits until the chunk is due; false if it died meanwhile (reset, close) or the port is hung. */
    private boolean waitFor(Chunk c) throws InterruptedException {
        while (c.notBefore() != 0) {
            long left = c.notBefore() - System.nanoTime();
            if (left <= 0 || closed || c.generation() != generation.getAsLong()) {
                break;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, WAIT_STEP_NANOS));
        }
        return !closed && c.generation() == generation.getAsLong() && !gate.quiet();
    }

    private void write(byte[] bytes, int off, int len) {
        OutputStream out = sink;
        if (out == null) {
            return; // no host attached: the bytes are lost, as on a real UART
        }
        try {
            out.write(bytes, off, len);
            out.flush();
        } catch (IOException e) {
            LOG.debug("host write failed: {}", e.toString());
        }
    }

    /** Waits (bounded) until everything queued so far was handed to the sink; used before closing. */
    void drain(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while ((!queue.isEmpty() || writing) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    @Override
    public void close() {
        closed = true;
        queue.add(STOP);
        try {
            writer.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
