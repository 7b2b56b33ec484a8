package io.cellmqtt.modem;

import io.cellmqtt.at.AtRequest;
import io.cellmqtt.loop.ModemLoop;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The deferred results a dialect waits for ({@code OK} now, {@code +QMTPUB: 0,5,0} later), matched
 * first in, first out per key (e.g. {@code PUB 0 5}): the modem reports the results of one key in the
 * order their commands were written. Lives on the modem's event loop.
 *
 * <p>A waiter leaves only when its result arrived, when its command never reached the modem (so no
 * result will come), or when the connection it belongs to ended (the modem forgets it). One whose
 * caller gave up stays as a tombstone that takes its own late result, so that a result can never
 * complete the wrong operation: every QoS 0 publish of a client has the same key, and before, a late
 * result completed the next message's exchange before that message was even written.
 *
 * @param <R> what a result URC carries
 */
final class ResultWaiters<R> {
    private final ModemLoop loop;
    private final Map<String, Deque<Waiter<R>>> byKey = new HashMap<>();

    ResultWaiters(ModemLoop loop) {
        this.loop = loop;
    }

    static final class Waiter<R> {
        final String key;
        final int index;
        final CompletableFuture<R> future = new CompletableFuture<>();
        AtRequest request;
        ModemLoop.Timer deadline;

        Waiter(String key, int index) {
            this.key = key;
            this.index = index;
        }
    }

    /** A waiter for the next result of {@code key}, for client {@code index} (-1: the whole modem). */
    Waiter<R> expect(String key, int index) {
        Waiter<R> w = new Waiter<>(key, index);
        byKey.computeIfAbsent(key, k -> new ArrayDeque<>()).add(w);
        return w;
    }

    /**
     * Starts the longest wait the reference allows for the result, once the command was sent;
     * when it passes the waiter fails with {@code failure} but stays, for its result may still come.
     */
    void startDeadline(Waiter<R> w, Duration max, Supplier<? extends Exception> failure) {
        w.deadline = loop.schedule(max, () -> w.future.completeExceptionally(failure.get()));
    }

    /** The oldest waiter of {@code key} takes {@code result}; false if nobody waits for it. */
    boolean complete(String key, R result) {
        Deque<Waiter<R>> q = byKey.get(key);
        Waiter<R> w = q == null ? null : q.poll();
        if (w == null) {
            return false;
        }
        cancel(w);
        return w.future.complete(result);
    }

    /** The oldest waiter of {@code key}, left in place (e.g. for a progress notice). */
    Waiter<R> peek(String key) {
        Deque<Waiter<R>> q = byKey.get(key);
        return q == null ? null : q.peek();
    }

    /** No result will come for {@code w} (its command failed or was never written). */
    void remove(Waiter<R> w) {
        Deque<Waiter<R>> q = byKey.get(w.key);
        if (q != null) {
            q.remove(w);
        }
        cancel(w);
    }

    /**
     * The connection of client {@code index} ended: its waiters (those of the kinds {@code kinds}
     * accepts) fail with {@code cause}, after their commands that were not written yet are
     * withdrawn so they never will be.
     */
    void failIndex(int index, Predicate<String> kinds, Exception cause) {
        fail(w -> w.index == index && kinds.test(w.key.split(" ")[0]), cause);
    }

    /** The modem lost its state: every waiter fails with {@code cause}. */
    void failAll(Exception cause) {
        fail(w -> true, cause);
    }

    private void fail(Predicate<Waiter<R>> which, Exception cause) {
        List<Waiter<R>> failed = new ArrayList<>();
        for (Deque<Waiter<R>> q : byKey.values()) {
            q.removeIf(w -> {
                if (which.test(w)) {
                    failed.add(w);
                    return true;
                }
                return false;
            });
        }
        for (Waiter<R> w : failed) {
            cancel(w);
            // Failed with the cause first: withdrawing fails the command too, and that must not be
            // what the operation reports.
            w.future.completeExceptionally(cause);
            if (w.request != null) {
                w.request.withdraw();
            }
        }
    }

    private static void cancel(Waiter<?> w) {
        if (w.deadline != null) {
            w.deadline.cancel();
            w.deadline = null;
        }
    }
}
