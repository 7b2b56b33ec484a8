package io.cellmqtt.camel;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10: the completion pool has a fixed number of threads whatever its profile says, and never
 * refuses nor runs a task on the caller's thread (which would be a modem's loop), however many wait.
 */
class CamelModemThreadsTest {
    private final DefaultCamelContext context = new DefaultCamelContext();

    @AfterEach
    void stop() {
        context.stop();
    }

    @Test
    void aProfileThatWouldGrowBoundOrRunOnTheCallerGetsAFixedPoolWithAnUnboundedQueue() throws Exception {
        ThreadPoolProfile wild = new ThreadPoolProfile(CamelModemThreads.COMPLETION_PROFILE);
        wild.setPoolSize(3);
        wild.setMaxPoolSize(50);
        wild.setMaxQueueSize(10);
        wild.setRejectedPolicy(ThreadPoolRejectedPolicy.CallerRuns);
        context.getExecutorServiceManager().registerThreadPoolProfile(wild);
        context.start();
        floodWithBlockedTasks(new CamelModemThreads(context, this), 3);
    }

    /**
     * With no profile: the default profile's core size. (Camel turns a maxQueueSize of -1 into a queue that holds
     * nothing: the eleventh blocked task was refused, and with it a publish outcome or a batch of received messages.)
     */
    @Test
    void withoutAProfileItIsTheDefaultProfilesCoreSizeAndItStillQueuesWhenEveryThreadIsBusy() throws Exception {
        context.start();
        int size = context.getExecutorServiceManager().getDefaultThreadPoolProfile().getPoolSize();
        floodWithBlockedTasks(new CamelModemThreads(context, this), size);
    }

    /** 200 tasks that block: {@code size} threads run them, the rest wait in the queue, none is refused or run here. */
    private static void floodWithBlockedTasks(CamelModemThreads threads, int size) throws Exception {
        try {
            CountDownLatch blocked = new CountDownLatch(1);
            Set<Thread> ran = ConcurrentHashMap.newKeySet();
            CountDownLatch done = new CountDownLatch(200);
            for (int i = 0; i < 200; i++) {
                threads.completions().execute(() -> {
                    ran.add(Thread.currentThread());
                    try {
                        blocked.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    done.countDown();
                });
            }
            ThreadPoolExecutor pool = (ThreadPoolExecutor) threads.completions();
            await().atMost(java.time.Duration.ofSeconds(10)).until(() -> ran.size() == size);
            assertThat(pool.getPoolSize()).isEqualTo(size);
            assertThat(pool.getQueue()).hasSize(200 - size);
            assertThat(ran).doesNotContain(Thread.currentThread());
            blocked.countDown();
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(ran).hasSize(size);
        } finally {
            threads.close();
        }
    }

    @Test
    void theProfileItMakesHasAFixedSizeAndAnUnboundedQueue() {
        context.start();
        ThreadPoolProfile p = CamelModemThreads.completionProfile(context.getExecutorServiceManager());
        assertThat(p.getPoolSize()).isEqualTo(context.getExecutorServiceManager().getDefaultThreadPoolProfile()
                .getPoolSize());
        assertThat(p.getMaxPoolSize()).isEqualTo(p.getPoolSize());
        assertThat(p.getMaxQueueSize()).isEqualTo(Integer.MAX_VALUE);
    }
}
