package io.cellmqtt.simulator.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one host connection: assembles command lines (CR, LF or CR LF end a line) and hands them
 * to the interpreter, which reads data phases from the same stream.
 */
public final class HostSession implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(HostSession.class);
    /** Longer lines are not commands any modem accepts; keep memory bounded against garbage. */
    private static final int MAX_LINE = 8192;

    private final InputStream in;
    private final LineHandler interpreter;
    private volatile boolean stopped;

    public HostSession(InputStream in, LineHandler interpreter) {
        this.in = new AvailableBufferedInput(in);
        this.interpreter = interpreter;
    }

    public void stop() {
        stopped = true;
    }

    /**
     * Buffers without ever asking for more than the stream says is available (at least one byte),
     * so streams that only implement {@code read()} do not block a bulk read waiting for 8 KiB.
     */
    private static final class AvailableBufferedInput extends InputStream {
        private final InputStream in;
        private final byte[] buf = new byte[4096];
        private int pos;
        private int len;

        AvailableBufferedInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            if (pos >= len) {
                int want = Math.max(1, Math.min(buf.length, in.available()));
                int n = in.read(buf, 0, want);
                if (n <= 0) {
                    return -1;
                }
                pos = 0;
                len = n;
            }
            return buf[pos++] & 0xFF;
        }
    }

    @Override
    public void run() {
        HostInput input = in::read;
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean lastWasCr = false;
        try {
            while (!stopped) {
                int b = in.read();
                if (b < 0) {
                    return;
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
                    interpreter.onLine(raw, b, input);
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
