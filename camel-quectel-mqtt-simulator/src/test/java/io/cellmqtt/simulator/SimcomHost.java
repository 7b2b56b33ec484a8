package io.cellmqtt.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A {@link FakeHost} that speaks the SIM7600 dialect: data phases after the prompt, replies that end
 * with a URC, the usual bring-up. Polls every few milliseconds: a session is dozens of commands.
 */
final class SimcomHost {

    private final FakeHost raw;

    /** The byte-level host under this one. */
    FakeHost raw() {
        return raw;
    }

    SimcomHost(SimulatedModem modem) {
        raw = FakeHost.attachedTo(modem);
        assertThat(command("ATE0")).endsWith("\r\nOK\r\n");
    }

    private static void awaitUntil(String what, Callable<Boolean> condition, FakeHost raw) {
        try {
            await().atMost(FakeHost.TIMEOUT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).until(condition);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no " + what + " in: " + printable(raw.fresh()), e);
        }
    }

    static String printable(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }

    void send(String s) {
        raw.send(s);
    }

    void sendBytes(byte[] b) {
        raw.sendBytes(b);
    }

    /** Everything since the last {@link #consume()}. */
    String fresh() {
        return raw.fresh();
    }

    String all() {
        return raw.all();
    }

    void consume() {
        raw.consume();
    }

    /** Waits until {@code expected} arrived since the last {@link #consume()}; returns all that did. */
    String awaitFresh(String expected) {
        awaitUntil(printable(expected), () -> raw.fresh().contains(expected), raw);
        return raw.fresh();
    }

    /** A command without data phase; returns everything up to its final result. */
    String command(String cmd) {
        raw.consume();
        raw.send(cmd + "\r");
        awaitUntil("final result", () -> raw.fresh().contains("\r\nOK\r\n") || raw.fresh().contains("\r\nERROR\r\n"), raw);
        String got = raw.fresh();
        raw.consume();
        return got;
    }

    /**
     * A command the broker answers: waits for either {@code OK} and then the whole
     * {@code <name>: ...} URC line, or {@code ERROR}; returns what arrived meanwhile.
     */
    String brokerCommand(String cmd, String name) {
        Pattern done = Pattern.compile("(?s).*(\r\nOK\r\n.*\r\n" + Pattern.quote(name) + ": [^\r\n]*\r\n|\r\nERROR\r\n).*");
        raw.consume();
        raw.send(cmd + "\r");
        awaitUntil("final result and " + name, () -> done.matcher(raw.fresh()).matches(), raw);
        String got = raw.fresh();
        raw.consume();
        return got;
    }

    /** A command with a data phase: checks the prompt is exactly {@code "\r\n> "}, sends the bytes, returns the rest of the reply. */
    String withData(String cmd, byte[] data) {
        raw.consume();
        raw.send(cmd + "\r");
        awaitFresh("\r\n> ");
        assertThat(raw.fresh()).as("prompt of " + cmd).isEqualTo("\r\n> ");
        raw.consume();
        raw.sendBytes(data);
        awaitUntil("final result", () -> raw.fresh().contains("\r\nOK\r\n") || raw.fresh().contains("\r\nERROR\r\n"), raw);
        String got = raw.fresh();
        raw.consume();
        return got;
    }

    String withData(String cmd, String data) {
        return withData(cmd, data.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** START (once), ACCQ (TCP) and CONNECT to {@code url}, each answered as on success. */
    void connect(int idx, String clientId, String url) {
        if (!raw.all().contains("+CMQTTSTART: 0")) {
            assertThat(brokerCommand("AT+CMQTTSTART", "+CMQTTSTART")).isEqualTo("\r\nOK\r\n\r\n+CMQTTSTART: 0\r\n");
        }
        assertThat(command("AT+CMQTTACCQ=" + idx + ",\"" + clientId + "\",0")).isEqualTo("\r\nOK\r\n");
        assertThat(brokerCommand("AT+CMQTTCONNECT=" + idx + ",\"" + url + "\",60,1", "+CMQTTCONNECT"))
                .isEqualTo("\r\nOK\r\n\r\n+CMQTTCONNECT: " + idx + ",0\r\n");
    }

    /** TOPIC, PAYLOAD and PUB; returns PUB's reply up to its URC or ERROR. */
    String publish(int idx, String topic, byte[] payload, int qos, int retained) {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        assertThat(withData("AT+CMQTTTOPIC=" + idx + "," + t.length, t)).isEqualTo("\r\nOK\r\n");
        assertThat(withData("AT+CMQTTPAYLOAD=" + idx + "," + payload.length, payload)).isEqualTo("\r\nOK\r\n");
        return brokerCommand("AT+CMQTTPUB=" + idx + "," + qos + ",60," + retained, "+CMQTTPUB");
    }

    static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
