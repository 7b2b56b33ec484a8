package io.cellmqtt.modem;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Runs asynchronous operations strictly one after another: the next one starts only when the
 * previous one's future completed, whatever its outcome. For modem state that one operation at a
 * time may use, e.g. the single topic/payload buffer of a SIMCom client index.
 *
 * <p>Operations that complete at once (e.g. failing fast) run in a loop, not recursively, so a
 * long queue cannot overflow the stack. An operation's result future completes, with all its
 * dependents, before the next operation starts. Thread-safe.
 */
final class OperationLane {
    private final Deque<Task<?>> queue = new ArrayDeque<>();
    private boolean busy;
    private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);

    /** Queues {@code operation}; the returned future completes as the operation's future does. */
    <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> operation) {
        Task<T> t = new Task<>(operation);
        synchronized (this) {
            queue.add(t);
            last = t.done;
            if (busy) {
                return t.result;
            }
            busy = true;
        }
        drain();
        return t.result;
    }

    /** Completes (never exceptionally) once every operation submitted so far has completed. */
    synchronized CompletableFuture<Void> idle() {
        return last;
    }

    private void drain() {
        while (true) {
            Task<?> t;
            synchronized (this) {
                t = queue.poll();
                if (t == null) {
                    busy = false;
                    return;
                }
            }
            if (!t.runAndFinishIfDone(this::drain)) {
                return; // the task's completion continues draining, on whichever thread completes it
            }
        }
    }

    private static final class Task<T> {
        final Supplier<CompletableFuture<T>> operation;
        final CompletableFuture<T> result = new CompletableFuture<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Task(Supplier<CompletableFuture<T>> operation) {
            this.operation = operation;
        }

        /** Starts the operation; true if it already finished, else {@code next} runs when it does. */
        boolean runAndFinishIfDone(Runnable next) {
            CompletableFuture<T> f;
            try {
                f = operation.get();
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            if (f.isDone()) {
                f.whenComplete(this::finish);
                return true;
            }
            f.whenComplete((v, e) -> {
                finish(v, e);
                next.run();
            });
            return false;
        }

        private void finish(T value, Throwable error) {
            if (error != null) {
                result.completeExceptionally(Failures.cause(error));
            } else {
                result.complete(value);
            }
            done.complete(null);
        }
    }
}
