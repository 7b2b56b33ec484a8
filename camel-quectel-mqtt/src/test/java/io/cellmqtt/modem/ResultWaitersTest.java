package io.cellmqtt.modem;

import io.cellmqtt.loop.ModemLoop;
import io.cellmqtt.loop.ModemThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The matching of deferred results: first in, first out per key, and a result is only ever its own. */
class ResultWaitersTest {
    private final ScheduledExecutorService thread = ModemThreads.standalone().newLoop("waiters");
    private final ModemLoop loop = new ModemLoop("waiters", thread);
    private final ResultWaiters<Integer> waiters = new ResultWaiters<>(loop);

    @AfterEach
    void stop() {
        thread.shutdownNow();
    }

    @Test
    void resultsOfOneKeyGoOldestFirstAndOtherKeysAreApart() {
        ResultWaiters.Waiter<Integer> a = waiters.expect("PUB 0 0", 0);
        ResultWaiters.Waiter<Integer> b = waiters.expect("PUB 0 0", 0);
        ResultWaiters.Waiter<Integer> other = waiters.expect("PUB 0 7", 0);
        assertThat(waiters.complete("PUB 0 7", 70)).isTrue();
        assertThat(waiters.complete("PUB 0 0", 1)).isTrue();
        assertThat(waiters.complete("PUB 0 0", 2)).isTrue();
        assertThat(waiters.complete("PUB 0 0", 3)).isFalse(); // nobody waits
        assertThat(a.future).isCompletedWithValue(1);
        assertThat(b.future).isCompletedWithValue(2);
        assertThat(other.future).isCompletedWithValue(70);
    }

    @Test
    void aWaiterWhoseCallerGaveUpStillTakesItsOwnLateResult() {
        ResultWaiters.Waiter<Integer> gaveUp = waiters.expect("PUB 0 0", 0);
        gaveUp.future.completeExceptionally(new IllegalStateException("timed out"));
        ResultWaiters.Waiter<Integer> next = waiters.expect("PUB 0 0", 0);
        waiters.complete("PUB 0 0", 0); // the late result of the first
        assertThat(next.future).isNotDone();
        waiters.complete("PUB 0 0", 0);
        assertThat(next.future).isCompletedWithValue(0);
    }

    @Test
    void aRemovedWaiterTakesNothing() {
        ResultWaiters.Waiter<Integer> neverSent = waiters.expect("SUB 0 1", 0);
        ResultWaiters.Waiter<Integer> sent = waiters.expect("SUB 0 1", 0);
        waiters.remove(neverSent);
        waiters.complete("SUB 0 1", 5);
        assertThat(sent.future).isCompletedWithValue(5);
        assertThat(neverSent.future).isNotDone();
    }

    @Test
    void theDeadlineFailsTheWaiterButLeavesItForItsLateResult() throws Exception {
        ResultWaiters.Waiter<Integer> w = waiters.expect("CONN 0", 0);
        loop.call(() -> {
            waiters.startDeadline(w, Duration.ofMillis(50), () -> new NoResultException("no result within 0 s"));
            return null;
        }, Duration.ofSeconds(5));
        assertThat(w.future).failsWithin(2, TimeUnit.SECONDS).withThrowableThat()
                .withCauseInstanceOf(NoResultException.class);
        ResultWaiters.Waiter<Integer> after = waiters.expect("CONN 0", 0);
        waiters.complete("CONN 0", 0); // the late one
        assertThat(after.future).isNotDone();
    }

    @Test
    void aLostConnectionFailsItsWaitersWithTheLossAndLeavesTheRest() {
        ResultWaiters.Waiter<Integer> pub = waiters.expect("PUB 0 3", 0);
        ResultWaiters.Waiter<Integer> close = waiters.expect("CLOSE 0", 0);
        ResultWaiters.Waiter<Integer> otherClient = waiters.expect("PUB 1 3", 1);
        ConnectionLostException loss = new ConnectionLostException("+QMTSTAT: 0,1");
        waiters.failIndex(0, kind -> !kind.equals("CLOSE"), loss);
        assertThat(pub.future).isCompletedExceptionally();
        assertThat(pub.future.handle((v, e) -> e).join()).isSameAs(loss);
        assertThat(close.future).isNotDone();
        assertThat(otherClient.future).isNotDone();
        assertThat(waiters.complete("PUB 0 3", 0)).isFalse();
        waiters.failAll(loss);
        assertThat(close.future).isCompletedExceptionally();
        assertThat(otherClient.future).isCompletedExceptionally();
    }
}
