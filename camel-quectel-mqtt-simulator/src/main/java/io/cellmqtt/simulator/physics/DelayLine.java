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
 *
 * <p>Bounds. What the modem sends comes from the host's AT commands at the port's pace, so that line
 * holds at most a round trip's worth of them. What the broker sends has no such pace: when the
 * receiving line holds {@link #MAX_RECEIVING} packets the connection is told to stop reading its
 * socket ({@link #whenReceivingBackedUp}), as a TCP receive window closes, and only what that last
 * read already brought in still joins the line; the broker's bytes then wait in the socket buffers
 * and the broker itself. Reading starts again once half of the line crossed.
 */
public final class DelayLine {

    /** The most packets from the broker that wait to cross: a full line stops reading the socket. */
    public static final int MAX_RECEIVING = 256;

    private record Item(long due, Runnable action) {
    }

    private final Network network;
    private final ScheduledExecutorService loop;
    private final Line out = new Line(Integer.MAX_VALUE);
    private final Line in = new Line(MAX_RECEIVING);
    private volatile java.util.function.Consumer<Boolean> reading = r -> { };

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

    /**
     * {@code reading} is told {@code false} when the receiving line is full (stop reading the socket)
     * and {@code true} once half of it crossed, each once per turn, on the thread that made the turn.
     */
    public void whenReceivingBackedUp(java.util.function.Consumer<Boolean> reading) {
        this.reading = reading;
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
        private final int limit;
        /** The line was full and its producer was told to stop; not told to go on yet. */
        private boolean stopped;
        private long last;
        private ScheduledFuture<?> timer;

        Line(int limit) {
            this.limit = limit;
        }

        /** True when the action ran at once. */
        boolean add(Runnable action, java.util.function.LongSupplier delay, boolean behind) {
            boolean queued = false;
            boolean full = false;
            synchronized (this) {
                if (!items.isEmpty() || network.delays()) {
                    long due = Math.max(last, behind ? System.nanoTime() : System.nanoTime() + delay.getAsLong());
                    last = due;
                    items.add(new Item(due, action));
                    schedule();
                    queued = true;
                    full = !stopped && items.size() >= limit;
                    stopped |= full;
                }
            }
            if (full) {
                reading.accept(false);
            }
            if (!queued) {
                action.run(); // nothing to wait for: as fast as without physics
            }
            return !queued;
        }

        /** Under the lock: true when the producer was stopped and may go on now. */
        private boolean resumes() {
            boolean resume = stopped && items.size() <= limit / 2;
            stopped &= !resume;
            return resume;
        }

        synchronized boolean empty() {
            return items.isEmpty();
        }

        void clear() {
            boolean resume;
            synchronized (this) {
                items.clear();
                resume = resumes();
            }
            if (resume) {
                reading.accept(true);
            }
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
                boolean resume;
                synchronized (this) {
                    i = items.peek();
                    if (i == null || i.due() - System.nanoTime() > 0) {
                        timer = null;
                        schedule();
                        return;
                    }
                    items.poll();
                    resume = resumes();
                }
                if (resume) {
                    reading.accept(true);
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
