package io.cellmqtt.link;

import java.io.IOException;
import java.util.concurrent.Executor;

/**
 * A full-duplex byte pipe to a modem's AT port. Reading happens on the reader executor given to
 * {@link #start(LinkListener, Executor)}, which the read loop occupies until the link closes; losing
 * the link (USB unplugged, socket closed) is reported through {@link LinkListener#onClosed(Throwable)},
 * never as a hang.
 */
public interface Link extends AutoCloseable {

    /** What the user named: the device path, {@code COMn} or {@code tcp://host:port}. */
    String name();

    /**
     * Starts reading on {@code reader} (one task that runs until the link closes); every byte read
     * goes to the listener, in order. Call once.
     */
    void start(LinkListener listener, Executor reader);

    /** Writes all of {@code data} (blocking until the OS took it). */
    void write(byte[] data) throws IOException;

    boolean isOpen();

    /** Closes the link; the listener's {@code onClosed(null)} follows. Idempotent. */
    @Override
    void close();
}
