package io.cellmqtt.modem;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Runs asynchronous operations strictly one after another: the next one starts only when the
 * previous one's future completed, whatever its outcome. For modem state that one operation at a
 * time may use, e.g. the single topic/payload buffer of a SIMCom client index. Lives on the
 * modem's event loop.
 *
 * <p>Operations that complete at once (e.g. failing fast) run in a loop, not recursively, so a
 * long queue cannot overflow the stack. An operation's result future completes, with all its
 * dependents, before the next operation starts. An operation not started yet can be
 * {@linkplain #remove removed}.
 */
final class OperationLane {
    private final Deque<Task<?>> queue = new ArrayDeque<>();
    private boolean busy;

    /** A queued operation; its result completes as the operation's future does. */
    static final class Task<T> {
        final Supplier<CompletableFuture<T>> operation;
        final CompletableFuture<T> result = new CompletableFuture<>();
        boolean started;

        Task(Supplier<CompletableFuture<T>> operation) {
            this.operation = operation;
        }

        CompletableFuture<T> result() {
            return result;
        }
    }

    /** Queues {@code operation}. */
    <T> Task<T> submit(Supplier<CompletableFuture<T>> operation) {
        Task<T> t = new Task<>(operation);
        queue.add(t);
        if (!busy) {
            busy = true;
            drain();
        }
        return t;
    }

    /** Removes {@code task} if it has not started; its result then fails with {@code cause}. */
    boolean remove(Task<?> task, Throwable cause) {
        if (task.started || !queue.remove(task)) {
            return false;
        }
        task.result.completeExceptionally(cause);
        return true;
    }

    /** True while an operation runs or waits. */
    boolean busy() {
        return busy;
    }

    private void drain() {
        while (true) {
            Task<?> t = queue.poll();
            if (t == null) {
                busy = false;
                return;
            }
            if (!start(t)) {
                return; // the task's completion continues draining
            }
        }
    }

    /** Starts the operation; true if it already finished, else draining goes on when it does. */
    private <T> boolean start(Task<T> t) {
        t.started = true;
        CompletableFuture<T> f;
        try {
            f = t.operation.get();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        if (f.isDone()) {
            f.whenComplete((v, e) -> finish(t, v, e));
            return true;
        }
        f.whenComplete((v, e) -> {
            finish(t, v, e);
            drain();
        });
        return false;
    }

    private static <T> void finish(Task<T> t, T value, Throwable error) {
        if (error != null) {
            t.result.completeExceptionally(Failures.cause(error));
        } else {
            t.result.complete(value);
        }
    }
}
