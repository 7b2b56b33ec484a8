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
        CompletableFuture<String> a = lane.submit(() -> first).result();
        CompletableFuture<String> b = lane.submit(() -> {
            secondStarted.incrementAndGet();
            return CompletableFuture.completedFuture("b");
        }).result();
        assertThat(secondStarted).hasValue(0);
        assertThat(b).isNotDone();
        first.complete("a");
        assertThat(a).isCompletedWithValue("a");
        assertThat(b).isCompletedWithValue("b");
        assertThat(secondStarted).hasValue(1);
        assertThat(lane.busy()).isFalse();
    }

    @Test
    void aFailureDoesNotStopTheLane() {
        CompletableFuture<Void> failed = lane.submit(() -> CompletableFuture.<Void>failedFuture(
                new IllegalStateException("x"))).result();
        CompletableFuture<Void> thrown = lane.<Void>submit(() -> {
            throw new IllegalArgumentException("y");
        }).result();
        CompletableFuture<String> ok = lane.submit(() -> CompletableFuture.completedFuture("ok")).result();
        assertThat(failed).isCompletedExceptionally();
        assertThat(thrown).isCompletedExceptionally();
        assertThat(ok).isCompletedWithValue("ok");
    }

    @Test
    void theResultIsDeliveredBeforeTheNextOperationStarts() {
        CompletableFuture<String> op = new CompletableFuture<>();
        List<String> order = new CopyOnWriteArrayList<>();
        lane.submit(() -> op).result().whenComplete((v, e) -> order.add("result"));
        lane.submit(() -> {
            order.add("next");
            return CompletableFuture.completedFuture(null);
        });
        op.complete("done");
        assertThat(order).containsExactly("result", "next");
    }

    @Test
    void anOperationNotStartedCanBeRemovedAStartedOneCannot() {
        CompletableFuture<String> gate = new CompletableFuture<>();
        OperationLane.Task<String> running = lane.submit(() -> gate);
        AtomicInteger ran = new AtomicInteger();
        OperationLane.Task<String> waiting = lane.submit(() -> {
            ran.incrementAndGet();
            return CompletableFuture.completedFuture("never");
        });
        assertThat(lane.remove(running, new IllegalStateException("no"))).isFalse();
        assertThat(lane.remove(waiting, new IllegalStateException("taken back"))).isTrue();
        assertThat(waiting.result()).isCompletedExceptionally();
        gate.complete("go");
        assertThat(running.result()).isCompletedWithValue("go");
        assertThat(ran).hasValue(0);
        assertThat(lane.busy()).isFalse();
    }

    @Test
    void manyOperationsThatFinishAtOnceDoNotOverflowTheStack() {
        CompletableFuture<String> gate = new CompletableFuture<>();
        lane.submit(() -> gate);
        List<CompletableFuture<Integer>> all = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            int n = i;
            all.add(lane.submit(() -> CompletableFuture.completedFuture(n)).result());
        }
        gate.complete("go");
        assertThat(all.get(99_999)).isCompletedWithValue(99_999);
        assertThat(all).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    }
}
