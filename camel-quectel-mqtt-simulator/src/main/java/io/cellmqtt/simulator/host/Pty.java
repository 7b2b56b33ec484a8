package io.cellmqtt.simulator.host;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A pseudo-terminal pair opened through libc, so that a host reaches the simulator through a
 * serial-port library exactly as it reaches a real modem. The simulator owns the master side.
 *
 * <p>Closing the pair ({@link #close()}) is what a USB modem vanishing looks like to the host: its
 * open slave fd is hung up, reads and writes fail with EIO. Readers and writers hold a shared lock
 * while they use the fds and the closer an exclusive one, so an fd number is never used after it
 * was closed (and perhaps reused by the next pseudo-terminal). The master is non-blocking, so a
 * host that stops reading never pins a writer inside the lock.
 */
public final class Pty implements AutoCloseable {

    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int posix_openpt(int flags);

        int grantpt(int fd);

        int unlockpt(int fd);

        String ptsname(int fd);

        int open(String path, int flags);

        int close(int fd);

        long read(int fd, byte[] buf, long count);

        long write(int fd, byte[] buf, long count);

        int poll(Pointer fds, long nfds, int timeout);

        int tcgetattr(int fd, Pointer termios);

        int tcsetattr(int fd, int optionalActions, Pointer termios);

        void cfmakeraw(Pointer termios);

        int fcntl(int fd, int cmd, int arg);
    }

    private static final int O_RDWR = 2;
    private static final int O_NOCTTY = 0x100;
    private static final int O_NONBLOCK = 0x800;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int TCSANOW = 0;
    private static final short POLLIN = 1;
    private static final short POLLOUT = 4;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int POLL_MILLIS = 100;
    /** A host that reads nothing for this long loses what the modem writes, as on a UART without flow control. */
    private static final long STALL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);

    private final int master;
    private final int slave;
    private final String slavePath;
    private final ReadWriteLock fds = new ReentrantReadWriteLock();
    private final InputStream input = new MasterInput();
    private final OutputStream output = new MasterOutput();
    private volatile boolean closed;
    private boolean released;

    private Pty(int master, int slave, String slavePath) {
        this.master = master;
        this.slave = slave;
        this.slavePath = slavePath;
    }

    public static Pty open() throws IOException {
        LibC c = LibC.INSTANCE;
        int m = c.posix_openpt(O_RDWR | O_NOCTTY);
        if (m < 0) {
            throw new IOException("posix_openpt failed, errno " + Native.getLastError());
        }
        if (c.grantpt(m) != 0 || c.unlockpt(m) != 0) {
            c.close(m);
            throw new IOException("grantpt/unlockpt failed, errno " + Native.getLastError());
        }
        String path = c.ptsname(m);
        // Keep a slave fd open for the simulator's life: when the host closes and reopens the port,
        // the master then never sees a hang-up (EIO) in between.
        int s = c.open(path, O_RDWR | O_NOCTTY);
        if (s < 0) {
            c.close(m);
            throw new IOException("open " + path + " failed, errno " + Native.getLastError());
        }
        // raw mode without knowing the termios layout: let libc edit its own structure
        try (Memory termios = new Memory(256)) {
            termios.clear();
            if (c.tcgetattr(s, termios) == 0) {
                c.cfmakeraw(termios);
                c.tcsetattr(s, TCSANOW, termios);
            }
        }
        int flags = c.fcntl(m, F_GETFL, 0);
        if (flags >= 0) {
            c.fcntl(m, F_SETFL, flags | O_NONBLOCK);
        }
        return new Pty(m, s, path);
    }

    public String slavePath() {
        return slavePath;
    }

    /** The master's input; the same stream on every call. Ends (-1) within one poll interval of {@link #stop()}. */
    public InputStream input() {
        return input;
    }

    /** The master's output; the same stream on every call. Bytes written after {@link #stop()} are lost. */
    public OutputStream output() {
        return output;
    }

    private static int poll(Memory pollfd, int fd, short events) {
        pollfd.setInt(0, fd);
        pollfd.setShort(4, events);
        pollfd.setShort(6, (short) 0);
        return LibC.INSTANCE.poll(pollfd, 1, POLL_MILLIS);
    }

    private final class MasterInput extends InputStream {
        private final Memory pollfd = new Memory(8);

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (true) {
                fds.readLock().lock();
                try {
                    if (closed) {
                        return -1;
                    }
                    if (poll(pollfd, master, POLLIN) <= 0) {
                        continue; // timeout (or EINTR): look at the closed flag again
                    }
                    byte[] buf = new byte[Math.min(len, 4096)];
                    long n = LibC.INSTANCE.read(master, buf, buf.length);
                    if (n > 0) {
                        System.arraycopy(buf, 0, b, off, (int) n);
                        return (int) n;
                    }
                    int errno = Native.getLastError();
                    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
                        continue;
                    }
                    if (n < 0) {
                        throw new IOException("read from pty master failed, errno " + errno);
                    }
                } finally {
                    fds.readLock().unlock();
                }
            }
        }
    }

    private final class MasterOutput extends OutputStream {
        private final Memory pollfd = new Memory(8);

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            byte[] rest = Arrays.copyOfRange(b, off, off + len);
            long progress = System.nanoTime();
            while (rest.length > 0) {
                fds.readLock().lock();
                try {
                    if (closed) {
                        return; // the device is gone: so are the bytes
                    }
                    long n = LibC.INSTANCE.write(master, rest, rest.length);
                    if (n < 0) {
                        int errno = Native.getLastError();
                        if (errno == EAGAIN) {
                            if (System.nanoTime() - progress > STALL_NANOS) {
                                return; // nobody reads the port: the bytes are lost
                            }
                            poll(pollfd, master, POLLOUT); // the host is not reading: wait a little
                            continue;
                        }
                        if (errno == EINTR) {
                            continue;
                        }
                        throw new IOException("write to pty master failed, errno " + errno);
                    }
                    rest = Arrays.copyOfRange(rest, (int) n, rest.length);
                    progress = System.nanoTime();
                } finally {
                    fds.readLock().unlock();
                }
            }
        }
    }

    /** Stops readers and writers (within one poll interval); {@link #release()} closes the fds. */
    public void stop() {
        closed = true;
    }

    /** Closes both fds once nobody uses them: the host's open port is hung up. */
    public void release() {
        stop();
        fds.writeLock().lock();
        try {
            if (!released) {
                released = true;
                LibC.INSTANCE.close(slave);
                LibC.INSTANCE.close(master);
            }
        } finally {
            fds.writeLock().unlock();
        }
    }

    @Override
    public void close() {
        release();
    }
}
