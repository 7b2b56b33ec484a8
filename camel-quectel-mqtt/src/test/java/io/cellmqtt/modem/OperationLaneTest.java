package io.cellmqtt.modem;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class OperationLaneTest {
    private final OperationLane lane = new OperationLane();

    @Test
    void theNextOperationStartsOnlyWhenThePreviousCompleted() {
        CompletableFuture<String> first = new CompletableFuture<>();
        AtomicInteger secondStarted = new AtomicInteger();
        CompletableFuture<String> a = lane.submit(() -> first);
        CompletableFuture<String> b = lane.submit(() -> {
            secondStarted.incrementAndGet();
            return CompletableFuture.completedFuture("b");
        });
        assertThat(secondStarted).hasValue(0);
        assertThat(b).isNotDone();
        first.complete("a");
        assertThat(a).isCompletedWithValue("a");
        assertThat(b).isCompletedWithValue("b");
        assertThat(secondStarted).hasValue(1);
    }

    @Test
    void aFailureDoesNotStopTheLane() {
        CompletableFuture<Void> failed = lane.submit(() -> CompletableFuture.failedFuture(new IllegalStateException("x")));
        CompletableFuture<Void> thrown = lane.submit(() -> {
            throw new IllegalArgumentException("y");
        });
        CompletableFuture<String> ok = lane.submit(() -> CompletableFuture.completedFuture("ok"));
        assertThat(failed).isCompletedExceptionally();
        assertThat(thrown).isCompletedExceptionally();
        assertThat(ok).isCompletedWithValue("ok");
    }

    @Test
    void theResultIsDeliveredBeforeTheLaneCountsTheOperationDone() {
        CompletableFuture<String> op = new CompletableFuture<>();
        List<String> order = new CopyOnWriteArrayList<>();
        lane.submit(() -> op).whenComplete((v, e) -> order.add("result"));
        lane.idle().whenComplete((v, e) -> order.add("idle"));
        op.complete("done");
        assertThat(order).containsExactly("result", "idle");
    }

    @Test
    void idleWaitsForEverythingSubmittedSoFar() {
        CompletableFuture<String> one = new CompletableFuture<>();
        CompletableFuture<String> two = new CompletableFuture<>();
        lane.submit(() -> one);
        lane.submit(() -> two);
        CompletableFuture<Void> idle = lane.idle();
        one.complete("1");
        assertThat(idle).isNotDone();
        two.complete("2");
        assertThat(idle).isCompleted();
    }

    @Test
    void manyOperationsThatFinishAtOnceDoNotOverflowTheStack() {
        CompletableFuture<String> gate = new CompletableFuture<>();
        lane.submit(() -> gate);
        List<CompletableFuture<Integer>> all = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            int n = i;
            all.add(lane.submit(() -> CompletableFuture.completedFuture(n)));
        }
        gate.complete("go");
        assertThat(all.get(99_999)).isCompletedWithValue(99_999);
        assertThat(all).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    }
}
