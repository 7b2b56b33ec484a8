package io.cellmqtt.simulator.host;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether the modem's end of the AT port is alive, shared by {@link HostOutput} (which writes
 * nothing while the gate is quiet) and {@link HostSession} (which discards what the host writes
 * meanwhile). Two things make it quiet: a boot in progress and a hung port ({@link #silenceStart()}).
 *
 * <p>Two counters tell a reader what it lost: {@link #resets()} moves on every boot, so a command
 * that was reading a data phase when the modem went down gives up; {@link #breaks()} moves on every
 * boot or hang, so a half-received command line from before is forgotten.
 */
public final class PortGate {

    private final AtomicInteger silences = new AtomicInteger();
    private final AtomicLong resets = new AtomicLong();
    private final AtomicLong breaks = new AtomicLong();
    private volatile boolean booting;

    /** True while the modem neither writes nor reads: booting, or hung. */
    public boolean quiet() {
        return booting || silences.get() > 0;
    }

    /** The port hangs: nothing in, nothing out, until the matching {@link #silenceEnd()}. Nestable. */
    public void silenceStart() {
        breaks.incrementAndGet();
        silences.incrementAndGet();
    }

    public void silenceEnd() {
        silences.decrementAndGet();
    }

    /** The modem went down and is booting: every command in progress is abandoned. */
    public void bootStart() {
        booting = true;
        resets.incrementAndGet();
        breaks.incrementAndGet();
    }

    public void bootEnd() {
        booting = false;
    }

    /** Moves on every boot. */
    public long resets() {
        return resets.get();
    }

    /** Moves on every boot or hang. */
    public long breaks() {
        return breaks.get();
    }
}
