package io.cellmqtt.loop;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Runs tasks one at a time, in the order they were offered, on a shared pool: received messages
 * of one client reach its listeners in arrival order without a thread of their own. At most
 * {@code bound} tasks wait; {@link #offer} refuses more.
 */
public final class OrderedExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(OrderedExecutor.class);
    private static final int BATCH = 64;

    private final Executor pool;
    private final int bound;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean scheduled;

    public OrderedExecutor(Executor pool, int bound) {
        this.pool = pool;
        this.bound = bound;
    }

    /** Queues {@code task}; false (and nothing queued) if {@code bound} tasks already wait. */
    public boolean offer(Runnable task) {
        synchronized (tasks) {
            if (tasks.size() >= bound) {
                return false;
            }
            tasks.add(task);
            if (scheduled) {
                return true;
            }
            scheduled = true;
        }
        pool.execute(this::runBatch);
        return true;
    }

    /** Tasks waiting now (not counting the one running). */
    public int size() {
        synchronized (tasks) {
            return tasks.size();
        }
    }

    private void runBatch() {
        // A batch at a time, then back in the pool's queue: one busy client cannot hold a pool thread forever.
        for (int i = 0; i < BATCH; i++) {
            Runnable next;
            synchronized (tasks) {
                next = tasks.poll();
                if (next == null) {
                    scheduled = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                LOG.warn("ordered task failed", e);
            }
        }
        pool.execute(this::runBatch);
    }
}
