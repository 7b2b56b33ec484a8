package io.cellmqtt.at;

import io.cellmqtt.link.PipeLink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted modem on the far side of a {@link PipeLink}: reads the host's command lines (ended
 * by CR), optionally echoes them, and lets the test's script answer. Everything the host wrote
 * is recorded byte for byte.
 */
final class FakeModem implements AutoCloseable {

    /** Answers one command line; runs on the fake's thread and may read data or send anything. */
    @FunctionalInterface
    interface Script {
        void onCommand(String line, FakeModem modem) throws IOException;
    }

    final PipeLink pipe = PipeLink.create();
    private final InputStream in = pipe.modemInput();
    private final OutputStream out = pipe.modemOutput();
    private final ByteArrayOutputStream hostBytes = new ByteArrayOutputStream();
    final List<String> commands = new CopyOnWriteArrayList<>();
    private volatile Script script;
    volatile boolean echo;
    volatile int escapes;
    private final Thread thread;

    FakeModem(Script script) {
        this.script = script;
        this.thread = new Thread(this::loop, "fake-modem");
        thread.setDaemon(true);
        thread.start();
    }

    /** A script that answers the resync probe {@code AT+CMEE?} and hands everything else on. */
    static Script withResync(Script rest) {
        return (line, m) -> {
            if (line.equals("AT+CMEE?")) {
                m.send("\r\n+CMEE: 2\r\n\r\nOK\r\n");
            } else {
                rest.onCommand(line, m);
            }
        };
    }

    void script(Script s) {
        this.script = s;
    }

    private void loop() {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = read()) >= 0) {
                if (b == 0x1B) {
                    escapes++;
                    line.reset();
                } else if (b == '\r') {
                    String l = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    commands.add(l);
                    if (echo) {
                        send(l + "\r\r\n");
                    }
                    script.onCommand(l, this);
                } else if (b != '\n') {
                    line.write(b);
                }
            }
        } catch (IOException e) {
            // pipe closed
        }
    }

    private int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            synchronized (hostBytes) {
                hostBytes.write(b);
            }
        }
        return b;
    }

    /** Reads exactly {@code n} data bytes (after a prompt). */
    byte[] readData(int n) throws IOException {
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            int b = read();
            if (b < 0) {
                throw new IOException("eof in data");
            }
            data[i] = (byte) b;
        }
        return data;
    }

    void send(String s) throws IOException {
        send(s.getBytes(StandardCharsets.UTF_8));
    }

    /** When set, every send is split into random small writes (1-3 bytes). */
    volatile java.util.Random chunking;

    void send(byte[] b) throws IOException {
        java.util.Random r = chunking;
        if (r == null) {
            out.write(b);
        } else {
            int i = 0;
            while (i < b.length) {
                int n = Math.min(b.length - i, 1 + r.nextInt(3));
                out.write(b, i, n);
                i += n;
            }
        }
        out.flush();
    }

    /** Everything the host wrote so far. */
    byte[] hostBytes() {
        synchronized (hostBytes) {
            return hostBytes.toByteArray();
        }
    }

    String hostText() {
        return new String(hostBytes(), StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        pipe.close();
    }
}
