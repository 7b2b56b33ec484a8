package io.cellmqtt.simulator.host;

import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * One direction of a UART: bytes pass no faster than the baud rate, 10 bits each (start, 8 data,
 * stop), measured against {@link System#nanoTime()}. A token bucket: {@code wireFree} is when the
 * wire has carried everything passed so far; a byte is complete one byte time after the wire was
 * free. The caller passes bytes in chunks of about a millisecond's worth (at least one byte), so
 * 115200 baud (87 µs a byte) costs one sleep per millisecond, not one per byte.
 *
 * <p>Scheduling delays are caught up: a sleep that overshoots lets the next chunk be larger. The
 * credit is capped at {@link #CATCH_UP_NANOS}, so over any window the wire never carries more than
 * the rate allows plus that much; a wire that was idle earns no credit at all ({@link #idle()}).
 * Not thread-safe: one pacer per direction, used by one thread.
 */
final class UartPacer {

    /** The most wire time a late thread may make up at once. */
    static final long CATCH_UP_NANOS = TimeUnit.MILLISECONDS.toNanos(4);
    /** The chunk a pacer waits for: about a millisecond of bytes. */
    private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final IntSupplier baudRate;
    private long wireFree = System.nanoTime();

    /** @param baudRate read before every chunk, so a change applies at once; 0 or less: no pacing */
    UartPacer(IntSupplier baudRate) {
        this.baudRate = baudRate;
    }

    boolean paced() {
        return baudRate.getAsInt() > 0;
    }

    private static long nanos(long bytes, int baud) {
        return bytes * 10L * 1_000_000_000L / baud;
    }

    /** The wire had nothing to carry until now: the next byte is complete one byte time from now. */
    void idle() {
        wireFree = Math.max(wireFree, System.nanoTime());
    }

    /**
     * Waits until at least {@code min(want, a millisecond's worth)} bytes (and at least one) may
     * pass, then returns how many may pass now, 1..want; the caller passes that many or fewer and
     * reports them with {@link #passed(int)}. Returns {@code want} at once when pacing is off.
     */
    int await(int want) throws InterruptedException {
        int baud = baudRate.getAsInt();
        if (baud <= 0 || want <= 0) {
            return want;
        }
        long now = System.nanoTime();
        wireFree = Math.max(wireFree, now - CATCH_UP_NANOS);
        long byteNanos = Math.max(1, nanos(1, baud));
        long target = Math.min(want, Math.max(1, STEP_NANOS / byteNanos));
        long readyAt = wireFree + nanos(target, baud);
        while (readyAt - now > 0) {
            TimeUnit.NANOSECONDS.sleep(readyAt - now);
            now = System.nanoTime();
        }
        long allowed = Math.max(1, Math.min(want, (now - wireFree) / byteNanos));
        return (int) allowed;
    }

    /** {@code n} bytes went over the wire (after {@link #await(int)} allowed them). */
    void passed(int n) {
        int baud = baudRate.getAsInt();
        if (baud > 0 && n > 0) {
            wireFree += nanos(n, baud);
        }
    }

    /**
     * {@code n} bytes just arrived on a wire that was idle (a read that had to wait for them): they
     * are complete {@code n} byte times from now; waits until then.
     */
    void arrivedIdle(int n) throws InterruptedException {
        int baud = baudRate.getAsInt();
        if (baud <= 0 || n <= 0) {
            return;
        }
        idle();
        wireFree += nanos(n, baud);
        long left;
        while ((left = wireFree - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}
