package io.cellmqtt.simulator.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;

/**
 * The AT port of a USB modem as the host sees it: a stable path (a symlink in a directory the
 * simulator owns, {@code /tmp/cellmqtt-sim-XXXX/ttyUSB2}) to whichever pseudo-terminal currently
 * is the device. {@link #unplug()} makes the device vanish: the path disappears and the host's open
 * port is hung up, so its reads and writes fail. {@link #plug()} enumerates it again on a new
 * pseudo-terminal behind the same path, as udev's by-id links do for a re-enumerated modem.
 */
public final class UsbPort implements AutoCloseable {

    private static final String NAME = "ttyUSB2";

    private final Path dir;
    private final Path link;
    private final Consumer<Pty> server;
    private Pty pty;
    private String lastSlave;
    private boolean closed;

    private UsbPort(Path dir, Consumer<Pty> server) {
        this.dir = dir;
        this.link = dir.resolve(NAME);
        this.server = server;
    }

    /** Creates the port and plugs it in; {@code server} starts serving each new pseudo-terminal. */
    public static UsbPort open(Consumer<Pty> server) {
        try {
            UsbPort port = new UsbPort(Files.createTempDirectory("cellmqtt-sim-"), server);
            port.plug();
            return port;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The stable path the host opens. */
    public String path() {
        return link.toString();
    }

    /** True while the device exists. */
    public synchronized boolean present() {
        return pty != null;
    }

    /** The device vanishes: its path is removed and its pseudo-terminal closed under the host. */
    public synchronized void unplug() {
        if (pty == null) {
            return;
        }
        try {
            Files.deleteIfExists(link);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pty.close();
        pty = null;
    }

    /**
     * The device appears (again) on a new pseudo-terminal, never on the one it had just before, and
     * the stable path points at it. Returns the pseudo-terminal's own path ({@code /dev/pts/N}).
     */
    public synchronized String plug() {
        if (closed) {
            throw new IllegalStateException("the USB port is closed");
        }
        if (pty != null) {
            return pty.slavePath();
        }
        try {
            Pty p = Pty.open();
            if (p.slavePath().equals(lastSlave)) {
                Pty other = Pty.open(); // the kernel reused the number: take the next one
                p.close();
                p = other;
            }
            Path tmp = dir.resolve("." + NAME + ".new");
            Files.deleteIfExists(tmp);
            Files.createSymbolicLink(tmp, Path.of(p.slavePath()));
            Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            pty = p;
            lastSlave = p.slavePath();
            server.accept(p);
            return p.slavePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Unplugs the device for good and removes the directory. */
    @Override
    public synchronized void close() {
        closed = true;
        unplug();
        try {
            Files.deleteIfExists(dir.resolve("." + NAME + ".new"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a leftover empty directory in /tmp is harmless
        }
    }
}
