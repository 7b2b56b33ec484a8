package io.cellmqtt.link;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link SerialLink} over a real pseudo-terminal made by a small python3 helper (skipped where
 * python3 is missing): bytes both ways through jSerialComm, and the helper's exit (the PTY master
 * closing, like a USB modem unplugged) is a lost link.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SerialLinkPtyTest {
    private static final String HELPER = String.join("\n",
            "import os, pty, sys, tty",
            "m, s = pty.openpty()",
            "tty.setraw(s)",
            "print(os.ttyname(s), flush=True)",
            "buf = b''",
            "while True:",
            "    d = os.read(m, 1024)",
            "    buf += d",
            "    if b'QUIT\\r' in buf:",
            "        break",
            "    while b'\\r' in buf:",
            "        line, buf = buf.split(b'\\r', 1)",
            "        os.write(m, b'\\r\\n' + line[::-1] + b'\\r\\nOK\\r\\n')",
            "os.close(m)",
            "");

    private Process helper;

    @AfterEach
    void stop() {
        if (helper != null) {
            helper.destroyForcibly();
        }
    }

    private String startPty() throws Exception {
        try {
            helper = new ProcessBuilder("python3", "-c", HELPER).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeThat(false).as("python3 not available").isTrue();
        }
        BufferedReader r = new BufferedReader(new InputStreamReader(helper.getInputStream(), StandardCharsets.UTF_8));
        String path = r.readLine();
        assumeThat(path).as("pty helper output").isNotNull().startsWith("/dev/");
        return path;
    }

    @Test
    void talksThroughAPtyAndReportsTheMasterClosingAsLoss() throws Exception {
        String path = startPty();
        Link link = Links.open(path, 115200);
        assertThat(link).isInstanceOf(SerialLink.class);
        assertThat(link.name()).isEqualTo(path);
        PipeLinkTest.Recorder r = new PipeLinkTest.Recorder();
        link.start(r, LinkTests.READER);
        link.write("ATI\r".getBytes(StandardCharsets.US_ASCII));
        await().atMost(10, TimeUnit.SECONDS).until(() -> r.text().equals("\r\nITA\r\nOK\r\n"));
        link.write("QUIT\r".getBytes(StandardCharsets.US_ASCII));
        Throwable cause = r.closed.get(10, TimeUnit.SECONDS);
        assertThat(cause).isInstanceOf(LinkException.class).hasMessageContaining(path);
        assertThat(link.isOpen()).isFalse();
        link.close();
        assertThat(r.closedCount.get()).isEqualTo(1);
    }

    @Test
    void deliberateCloseReportsNull() throws Exception {
        String path = startPty();
        Link link = Links.open(path, 9600);
        PipeLinkTest.Recorder r = new PipeLinkTest.Recorder();
        link.start(r, LinkTests.READER);
        link.close();
        assertThat(r.closed.get(5, TimeUnit.SECONDS)).isNull();
        assertThat(link.isOpen()).isFalse();
    }

    /**
     * A modem reads its port on a pool thread that outlives the read loop (one reader executor per
     * modem serves every reopen). close() waited for that thread to end, which it never does: every
     * close took the whole second of its bound, on the modem's event loop, after every lost port too.
     */
    @Test
    void closeReturnsOnceTheReadLoopEndedNotWhenItsPoolThreadDoes() throws Exception {
        String path = startPty();
        java.util.concurrent.ExecutorService reader = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            Link link = Links.open(path, 115200);
            PipeLinkTest.Recorder r = new PipeLinkTest.Recorder();
            link.start(r, reader);
            link.write("ATI\r".getBytes(StandardCharsets.US_ASCII));
            await().atMost(10, TimeUnit.SECONDS).until(() -> r.text().equals("\r\nITA\r\nOK\r\n")); // reading
            long t0 = System.nanoTime();
            link.close();
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            // The read loop notices the close within its 100 ms read timeout, and has closed the port by then.
            assertThat(r.closed).isDone();
            assertThat(link.isOpen()).isFalse();
            assertThat(tookMs).as("close() took %d ms", tookMs).isLessThan(600);
        } finally {
            reader.shutdownNow();
        }
    }

    @Test
    void closingALinkThatWasLostReturnsAtOnce() throws Exception {
        String path = startPty();
        java.util.concurrent.ExecutorService reader = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            Link link = Links.open(path, 115200);
            PipeLinkTest.Recorder r = new PipeLinkTest.Recorder();
            link.start(r, reader);
            link.write("QUIT\r".getBytes(StandardCharsets.US_ASCII));
            assertThat(r.closed.get(10, TimeUnit.SECONDS)).isInstanceOf(LinkException.class);
            long t0 = System.nanoTime();
            link.close();
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(tookMs).as("close() took %d ms", tookMs).isLessThan(100);
        } finally {
            reader.shutdownNow();
        }
    }
}
