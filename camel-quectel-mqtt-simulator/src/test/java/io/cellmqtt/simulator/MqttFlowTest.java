package io.cellmqtt.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The MQTT command set against a real (embedded Moquette) broker, checked by an independent Paho client. */
class MqttFlowTest {

    /** Bytes a host framing by quotes, commas or line ends would trip on; 0x1A/0x1B would end a Ctrl+Z data phase. */
    private static final byte[] NASTY = {'a', '"', ',', '\r', '\n', 0x1A, 0x1B, 0, 'z', (byte) 0xFF};

    /** One broker for the class: starting and stopping Moquette costs seconds. Client ids differ per test. */
    private static EmbeddedBroker broker;
    private SimulatedModem modem;
    private FakeHost host;
    private MqttClient paho;
    private final LinkedBlockingQueue<Received> pahoInbox = new LinkedBlockingQueue<>();

    record Received(String topic, MqttMessage message) {
    }

    @BeforeAll
    static void startBroker() {
        broker = new EmbeddedBroker();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @BeforeEach
    void start() throws Exception {
        modem = SimulatedModem.bg95();
        host = FakeHost.attachedTo(modem);
        host.command("ATE0");
        paho = new MqttClient(broker.url(), "paho-observer", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        paho.connect(o);
    }

    @AfterEach
    void stop() throws Exception {
        if (paho.isConnected()) {
            paho.disconnect();
        }
        paho.close();
        modem.close();
    }

    private void pahoSubscribe(String filter, int qos) throws Exception {
        paho.subscribe(filter, qos, (t, m) -> pahoInbox.add(new Received(t, m)));
    }

    private Received pahoNext() throws InterruptedException {
        Received r = pahoInbox.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("message at Paho").isNotNull();
        return r;
    }

    private void openAndConnect(int idx, String clientId) {
        assertThat(host.command("AT+QMTOPEN=" + idx + ",\"127.0.0.1\"," + broker.port(), "+QMTOPEN: " + idx + ","))
                .contains("\r\nOK\r\n").contains("+QMTOPEN: " + idx + ",0");
        assertThat(host.command("AT+QMTCONN=" + idx + ",\"" + clientId + "\"", "+QMTCONN: " + idx + ","))
                .contains("+QMTCONN: " + idx + ",0,0");
    }

    private static byte[] concat(String head, byte[] body, String tail) {
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] t = tail.getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[h.length + body.length + t.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        System.arraycopy(t, 0, all, h.length + body.length, t.length);
        return all;
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void openConnectQueriesAndErrors() {
        assertThat(host.command("AT+QMTCONN=0,\"early\"")).isEqualTo("\r\nERROR\r\n");
        openAndConnect(0, "sim-a");
        assertThat(host.command("AT+QMTOPEN?")).contains("+QMTOPEN: 0,\"127.0.0.1\"," + broker.port());
        assertThat(host.command("AT+QMTCONN?")).contains("+QMTCONN: 0,3");
        // the index is occupied: OK, then result 2
        assertThat(host.command("AT+QMTOPEN=0,\"127.0.0.1\"," + broker.port(), "+QMTOPEN: 0,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: 0,2\r\n");
    }

    @Test
    void openFailures() {
        assertThat(host.command("AT+QMTOPEN=1,\"no-such-host.invalid\",1883", "+QMTOPEN: 1,")).contains("+QMTOPEN: 1,4");
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(host.command("AT+QMTOPEN=1,\"127.0.0.1\"," + closedPort, "+QMTOPEN: 1,")).contains("+QMTOPEN: 1,5");
    }

    @Test
    void fixedLengthPublishIsByteExactAtPaho() throws Exception {
        pahoSubscribe("dev/raw", 1);
        openAndConnect(0, "sim-pub");
        host.consume();
        host.send("AT+QMTPUB=0,7,1,0,\"dev/raw\"," + NASTY.length + "\r");
        host.awaitFresh("\r\n> ");
        assertThat(host.fresh()).isEqualTo("\r\n> ");
        host.sendBytes(NASTY);
        assertThat(host.awaitFresh("+QMTPUB: 0,7,")).isEqualTo("\r\n> \r\nOK\r\n\r\n+QMTPUB: 0,7,0\r\n");
        Received r = pahoNext();
        assertThat(r.topic()).isEqualTo("dev/raw");
        assertThat(r.message().getPayload()).containsExactly(NASTY);
        assertThat(r.message().getQos()).isEqualTo(1);
        assertThat(r.message().getId()).isPositive();
    }

    @Test
    void qos0AndQos2AndRetained() throws Exception {
        openAndConnect(0, "sim-q");
        assertThat(host.command("AT+QMTPUBEX=0,0,0,0,\"dev/q0\",\"zero\"", "+QMTPUB: 0,0,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTPUB: 0,0,0\r\n");
        // Moquette 0.17 treats a retained QoS 0 publish as "clear the retained message", so retain at QoS 1
        assertThat(host.command("AT+QMTPUBEX=0,8,1,1,\"dev/ret\",\"kept\"", "+QMTPUB: 0,8,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTPUB: 0,8,0\r\n");
        assertThat(host.command("AT+QMTPUBEX=0,9,2,0,\"dev/q2\",\"two\"", "+QMTPUB: 0,9,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTPUB: 0,9,0\r\n");
        pahoSubscribe("dev/ret", 0);
        Received r = pahoNext();
        assertThat(new String(r.message().getPayload(), StandardCharsets.UTF_8)).isEqualTo("kept");
        assertThat(r.message().isRetained()).isTrue();
    }

    @Test
    void variableLengthPublishEndsWithCtrlZAndEscCancels() throws Exception {
        pahoSubscribe("dev/var", 0);
        openAndConnect(0, "sim-var");
        host.consume();
        host.send("AT+QMTPUB=0,0,0,0,\"dev/var\"\r");
        host.awaitFresh("> ");
        host.sendBytes("hello, \"world\"\u001a".getBytes(StandardCharsets.ISO_8859_1));
        host.awaitFresh("+QMTPUB: 0,0,0");
        assertThat(new String(pahoNext().message().getPayload(), StandardCharsets.UTF_8)).isEqualTo("hello, \"world\"");
        host.consume();
        host.send("AT+QMTPUB=0,3,1,0,\"dev/var\"\r");
        host.awaitFresh("> ");
        host.sendBytes("never\u001b".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(host.awaitFresh("\r\nOK\r\n")).isEqualTo("\r\n> \r\nOK\r\n");
        assertThat(host.command("AT+QMTPUBEX=0,4,1,0,\"dev/var\",\"after\"", "+QMTPUB: 0,4,")).contains("+QMTPUB: 0,4,0");
        assertThat(new String(pahoNext().message().getPayload(), StandardCharsets.UTF_8)).isEqualTo("after");
        assertThat(host.all()).doesNotContain("+QMTPUB: 0,3,");
    }

    @Test
    void lengthLimitsAndPublishPreconditions() {
        assertThat(host.command("AT+QMTPUBEX=0,1,1,0,\"t\",\"x\"")).as("not connected").isEqualTo("\r\nERROR\r\n");
        openAndConnect(0, "sim-lim");
        assertThat(host.command("AT+QMTPUB=0,1,1,0,\"t\",4097")).isEqualTo("\r\nERROR\r\n");
        assertThat(host.command("AT+QMTPUB=0,1,1,0,\"t\",0")).isEqualTo("\r\nERROR\r\n");
        assertThat(host.command("AT+QMTPUB=0,0,1,0,\"t\",1")).as("qos>0 with msgid 0").isEqualTo("\r\nERROR\r\n");
        assertThat(host.command("AT+QMTPUBEX=0,1,1,0,\"t\",\"" + "m".repeat(561) + "\"")).isEqualTo("\r\nERROR\r\n");
        assertThat(host.command("AT+QMTPUBEX=0,1,1,0,\"t\",\"" + "m".repeat(560) + "\"", "+QMTPUB: 0,1,")).contains("+QMTPUB: 0,1,0");
        host.consume();
        host.send("AT+QMTPUB=0,2,1,0,\"t\",4096\r");
        host.awaitFresh("> ");
        host.sendBytes(new byte[4096]);
        host.awaitFresh("+QMTPUB: 0,2,0");
    }

    @Test
    void inflightWindowIsFive() {
        openAndConnect(0, "sim-window");
        modem.setNetworkLatency(Duration.ofSeconds(2)); // holds the acknowledgements back
        for (int id = 1; id <= 5; id++) {
            assertThat(host.command("AT+QMTPUBEX=0," + id + ",1,0,\"w\",\"m" + id + "\"")).isEqualTo("\r\nOK\r\n");
        }
        assertThat(host.command("AT+QMTPUBEX=0,6,1,0,\"w\",\"m6\"")).isEqualTo("\r\nERROR\r\n");
        assertThat(host.command("AT+QMTPUB=0,6,1,0,\"w\",2")).isEqualTo("\r\nERROR\r\n");
        for (int id = 1; id <= 5; id++) {
            host.awaitMatch("\\+QMTPUB: 0," + id + ",0\r\n");
        }
        modem.setNetworkLatency(Duration.ZERO);
        assertThat(host.command("AT+QMTPUBEX=0,6,1,0,\"w\",\"m6\"", "+QMTPUB: 0,6,")).contains("+QMTPUB: 0,6,0");
    }

    @Test
    void subscribeReceiveInBothUrcFormatsThenUnsubscribe() throws Exception {
        openAndConnect(0, "sim-sub");
        assertThat(host.command("AT+QMTSUB=0,11,\"in/#\",2,\"other\",0", "+QMTSUB: 0,11,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTSUB: 0,11,0,2,0\r\n");
        paho.publish("in/a", NASTY, 0, false);
        String expected = latin1(concat("\r\n+QMTRECV: 0,0,\"in/a\",\"", NASTY, "\"\r\n"));
        host.awaitFresh(expected);
        host.consume();

        assertThat(host.command("AT+QMTCFG=\"recv/mode\",0,0,1")).isEqualTo("\r\nOK\r\n");
        paho.publish("in/b", NASTY, 1, false);
        Matcher m = host.awaitMatch("\r\n\\+QMTRECV: 0,(\\d+),\"in/b\"," + NASTY.length + ",\"");
        assertThat(Integer.parseInt(m.group(1))).isPositive();
        int start = m.end();
        await().atMost(FakeHost.TIMEOUT).until(() -> host.all().length() >= start + NASTY.length + 3);
        assertThat(host.all().substring(start, start + NASTY.length + 3)).isEqualTo(latin1(NASTY) + "\"\r\n");
        host.consume();

        assertThat(host.command("AT+QMTUNS=0,12,\"in/#\"", "+QMTUNS: 0,12,")).isEqualTo("\r\nOK\r\n\r\n+QMTUNS: 0,12,0\r\n");
    }

    @Test
    void receiveBufferMode() throws Exception {
        openAndConnect(0, "sim-buf");
        assertThat(host.command("AT+QMTCFG=\"recv/mode\",0,1,1")).isEqualTo("\r\nOK\r\n");
        host.command("AT+QMTSUB=0,1,\"buf\",1", "+QMTSUB: 0,1,");
        paho.publish("buf", "stored".getBytes(StandardCharsets.UTF_8), 1, false);
        host.awaitFresh("\r\n+QMTRECV: 0,0\r\n");
        host.consume();
        assertThat(host.command("AT+QMTRECV?")).isEqualTo("\r\n+QMTRECV: 0,1,0,0,0,0\r\n\r\nOK\r\n");
        assertThat(host.command("AT+QMTRECV=0")).matches("(?s)\r\n\\+QMTRECV: 0,\\d+,\"buf\",6,\"stored\"\r\n\r\nOK\r\n");
        assertThat(host.command("AT+QMTRECV?")).isEqualTo("\r\n+QMTRECV: 0,0,0,0,0,0\r\n\r\nOK\r\n");
    }

    @Test
    void droppedNetworkDeliversWillAndReportsStat() throws Exception {
        pahoSubscribe("dev/lwt", 1);
        assertThat(host.command("AT+QMTCFG=\"will\",0,1,1,0,\"dev/lwt\",\"gone\"")).isEqualTo("\r\nOK\r\n");
        openAndConnect(0, "sim-will");
        modem.dropNetwork(0);
        host.awaitFresh("\r\n+QMTSTAT: 0,1\r\n");
        Received r = pahoNext();
        assertThat(r.topic()).isEqualTo("dev/lwt");
        assertThat(new String(r.message().getPayload(), StandardCharsets.UTF_8)).isEqualTo("gone");
        host.consume();
        assertThat(host.command("AT+QMTCONN?")).isEqualTo("\r\nOK\r\n");
        // the index is free again
        openAndConnect(0, "sim-will");
    }

    @Test
    void disconnectThenClose() throws Exception {
        pahoSubscribe("dev/lwt2", 1);
        host.command("AT+QMTCFG=\"will\",0,1,1,0,\"dev/lwt2\",\"gone\"");
        openAndConnect(0, "sim-disc");
        assertThat(host.command("AT+QMTDISC=0", "+QMTDISC: 0,")).contains("\r\nOK\r\n").contains("+QMTDISC: 0,0");
        host.awaitMatch("\r\n\\+QMTDISC: 0,0\r\n\r\n\\+QMTSTAT: 0,5\r\n");
        assertThat(pahoInbox.poll(300, TimeUnit.MILLISECONDS)).as("no will after DISCONNECT").isNull();
        assertThat(host.command("AT+QMTCLOSE=0")).isEqualTo("\r\nERROR\r\n");

        openAndConnect(1, "sim-close");
        assertThat(host.command("AT+QMTCLOSE=1", "+QMTCLOSE: 1,")).isEqualTo("\r\nOK\r\n\r\n+QMTCLOSE: 1,0\r\n");
        assertThat(host.all()).doesNotContain("+QMTSTAT: 1,");
    }

    @Test
    void urcsWaitUntilTheDataPhaseEnds() throws Exception {
        openAndConnect(0, "sim-quiet");
        host.consume();
        host.send("AT+QMTPUB=0,5,1,0,\"q\",3\r");
        host.awaitFresh("> ");
        modem.injectUrc("+QMTSTAT: 3,1");
        host.sendBytes("ab".getBytes(StandardCharsets.US_ASCII));
        assertThat(pahoInbox).isEmpty();
        host.sendBytes("c".getBytes(StandardCharsets.US_ASCII));
        assertThat(host.awaitFresh("+QMTPUB: 0,5,0"))
                .isEqualTo("\r\n> \r\nOK\r\n\r\n+QMTSTAT: 3,1\r\n\r\n+QMTPUB: 0,5,0\r\n");
    }

    @Test
    void keepaliveSendsPingsSoTheBrokerKeepsAnIdleClient() throws Exception {
        assertThat(host.command("AT+QMTCFG=\"keepalive\",0,1")).isEqualTo("\r\nOK\r\n");
        openAndConnect(0, "sim-idle");
        // without PINGREQ the broker drops the client after 1.5 x keepalive
        await().during(java.time.Duration.ofMillis(3500)).atMost(java.time.Duration.ofSeconds(5))
                .until(() -> !host.all().contains("+QMTSTAT"));
        assertThat(host.command("AT+QMTCONN?")).contains("+QMTCONN: 0,3");
    }
}
