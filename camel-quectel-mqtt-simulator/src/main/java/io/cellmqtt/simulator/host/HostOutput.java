package io.cellmqtt.simulator.host;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single path from the modem to the host. Decisions about ordering are taken under one lock
 * (a reply or data phase in progress holds back URCs until its final result), while the blocking
 * writes happen on a dedicated thread so a host that stops reading never stalls the Netty threads.
 */
public final class HostOutput implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HostOutput.class);
    private static final byte[] STOP = new byte[0];

    private final Object lock = new Object();
    private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private final List<byte[]> heldUrcs = new ArrayList<>();
    private final Thread writer;
    private volatile OutputStream sink;
    private boolean replyInProgress;
    private boolean silenced;
    private String beforeNextOk;
    private Random chunkRandom;
    private int maxChunk;

    public HostOutput() {
        writer = new Thread(this::writeLoop, "sim-host-writer");
        writer.setDaemon(true);
        writer.start();
    }

    public void attach(OutputStream out) {
        sink = out;
    }

    public void detach(OutputStream out) {
        if (sink == out) {
            sink = null;
        }
    }

    public void setChunking(long seed, int max) {
        synchronized (lock) {
            chunkRandom = max > 0 ? new Random(seed) : null;
            maxChunk = max;
        }
    }

    public void beforeNextOk(String urcLine) {
        synchronized (lock) {
            beforeNextOk = urcLine;
        }
    }

    /** A command line was received: from now on URCs wait until its final result. */
    public void beginReply() {
        synchronized (lock) {
            replyInProgress = true;
        }
    }

    /** Bytes that belong to the current reply (echo, information lines, the "> " prompt). */
    public void raw(byte[] bytes) {
        synchronized (lock) {
            enqueue(bytes);
        }
    }

    /** An information response line, framed as the spec says: CR LF text CR LF. */
    public void line(String text) {
        raw(frame(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Several information lines as one block, the way Quectel prints ATI: CR LF l1 CR LF l2 CR LF. */
    public void block(List<String> lines) {
        raw(("\r\n" + String.join("\r\n", lines) + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Writes the final result code, ends the reply and releases the URCs held back meanwhile. */
    public void finalResult(String result) {
        synchronized (lock) {
            if ("OK".equals(result) && beforeNextOk != null) {
                enqueue(frame(beforeNextOk.getBytes(StandardCharsets.UTF_8)));
                beforeNextOk = null;
            }
            enqueue(frame(result.getBytes(StandardCharsets.UTF_8)));
            replyInProgress = false;
            for (byte[] urc : heldUrcs) {
                enqueue(urc);
            }
            heldUrcs.clear();
        }
    }

    /** Ends a reply that produced no final result (e.g. a line that was ignored). */
    public void endReply() {
        synchronized (lock) {
            replyInProgress = false;
            for (byte[] urc : heldUrcs) {
                enqueue(urc);
            }
            heldUrcs.clear();
        }
    }

    public void urc(String line) {
        urc(line.getBytes(StandardCharsets.UTF_8));
    }

    /** A URC as raw bytes (QMTRECV carries binary payloads). Held back while a reply is in progress. */
    public void urc(byte[] line) {
        byte[] framed = frame(line);
        synchronized (lock) {
            if (replyInProgress) {
                heldUrcs.add(framed);
            } else {
                enqueue(framed);
            }
        }
    }

    /** The last words of a modem switched off by AT+QPOWD; nothing is written afterwards. */
    public void powerDown(String lastLine) {
        synchronized (lock) {
            enqueue(frame(lastLine.getBytes(StandardCharsets.UTF_8)));
            silenced = true;
            heldUrcs.clear();
        }
    }

    private void enqueue(byte[] bytes) {
        if (silenced || bytes.length == 0) {
            return;
        }
        if (chunkRandom == null) {
            queue.add(bytes);
            return;
        }
        int off = 0;
        while (off < bytes.length) {
            int n = Math.min(bytes.length - off, 1 + chunkRandom.nextInt(maxChunk));
            byte[] chunk = new byte[n];
            System.arraycopy(bytes, off, chunk, 0, n);
            queue.add(chunk);
            off += n;
        }
    }

    public static byte[] frame(byte[] text) {
        byte[] out = new byte[text.length + 4];
        out[0] = '\r';
        out[1] = '\n';
        System.arraycopy(text, 0, out, 2, text.length);
        out[out.length - 2] = '\r';
        out[out.length - 1] = '\n';
        return out;
    }

    private void writeLoop() {
        try {
            while (true) {
                byte[] b = queue.take();
                if (b == STOP) {
                    return;
                }
                OutputStream out = sink;
                if (out == null) {
                    continue; // no host attached: the bytes are lost, as on a real UART
                }
                try {
                    out.write(b);
                    out.flush();
                } catch (IOException e) {
                    LOG.debug("host write failed: {}", e.toString());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits (bounded) until everything queued so far was handed to the sink; used before closing. */
    public void drain(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!queue.isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    @Override
    public void close() {
        queue.add(STOP);
        try {
            writer.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
