package io.cellmqtt.link;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link Link} for unit and transcript tests. This object is the host side;
 * {@link #modemInput()} yields what the host wrote and bytes written to {@link #modemOutput()}
 * are what the host reads. Thread-safe. Closing either side ends the other: the host's
 * {@link #close()} makes {@code modemInput()} return -1 (and {@code onClosed(null)} follow);
 * closing {@code modemInput()} or {@code modemOutput()} (or {@link #disconnect()}) is a lost
 * link for the host: {@code onClosed(EOFException)}.
 */
public final class PipeLink implements Link {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String name;
    private final ByteQueue toModem = new ByteQueue();
    private final ByteQueue toHost = new ByteQueue();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean reported = new AtomicBoolean();
    private final InputStream modemIn;
    private final OutputStream modemOut;
    private volatile boolean hostClosed;
    private volatile boolean modemClosed;
    private volatile LinkListener listener;

    private PipeLink(String name) {
        this.name = name;
        this.modemIn = toModem.inputStream(this::disconnect);
        this.modemOut = toHost.outputStream(this::disconnect);
    }

    public static PipeLink create() {
        return new PipeLink("pipe:" + COUNTER.incrementAndGet());
    }

    public static PipeLink create(String name) {
        return new PipeLink(name);
    }

    /** What the host wrote, in order; -1 once the host closed the link (or the modem side did). */
    public InputStream modemInput() {
        return modemIn;
    }

    /** Bytes written here are what the host reads. */
    public OutputStream modemOutput() {
        return modemOut;
    }

    /** The modem side goes away (as if unplugged): the host sees a lost link. */
    public void disconnect() {
        modemClosed = true;
        toHost.close();
        toModem.close();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void start(LinkListener l, Executor reader) {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException(name + " already started");
        }
        this.listener = l;
        reader.execute(this::readLoop);
    }

    private void readLoop() {
        byte[] buf = new byte[4096];
        Throwable cause = null;
        try {
            while (true) {
                int n = toHost.read(buf, 0, buf.length);
                if (n < 0) {
                    break;
                }
                listener.onBytes(buf, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            cause = e;
        }
        if (!hostClosed && cause == null) {
            cause = new EOFException(name + " closed by the modem side");
        }
        report(hostClosed ? null : cause);
    }

    private void report(Throwable cause) {
        if (reported.compareAndSet(false, true) && listener != null) {
            listener.onClosed(cause);
        }
    }

    @Override
    public void write(byte[] data) throws IOException {
        if (hostClosed || modemClosed) {
            throw new LinkException(name + " is closed");
        }
        toModem.write(data, 0, data.length);
    }

    @Override
    public boolean isOpen() {
        return !hostClosed && !modemClosed;
    }

    @Override
    public void close() {
        if (hostClosed) {
            return;
        }
        hostClosed = true;
        toModem.close();
        toHost.close();
        if (!started.get()) {
            reported.set(true);
        }
    }
}
