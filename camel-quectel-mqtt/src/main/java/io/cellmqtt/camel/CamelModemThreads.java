package io.cellmqtt.camel;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

import io.cellmqtt.loop.ModemThreads;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A modem's threads from the Camel context's {@link ExecutorServiceManager}: named after the
 * port, counted and shut down by Camel. Two per modem (its event loop and its port reader), and one
 * completion pool for the whole component.
 *
 * <p>The completion pool runs what follows a publish result or a received message in the route,
 * so a route that blocks there holds one of its threads, never a modem. It has the default profile's
 * core size (10 threads) and no bound on its queue: handing a result over must never fail nor run
 * it on the modem's loop, where a route waiting for another publish would wait for itself. What it
 * queues is bounded where it comes from: one task per publish outcome and one per client's batch of
 * received messages (themselves bounded). A thread pool profile named {@value #COMPLETION_PROFILE}
 * in the context sets its size (and keep-alive); whatever else it says, the pool stays that size with
 * an unbounded queue, for a pool that grows makes threads without limit under a flood, a bounded queue
 * loses outcomes, and "caller runs" would run a route on the modem's loop.
 */
final class CamelModemThreads implements ModemThreads {
    static final String COMPLETION_PROFILE = "cellmqtt-completion";
    private static final Logger LOG = LoggerFactory.getLogger(CamelModemThreads.class);

    private final ExecutorServiceManager manager;
    private final Object source;
    private final ExecutorService completions;

    CamelModemThreads(CamelContext context, Object source) {
        this.manager = context.getExecutorServiceManager();
        this.source = source;
        this.completions = manager.newThreadPool(source, "CellMqttCompletion", completionProfile(manager));
    }

    /**
     * The {@value #COMPLETION_PROFILE} profile if the context has one, else the default's, with its size fixed and its
     * queue unbounded. Camel's thread pool factory turns a {@code maxQueueSize} of -1 (or 0) into a hand-over queue that
     * holds nothing, which with a fixed size and "abort" refuses a result as soon as every thread is busy (a few
     * blocked routes): the queue's size is given as {@link Integer#MAX_VALUE}, the JDK's own "unbounded".
     */
    static ThreadPoolProfile completionProfile(ExecutorServiceManager manager) {
        ThreadPoolProfile given = manager.getThreadPoolProfile(COMPLETION_PROFILE);
        ThreadPoolProfile profile = given != null ? given.clone() : new ThreadPoolProfile(COMPLETION_PROFILE);
        profile.addDefaults(manager.getDefaultThreadPoolProfile());
        profile.setId(COMPLETION_PROFILE);
        if (given != null && (given.getMaxPoolSize() != null && !given.getMaxPoolSize().equals(profile.getPoolSize())
                || given.getMaxQueueSize() != null && given.getMaxQueueSize() >= 0
                        && given.getMaxQueueSize() < Integer.MAX_VALUE
                || given.getRejectedPolicy() != null && given.getRejectedPolicy() != ThreadPoolRejectedPolicy.Abort)) {
            LOG.warn("Thread pool profile {}: the completion pool keeps {} threads and an unbounded queue (ignoring "
                    + "maxPoolSize={}, maxQueueSize={}, rejectedPolicy={}): a handed-over result must never be refused"
                    + " nor run on a modem's loop, and its threads must not grow under a flood", COMPLETION_PROFILE,
                    profile.getPoolSize(), given.getMaxPoolSize(), given.getMaxQueueSize(), given.getRejectedPolicy());
        }
        profile.setMaxPoolSize(profile.getPoolSize());
        profile.setMaxQueueSize(Integer.MAX_VALUE);
        profile.setRejectedPolicy(ThreadPoolRejectedPolicy.Abort);
        return profile;
    }

    /**
     * One thread, and no bound on its queue: Camel's default profile would refuse the 1001st task, and a loop's queue
     * holds its timers too (a publish's deadline, a result's). A refused task would be bytes read from the port or a
     * timer silently gone. What the loop is given is bounded where it comes from (the reader waits once 256 chunks
     * wait; every publish and every timer belongs to a publish, a command or a client).
     */
    @Override
    public ScheduledExecutorService newLoop(String modem) {
        ThreadPoolProfile loop = new ThreadPoolProfile("cellmqtt-loop");
        loop.setPoolSize(1);
        loop.setMaxPoolSize(0); // not "sized": Camel then bounds the queue by maxQueueSize
        loop.setMaxQueueSize(-1);
        loop.setRejectedPolicy(ThreadPoolRejectedPolicy.Abort);
        return manager.newScheduledThreadPool(source, "CellMqttLoop " + modem, loop);
    }

    @Override
    public ExecutorService newReader(String modem) {
        return manager.newSingleThreadExecutor(source, "CellMqttReader " + modem);
    }

    @Override
    public Executor completions() {
        return completions;
    }

    @Override
    public void shutdown(ExecutorService executor) {
        manager.shutdownNow(executor);
    }

    /** The component stops: the completion pool goes, after what it runs now. */
    void close() {
        manager.shutdownGraceful(completions);
    }
}
