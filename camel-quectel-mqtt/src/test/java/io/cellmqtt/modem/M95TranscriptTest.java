package io.cellmqtt.modem;

import io.cellmqtt.at.AtCommand;
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
import static org.awaitility.Awaitility.await;

/**
 * Replays sections 5.1 and 5.2 of the M95 MQTT application note (reference 003) against the
 * modem layer and asserts the exact bytes it writes; then the note's limits: the 1548-byte data
 * mode, the bytes Ctrl+Z data mode can't carry, and {@code +CME ERROR} codes of table 5.
 *
 * <p>Where our bytes differ from the document's, and why:
 * <ul>
 * <li>Before {@code AT+QMTOPEN} we configure the client with the five keys the M95 has, spelled
 * as it spells them ({@code "SSL"}, {@code "KEEPALIVE"}, {@code "SESSION"}, {@code "TIMEOUT"},
 * {@code "WILL"}); 5.1 relies on the defaults, 5.2 sets only {@code "SSL"}.</li>
 * <li>The document writes {@code AT+QMTOPEN=0, "220.180.239.212",1883} and
 * {@code AT+QMTCFG="SSL", 0, 1, 2} with spaces, and 5.2 quotes the port ({@code "8883"}); we
 * send no spaces and the port as the number 3.2.2's syntax shows.</li>
 * <li>The document reuses message id 1 for a second subscription and a publish, and
 * unsubscribes with id 2; we give every packet a fresh id, as its note on {@code <msgid>}
 * asks (unique among those in flight).</li>
 * <li>The SSL example spells {@code "secllevel"}; we send {@code "seclevel"}. {@code "ignorertctime"}
 * goes without a context id, as in the example (the simulated M95 refuses it with one). The cipher
 * suite is quoted, as in the example.</li>
 * <li>Certificates are written with {@code AT+QSECWRITE} by whoever provisions the modem; we only
 * name the files ({@code RAM:cacert.pem}) in {@code AT+QSSLCFG}.</li>
 * <li>After {@code AT+QMTDISC} we send {@code AT+QMTCLOSE}, so the index is free even if the
 * broker keeps the TCP connection open.</li>
 * </ul>
 */
class M95TranscriptTest extends TranscriptTestBase {
    private static final String[] ATI = {"Quectel_Ltd", "Quectel_M95", "Revision: M95FAR02A08"};
    /** Bring-up of an M95 on GSM: no AT+CEREG, registration read with AT+CGREG. */
    private static ScriptedModem m95() {
        return new ScriptedModem().identify(ATI).imeiAndSim().on("AT+CGREG?", "+CGREG: 0,1", "OK");
    }

    private static ScriptedModem config(ScriptedModem s, String ssl) {
        return s.ok("AT+QMTCFG=\"SSL\",0," + ssl,
                "AT+QMTCFG=\"KEEPALIVE\",0,120",
                "AT+QMTCFG=\"SESSION\",0,1",
                "AT+QMTCFG=\"TIMEOUT\",0,5,3,0",
                "AT+QMTCFG=\"WILL\",0,0");
    }

    private static ScriptedModem connected() {
        return config(m95(), "0")
                .expect("AT+QMTOPEN=0,\"broker\",1883\r").lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"dev\"\r").lines("OK", "+QMTCONN: 0,0,0");
    }

    private Modem openM95() throws ModemException {
        return Modem.open(ModemSettings.of("scripted"), script.link());
    }

    @Test
    void section51_withoutSsl() throws Exception {
        String data = "This is test data, hello MQTT.";
        script = config(m95(), "0")
                .expect("AT+QMTOPEN=0,\"220.180.239.212\",1883\r").lines("OK", "+QMTOPEN: 0,0")
                // the manual's session, with a password of ours that the secret scan knows
                .expect("AT+QMTCONN=0,\"clientExample\",\"username\",\"" + TestSecrets.MQTT_PASSWORD + "\"\r").lines("OK", "+QMTCONN: 0,0,0")
                .expect("AT+QMTSUB=0,1,\"topic/example\",2\r").lines("OK", "+QMTSUB: 0,1,0,2")
                .expect("AT+QMTSUB=0,2,\"topic/pub\",0\r").lines("OK", "+QMTSUB: 0,2,0,0")
                // Spaces after the commas, payload quoted.
                .lines("+QMTRECV: 0,0, \"topic/example\", \"This is the payload related to topic\"")
                .expect("AT+QMTUNS=0,3,\"topic/example\"\r").lines("OK", "+QMTUNS: 0,3,0")
                // Ctrl+Z data mode: the prompt, the data, 0x1A.
                .expect("AT+QMTPUB=0,0,0,0,\"topic/pub\"\r").send("\r\n> ")
                .expect(withCtrlZ(data)).lines("OK", "+QMTPUB: 0,0,0")
                // A space before the topic, the payload unquoted to the end of the line.
                .lines("+QMTRECV: 0,0, \"topic/pub\",This is test data, hello MQTT.")
                .expect("AT+QMTDISC=0\r").lines("OK", "+QMTDISC: 0,0")
                .expect("AT+QMTCLOSE=0\r").lines("OK", "+QMTCLOSE: 0,0")
                .start();
        modem = openM95();
        assertThat(modem.modelName()).isEqualTo("m95");
        assertThat(modem.identity()).isEqualTo(new ModemIdentity("Quectel_Ltd", "Quectel_M95", "M95FAR02A08",
                "866425030000001"));

        MqttClient client = modem.createClient(settings("220.180.239.212", 1883, "clientExample")
                .withCredentials("username", TestSecrets.MQTT_PASSWORD));
        client.start().get(10, TimeUnit.SECONDS);
        List<ReceivedMessage> example = new CopyOnWriteArrayList<>();
        List<ReceivedMessage> pub = new CopyOnWriteArrayList<>();
        Subscription exampleSub = client.subscribe("topic/example", 2, example::add).get(10, TimeUnit.SECONDS);
        client.subscribe("topic/pub", 0, pub::add).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> example.size() == 1);
        assertThat(example.get(0).topic()).isEqualTo("topic/example");
        assertThat(text(example.get(0))).isEqualTo("This is the payload related to topic");

        client.unsubscribe(exampleSub).get(10, TimeUnit.SECONDS);
        PublishReceipt r = client.publish(new OutgoingMessage("topic/pub", bytes(data), 0, false))
                .get(10, TimeUnit.SECONDS);
        assertThat(r).isEqualTo(new PublishReceipt(0, 0, 0));
        await().atMost(WAIT).until(() -> pub.size() == 1);
        assertThat(pub.get(0).topic()).isEqualTo("topic/pub");
        assertThat(text(pub.get(0))).isEqualTo(data);
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void section52_withSsl() throws Exception {
        String topic = "$aws/things/M95_0206/shadow/update/accepted";
        String data = "This is publish data from client";
        script = config(m95(), "1,2")
                .ok("AT+QSSLCFG=\"cacert\",2,\"RAM:cacert.pem\"",
                        "AT+QSSLCFG=\"clientcert\",2,\"RAM:client.pem\"",
                        "AT+QSSLCFG=\"clientkey\",2,\"RAM:user_key.pem\"",
                        "AT+QSSLCFG=\"seclevel\",2,2",
                        "AT+QSSLCFG=\"sslversion\",2,4",
                        "AT+QSSLCFG=\"ciphersuite\",2,\"0xFFFF\"",
                        "AT+QSSLCFG=\"ignorertctime\",1")
                .expect("AT+QMTOPEN=0,\"a1zgnxur10j8ux.iot.us-east-1.amazonaws.com\",8883\r")
                .lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"M95_0206\"\r").lines("OK", "+QMTCONN: 0,0,0")
                .expect("AT+QMTSUB=0,1,\"" + topic + "\",1\r").lines("OK", "+QMTSUB: 0,1,0,1")
                .expect("AT+QMTPUB=0,2,1,0,\"" + topic + "\"\r").send("\r\n> ")
                .expect(withCtrlZ(data)).lines("OK", "+QMTPUB: 0,2,0")
                .lines("+QMTRECV: 0,1,\"" + topic + "\"," + data)
                .expect("AT+QMTDISC=0\r").lines("OK", "+QMTDISC: 0,0")
                .expect("AT+QMTCLOSE=0\r").lines("OK", "+QMTCLOSE: 0,0")
                .start();
        modem = openM95();
        MqttClient client = modem.createClient(settings("a1zgnxur10j8ux.iot.us-east-1.amazonaws.com", 8883, "M95_0206")
                .withSsl(2, "RAM:cacert.pem", "RAM:client.pem", "RAM:user_key.pem", "0xFFFF"));
        client.start().get(10, TimeUnit.SECONDS);
        List<ReceivedMessage> got = new CopyOnWriteArrayList<>();
        client.subscribe(topic, 1, got::add).get(10, TimeUnit.SECONDS);
        PublishReceipt r = client.publish(new OutgoingMessage(topic, bytes(data), 1, false)).get(10, TimeUnit.SECONDS);
        assertThat(r).isEqualTo(new PublishReceipt(0, 2, 1));
        await().atMost(WAIT).until(() -> got.size() == 1);
        assertThat(got.get(0).messageId()).isEqualTo(1);
        assertThat(text(got.get(0))).isEqualTo(data);
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void cmeError8512FailsThePublishWithTheMeaningOfTable5() throws Exception {
        script = connected()
                .expect("AT+QMTPUB=0,1,1,0,\"t\"\r").lines("+CME ERROR: 8512")
                // The data was never written: the next bytes are the next command.
                .expect("AT+QMTPUB=0,2,1,0,\"t\"\r").send("\r\n> ")
                .expect(withCtrlZ("two")).lines("OK", "+QMTPUB: 0,2,0")
                .start();
        modem = openM95();
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        assertThat(client.publish(new OutgoingMessage("t", bytes("one"), 1, false))).failsWithin(WAIT)
                .withThrowableThat().havingCause().isInstanceOf(ModemException.class)
                .withMessage("AT+QMTPUB=0,1,1,0,\"t\" failed: +CME ERROR: 8512: MQTT maximum quantity of "
                        + "transmitting packet greater than that of in-flight windows");
        assertThat(client.publish(new OutgoingMessage("t", bytes("two"), 1, false)).get(10, TimeUnit.SECONDS)
                .messageId()).isEqualTo(2);
        script.awaitFinished(WAIT);
    }

    @Test
    void whatCtrlZDataModeCantCarryIsRefusedAndNothingIsWritten() throws Exception {
        // 1548 bytes, every byte value but the two that end or cancel the data mode.
        byte[] largest = new byte[1548];
        for (int i = 0; i < largest.length; i++) {
            largest[i] = (byte) i;
            if (largest[i] == 0x1A || largest[i] == 0x1B) {
                largest[i] = '"';
            }
        }
        script = connected()
                .expect("AT+QMTPUB=0,1,1,1,\"t\"\r").send("\r\n> ")
                .expect(withCtrlZ(largest)).lines("OK", "+QMTPUB: 0,1,0")
                .start();
        modem = openM95();
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);

        byte[] withSub = bytes("abc\u001Adef");
        assertThat(client.publish(new OutgoingMessage("t", withSub, 1, false))).failsWithin(Duration.ZERO)
                .withThrowableThat().havingRootCause().isInstanceOf(IllegalArgumentException.class)
                .withMessage("payload byte 0x1A at offset 3 can't be carried by the m95 Ctrl+Z data mode");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> client.validate(new OutgoingMessage("t", bytes("\u001B[0m"), 0, false)))
                .withMessage("payload byte 0x1B at offset 0 can't be carried by the m95 Ctrl+Z data mode");
        byte[] tooLong = new byte[1549];
        Arrays.fill(tooLong, (byte) 'x');
        assertThat(client.publish(new OutgoingMessage("t", tooLong, 0, false))).failsWithin(Duration.ZERO)
                .withThrowableThat().havingRootCause().isInstanceOf(IllegalArgumentException.class)
                .withMessage("payload of 1549 bytes exceeds the m95 limit of 1548 bytes");

        assertThat(client.publish(new OutgoingMessage("t", largest, 1, true)).get(10, TimeUnit.SECONDS).messageId())
                .isEqualTo(1);
        script.awaitFinished(WAIT);
    }

    @Test
    void theApnGoesWithTheGprsFormOfQicsgpAndThePasswordIsMasked() throws Exception {
        ModemSettings apn = new ModemSettings("scripted", 115200, "m95", "CMNET", "gprs", TestSecrets.APN_PASSWORD, 1, false,
                Duration.ofSeconds(5));
        script = m95().on("AT+QICSGP=1,\"CMNET\",\"gprs\",\"" + TestSecrets.APN_PASSWORD + "\"", "OK").start();
        modem = Modem.open(apn, script.link());
        script.awaitFinished(WAIT);
        List<AtCommand> define = PdpCommands.define(ModemProfile.M95, apn);
        assertThat(define).hasSize(1);
        // What the channel logs and puts in exceptions.
        assertThat(define.get(0).toString()).isEqualTo("AT+QICSGP=1,\"CMNET\",\"gprs\",\"***\"");
    }

    @Test
    void registrationFallsBackToCreg() throws Exception {
        script = new ScriptedModem().identify(ATI).imeiAndSim()
                .on("AT+CGREG?", "+CGREG: 0,2", "OK")
                .on("AT+CREG?", "+CREG: 0,5", "OK")
                .start();
        modem = openM95();
        script.awaitFinished(WAIT);
        assertThat(modem.modelName()).isEqualTo("m95");
    }

    private static byte[] withCtrlZ(String data) {
        return withCtrlZ(bytes(data));
    }

    private static byte[] withCtrlZ(byte[] payload) {
        byte[] b = Arrays.copyOf(payload, payload.length + 1);
        b[payload.length] = 0x1A;
        return b;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(ReceivedMessage m) {
        return new String(m.payload(), StandardCharsets.UTF_8);
    }
}
