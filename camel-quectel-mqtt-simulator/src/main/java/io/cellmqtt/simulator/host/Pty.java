package io.cellmqtt.simulator.host;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A pseudo-terminal pair opened through libc, so that a host reaches the simulator through a
 * serial-port library exactly as it reaches a real modem. The simulator owns the master side.
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
    }

    private static final int O_RDWR = 2;
    private static final int O_NOCTTY = 0x100;
    private static final int TCSANOW = 0;
    private static final short POLLIN = 1;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int POLL_MILLIS = 100;

    private final int master;
    private final int slave;
    private final String slavePath;
    private volatile boolean closed;

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
        return new Pty(m, s, path);
    }

    public String slavePath() {
        return slavePath;
    }

    public InputStream input() {
        return new InputStream() {
            private final Memory pollfd = new Memory(8);

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (!closed) {
                    pollfd.setInt(0, master);
                    pollfd.setShort(4, POLLIN);
                    pollfd.setShort(6, (short) 0);
                    int r = LibC.INSTANCE.poll(pollfd, 1, POLL_MILLIS);
                    if (r <= 0 || closed) {
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
                }
                return -1;
            }
        };
    }

    public OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                byte[] buf = new byte[len];
                System.arraycopy(b, off, buf, 0, len);
                int done = 0;
                while (done < len && !closed) {
                    byte[] rest = done == 0 ? buf : java.util.Arrays.copyOfRange(buf, done, len);
                    long n = LibC.INSTANCE.write(master, rest, rest.length);
                    if (n < 0) {
                        int errno = Native.getLastError();
                        if (errno == EINTR || errno == EAGAIN) {
                            continue;
                        }
                        throw new IOException("write to pty master failed, errno " + errno);
                    }
                    done += (int) n;
                }
            }
        };
    }

    /** Stops readers (within one poll interval); call {@link #release()} once they are gone. */
    public void stop() {
        closed = true;
    }

    public void release() {
        LibC.INSTANCE.close(slave);
        LibC.INSTANCE.close(master);
    }

    @Override
    public void close() {
        stop();
        release();
    }
}
