package io.cellmqtt.link;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;

/**
 * An unbounded in-memory byte pipe that any thread may write and any thread may read (unlike
 * {@link java.io.PipedInputStream}, it does not care which threads those are or whether they
 * are still alive). Closing either end makes reads return -1 once drained and writes fail.
 */
final class ByteQueue {
    private byte[] buf = new byte[1024];
    private int head;
    private int size;
    private boolean closed;

    synchronized void write(byte[] data, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("pipe closed");
        }
        if (size + len > buf.length) {
            byte[] bigger = new byte[Math.max(buf.length * 2, size + len)];
            copyOut(bigger, size);
            buf = bigger;
            head = 0;
        }
        int tail = (head + size) % buf.length;
        int first = Math.min(len, buf.length - tail);
        System.arraycopy(data, off, buf, tail, first);
        System.arraycopy(data, off + first, buf, 0, len - first);
        size += len;
        notifyAll();
    }

    /** Blocks until at least one byte is there (returns how many were copied) or the queue is closed and empty (-1). */
    synchronized int read(byte[] dst, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (size == 0 && !closed) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted reading pipe");
            }
        }
        if (size == 0) {
            return -1;
        }
        int n = Math.min(len, size);
        int first = Math.min(n, buf.length - head);
        System.arraycopy(buf, head, dst, off, first);
        System.arraycopy(buf, 0, dst, off + first, n - first);
        head = (head + n) % buf.length;
        size -= n;
        return n;
    }

    synchronized int available() {
        return size;
    }

    synchronized void close() {
        closed = true;
        notifyAll();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    private void copyOut(byte[] dst, int n) {
        int first = Math.min(n, buf.length - head);
        System.arraycopy(buf, head, dst, 0, first);
        System.arraycopy(buf, 0, dst, first, n - first);
    }

    InputStream inputStream(Runnable onClose) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = ByteQueue.this.read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return ByteQueue.this.read(b, off, len);
            }

            @Override
            public int available() {
                return ByteQueue.this.available();
            }

            @Override
            public void close() {
                onClose.run();
            }
        };
    }

    OutputStream outputStream(Runnable onClose) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                ByteQueue.this.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteQueue.this.write(b, off, len);
            }

            @Override
            public void close() {
                onClose.run();
            }
        };
    }
}
