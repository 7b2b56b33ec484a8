package io.cellmqtt.simulator.physics;

import java.util.ArrayDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One broker connection's network path, as two first-in first-out lines of actions: what the
 * modem sends ({@link #toBroker}) happens half a round trip later, what the broker sent is handled
 * ({@link #fromBroker}) the other half plus jitter later, each line in order, as over TCP. Delays
 * are timers on a Netty event loop, never a blocked thread, and each action waits out only its own
 * delay: five packets sent back to back all arrive about half a round trip later, not five halves
 * (pipelining shows). With no round trip and nothing waiting, an action runs at once on the
 * caller's thread, exactly as without physics.
 */
public final class DelayLine {

    private record Item(long due, Runnable action) {
    }

    private final Network network;
    private final ScheduledExecutorService loop;
    private final Line out = new Line();
    private final Line in = new Line();

    /** @param loop where the delayed actions run (the connection's event loop) */
    public DelayLine(Network network, ScheduledExecutorService loop) {
        this.network = network;
        this.loop = loop;
    }

    /**
     * Sends: {@code action} runs once the modem's bytes crossed to the broker, after those sent
     * before; true when it ran at once (nothing to wait for), on this thread.
     */
    public boolean toBroker(Runnable action) {
        return out.add(action, network::outboundNanos, false);
    }

    /** What must follow everything sent so far without a delay of its own (a FIN after the data). */
    public void afterSent(Runnable action) {
        out.add(action, () -> 0L, true);
    }

    /** Receives: {@code action} runs once the broker's bytes crossed to the modem, after those before. */
    public void fromBroker(Runnable action) {
        in.add(action, network::inboundNanos, false);
    }

    /** True when nothing waits to be sent. */
    public boolean sent() {
        return out.empty();
    }

    /** The network vanished: what waits to be sent never arrives. */
    public void abortSending() {
        out.clear();
    }

    private final class Line {
        private final ArrayDeque<Item> items = new ArrayDeque<>();
        private long last;
        private ScheduledFuture<?> timer;

        /** True when the action ran at once. */
        boolean add(Runnable action, java.util.function.LongSupplier delay, boolean behind) {
            synchronized (this) {
                if (!items.isEmpty() || network.delays()) {
                    long due = Math.max(last, behind ? System.nanoTime() : System.nanoTime() + delay.getAsLong());
                    last = due;
                    items.add(new Item(due, action));
                    schedule();
                    return false;
                }
            }
            action.run(); // nothing to wait for: as fast as without physics
            return true;
        }

        synchronized boolean empty() {
            return items.isEmpty();
        }

        synchronized void clear() {
            items.clear();
        }

        /** Under the lock. */
        private void schedule() {
            if (timer == null && !items.isEmpty()) {
                try {
                    timer = loop.schedule(this::drain, items.peek().due() - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    items.clear(); // the modem is closing: nothing arrives any more
                }
            }
        }

        private void drain() {
            while (true) {
                Item i;
                synchronized (this) {
                    i = items.peek();
                    if (i == null || i.due() - System.nanoTime() > 0) {
                        timer = null;
                        schedule();
                        return;
                    }
                    items.poll();
                }
                try {
                    i.action().run();
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(DelayLine.class).debug("delayed action failed: {}", e.toString());
                }
            }
        }
    }
}
