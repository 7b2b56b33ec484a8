package io.cellmqtt.loop;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Where a modem's threads come from: at most two per modem (its event loop and the reader of its
 * port), plus a completion executor that may be shared by many modems. Inside Camel these come from
 * the context's {@code ExecutorServiceManager}, so they are named, counted and shut down by Camel;
 * {@link #standalone()} makes plain daemon threads for use without Camel.
 */
public interface ModemThreads {

    /** A single-thread executor for one modem's {@link ModemLoop}. */
    ScheduledExecutorService newLoop(String modem);

    /**
     * A single-thread executor for one modem's port: opening it (which may block, e.g. a TCP
     * connect) and then reading it until it closes. One port is open at a time, so one thread
     * serves every reopen.
     */
    ExecutorService newReader(String modem);

    /**
     * Where results are handed to callers (futures of publishes, subscriptions, received
     * messages): never the loop or the reader, so a caller that blocks stalls neither.
     */
    Executor completions();

    /** Releases an executor made by {@link #newLoop} or {@link #newReader}. */
    void shutdown(ExecutorService executor);

    /** Plain daemon threads, for the modem layer used without Camel (tests, plain Java). */
    static ModemThreads standalone() {
        return StandaloneThreads.INSTANCE;
    }
}
