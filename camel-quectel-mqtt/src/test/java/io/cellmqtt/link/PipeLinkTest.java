package io.cellmqtt.link;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PipeLinkTest {

    /** Collects what the host reads and how the link ended. */
    static final class Recorder implements LinkListener {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CompletableFuture<Throwable> closed = new CompletableFuture<>();
        final AtomicInteger closedCount = new AtomicInteger();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public synchronized void onBytes(byte[] buffer, int offset, int length) {
            threads.add(Thread.currentThread().getName());
            bytes.write(buffer, offset, length);
        }

        @Override
        public void onClosed(Throwable cause) {
            closedCount.incrementAndGet();
            closed.complete(cause);
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static String readN(InputStream in, int n) throws Exception {
        byte[] b = in.readNBytes(n);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void bytesFlowBothWaysInOrder() throws Exception {
        PipeLink link = PipeLink.create();
        Recorder r = new Recorder();
        link.start(r, LinkTests.READER);
        link.write("AT\r".getBytes(StandardCharsets.US_ASCII));
        link.write(new byte[] {0, (byte) 0xFF, 0x1A});
        assertThat(readN(link.modemInput(), 6)).isEqualTo("AT\r\u0000\u00ff\u001a");
        link.modemOutput().write("\r\nOK\r\n".getBytes(StandardCharsets.US_ASCII));
        await().until(() -> r.text().equals("\r\nOK\r\n"));
        assertThat(link.isOpen()).isTrue();
        link.close();
    }

    @Test
    void largeWritesFromManyPoolThreadsArriveWhole() throws Exception {
        PipeLink link = PipeLink.create();
        Recorder r = new Recorder();
        link.start(r, LinkTests.READER);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            byte[] block = new byte[10_000];
            java.util.Arrays.fill(block, (byte) 'z');
            List<Future<?>> fs = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                fs.add(pool.submit(() -> {
                    link.modemOutput().write(block);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(10, TimeUnit.SECONDS);
            }
            await().until(() -> r.bytes.size() == 80_000);
            assertThat(r.text()).matches("z{80000}");
        } finally {
            pool.shutdownNow();
        }
        link.close();
    }

    @Test
    void hostCloseEndsTheModemSideAndReportsNull() throws Exception {
        PipeLink link = PipeLink.create();
        Recorder r = new Recorder();
        link.start(r, LinkTests.READER);
        link.close();
        link.close(); // idempotent
        assertThat(r.closed.get(5, TimeUnit.SECONDS)).isNull();
        assertThat(link.modemInput().read()).isEqualTo(-1);
        assertThat(link.isOpen()).isFalse();
        assertThatThrownBy(() -> link.write(new byte[] {1})).isInstanceOf(LinkException.class);
        assertThatThrownBy(() -> link.modemOutput().write(1)).isInstanceOf(java.io.IOException.class);
        assertThat(r.closedCount.get()).isEqualTo(1);
    }

    @Test
    void modemSideCloseIsALostLink() throws Exception {
        PipeLink link = PipeLink.create();
        Recorder r = new Recorder();
        link.start(r, LinkTests.READER);
        link.modemOutput().write('x');
        link.modemOutput().close();
        assertThat(r.closed.get(5, TimeUnit.SECONDS)).isInstanceOf(EOFException.class);
        assertThat(r.text()).isEqualTo("x"); // what was sent before the close is still delivered
        assertThat(link.isOpen()).isFalse();
        assertThatThrownBy(() -> link.write(new byte[] {1})).isInstanceOf(LinkException.class);
        link.close();
        assertThat(r.closedCount.get()).isEqualTo(1);
    }

    @Test
    void closingModemInputAlsoEndsTheLink() throws Exception {
        PipeLink link = PipeLink.create();
        Recorder r = new Recorder();
        link.start(r, LinkTests.READER);
        link.modemInput().close();
        assertThat(r.closed.get(5, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void startTwiceIsRefused() {
        PipeLink link = PipeLink.create();
        link.start(new Recorder(), LinkTests.READER);
        assertThatThrownBy(() -> link.start(new Recorder(), LinkTests.READER)).isInstanceOf(IllegalStateException.class);
        link.close();
    }
}
