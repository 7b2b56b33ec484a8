package io.cellmqtt.simulator;

import static org.awaitility.Awaitility.await;

import com.fazecast.jSerialComm.SerialPort;
import java.nio.charset.StandardCharsets;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The host end of a serial port opened with jSerialComm, as the component opens a modem: reads
 * semi-blocking with a 100 ms timeout on its own thread, and notes when {@code readBytes} reports
 * an error (the device is gone), which the component's SerialLink treats as a lost link.
 */
final class SerialHost implements AutoCloseable {

    private final SerialPort port;
    private final StringBuffer received = new StringBuffer();
    private final Thread reader;
    private volatile boolean lost;
    private volatile boolean closing;
    private int mark;

    SerialHost(String path) {
        port = SerialPort.getCommPort(path);
        port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING | SerialPort.TIMEOUT_WRITE_BLOCKING, 100, 5000);
        if (!port.openPort()) {
            throw new IllegalStateException("cannot open " + path + ", error " + port.getLastErrorCode());
        }
        reader = new Thread(this::readLoop, "test-serial-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop() {
        byte[] buf = new byte[1024];
        while (!closing) {
            int n = port.readBytes(buf, buf.length);
            if (n < 0) {
                lost = true;
                return;
            }
            received.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        }
    }

    /** True once {@code readBytes} returned an error. */
    boolean lost() {
        return lost;
    }

    void send(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        port.writeBytes(b, b.length);
    }

    String fresh() {
        return received.substring(mark);
    }

    void consume() {
        mark = received.length();
    }

    String awaitFresh(String expected) {
        try {
            await().atMost(FakeHost.TIMEOUT).until(() -> fresh().contains(expected));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no " + SimcomHost.printable(expected) + " in: " + SimcomHost.printable(fresh()), e);
        }
        return fresh();
    }

    /** Sends a command, waits for its final OK or ERROR, returns what came and forgets it. */
    String command(String cmd) {
        consume();
        send(cmd + "\r");
        await().atMost(FakeHost.TIMEOUT).until(() -> fresh().contains("OK\r\n") || fresh().contains("ERROR\r\n"));
        String got = fresh();
        consume();
        return got;
    }

    /** Sends a command and waits for {@code until} after it; returns what came and forgets it. */
    String command(String cmd, String until) {
        consume();
        send(cmd + "\r");
        String got = awaitFresh(until);
        consume();
        return got;
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        reader.join(2000);
        port.closePort();
    }
}
