package io.cellmqtt.modem;

import io.cellmqtt.simulator.secrets.TestSecrets;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Replays the exchanges of the SIM7600 + AWS IoT guide (reference 001), sections 3 to 7, against
 * the modem layer with the SIMCom CMQTT dialect, and asserts the exact bytes it writes; then the
 * failures the guide shows and what the component makes of them.
 *
 * <p>Where our bytes differ from the document's, and why:
 * <ul>
 * <li>Before section 3 the component brings the modem up ({@code AT}, {@code ATE0},
 * {@code AT+CMEE=2}, {@code ATI}, {@code AT+GSN}, {@code AT+CPIN?}, {@code AT+CEREG?}); the
 * guide starts at a terminal's {@code AT}. {@code modem=sim7600} is given explicitly.</li>
 * <li>Section 2 (certificate upload with {@code AT+CCERTDOWN}) is not automated: the files are
 * assumed on the modem and only named ({@code caCert}, {@code clientCert}, {@code clientKey}).</li>
 * <li>{@code AT+CMQTTACCQ=0,"ThingName",1}: the guide writes the placeholder unquoted; the client
 * id is a string parameter and goes quoted.</li>
 * <li>{@code AT+CMQTTPUB=0,1,20,0}: the guide shows {@code <QOS>,<Publish Timeout>}; we always
 * send the retain flag, and the timeout is {@code packetTimeout x (retryTimes + 1)} = 20 s with
 * the defaults (the guide names no value). {@code AT+CMQTTDISC=0,60}: the guide names no timeout.</li>
 * <li>After each {@code >} prompt we write exactly the announced number of bytes and nothing else
 * (no CR LF), as the guide says the module takes exactly that number; a terminal user would see
 * the echo {@code > PubTopic}, which the modem does not send with echo off.</li>
 * <li>The subscription QoS is the endpoint's ({@code 1} here; the guide leaves it open).</li>
 * <li>The receive uses the guide's spelling {@code +CMQTTRCPAYLOAD}; the manual's
 * {@code +CMQTTRXPAYLOAD} is accepted as well (other tests), and each block of bytes is followed
 * by CR LF as the manual shows.</li>
 * <li>What the guide leaves open: after {@code +CMQTTCONNECT: 0,6} the component releases the
 * index and stops the service ({@code AT+CMQTTREL=0}, {@code AT+CMQTTSTOP}); after
 * {@code +CMQTTCONNLOST} it connects again with {@code AT+CMQTTCONNECT} only (the index stays
 * acquired) and subscribes again; an index acquired already ({@code +CMQTTACCQ: 0,19}) is
 * released and acquired once more.</li>
 * </ul>
 */
class Sim7600TranscriptTest extends TranscriptTestBase {
    private static final String PAYLOAD = "{\"message\":\"Hello\"}";
    // ---------------------------------------------------------------- scripts and settings

    private static ScriptedModem sim7600() {
        return new ScriptedModem().bringUp("Manufacturer: SIMCOM INCORPORATED", "Model: SIMCOM_SIM7600E-H",
                "Revision: SIM7600M22_V2.0", "IMEI: 866425030000001", "+GCAP: +CGSM");
    }

    private static ModemSettings modemSettings() {
        return new ModemSettings("scripted", 115200, "sim7600", null, null, null, 1, false, Duration.ofSeconds(5));
    }

    /** The guide's AWS IoT client: ssl, ThingName, keep-alive 60, clean session, the three files on context 0. */
    private static MqttClientSettings aws() {
        return new MqttClientSettings("endpoint", 8883, true, "ThingName", null, null, 0, 4, 60, true, 5, 3, false,
                null, null, 0, false, 0, "cacert.pem", "clientcert.pem", "clientkey.pem", -1, 4, "0xFFFF", true, 5,
                Duration.ofMillis(20), Duration.ofMillis(200), null, null);
    }

    private static MqttClientSettings plain() {
        return MqttClientSettings.of("broker", 1883).withClientId("dev").withClientIndex(0)
                .withReconnectDelays(Duration.ofMillis(20), Duration.ofMillis(200));
    }

    /** Sections 3 and 4 up to the connect: SSL context, service start, acquire, SSL for the client. */
    private static ScriptedModem awsAcquired() {
        return sim7600()
                .on("AT+CSSLCFG=\"sslversion\",0,4", "OK")
                .on("AT+CSSLCFG=\"authmode\",0,2", "OK")
                .on("AT+CSSLCFG=\"cacert\",0,\"cacert.pem\"", "OK")
                .on("AT+CSSLCFG=\"clientcert\",0,\"clientcert.pem\"", "OK")
                .on("AT+CSSLCFG=\"clientkey\",0,\"clientkey.pem\"", "OK")
                .on("AT+CMQTTSTART", "OK", "+CMQTTSTART: 0")
                .on("AT+CMQTTACCQ=0,\"ThingName\",1", "OK")
                .on("AT+CMQTTSSLCFG=0,0", "OK");
    }

    private static ScriptedModem awsConnected() {
        return awsAcquired().on("AT+CMQTTCONNECT=0,\"tcp://endpoint:8883\",60,1", "OK", "+CMQTTCONNECT: 0,0");
    }

    private static ScriptedModem plainConnected() {
        return sim7600()
                .on("AT+CMQTTSTART", "OK", "+CMQTTSTART: 0")
                .on("AT+CMQTTACCQ=0,\"dev\",0", "OK")
                .on("AT+CMQTTCONNECT=0,\"tcp://broker:1883\",120,1", "OK", "+CMQTTCONNECT: 0,0");
    }

    /** {@code command}, the prompt, exactly {@code bytes}, OK. */
    private static ScriptedModem data(ScriptedModem s, String command, byte[] bytes) {
        return s.expect(command + "\r").send("\r\n> ").expect(bytes).lines("OK");
    }

    private static ScriptedModem data(ScriptedModem s, String command, String text) {
        return data(s, command, text.getBytes(StandardCharsets.UTF_8));
    }

    private static ScriptedModem published(ScriptedModem s, String topic, byte[] payload, String pub) {
        data(s, "AT+CMQTTTOPIC=0," + topic.getBytes(StandardCharsets.UTF_8).length, topic);
        data(s, "AT+CMQTTPAYLOAD=0," + payload.length, payload);
        return s.on(pub, "OK", "+CMQTTPUB: 0,0");
    }

    private static ScriptedModem subscribed(ScriptedModem s, String filter, int qos) {
        data(s, "AT+CMQTTSUBTOPIC=0," + filter.getBytes(StandardCharsets.UTF_8).length + "," + qos, filter);
        return s.on("AT+CMQTTSUB=0", "OK", "+CMQTTSUB: 0,0");
    }

    private static ScriptedModem stopped(ScriptedModem s) {
        return s.on("AT+CMQTTDISC=0,60", "OK", "+CMQTTDISC: 0,0")
                .on("AT+CMQTTREL=0", "OK")
                .on("AT+CMQTTSTOP", "OK", "+CMQTTSTOP: 0");
    }

    /** The receive URCs of one message, payload in {@code chunks}, lines and blocks ended by CR LF. */
    private static ScriptedModem received(ScriptedModem s, String payloadLine, String topic, byte[]... chunks) {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        int total = 0;
        for (byte[] c : chunks) {
            total += c.length;
        }
        s.send("\r\n+CMQTTRXSTART: 0," + t.length + "," + total + "\r\n");
        s.send("+CMQTTRXTOPIC: 0," + t.length + "\r\n").send(latin1(t)).send("\r\n");
        for (byte[] c : chunks) {
            s.send(payloadLine + " 0," + c.length + "\r\n").send(latin1(c)).send("\r\n");
        }
        return s.send("+CMQTTRXEND: 0\r\n");
    }

    private static int occurrences(byte[] haystack, String needle) {
        String h = latin1(haystack);
        int n = 0;
        for (int i = h.indexOf(needle); i >= 0; i = h.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private MqttClient start(MqttClientSettings settings) throws Exception {
        modem = Modem.open(modemSettings(), script.link());
        assertThat(modem.modelName()).isEqualTo("sim7600");
        MqttClient client = modem.createClient(settings);
        client.start().get(10, TimeUnit.SECONDS);
        assertThat(client.state()).isEqualTo(MqttClientState.CONNECTED);
        return client;
    }

    private static Throwable failureOf(CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return Failures.cause(e);
        }
        throw new AssertionError("expected a failure");
    }

    // ---------------------------------------------------------------- the guide, sections 3-7

    @Test
    void sections3to7_sslConnectPublishSubscribeReceiveUnsubscribeDisconnect() throws Exception {
        script = awsConnected();
        published(script, "PubTopic", bytes(PAYLOAD), "AT+CMQTTPUB=0,1,20,0");
        subscribed(script, "SubTopic", 1);
        received(script, "+CMQTTRCPAYLOAD:", "SubTopic", bytes(PAYLOAD));
        data(script, "AT+CMQTTUNSUBTOPIC=0,8", "SubTopic")
                .on("AT+CMQTTUNSUB=0,0", "OK", "+CMQTTUNSUB: 0,0");
        stopped(script).start();

        MqttClient client = start(aws());
        PublishReceipt receipt = client.publish(new OutgoingMessage("PubTopic", bytes(PAYLOAD), 1, false))
                .get(10, TimeUnit.SECONDS);
        assertThat(receipt.clientIndex()).isZero();
        assertThat(receipt.qos()).isEqualTo(1);

        List<ReceivedMessage> got = new CopyOnWriteArrayList<>();
        Subscription sub = client.subscribe("SubTopic", 1, got::add).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> got.size() == 1);
        assertThat(got.get(0).topic()).isEqualTo("SubTopic");
        assertThat(got.get(0).payload()).isEqualTo(bytes(PAYLOAD));
        assertThat(got.get(0).clientIndex()).isZero();

        client.unsubscribe(sub).get(10, TimeUnit.SECONDS);
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
        assertThat(client.state()).isEqualTo(MqttClientState.STOPPED);
    }

    @Test
    void section4_policyMismatchOnConnectFailsWithTheMeaningThenReleasesAndStops() throws Exception {
        script = awsAcquired()
                .on("AT+CMQTTCONNECT=0,\"tcp://endpoint:8883\",60,1", "+CMQTTCONNECT: 0,6", "ERROR")
                .on("AT+CMQTTREL=0", "OK")
                .on("AT+CMQTTSTOP", "OK", "+CMQTTSTOP: 0")
                // A refusal is the user's to fix: the client says so and tries again after its backoff.
                .expect("AT+CSSLCFG=\"sslversion\",0,4\r")
                .start();
        modem = Modem.open(modemSettings(), script.link());
        MqttClient client = modem.createClient(aws());

        Throwable e = failureOf(client.start());
        assertThat(e).isInstanceOf(ResultException.class);
        assertThat(((ResultException) e).result()).isEqualTo(6);
        assertThat(e.getMessage()).contains("AT+CMQTTCONNECT=0,\"tcp://endpoint:8883\",60,1 -> +CMQTTCONNECT: 0,6")
                .contains("message receive fail").contains("policy does not allow this client id");
        script.awaitFinished(WAIT);
    }

    @Test
    void section5_policyMismatchOnPublishFailsThePublishAfterItEndedTwoConnectionsAndTheClientResubscribes()
            throws Exception {
        script = awsConnected();
        subscribed(script, "SubTopic", 1);
        // +CMQTTPUB: 0,6 and the loss: the broker closed the connection on this publish. Refused, or
        // dropped by chance? Once is sent again after the reconnect; the second time it is a refusal.
        for (int attempt = 0; attempt < 2; attempt++) {
            data(script, "AT+CMQTTTOPIC=0,9", "Forbidden");
            data(script, "AT+CMQTTPAYLOAD=0,19", PAYLOAD);
            script.expect("AT+CMQTTPUB=0,1,20,0\r").lines("+CMQTTPUB: 0,6", "ERROR", "+CMQTTCONNLOST: 0,1");
            // the index stays acquired: CONNECT only, then the subscription again
            script.on("AT+CMQTTCONNECT=0,\"tcp://endpoint:8883\",60,1", "OK", "+CMQTTCONNECT: 0,0");
            subscribed(script, "SubTopic", 1);
        }
        published(script, "PubTopic", bytes(PAYLOAD), "AT+CMQTTPUB=0,1,20,0");
        stopped(script).start();

        MqttClient client = start(aws());
        client.subscribe("SubTopic", 1, m -> { }).get(10, TimeUnit.SECONDS);
        Throwable e = failureOf(client.publish(new OutgoingMessage("Forbidden", bytes(PAYLOAD), 1, false)));
        assertThat(e).isInstanceOf(ConnectionLostException.class);
        assertThat(e.getMessage()).contains("+CMQTTPUB: 0,6: message receive fail")
                .contains("policy does not allow publishing to this topic").contains("twice");

        // reconnected and subscribed again (a third AT+CMQTTSUB went out and was answered)
        await().atMost(WAIT).until(() -> occurrences(script.written(), "AT+CMQTTSUB=0\r") == 3
                && client.state() == MqttClientState.CONNECTED);
        PublishReceipt r = client.publish(new OutgoingMessage("PubTopic", bytes(PAYLOAD), 1, false))
                .get(10, TimeUnit.SECONDS);
        assertThat(r.qos()).isEqualTo(1);
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void aQos1PublishWhoseConnectionDroppedUnderItIsSentAgainAfterTheReconnect() throws Exception {
        // What a SIM7600 reports when the connection drops while it waits for PUBACK: +CMQTTPUB: 0,6 after
        // the OK, then the loss. The publish was on its way: QoS 1 sends it again, once reconnected.
        script = plainConnected();
        data(script, "AT+CMQTTTOPIC=0,1", "t");
        data(script, "AT+CMQTTPAYLOAD=0,3", "one");
        script.expect("AT+CMQTTPUB=0,1,20,0\r").lines("OK", "+CMQTTPUB: 0,6", "+CMQTTCONNLOST: 0,1");
        script.on("AT+CMQTTCONNECT=0,\"tcp://broker:1883\",120,1", "OK", "+CMQTTCONNECT: 0,0");
        published(script, "t", bytes("one"), "AT+CMQTTPUB=0,1,20,0");
        stopped(script).start();

        MqttClient client = start(plain());
        PublishReceipt r = client.publish(new OutgoingMessage("t", bytes("one"), 1, false)).get(10, TimeUnit.SECONDS);
        assertThat(r.qos()).isEqualTo(1);
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void aQos0PublishWhoseConnectionDroppedUnderItFailsAndIsNotSentAgain() throws Exception {
        script = plainConnected();
        data(script, "AT+CMQTTTOPIC=0,1", "t");
        data(script, "AT+CMQTTPAYLOAD=0,3", "one");
        script.expect("AT+CMQTTPUB=0,0,20,0\r").lines("OK", "+CMQTTPUB: 0,6", "+CMQTTCONNLOST: 0,1");
        script.on("AT+CMQTTCONNECT=0,\"tcp://broker:1883\",120,1", "OK", "+CMQTTCONNECT: 0,0");
        published(script, "t", bytes("two"), "AT+CMQTTPUB=0,0,20,0");
        stopped(script).start();

        MqttClient client = start(plain());
        Throwable e = failureOf(client.publish(new OutgoingMessage("t", bytes("one"), 0, false)));
        assertThat(e).isInstanceOf(ConnectionLostException.class).hasMessageContaining("at most once");
        await().atMost(WAIT).until(() -> client.state() == MqttClientState.CONNECTED);
        client.publish(new OutgoingMessage("t", bytes("two"), 0, false)).get(10, TimeUnit.SECONDS);
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    /**
     * The modem refuses a publish because it has no connection for it ({@code +CMQTTPUB: 0,11}, "no
     * connection"; 20, "client not acquired", after a +CMQTTNONET released the client): nothing went to
     * the broker. It waits for the connection like a new publish, and the client, which believed it was
     * connected, recycles the connection at once.
     */
    @Test
    void aPublishTheModemRefusesForWantOfAConnectionGoesAfterTheReconnect() throws Exception {
        script = plainConnected();
        data(script, "AT+CMQTTTOPIC=0,1", "t");
        data(script, "AT+CMQTTPAYLOAD=0,3", "one");
        script.expect("AT+CMQTTPUB=0,0,20,0\r").lines("+CMQTTPUB: 0,11", "ERROR");
        script.expect("AT+CMQTTDISC=0,60\r").lines("+CMQTTDISC: 0,11", "ERROR")
                .on("AT+CMQTTREL=0", "OK")
                .on("AT+CMQTTSTOP", "OK", "+CMQTTSTOP: 0")
                .on("AT+CMQTTSTART", "OK", "+CMQTTSTART: 0")
                .on("AT+CMQTTACCQ=0,\"dev\",0", "OK")
                .on("AT+CMQTTCONNECT=0,\"tcp://broker:1883\",120,1", "OK", "+CMQTTCONNECT: 0,0");
        published(script, "t", bytes("one"), "AT+CMQTTPUB=0,0,20,0");
        stopped(script).start();

        MqttClient client = start(plain());
        PublishReceipt r = client.publish(new OutgoingMessage("t", bytes("one"), 0, false)).get(10, TimeUnit.SECONDS);
        assertThat(r.qos()).isZero();
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void aPublishInterruptedByTheLossIsSentAgainAfterReconnecting() throws Exception {
        script = plainConnected();
        data(script, "AT+CMQTTTOPIC=0,1", "t");
        data(script, "AT+CMQTTPAYLOAD=0,3", "one");
        script.expect("AT+CMQTTPUB=0,1,20,0\r").lines("OK", "+CMQTTCONNLOST: 0,2");
        script.on("AT+CMQTTCONNECT=0,\"tcp://broker:1883\",120,1", "OK", "+CMQTTCONNECT: 0,0");
        published(script, "t", bytes("one"), "AT+CMQTTPUB=0,1,20,0");
        stopped(script).start();

        MqttClient client = start(plain());
        PublishReceipt r = client.publish(new OutgoingMessage("t", bytes("one"), 1, false)).get(10, TimeUnit.SECONDS);
        assertThat(r.qos()).isEqualTo(1);
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    // ---------------------------------------------------------------- receive framing

    @Test
    void aPayloadInThreeChunksIsReassembled() throws Exception {
        byte[] a = bytes("first chunk, ");
        byte[] b = new byte[1024];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) i;
        }
        byte[] c = bytes("\r\nlast");
        script = plainConnected();
        subscribed(script, "cmd/#", 1);
        received(script, "+CMQTTRXPAYLOAD:", "cmd/7", a, b, c);
        stopped(script).start();

        MqttClient client = start(plain());
        List<ReceivedMessage> got = new CopyOnWriteArrayList<>();
        client.subscribe("cmd/#", 1, got::add).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> got.size() == 1);
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        whole.writeBytes(a);
        whole.writeBytes(b);
        whole.writeBytes(c);
        assertThat(got.get(0).payload()).isEqualTo(whole.toByteArray());
        assertThat(got.get(0).topic()).isEqualTo("cmd/7");
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void hostileBytesArriveAndLeaveByteExact() throws Exception {
        byte[] hostile = "say \"hi\", ok\r\n+CMQTTRXEND: 0\r\n\u001a\u001b\u0000> end\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        String topic = "t/\"q\",r";
        script = plainConnected();
        subscribed(script, "t/#", 0);
        received(script, "+CMQTTRXPAYLOAD:", topic, hostile);
        published(script, topic, hostile, "AT+CMQTTPUB=0,0,20,1");
        stopped(script).start();

        MqttClient client = start(plain());
        List<ReceivedMessage> got = new CopyOnWriteArrayList<>();
        client.subscribe("t/#", 0, got::add).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> got.size() == 1);
        assertThat(got.get(0).payload()).isEqualTo(hostile);
        assertThat(got.get(0).topic()).isEqualTo(topic);
        // the "+CMQTTRXEND: 0" inside the payload ended nothing: exactly one message, still connected
        assertThat(client.state()).isEqualTo(MqttClientState.CONNECTED);

        client.publish(new OutgoingMessage(topic, hostile, 0, true)).get(10, TimeUnit.SECONDS);
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
        assertThat(got).hasSize(1);
    }

    @Test
    void aMalformedReceiveIsDroppedAndTheNextOneDelivered() throws Exception {
        script = plainConnected();
        subscribed(script, "cmd/#", 1);
        // announces 10 payload bytes, delivers 4: dropped whole
        script.send("\r\n+CMQTTRXSTART: 0,5,10\r\n+CMQTTRXTOPIC: 0,5\r\ncmd/1\r\n+CMQTTRXPAYLOAD: 0,4\r\nhalf\r\n"
                + "+CMQTTRXEND: 0\r\n");
        received(script, "+CMQTTRXPAYLOAD:", "cmd/2", bytes("whole"));
        stopped(script).start();

        MqttClient client = start(plain());
        List<ReceivedMessage> got = new CopyOnWriteArrayList<>();
        client.subscribe("cmd/#", 1, got::add).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> got.size() == 1);
        assertThat(got.get(0).topic()).isEqualTo("cmd/2");
        assertThat(got.get(0).payload()).isEqualTo(bytes("whole"));
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
        assertThat(got).hasSize(1);
    }

    // ---------------------------------------------------------------- serialisation, acquire, secrets, limits

    @Test
    void aQos0BurstIsSerialised_noTopicBeforeThePreviousPublishResult() throws Exception {
        script = plainConnected().start();
        MqttClient client = start(plain());
        script.awaitFinished(WAIT);
        // From here the test plays the modem itself, to see that nothing is written while a result is awaited.
        InputStream in = script.link().modemInput();
        OutputStream out = script.link().modemOutput();

        List<CompletableFuture<PublishReceipt>> results = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            results.add(client.publish(new OutgoingMessage("burst/" + i, bytes("m" + i), 0, false)));
        }
        for (int i = 1; i <= 3; i++) {
            expectFromHost(in, "AT+CMQTTTOPIC=0,7\r");
            out.write(bytes("\r\n> "));
            expectFromHost(in, "burst/" + i);
            out.write(bytes("\r\nOK\r\n"));
            expectFromHost(in, "AT+CMQTTPAYLOAD=0,2\r");
            out.write(bytes("\r\n> "));
            expectFromHost(in, "m" + i);
            out.write(bytes("\r\nOK\r\n"));
            expectFromHost(in, "AT+CMQTTPUB=0,0,20,0\r");
            out.write(bytes("\r\nOK\r\n"));
            // OK is not the result: the next publish must wait for +CMQTTPUB
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> in.available() == 0);
            assertThat(results.get(i - 1)).isNotDone();
            out.write(bytes("\r\n+CMQTTPUB: 0,0\r\n"));
            results.get(i - 1).get(10, TimeUnit.SECONDS);
        }
        out.flush();
        for (CompletableFuture<PublishReceipt> r : results) {
            assertThat(r).isCompleted();
        }
    }

    private static void expectFromHost(InputStream in, String expected) throws Exception {
        byte[] want = bytes(expected);
        byte[] got = CompletableFuture.supplyAsync(() -> {
            try {
                return in.readNBytes(want.length);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(10, TimeUnit.SECONDS);
        assertThat(ScriptedModem.show(got)).isEqualTo(ScriptedModem.show(want));
    }

    @Test
    void anIndexAcquiredAlreadyIsReleasedAndAcquiredAgain_andBothConnectResultOrdersWork() throws Exception {
        script = sim7600()
                // left over from an earlier run: the service runs and index 0 is taken
                .on("AT+CMQTTSTART", "+CMQTTSTART: 23", "ERROR")
                .on("AT+CMQTTACCQ=0,\"dev\",0", "+CMQTTACCQ: 0,19", "ERROR")
                .on("AT+CMQTTREL=0", "OK")
                .on("AT+CMQTTACCQ=0,\"dev\",0", "OK")
                .on("AT+CMQTTCONNECT=0,\"tcp://broker:1883\",120,1", "+CMQTTCONNECT: 0,0", "OK");
        stopped(script).start();
        MqttClient client = start(plain());
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void whenTheNetworkUnderTheServiceClosesEverythingIsStartedAcquiredAndConnectedAgain() throws Exception {
        script = plainConnected();
        subscribed(script, "cmd/#", 1);
        script.lines("+CMQTTNONET")
                // the network under the service closed: a look at the registration before starting again
                .on("AT+CEREG?", "+CEREG: 0,1", "OK")
                .on("AT+CMQTTSTART", "OK", "+CMQTTSTART: 0")
                // whether the modem kept the index is not known: 19 says it did
                .on("AT+CMQTTACCQ=0,\"dev\",0", "+CMQTTACCQ: 0,19", "ERROR")
                .on("AT+CMQTTREL=0", "OK")
                .on("AT+CMQTTACCQ=0,\"dev\",0", "OK")
                .on("AT+CMQTTCONNECT=0,\"tcp://broker:1883\",120,1", "OK", "+CMQTTCONNECT: 0,0");
        subscribed(script, "cmd/#", 1);
        stopped(script).start();

        MqttClient client = start(plain());
        client.subscribe("cmd/#", 1, m -> { }).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> occurrences(script.written(), "AT+CMQTTSUB=0\r") == 2
                && client.state() == MqttClientState.CONNECTED);
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void aClientTheModemNoLongerHoldsIsAcquiredAgainOnTheNextAttempt() throws Exception {
        script = plainConnected()
                .lines("+CMQTTCONNLOST: 0,3")
                // cause 3, network closed: a look at the registration first
                .on("AT+CEREG?", "+CEREG: 0,1", "OK")
                .on("AT+CMQTTCONNECT=0,\"tcp://broker:1883\",120,1", "+CMQTTCONNECT: 0,20", "ERROR")
                // the failed attempt closes: nothing to release, the service stops; the next attempt starts over
                .on("AT+CMQTTSTOP", "OK", "+CMQTTSTOP: 0")
                .on("AT+CMQTTSTART", "OK", "+CMQTTSTART: 0")
                .on("AT+CMQTTACCQ=0,\"dev\",0", "OK")
                .on("AT+CMQTTCONNECT=0,\"tcp://broker:1883\",120,1", "OK", "+CMQTTCONNECT: 0,0");
        stopped(script).start();

        modem = Modem.open(modemSettings(), script.link());
        MqttClient client = modem.createClient(plain());
        // the first connect may be reported as done or, if the loss overtook it, as lost and retried
        client.start().exceptionally(e -> null).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> occurrences(script.written(), "AT+CMQTTACCQ") == 2
                && client.state() == MqttClientState.CONNECTED);
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void thePasswordIsSentButNeverShown() throws Exception {
        script = sim7600()
                .on("AT+CMQTTSTART", "OK", "+CMQTTSTART: 0")
                .on("AT+CMQTTACCQ=0,\"dev\",0", "OK")
                .on("AT+CMQTTCONNECT=0,\"tcp://broker:1883\",120,1,\"user\",\"" + TestSecrets.MQTT_PASSWORD + "\"", "+CMQTTCONNECT: 0,30",
                        "ERROR")
                .on("AT+CMQTTREL=0", "OK")
                .on("AT+CMQTTSTOP", "OK", "+CMQTTSTOP: 0")
                .start();
        modem = Modem.open(modemSettings(), script.link());
        MqttClient client = modem.createClient(plain().withCredentials("user", TestSecrets.MQTT_PASSWORD));
        Throwable e = failureOf(client.start());
        assertThat(e.getMessage()).contains(",\"user\",\"***\" -> +CMQTTCONNECT: 0,30")
                .contains("bad user name or password").doesNotContain(TestSecrets.MQTT_PASSWORD);
        script.awaitFinished(WAIT);
    }

    @Test
    void whatTheModemCannotTakeIsRefusedBeforeAnyByteIsSent() throws Exception {
        script = stopped(plainConnected()).start();
        MqttClient client = start(plain());
        assertRefused(client, new OutgoingMessage("t", new byte[0], 1, false), "empty payload cannot be published");
        assertRefused(client, new OutgoingMessage("t", new byte[10241], 1, false), "limit of 10240 bytes");
        assertRefused(client, new OutgoingMessage("t".repeat(1025), bytes("x"), 1, false), "limit of 1024 bytes");
        assertRefused(client, new OutgoingMessage("a/+", bytes("x"), 1, false), "wildcard");
        assertRefused(client, new OutgoingMessage("t", bytes("x"), 3, false), "out of range 0-2");
        assertThat(failureOf(client.subscribe("f".repeat(1025), 1, m -> { }))).hasMessageContaining("limit of 1024");
        // the limits themselves are fine
        client.validate(new OutgoingMessage("t".repeat(1024), new byte[10240], 2, false));
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    private static void assertRefused(MqttClient client, OutgoingMessage m, String why) throws Exception {
        assertThatThrownBy(() -> client.validate(m)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(why);
        assertThat(failureOf(client.publish(m))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(why);
    }

    @Test
    void settingsTheCmqttCommandsCannotExpressAreRefusedBeforeAnyByteIsSent() throws Exception {
        script = sim7600().start();
        modem = Modem.open(modemSettings(), script.link());
        script.awaitFinished(WAIT);
        MqttClientSettings noKeepAlive = new MqttClientSettings("broker", 1883, false, "dev", null, null, 0, 4, 0, true,
                5, 3, false, null, null, 0, false, 0, null, null, null, -1, 4, "0xFFFF", true, 5,
                Duration.ofMillis(20), Duration.ofMillis(200), null, null);
        assertThatThrownBy(() -> modem.createClient(noKeepAlive)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keepAliveInterval=0");
        MqttClientSettings retainedWill = new MqttClientSettings("broker", 1883, false, "dev", null, null, 1, 4, 60,
                true, 5, 3, false, "dead", "gone", 1, true, 0, null, null, null, -1, 4, "0xFFFF", true, 5,
                Duration.ofMillis(20), Duration.ofMillis(200), null, null);
        assertThatThrownBy(() -> modem.createClient(retainedWill)).hasMessageContaining("willRetained");
        assertThat(script.link().modemInput().available()).isZero();
    }

    @Test
    void theWillGoesAfterThePromptByLength() throws Exception {
        script = sim7600()
                .on("AT+CMQTTSTART", "OK", "+CMQTTSTART: 0")
                .on("AT+CMQTTACCQ=1,\"dev\",0", "OK");
        data(script, "AT+CMQTTWILLTOPIC=1,9", "dev/state");
        data(script, "AT+CMQTTWILLMSG=1,13,1", "gone, \"sadly\"")
                .on("AT+CMQTTCONNECT=1,\"tcp://broker:1883\",60,0", "OK", "+CMQTTCONNECT: 1,0")
                .on("AT+CMQTTDISC=1,60", "OK", "+CMQTTDISC: 1,0")
                .on("AT+CMQTTREL=1", "OK")
                .on("AT+CMQTTSTOP", "OK", "+CMQTTSTOP: 0")
                .start();
        modem = Modem.open(modemSettings(), script.link());
        MqttClientSettings will = new MqttClientSettings("broker", 1883, false, "dev", null, null, 1, 4, 60, false,
                5, 3, false, "dev/state", "gone, \"sadly\"", 1, false, 0, null, null, null, -1, 4, "0xFFFF", true, 5,
                Duration.ofMillis(20), Duration.ofMillis(200), null, null);
        MqttClient client = modem.createClient(will);
        client.start().get(10, TimeUnit.SECONDS);
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }
}
