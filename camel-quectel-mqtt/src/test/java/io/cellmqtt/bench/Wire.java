package io.cellmqtt.bench;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What crosses a simulated modem's AT port, counted between the simulator and its pseudo-terminal:
 * the bytes the host wrote (commands, data after a prompt), the bytes the modem wrote (prompts, OK,
 * URCs), and of those the publish-result URCs, which travel while the host writes its next command.
 * It also stamps the moment the modem finished writing a received message carrying {@code seq=N;}:
 * the start of the component's share of the receive latency.
 */
final class Wire {
    final AtomicLong hostToModem = new AtomicLong();
    final AtomicLong modemToHost = new AtomicLong();
    /** The bytes of +QMTPUB: / +CMQTTPUB: result URCs, CR LF framing included. */
    final AtomicLong resultUrcs = new AtomicLong();
    /** seq -> System.nanoTime() when the write holding the message's last line returned. */
    final Map<Integer, Long> urcWritten = new ConcurrentHashMap<>();

    InputStream fromHost(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    hostToModem.incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    hostToModem.addAndGet(n);
                }
                return n;
            }
        };
    }

    OutputStream toHost(OutputStream out) {
        return new FilterOutputStream(out) {
            private final StringBuilder line = new StringBuilder();
            private int pendingSeq = -1;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                long now = System.nanoTime();
                modemToHost.addAndGet(len);
                synchronized (line) {
                    for (int i = off; i < off + len; i++) {
                        char c = (char) (b[i] & 0xff);
                        if (c == '\n') {
                            lineEnded(line, now);
                            line.setLength(0);
                        } else if (c != '\r' && line.length() < 8192) {
                            line.append(c);
                        }
                    }
                }
            }

            private void lineEnded(CharSequence l, long now) {
                String s = l.toString();
                if (s.startsWith("+QMTPUB:") || s.startsWith("+CMQTTPUB:")) {
                    resultUrcs.addAndGet(s.length() + 4L);
                }
                int at = s.indexOf("seq=");
                if (at >= 0) {
                    int end = s.indexOf(';', at);
                    if (end > at + 4) {
                        try {
                            pendingSeq = Integer.parseInt(s.substring(at + 4, end));
                        } catch (NumberFormatException e) {
                            pendingSeq = -1;
                        }
                    }
                }
                // Quectel: the whole message is one +QMTRECV line; SIM7600: +CMQTTRXEND closes it
                if (pendingSeq >= 0 && (s.startsWith("+QMTRECV:") && at >= 0 || s.startsWith("+CMQTTRXEND:"))) {
                    urcWritten.putIfAbsent(pendingSeq, now);
                    pendingSeq = -1;
                }
            }
        };
    }

    long[] snapshot() {
        return new long[] {hostToModem.get(), modemToHost.get(), resultUrcs.get()};
    }
}
