package io.cellmqtt.e2e;

import org.apache.camel.health.HealthCheck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * Watches health checks on a thread of its own, every 2 ms, and keeps every change of state with
 * its time. A connection that is lost and restored within 150 ms is DOWN for too short a time to
 * be caught by a test that looks now and then; this sees it, and says afterwards whether a check
 * went DOWN after a given moment and when it was UP again. Only this thread calls the checks.
 */
final class HealthWatch implements AutoCloseable {

    /** A check's state from {@code nanoTime} on. */
    record Change(long nanoTime, HealthCheck.State state, String message) {
    }

    private final Map<String, HealthCheck> checks = new LinkedHashMap<>();
    private final Map<String, List<Change>> changes = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-health-watch");
        t.setDaemon(true);
        return t;
    });

    HealthWatch(Map<String, HealthCheck> checks) {
        this.checks.putAll(checks);
        checks.keySet().forEach(k -> changes.put(k, new ArrayList<>()));
        sampler.scheduleWithFixedDelay(this::sample, 0, 2, TimeUnit.MILLISECONDS);
    }

    private void sample() {
        long now = System.nanoTime();
        for (Map.Entry<String, HealthCheck> e : checks.entrySet()) {
            HealthCheck.Result r = e.getValue().call();
            List<Change> list = changes.get(e.getKey());
            synchronized (list) {
                if (list.isEmpty() || list.get(list.size() - 1).state() != r.getState()) {
                    list.add(new Change(now, r.getState(), r.getMessage().orElse("")));
                }
            }
        }
    }

    /** The state now (as last sampled). */
    HealthCheck.State state(String check) {
        List<Change> list = changes.get(check);
        synchronized (list) {
            return list.isEmpty() ? HealthCheck.State.UNKNOWN : list.get(list.size() - 1).state();
        }
    }

    /** True when the check was seen DOWN at some time after {@code sinceNanos}. */
    boolean wentDownSince(String check, long sinceNanos) {
        return firstDownSince(check, sinceNanos) >= 0;
    }

    /** When the check was first seen DOWN after {@code sinceNanos}, or -1. */
    long firstDownSince(String check, long sinceNanos) {
        List<Change> list = changes.get(check);
        synchronized (list) {
            for (int i = 0; i < list.size(); i++) {
                Change c = list.get(i);
                boolean downThen = c.state() == HealthCheck.State.DOWN
                        && (c.nanoTime() >= sinceNanos || i == list.size() - 1 || list.get(i + 1).nanoTime() > sinceNanos);
                if (downThen) {
                    return Math.max(c.nanoTime(), sinceNanos);
                }
            }
            return -1;
        }
    }

    /** Every change seen (for failure messages). */
    List<Change> changes(String check) {
        List<Change> list = changes.get(check);
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    /** Waits until every watched check is UP. */
    void awaitAllUp(Duration atMost) {
        await("all health checks UP: " + this).atMost(atMost).pollInterval(Duration.ofMillis(20))
                .until(() -> checks.keySet().stream().allMatch(k -> state(k) == HealthCheck.State.UP));
    }

    /** Waits until {@code check} was seen DOWN after {@code sinceNanos}. */
    void awaitDownSince(String check, long sinceNanos, Duration atMost) {
        await(check + " DOWN after the fault: " + changes(check)).atMost(atMost).pollInterval(Duration.ofMillis(10))
                .until(() -> wentDownSince(check, sinceNanos));
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (String k : checks.keySet()) {
            b.append(k).append('=').append(state(k)).append(' ');
        }
        return b.toString().trim();
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        try {
            sampler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
