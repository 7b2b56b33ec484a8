package io.cellmqtt.link;

import com.fazecast.jSerialComm.SerialPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps jSerialComm from closing our serial ports under us when the JVM stops.
 *
 * <p>jSerialComm registers a JVM shutdown hook that closes every open port. JVM shutdown hooks
 * run all at once, so on SIGTERM it raced the application's own hook (Spring Boot's or Camel
 * Main's, which stops Camel): the port was gone before Camel stopped the routes, the component
 * took that for a lost USB port, and the modem never got {@code AT+QMTDISC}/{@code AT+QMTCLOSE}.
 * jSerialComm runs hooks added with {@link SerialPort#addShutdownHook} before it closes the ports;
 * ours waits, up to {@link #GRACE_PROPERTY} seconds (default 30), until every {@link SerialLink}
 * was closed by its owner, and from its first moment tells the links that a port closing now is
 * the JVM stopping, not a fault.
 */
final class JvmShutdown {
    /** System property: the longest wait, in seconds, for open serial ports to be closed cleanly. */
    static final String GRACE_PROPERTY = "cellmqtt.shutdownGraceSeconds";
    private static final Logger LOG = LoggerFactory.getLogger(JvmShutdown.class);
    private static final Set<SerialLink> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOKED = new AtomicBoolean();
    private static volatile boolean stopping;

    private JvmShutdown() {
    }

    /** True once the JVM began to stop. */
    static boolean inProgress() {
        return stopping;
    }

    static void opened(SerialLink link) {
        if (HOOKED.compareAndSet(false, true)) {
            // A JVM shutdown hook is a Thread by definition: this one is never started by us.
            SerialPort.addShutdownHook(new Thread(JvmShutdown::awaitLinksClosed, "cellmqtt-serial-shutdown"));
        }
        OPEN.add(link);
    }

    static void closed(SerialLink link) {
        synchronized (OPEN) {
            OPEN.remove(link);
            OPEN.notifyAll();
        }
    }

    private static void awaitLinksClosed() {
        stopping = true;
        Duration grace = Duration.ofSeconds(Long.getLong(GRACE_PROPERTY, 30));
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (OPEN) {
            if (!OPEN.isEmpty()) {
                LOG.info("JVM stopping: waiting up to {} s for {} serial port(s) to be closed cleanly", grace.toSeconds(),
                        OPEN.size());
            }
            while (!OPEN.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warn("JVM stopping: serial port(s) {} still open after {} s; they are closed now",
                            OPEN.stream().map(SerialLink::name).toList(), grace.toSeconds());
                    return;
                }
                try {
                    OPEN.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
