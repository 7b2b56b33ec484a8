package io.cellmqtt.simulator;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The host end of an in-memory AT port: writes commands, collects every byte the modem sends. */
public final class FakeHost {

    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final LinkedBlockingQueue<byte[]> toModem = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private int mark;

    public final InputStream modemInput = new InputStream() {
        private byte[] current = new byte[0];
        private int pos;

        @Override
        public int read() throws IOException {
            while (pos >= current.length) {
                try {
                    current = toModem.take();
                } catch (InterruptedException e) {
                    throw new InterruptedIOException();
                }
                pos = 0;
            }
            return current[pos++] & 0xFF;
        }
    };

    public final OutputStream modemOutput = new OutputStream() {
        @Override
        public void write(int b) {
            synchronized (received) {
                received.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (received) {
                received.write(b, off, len);
            }
        }
    };

    /**
     * Quectel's upload checksum as the QFUPL documents define it, written here independently of the
     * simulator's: the XOR of the data taken as 16-bit big-endian words, an odd last byte padded with 0.
     */
    public static int quectelChecksum(byte[] data) {
        int x = 0;
        for (int i = 0; i < data.length; i += 2) {
            x ^= ((data[i] & 0xFF) << 8) | (i + 1 < data.length ? data[i + 1] & 0xFF : 0);
        }
        return x;
    }

    public static FakeHost attachedTo(SimulatedModem modem) {
        FakeHost h = new FakeHost();
        modem.serve(h.modemInput, h.modemOutput);
        return h;
    }

    public void send(String s) {
        sendBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    public void sendBytes(byte[] b) {
        toModem.add(b.clone());
    }

    /** All bytes received so far, as ISO-8859-1 so that each byte is one char. */
    public String all() {
        synchronized (received) {
            return received.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** What arrived since the last {@link #consume()}. */
    public String fresh() {
        return all().substring(mark);
    }

    public void consume() {
        mark = all().length();
    }

    public String awaitFresh(String expected) {
        try {
            await().atMost(TIMEOUT).until(() -> fresh().contains(expected));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no " + expected.replace("\r", "\\r").replace("\n", "\\n") + " in: "
                    + fresh().replace("\r", "\\r").replace("\n", "\\n"), e);
        }
        return fresh();
    }

    /** Sends a command and waits for the given text to appear after it; then forgets what was read. */
    public String command(String cmd, String until) {
        consume();
        send(cmd + "\r");
        String got = awaitFresh(until);
        consume();
        return got;
    }

    public String command(String cmd) {
        consume();
        send(cmd + "\r");
        await().atMost(TIMEOUT).until(() -> fresh().contains("\r\nOK\r\n") || fresh().contains("\r\nERROR\r\n"));
        String got = fresh();
        consume();
        return got;
    }

    public Matcher awaitMatch(String regex) {
        Pattern p = Pattern.compile(regex, Pattern.DOTALL);
        try {
            await().atMost(TIMEOUT).until(() -> p.matcher(all()).find());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no match for " + regex.replace("\r", "\\r").replace("\n", "\\n") + " in: "
                    + all().replace("\r", "\\r").replace("\n", "\\n"), e);
        }
        Matcher m = p.matcher(all());
        m.find();
        return m;
    }
}
