package io.cellmqtt.link;

import com.fazecast.jSerialComm.SerialPort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * A serial (or USB-serial, or PTY) AT port opened with jSerialComm at 8N1, no flow control.
 * The reader polls with a short semi-blocking read; a read error or a vanished port is a lost link
 * ({@code onClosed(LinkException)}), except while the JVM stops ({@link JvmShutdown}), when a port
 * closed under us is just closed ({@code onClosed(null)}).
 */
public final class SerialLink implements Link {
    /** The semi-blocking read timeout: how quickly the reader notices {@link #close()}. */
    static final int READ_TIMEOUT_MS = 100;
    static final int WRITE_TIMEOUT_MS = 5_000;
    /**
     * Held while jSerialComm opens a port or lists the ports. jSerialComm keeps one native record per
     * port path in a list the whole JVM shares; opening adds the record and only then stores the fd in
     * it, and listing frees every record that has no fd and whose path it did not enumerate itself
     * (pseudo-terminals, {@code /dev/serial/by-id/...} links). A listing inside an opening's window
     * freed the record the new port went on using, and its reads and writes used whatever that memory
     * held next as its fd (jSerialComm 2.11.0, {@code SerialPort_Posix.c}: {@code openPortNative},
     * {@code enumeratePorts}; jSerialComm issue #326). A modem that lost its port lists the ports in
     * the error of every reopen attempt, so with two modems in one JVM this is not far-fetched.
     * Closing needs no lock: a record with an fd is never freed, and close clears the fd last. The lock
     * is fair, so that an opening never waits behind a run of listings.
     */
    private static final ReentrantLock JSERIALCOMM_PORT_LIST = new ReentrantLock(true);

    private final String name;
    private final SerialPort port;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean reported = new AtomicBoolean();
    private final Object writeLock = new Object();
    private volatile boolean closed;
    private volatile LinkListener listener;

    private SerialLink(String name, SerialPort port) {
        this.name = name;
        this.port = port;
    }

    /** Opens {@code path} at {@code baudRate} 8N1. */
    public static SerialLink open(String path, int baudRate) throws LinkException {
        if (baudRate <= 0) {
            throw new LinkException("bad baud rate " + baudRate + " for serial port " + path);
        }
        if (path.startsWith("/") && !Files.exists(Path.of(path))) {
            throw new LinkException("serial port " + path + " not found; " + portsPresent());
        }
        SerialPort port;
        try {
            port = SerialPort.getCommPort(path);
        } catch (RuntimeException e) { // SerialPortInvalidPortException
            throw new LinkException("serial port " + path + " not found; " + portsPresent(), e);
        }
        port.setComPortParameters(baudRate, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
        port.setFlowControl(SerialPort.FLOW_CONTROL_DISABLED);
        port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING | SerialPort.TIMEOUT_WRITE_BLOCKING,
                READ_TIMEOUT_MS, WRITE_TIMEOUT_MS);
        boolean opened;
        JSERIALCOMM_PORT_LIST.lock();
        try {
            opened = port.openPort();
        } finally {
            JSERIALCOMM_PORT_LIST.unlock();
        }
        if (!opened) {
            throw new LinkException("cannot open serial port " + path + " (error " + port.getLastErrorCode()
                    + "); " + portsPresent());
        }
        SerialLink link = new SerialLink(path, port);
        JvmShutdown.opened(link);
        return link;
    }

    /** {@code ports present: a, b} or {@code no serial ports present}. */
    static String portsPresent() {
        List<String> names;
        try {
            SerialPort[] ports;
            JSERIALCOMM_PORT_LIST.lock();
            try {
                ports = SerialPort.getCommPorts();
            } finally {
                JSERIALCOMM_PORT_LIST.unlock();
            }
            names = Arrays.stream(ports).map(SerialPort::getSystemPortPath).sorted().collect(Collectors.toList());
        } catch (RuntimeException | LinkageError e) {
            return "serial ports could not be listed (" + e + ")";
        }
        return names.isEmpty() ? "no serial ports present" : "ports present: " + String.join(", ", names);
    }

    @Override
    public String name() {
        return name;
    }

    private volatile Thread reader;
    /** Counted down when the read loop has closed the port and reported: what close() waits for. */
    private final java.util.concurrent.CountDownLatch readLoopEnded = new java.util.concurrent.CountDownLatch(1);

    @Override
    public void start(LinkListener l, Executor readerExecutor) {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException(name + " already started");
        }
        this.listener = l;
        readerExecutor.execute(this::readLoop);
    }

    private void readLoop() {
        reader = Thread.currentThread();
        byte[] buf = new byte[4096];
        Throwable cause = null;
        try {
            while (!closed) {
                int n = port.readBytes(buf, buf.length);
                if (n < 0) {
                    if (!closed) {
                        cause = new LinkException("serial port " + name + " lost (read error "
                                + port.getLastErrorCode() + ")");
                    }
                    break;
                }
                if (n > 0) {
                    listener.onBytes(buf, 0, n);
                } else if (!port.isOpen() && !closed) {
                    cause = new LinkException("serial port " + name + " lost");
                    break;
                }
            }
        } catch (RuntimeException e) {
            cause = closed ? null : new LinkException("serial port " + name + " lost: " + e, e);
        }
        port.closePort();
        JvmShutdown.closed(this);
        readLoopEnded.countDown();
        if (reported.compareAndSet(false, true)) {
            listener.onClosed(closed || JvmShutdown.inProgress() ? null : cause);
        }
    }

    @Override
    public void write(byte[] data) throws IOException {
        synchronized (writeLock) {
            int off = 0;
            while (off < data.length) {
                if (closed) {
                    throw new LinkException("serial port " + name + " is closed");
                }
                int n = port.writeBytes(data, data.length - off, off);
                if (n < 0) {
                    throw new LinkException("writing to serial port " + name + " failed (error "
                            + port.getLastErrorCode() + ")");
                }
                if (n == 0) {
                    throw new LinkException("writing to serial port " + name + " timed out after "
                            + WRITE_TIMEOUT_MS + " ms");
                }
                off += n;
            }
        }
    }

    @Override
    public boolean isOpen() {
        return !closed && port.isOpen();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!started.get()) {
            reported.set(true);
            port.closePort();
            JvmShutdown.closed(this);
        }
        // The read loop closes the port within READ_TIMEOUT_MS and reports onClosed(null). Wait for
        // the loop, not its thread: a modem's reader is a pool thread that lives on after the loop.
        // Whoever reopens this port right after close() must find it closed.
        if (started.get() && reader != Thread.currentThread()) {
            try {
                readLoopEnded.await(10L * READ_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
