package io.cellmqtt.simulator.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one host connection: assembles command lines (CR, LF or CR LF end a line) and hands them
 * to the {@link LineHandler}, which reads data phases from the same stream.
 *
 * <p>While the {@link PortGate} is quiet (the modem boots, or the port hangs) every byte the host
 * writes is discarded, and a line half received before is forgotten. A data phase that was being
 * read when the modem went down gives up at the next byte, which is then read again as ordinary
 * input: the modem that comes back never saw the command.
 */
public final class HostSession implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(HostSession.class);
    /** Longer lines are not commands any modem accepts; keep memory bounded against garbage. */
    private static final int MAX_LINE = 8192;

    private final PushbackInput in;
    private final LineHandler interpreter;
    private final PortGate gate;
    private volatile boolean stopped;

    public HostSession(InputStream in, LineHandler interpreter) {
        this(in, interpreter, new PortGate());
    }

    public HostSession(InputStream in, LineHandler interpreter, PortGate gate) {
        this(in, interpreter, gate, () -> 0);
    }

    /**
     * @param baudRate the UART's rate from the host, read before every chunk: the modem takes the
     *                 host's bytes no faster (10 bits a byte), the rest waits in the stream (the PTY's
     *                 buffer), as on a real UART; 0 or less: as fast as they come
     */
    public HostSession(InputStream in, LineHandler interpreter, PortGate gate, java.util.function.IntSupplier baudRate) {
        this.in = new PushbackInput(in, new UartPacer(baudRate));
        this.interpreter = interpreter;
        this.gate = gate;
    }

    public void stop() {
        stopped = true;
    }

    /**
     * Buffers without ever asking for more than the stream says is available (at least one byte),
     * so streams that only implement {@code read()} do not block a bulk read waiting for 8 KiB; the
     * last byte read can be given back once.
     */
    private static final class PushbackInput {
        /** A read that took longer found the wire idle: what it got arrived just now. */
        private static final long BLOCKED_NANOS = java.util.concurrent.TimeUnit.MICROSECONDS.toNanos(300);
        private final InputStream in;
        private final UartPacer pacer;
        private final byte[] buf = new byte[4096];
        private int pos;
        private int len;

        PushbackInput(InputStream in, UartPacer pacer) {
            this.in = in;
            this.pacer = pacer;
        }

        int read() throws IOException {
            if (pos >= len) {
                int want = Math.max(1, Math.min(buf.length, in.available()));
                int n = pacer.paced() ? pacedRead(want) : in.read(buf, 0, want);
                if (n <= 0) {
                    return -1;
                }
                pos = 0;
                len = n;
            }
            return buf[pos++] & 0xFF;
        }

        /** Takes no more than the UART carried since the last bytes: the rest stays in the stream. */
        private int pacedRead(int want) throws IOException {
            try {
                int allowed = pacer.await(want);
                long before = System.nanoTime();
                int n = in.read(buf, 0, allowed);
                if (n <= 0) {
                    return n;
                }
                if (System.nanoTime() - before > BLOCKED_NANOS) {
                    pacer.arrivedIdle(n); // they were only being written: they still cross the wire
                } else {
                    pacer.passed(n);
                }
                return n;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while pacing");
            }
        }

        void unread() {
            pos--;
        }
    }

    /** The data phase of a command that began while {@link PortGate#resets()} was {@code resets}. */
    private int dataByte(long resets) throws IOException {
        while (true) {
            int b = in.read();
            if (b < 0) {
                return -1;
            }
            if (gate.resets() != resets) {
                in.unread(); // the modem went down under this command: the byte is the new modem's
                return -1;
            }
            if (!gate.quiet()) {
                return b;
            }
            // the port hangs: the byte is lost, the data phase goes on waiting
        }
    }

    @Override
    public void run() {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean lastWasCr = false;
        long lineBreaks = gate.breaks();
        try {
            while (!stopped) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                if (gate.quiet()) {
                    continue; // the modem is not listening
                }
                if (gate.breaks() != lineBreaks) {
                    lineBreaks = gate.breaks();
                    line.reset(); // what came before the boot or the hang is gone
                    lastWasCr = false;
                }
                if (b == '\r' || b == '\n') {
                    if (b == '\n' && lastWasCr) {
                        lastWasCr = false; // the LF of a CR LF pair
                        continue;
                    }
                    lastWasCr = b == '\r';
                    if (line.size() == 0) {
                        continue;
                    }
                    byte[] raw = line.toByteArray();
                    line.reset();
                    long resets = gate.resets();
                    interpreter.onLine(raw, b, () -> dataByte(resets));
                } else {
                    lastWasCr = false;
                    if (line.size() < MAX_LINE) {
                        line.write(b);
                    }
                }
            }
        } catch (InterruptedIOException e) {
            // close() interrupted a blocking read
        } catch (IOException e) {
            if (!stopped) {
                LOG.debug("host connection ended: {}", e.toString());
            }
        }
    }
}
