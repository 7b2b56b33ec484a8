package io.cellmqtt.modem;

import io.cellmqtt.simulator.secrets.TestSecrets;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Replays the timestamped BC26 session at the end of reference 002 (范例, and 其他 for power
 * saving) against the modem layer and asserts the exact bytes it writes.
 *
 * <p>Where our bytes differ from the document's, and why:
 * <ul>
 * <li>The document's session starts at {@code AT+QMTOPEN}; we first configure the client with
 * the {@code AT+QMTCFG} keys the BC26 has ({@code version}, {@code keepalive}, {@code session},
 * {@code timeout}, {@code will}), so a restart never inherits another program's settings. Keys
 * the model lacks ({@code pdpcid}, {@code ssl}, {@code recv/mode}) are never sent.</li>
 * <li>The document publishes with message id 1, the id its subscription used a moment before;
 * we give every packet a fresh id (2 here), as the note on {@code <msgID>} of the other
 * Quectel documents asks. Its inline form {@code AT+QMTPUB=0,<id>,1,0,"value","123"} is
 * otherwise byte for byte the document's.</li>
 * <li>The document ends with {@code AT+QMTDISC} (labelled "close the network"); we follow it with
 * {@code AT+QMTCLOSE}, which the document lists for closing the connection, so the client index
 * is free again even if the broker keeps the TCP connection open.</li>
 * <li>The document switches power saving off by hand at another time; with
 * {@code disablePowerSaving=true} we send its three commands, in its order, during bring-up
 * (after the SIM check, before waiting for registration).</li>
 * </ul>
 */
class Bc26TranscriptTest extends TranscriptTestBase {
    private static final String[] ATI = {"Quectel_Ltd", "Quectel_BC26", "Revision: BC26NBR01A10"};
    private static ModemSettings modemSettings(boolean disablePowerSaving) {
        return new ModemSettings("scripted", 115200, "auto", null, null, null, 1, disablePowerSaving,
                Duration.ofSeconds(5));
    }

    /** Bring-up of a BC26 registered on NB-IoT, without power-saving commands. */
    private static ScriptedModem bc26() {
        return new ScriptedModem().identify(ATI).imeiAndSim().on("AT+CEREG?", "+CEREG: 0,1", "OK");
    }

    /** The keys the BC26 has, with default settings, for client 0. */
    private static ScriptedModem config(ScriptedModem s) {
        return s.ok("AT+QMTCFG=\"version\",0,4",
                "AT+QMTCFG=\"keepalive\",0,120",
                "AT+QMTCFG=\"session\",0,1",
                "AT+QMTCFG=\"timeout\",0,5,3,0",
                "AT+QMTCFG=\"will\",0,0");
    }

    private static ScriptedModem connected() {
        return config(bc26())
                .expect("AT+QMTOPEN=0,\"broker\",1883\r").lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"dev\"\r").lines("OK", "+QMTCONN: 0,0,0");
    }

    @Test
    void theDocumentsSession() throws Exception {
        script = config(new ScriptedModem().identify(ATI).imeiAndSim()
                // 其他: PSM, eDRX and sleep off, so that the modem keeps receiving.
                .ok("AT+CPSMS=0", "AT+QEDRXCFG=0", "AT+QSCLK=0")
                .on("AT+CEREG?", "+CEREG: 0,1", "OK"))
                // 開啟 MQTT 連接
                .expect("AT+QMTOPEN=0,\"quiz.us.kg\",2000\r").lines("OK", "+QMTOPEN: 0,0")
                // 連線 MQTT 伺服器
                // (the password is ours: one the secret scan knows)
                .expect("AT+QMTCONN=0,\"DSI2598plus\",\"USERNAME\",\"" + TestSecrets.MQTT_PASSWORD + "\"\r").lines("OK", "+QMTCONN: 0,0,0")
                // 訂閱主題
                .expect("AT+QMTSUB=0,1,\"value\",2\r").lines("OK", "+QMTSUB: 0,1,0,2")
                // 發布訊息: the inline form, the message quoted on the command line
                .expect("AT+QMTPUB=0,2,1,0,\"value\",\"123\"\r").lines("OK", "+QMTPUB: 0,2,0")
                // 訂閱返回: no length on this model
                .lines("+QMTRECV: 0,1,\"value\",\"123\"")
                // 中斷連接
                .expect("AT+QMTDISC=0\r").lines("OK", "+QMTDISC: 0,0")
                .expect("AT+QMTCLOSE=0\r").lines("OK", "+QMTCLOSE: 0,0")
                .start();
        modem = Modem.open(modemSettings(true), script.link());
        assertThat(modem.modelName()).isEqualTo("bc26");
        assertThat(modem.identity().model()).isEqualTo("Quectel_BC26");

        MqttClient client = modem.createClient(settings("quiz.us.kg", 2000, "DSI2598plus")
                .withCredentials("USERNAME", TestSecrets.MQTT_PASSWORD));
        client.start().get(10, TimeUnit.SECONDS);
        List<ReceivedMessage> got = new CopyOnWriteArrayList<>();
        client.subscribe("value", 2, got::add).get(10, TimeUnit.SECONDS);
        PublishReceipt r = client.publish(new OutgoingMessage("value", bytes("123"), 1, false))
                .get(10, TimeUnit.SECONDS);
        assertThat(r).isEqualTo(new PublishReceipt(0, 2, 1));
        await().atMost(WAIT).until(() -> got.size() == 1);
        assertThat(got.get(0).messageId()).isEqualTo(1);
        assertThat(got.get(0).topic()).isEqualTo("value");
        assertThat(text(got.get(0))).isEqualTo("123");
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void payloadsTheQuotedFormCantCarryGoInCtrlZDataMode() throws Exception {
        byte[] quoted = "say \"hi\",\r\nbye\u0000".getBytes(StandardCharsets.ISO_8859_1);
        byte[] longest = new byte[1024];
        Arrays.fill(longest, (byte) 'x');
        longest[0] = '\\';
        script = connected()
                .expect("AT+QMTPUB=0,1,1,0,\"t\"\r").send("\r\n> ")
                .expect(withCtrlZ(quoted)).lines("OK", "+QMTPUB: 0,1,0")
                .expect("AT+QMTPUB=0,2,1,0,\"t\"\r").send("\r\n> ")
                .expect(withCtrlZ(longest)).lines("OK", "+QMTPUB: 0,2,0")
                .start();
        modem = Modem.open(modemSettings(false), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        assertThat(client.publish(new OutgoingMessage("t", quoted, 1, false)).get(10, TimeUnit.SECONDS).messageId())
                .isEqualTo(1);
        assertThat(client.publish(new OutgoingMessage("t", longest, 1, false)).get(10, TimeUnit.SECONDS).messageId())
                .isEqualTo(2);
        script.awaitFinished(WAIT);
    }

    @Test
    void payloadsUpTo1024QuotableBytesGoInline() throws Exception {
        String longest = "y".repeat(1024);
        script = connected()
                .expect("AT+QMTPUB=0,0,0,0,\"t\",\"" + longest + "\"\r").lines("OK", "+QMTPUB: 0,0,0")
                .start();
        modem = Modem.open(modemSettings(false), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        client.publish(new OutgoingMessage("t", bytes(longest), 0, false)).get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void payloadsTheModelCantCarryAreRefusedAndNothingIsWritten() throws Exception {
        script = connected()
                // The only bytes after the refusals: the publish that follows them.
                .expect("AT+QMTPUB=0,0,0,0,\"t\",\"ok\"\r").lines("OK", "+QMTPUB: 0,0,0")
                .start();
        modem = Modem.open(modemSettings(false), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);

        assertThat(client.publish(new OutgoingMessage("t", new byte[] {'a', 'b', 0x1A, 'c'}, 1, false)))
                .failsWithin(Duration.ZERO).withThrowableThat().havingRootCause()
                .isInstanceOf(IllegalArgumentException.class)
                .withMessage("payload byte 0x1A at offset 2 can't be carried by the bc26 Ctrl+Z data mode");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> client.validate(new OutgoingMessage("t", new byte[] {0x1B}, 0, false)))
                .withMessage("payload byte 0x1B at offset 0 can't be carried by the bc26 Ctrl+Z data mode");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> client.validate(new OutgoingMessage("t", new byte[1025], 0, false)))
                .withMessage("payload of 1025 bytes exceeds the bc26 limit of 1024 bytes");

        client.publish(new OutgoingMessage("t", bytes("ok"), 0, false)).get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    /**
     * With the length framing of the BG95 family active, ,"a",5," would claim the next 5 bytes; here
     * nothing is a length. But {@code "cmd/a","a",5,""} also reads as the topic {@code cmd/a","a} with
     * the unquoted payload {@code 5,""}, and {@code cmd/#} wants both: dropped and counted, never guessed.
     * {@code cmd/a} alone wants one reading.
     */
    @Test
    void aReceivedPayloadThatLooksLikeALengthIsNoLengthAndAmbiguityIsResolvedByTheSubscriptions()
            throws Exception {
        script = connected()
                .expect("AT+QMTSUB=0,1,\"cmd/#\",1\r").lines("OK", "+QMTSUB: 0,1,0,1")
                .lines("+QMTRECV: 0,3,\"cmd/a\",\"a\",5,\"\"", "+QMTRECV: 0,4,\"cmd/b\",\"next\"")
                .expect("AT+QMTUNS=0,2,\"cmd/#\"\r").lines("OK", "+QMTUNS: 0,2,0")
                .expect("AT+QMTSUB=0,3,\"cmd/a\",1\r").lines("OK", "+QMTSUB: 0,3,0,1")
                .lines("+QMTRECV: 0,5,\"cmd/a\",\"a\",5,\"\"")
                .start();
        modem = Modem.open(modemSettings(false), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        List<ReceivedMessage> got = new CopyOnWriteArrayList<>();
        Subscription all = client.subscribe("cmd/#", 1, got::add).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> got.size() == 1);
        assertThat(got.get(0).topic()).isEqualTo("cmd/b");
        assertThat(text(got.get(0))).isEqualTo("next");
        assertThat(modem.framingStats().ambiguousRecords()).isEqualTo(1);

        client.unsubscribe(all).get(10, TimeUnit.SECONDS);
        client.subscribe("cmd/a", 1, got::add).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> got.size() == 2);
        assertThat(got.get(1).topic()).isEqualTo("cmd/a");
        assertThat(text(got.get(1))).isEqualTo("a\",5,\"");
        script.awaitFinished(WAIT);
    }

    @Test
    void sslIsRefusedBeforeAnythingIsSent() throws Exception {
        script = connected().start();
        modem = Modem.open(modemSettings(false), script.link());
        MqttClientSettings ssl = settings("broker", 8883, "dev").withSsl(0, null, null, null, "0xFFFF");
        assertThatIllegalArgumentException().isThrownBy(() -> modem.createClient(ssl))
                .withMessage("ssl:// brokers can't be used with bc26: the model has no MQTT over TLS; use a tcp:// broker URL");
        // The next bytes on the wire are the tcp client's configuration.
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void theApnIsSetWithCgdcont() throws Exception {
        script = bc26().on("AT+CGDCONT=1,\"IP\",\"ctnb\"", "OK").start();
        modem = Modem.open(new ModemSettings("scripted", 115200, "bc26", "ctnb", null, null, 1, false,
                Duration.ofSeconds(5)), script.link());
        script.awaitFinished(WAIT);
        assertThat(modem.modelName()).isEqualTo("bc26");
    }

    @Test
    void apnCredentialsAreRefusedBecauseCgdcontHasNone() throws Exception {
        // Refused as soon as the model is known: the start fails and nothing of the APN is ever sent.
        script = new ScriptedModem().identify(ATI).on("AT+GSN", "866425030000001", "OK").expectClosed().start();
        ModemSettings withCredentials = new ModemSettings("scripted", 115200, "bc26", "ctnb", "user", TestSecrets.APN_PASSWORD, 1,
                false, Duration.ofSeconds(5));
        assertThatThrownBy(() -> Modem.open(withCredentials, script.link())).isInstanceOf(ModemException.class)
                .hasMessageContaining("apnUserName/apnPassword can't be used with bc26")
                .hasMessageNotContaining(TestSecrets.APN_PASSWORD);
        script.awaitFinished(WAIT);
        script.awaitFinished(WAIT);
    }

    private static byte[] withCtrlZ(byte[] payload) {
        byte[] b = Arrays.copyOf(payload, payload.length + 1);
        b[payload.length] = 0x1A;
        return b;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(ReceivedMessage m) {
        return new String(m.payload(), StandardCharsets.UTF_8);
    }
}
