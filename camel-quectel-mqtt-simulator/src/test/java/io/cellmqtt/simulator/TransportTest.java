package io.cellmqtt.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The PTY and TCP transports and the command-line entry point. */
class TransportTest {

    /**
     * Collects what arrives on a stream on a daemon thread (reads on a tty block) and stops after
     * the first final OK: a reader left blocked on a closed tty fd would steal the next session's bytes.
     */
    private static StringBuffer collect(InputStream in) {
        StringBuffer sb = new StringBuffer();
        Thread t = new Thread(() -> {
            byte[] buf = new byte[256];
            try {
                int n;
                while (!sb.toString().contains("OK\r\n") && (n = in.read(buf)) > 0) {
                    sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                }
            } catch (Exception e) {
                // port closed
            }
        }, "test-reader");
        t.setDaemon(true);
        t.start();
        return sb;
    }

    private static void talk(String path) throws Exception {
        try (OutputStream out = new FileOutputStream(path); InputStream in = new FileInputStream(path)) {
            StringBuffer got = collect(in);
            out.write("AT\r".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(FakeHost.TIMEOUT).until(() -> got.toString().contains("OK\r\n"));
            assertThat(got.toString()).isEqualTo("AT\r\r\nOK\r\n");
        }
    }

    @Test
    void ptyAnswersOnTheSlavePathAndSurvivesReopen() throws Exception {
        try (SimulatedModem modem = SimulatedModem.bg95()) {
            String path = modem.openPty();
            assertThat(path).startsWith("/dev/pts/");
            talk(path);
            // the host closes and reopens the port: the modem still answers
            try (OutputStream out = new FileOutputStream(path); InputStream in = new FileInputStream(path)) {
                StringBuffer got = collect(in);
                out.write("AT+CGMM\r".getBytes(StandardCharsets.US_ASCII));
                await().atMost(FakeHost.TIMEOUT).until(() -> got.toString().contains("OK\r\n"));
                assertThat(got.toString()).endsWith("\r\nBG95-M3\r\n\r\nOK\r\n");
            }
            assertThat(modem.commandLog()).containsExactly("AT", "AT+CGMM");
        }
    }

    @Test
    void tcpServesOneHostAtATimeAndReaccepts() throws Exception {
        try (SimulatedModem modem = SimulatedModem.bg95()) {
            int port = modem.listenTcp(0);
            for (int i = 0; i < 2; i++) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    StringBuffer got = collect(s.getInputStream());
                    s.getOutputStream().write("ATI\r".getBytes(StandardCharsets.US_ASCII));
                    await().atMost(FakeHost.TIMEOUT).until(() -> got.toString().contains("OK\r\n"));
                    assertThat(got.toString()).contains("\r\nQuectel\r\nBG95-M3\r\n");
                }
            }
        }
    }

    @Test
    void mainPrintsThePtyPath() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Thread main = new Thread(() -> {
            try {
                SimulatorMain.main(new String[] {"--pty"});
            } catch (InterruptedException e) {
                // stopped
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "simulator-main");
        main.setDaemon(true);
        try {
            main.start();
            await().atMost(FakeHost.TIMEOUT).until(() -> captured.toString(StandardCharsets.UTF_8).contains("\n"));
        } finally {
            System.setOut(original);
        }
        String line = captured.toString(StandardCharsets.UTF_8).trim();
        assertThat(line).matches("PTY: /dev/pts/\\d+");
        talk(line.substring("PTY: ".length()));
        main.interrupt();
    }
}
