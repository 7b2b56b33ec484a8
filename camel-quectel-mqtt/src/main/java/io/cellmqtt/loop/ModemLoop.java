package io.cellmqtt.loop;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One modem's event loop: a single thread that owns all of the modem's mutable state (the AT
 * channel, the dialect, every MQTT client, their timers). Everything else talks to that state by
 * posting tasks here; a task runs to its end before the next one starts, so the state needs no
 * locks and no two events about it can overlap. Timers are this loop's own and fire on it.
 *
 * <p>Futures completed by loop tasks run their dependent stages on the loop, which is what the
 * modem layer relies on; results for callers outside leave through a completion executor, never
 * from here. A task must never block: the reader thread is waiting to hand over the next bytes.
 *
 * <p>The loop runs on a single-thread scheduled executor that its creator owns (Camel's
 * {@code ExecutorServiceManager} in a route, {@link ModemThreads#standalone()} otherwise); a task
 * that throws is logged and the loop goes on.
 */
public final class ModemLoop implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(ModemLoop.class);

    private final String name;
    private final ScheduledExecutorService executor;
    private volatile Thread thread;
    private volatile boolean closed;

    /** @param singleThread an executor with exactly one thread, used by nothing else */
    public ModemLoop(String name, ScheduledExecutorService singleThread) {
        this.name = name;
        this.executor = singleThread;
    }

    public String name() {
        return name;
    }

    /** A timer that can be cancelled; cancelling one that already fired does nothing. */
    public interface Timer {
        void cancel();
    }

    /**
     * Runs {@code task} on the loop, after what was posted before it.
     *
     * @throws RejectedExecutionException once the loop is closed
     */
    @Override
    public void execute(Runnable task) {
        if (closed) {
            throw new RejectedExecutionException(name + ": event loop closed");
        }
        executor.execute(() -> run(task));
    }

    /** {@link #execute}, or nothing once the loop is closed (for events nobody waits for). */
    public void post(Runnable task) {
        try {
            execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("{}: event after close dropped", name);
        }
    }

    private void run(Runnable task) {
        thread = Thread.currentThread();
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.warn("{}: event loop task failed", name, e);
        }
    }

    /** Runs {@code task} on the loop after {@code delay}; a no-op timer once closed. */
    public Timer schedule(Duration delay, Runnable task) {
        if (closed) {
            return () -> { };
        }
        try {
            ScheduledFuture<?> f = executor.schedule(() -> run(task), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        } catch (RejectedExecutionException e) {
            if (!closed) {
                // Never silently: a timer that does not fire leaves whatever waits on it waiting forever.
                LOG.error("{}: a timer was refused by the event loop's executor", name, e);
            }
            return () -> { };
        }
    }

    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Guards loop-confined state: fails loudly when called from any other thread. */
    public void assertInLoop() {
        if (!inLoop()) {
            throw new IllegalStateException(name + ": called from " + Thread.currentThread().getName()
                    + ", not from the modem's event loop");
        }
    }

    /**
     * Starts {@code operation} on the loop; the returned future completes as the operation's does
     * (on the loop), or fails with {@link RejectedExecutionException} if the loop is closed.
     */
    public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> operation) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            execute(() -> {
                CompletableFuture<T> f;
                try {
                    f = operation.get();
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                    return;
                }
                f.whenComplete((v, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(v);
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    /**
     * Runs {@code task} on the loop and waits for its value: for callers outside the loop that
     * need an answer now (creating a client, reading a state). Never call it on the loop.
     */
    public <T> T call(Callable<T> task, Duration timeout) throws Exception {
        if (inLoop()) {
            return task.call();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        execute(() -> {
            try {
                result.complete(task.call());
            } catch (Exception | Error e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        } catch (TimeoutException e) {
            throw new TimeoutException(name + ": the event loop did not answer within " + timeout.toMillis() + " ms");
        }
    }

    /** Stops taking tasks; what runs finishes. The owner of the executor shuts it down. */
    public void close() {
        closed = true;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "ModemLoop[" + name + "]";
    }
}
