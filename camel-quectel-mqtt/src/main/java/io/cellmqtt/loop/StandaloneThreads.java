package io.cellmqtt.loop;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link ModemThreads} without Camel: daemon threads named after the modem. The completion pool is
 * shared by every modem of the JVM: 16 threads, and (as in Camel) no bound on its queue, so handing
 * a result over never fails nor runs it on a modem's loop; what it queues is one task per publish
 * outcome and per client's batch of received messages.
 */
final class StandaloneThreads implements ModemThreads {
    static final StandaloneThreads INSTANCE = new StandaloneThreads();

    private final ThreadPoolExecutor completions = new ThreadPoolExecutor(16, 16, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), factory("cellmqtt-completion"));

    private StandaloneThreads() {
        // A pool grows past its core size only once its queue is full, so the core is the bound,
        // and idle core threads go away.
        completions.allowCoreThreadTimeOut(true);
    }

    private static ThreadFactory factory(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public ScheduledExecutorService newLoop(String modem) {
        ScheduledThreadPoolExecutor loop = new ScheduledThreadPoolExecutor(1, factory("cellmqtt-loop-" + modem));
        loop.setRemoveOnCancelPolicy(true);
        return loop;
    }

    @Override
    public ExecutorService newReader(String modem) {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(16),
                factory("cellmqtt-reader-" + modem));
    }

    @Override
    public Executor completions() {
        return completions;
    }

    @Override
    public void shutdown(ExecutorService executor) {
        executor.shutdownNow();
    }
}
