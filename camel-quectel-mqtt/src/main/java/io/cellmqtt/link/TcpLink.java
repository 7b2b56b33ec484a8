package io.cellmqtt.link;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A raw TCP socket to a remote AT port ({@code tcp://host:port}: ser2net, the simulator).
 * TCP_NODELAY is on; the reader thread hands every chunk to the listener; end of stream is a lost
 * link ({@code onClosed(EOFException)}).
 */
public final class TcpLink implements Link {
    /** How long connecting may take. */
    public static final int CONNECT_TIMEOUT_MS = 10_000;

    private final String name;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean reported = new AtomicBoolean();
    private volatile boolean closed;
    private volatile LinkListener listener;

    private TcpLink(String name, Socket socket) throws IOException {
        this.name = name;
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Opens {@code tcp://host:port}; a malformed URI or a failed connect is a {@link LinkException} naming it. */
    public static TcpLink open(String uri) throws LinkException {
        String host;
        int port;
        try {
            URI u = new URI(uri);
            host = u.getHost();
            port = u.getPort();
            if (!"tcp".equalsIgnoreCase(u.getScheme()) || host == null || port < 1 || port > 65535
                    || (u.getPath() != null && !u.getPath().isEmpty() && !u.getPath().equals("/"))) {
                throw new LinkException("bad TCP link address " + uri + ": expected tcp://host:port");
            }
        } catch (URISyntaxException e) {
            throw new LinkException("bad TCP link address " + uri + ": expected tcp://host:port", e);
        }
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            return new TcpLink(uri, s);
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to do
            }
            throw new LinkException("cannot connect to " + uri + ": " + e.getMessage(), e);
        }
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
        Throwable cause;
        try {
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    cause = new EOFException(name + " closed by the remote end");
                    break;
                }
                listener.onBytes(buf, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            cause = e;
        }
        closeSocket();
        if (reported.compareAndSet(false, true)) {
            listener.onClosed(closed ? null : cause);
        }
    }

    @Override
    public void write(byte[] data) throws IOException {
        if (closed) {
            throw new LinkException(name + " is closed");
        }
        try {
            out.write(data);
            out.flush();
        } catch (IOException e) {
            throw new LinkException("writing to " + name + " failed: " + e.getMessage(), e);
        }
    }

    /** Whether TCP_NODELAY is on (it is; for tests). */
    boolean tcpNoDelay() {
        try {
            return socket.getTcpNoDelay();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public boolean isOpen() {
        return !closed && !socket.isClosed();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeSocket();
        if (!started.get()) {
            reported.set(true);
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
