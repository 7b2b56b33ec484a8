package io.cellmqtt.modem;

import io.cellmqtt.simulator.secrets.TestSecrets;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Replays the exchanges of section 5 of the BG95&amp;BG77&amp;BG600L MQTT application note
 * (reference 004) against the modem layer and asserts the exact bytes it writes.
 *
 * <p>Where our bytes differ from the document's, it is on purpose: the document publishes with
 * the variable-length {@code AT+QMTPUB} form ended by Ctrl+Z, which a payload holding 0x1A would
 * end early; we send short, quotable payloads with {@code AT+QMTPUBEX} (one round trip) and the
 * rest with the fixed-length {@code AT+QMTPUB} form. The document reuses message id 1 for a
 * second subscription and answers an unsubscribe with another id; we use a fresh id for every
 * packet, as its own note on {@code <msgID>} asks. Its SSL example spells {@code "secllevel"};
 * we send {@code "seclevel"}, the spelling of the SSL application note it refers to.
 */
class Bg95TranscriptTest extends TranscriptTestBase {
    @Test
    void section51_withoutSsl() throws Exception {
        script = new ScriptedModem().bringUp().defaultConfig(0)
                .expect("AT+QMTOPEN=0,\"iot-as-mqtt.cn-shanghai.aliyuncs.com\",1883\r")
                .lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"clientExample\"\r")
                .lines("OK", "+QMTCONN: 0,0,0")
                .expect("AT+QMTSUB=0,1,\"topic/example\",2\r")
                .lines("OK", "+QMTSUB: 0,1,0,2")
                .expect("AT+QMTSUB=0,2,\"topic/pub\",0\r")
                .lines("OK", "+QMTSUB: 0,2,0,0")
                // The document's receive URC, in the default receive mode (no length).
                .lines("+QMTRECV: 0,0,\"topic/example\",\"This is the payload related to topic\"")
                .expect("AT+QMTUNS=0,3,\"topic/example\"\r")
                .lines("OK", "+QMTUNS: 0,3,0")
                .expect("AT+QMTPUBEX=0,0,0,0,\"topic/pub\",\"This is test data, hello MQTT.\"\r")
                .lines("OK", "+QMTPUB: 0,0,0")
                .lines("+QMTRECV: 0,0,\"topic/pub\",\"This is test data, hello MQTT.\"")
                .expect("AT+QMTDISC=0\r")
                .lines("OK", "+QMTDISC: 0,0", "+QMTSTAT: 0,5")
                .expect("AT+QMTCLOSE=0\r")
                .lines("OK", "+QMTCLOSE: 0,0")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        assertThat(modem.identity()).isEqualTo(new ModemIdentity("Quectel", "BG95-M3", "BG95M3LAR02A03", "866425030000001"));
        assertThat(modem.modelName()).isEqualTo("bg95");

        MqttClient client = modem.createClient(settings("iot-as-mqtt.cn-shanghai.aliyuncs.com", 1883, "clientExample"));
        client.start().get(10, TimeUnit.SECONDS);
        assertThat(client.state()).isEqualTo(MqttClientState.CONNECTED);

        List<ReceivedMessage> example = new CopyOnWriteArrayList<>();
        List<ReceivedMessage> pub = new CopyOnWriteArrayList<>();
        Subscription exampleSub = client.subscribe("topic/example", 2, example::add).get(10, TimeUnit.SECONDS);
        client.subscribe("topic/pub", 0, pub::add).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> example.size() == 1);
        assertThat(text(example.get(0))).isEqualTo("This is the payload related to topic");
        assertThat(example.get(0).topic()).isEqualTo("topic/example");

        client.unsubscribe(exampleSub).get(10, TimeUnit.SECONDS);
        PublishReceipt receipt = client.publish(new OutgoingMessage("topic/pub",
                "This is test data, hello MQTT.".getBytes(StandardCharsets.US_ASCII), 0, false)).get(10, TimeUnit.SECONDS);
        assertThat(receipt).isEqualTo(new PublishReceipt(0, 0, 0));
        await().atMost(WAIT).until(() -> pub.size() == 1);
        assertThat(text(pub.get(0))).isEqualTo("This is test data, hello MQTT.");
        assertThat(example).hasSize(1);

        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
        assertThat(client.state()).isEqualTo(MqttClientState.STOPPED);
    }

    @Test
    void section52_withSsl() throws Exception {
        script = new ScriptedModem().bringUp()
                .on("AT+QMTCFG=\"version\",0,4", "OK")
                .on("AT+QMTCFG=\"pdpcid\",0,1", "OK")
                .on("AT+QMTCFG=\"ssl\",0,1,2", "OK")
                .on("AT+QMTCFG=\"keepalive\",0,120", "OK")
                .on("AT+QMTCFG=\"session\",0,1", "OK")
                .on("AT+QMTCFG=\"timeout\",0,5,3,0", "OK")
                .on("AT+QMTCFG=\"will\",0,0", "OK")
                .on("AT+QMTCFG=\"recv/mode\",0,0,1", "OK")
                .on("AT+QSSLCFG=\"cacert\",2,\"cacert.pem\"", "OK")
                .on("AT+QSSLCFG=\"clientcert\",2,\"client.pem\"", "OK")
                .on("AT+QSSLCFG=\"clientkey\",2,\"user_key.pem\"", "OK")
                .on("AT+QSSLCFG=\"seclevel\",2,2", "OK")
                .on("AT+QSSLCFG=\"sslversion\",2,4", "OK")
                .on("AT+QSSLCFG=\"ciphersuite\",2,0XFFFF", "OK")
                .on("AT+QSSLCFG=\"ignorelocaltime\",2,1", "OK")
                .expect("AT+QMTOPEN=0,\"a1zgnxur10j8ux.iot.us-east-1.amazonaws.com\",8883\r")
                .lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"MQTT-1\"\r")
                .lines("OK", "+QMTCONN: 0,0,0")
                .expect("AT+QMTSUB=0,1,\"$aws/things/MQTT-1/shadow/update/accepted\",1\r")
                .lines("OK", "+QMTSUB: 0,1,0,1")
                .expect("AT+QMTPUBEX=0,2,1,0,\"$aws/things/MQTT-1/shadow/update/accepted\",\"This is publish data from client\"\r")
                .lines("OK", "+QMTPUB: 0,2,0")
                .lines("+QMTRECV: 0,1,\"$aws/things/MQTT-1/shadow/update/accepted\",\"This is publish data from client\"")
                .expect("AT+QMTDISC=0\r")
                .lines("OK", "+QMTDISC: 0,0", "+QMTSTAT: 0,5")
                .expect("AT+QMTCLOSE=0\r")
                .lines("OK", "+QMTCLOSE: 0,0")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClientSettings ssl = settings("a1zgnxur10j8ux.iot.us-east-1.amazonaws.com", 8883, "MQTT-1")
                .withSsl(2, "cacert.pem", "client.pem", "user_key.pem", "0XFFFF");
        MqttClient client = modem.createClient(ssl);
        client.start().get(10, TimeUnit.SECONDS);
        List<ReceivedMessage> got = new CopyOnWriteArrayList<>();
        String topic = "$aws/things/MQTT-1/shadow/update/accepted";
        client.subscribe(topic, 1, got::add).get(10, TimeUnit.SECONDS);
        PublishReceipt r = client.publish(new OutgoingMessage(topic,
                "This is publish data from client".getBytes(StandardCharsets.US_ASCII), 1, false)).get(10, TimeUnit.SECONDS);
        assertThat(r).isEqualTo(new PublishReceipt(0, 2, 1));
        await().atMost(WAIT).until(() -> got.size() == 1);
        assertThat(got.get(0).messageId()).isEqualTo(1);
        assertThat(text(got.get(0))).isEqualTo("This is publish data from client");
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void payloadsTheQuotedFormCannotCarryGoByFixedLengthDataMode() throws Exception {
        byte[] payload = "say \"hi\",\r\n\u001a\u001b\u0000end".getBytes(StandardCharsets.ISO_8859_1);
        script = new ScriptedModem().connected("broker", 1883, "dev")
                .expect("AT+QMTPUB=0,1,1,1,\"plant/7/telemetry\"," + payload.length + "\r").send("\r\n> ")
                .expect(payload).lines("OK", "+QMTPUB: 0,1,0")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        PublishReceipt r = client.publish(new OutgoingMessage("plant/7/telemetry", payload, 1, true))
                .get(10, TimeUnit.SECONDS);
        assertThat(r.messageId()).isEqualTo(1);
        script.awaitFinished(WAIT);
    }

    @Test
    void receivedPayloadsAreFramedByLength() throws Exception {
        byte[] payload = "a\",\"b\r\n+QMTSTAT: 0,1\r\n\u001a\u0000".getBytes(StandardCharsets.ISO_8859_1);
        String head = "\r\n+QMTRECV: 0,7,\"plant/3/cmd\"," + payload.length + ",\"";
        script = new ScriptedModem().connected("broker", 1883, "dev")
                .expect("AT+QMTSUB=0,1,\"plant/+/cmd\",1\r").lines("OK", "+QMTSUB: 0,1,0,1")
                .send(head).send(new String(payload, StandardCharsets.ISO_8859_1)).send("\"\r\n")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        List<ReceivedMessage> got = new CopyOnWriteArrayList<>();
        client.subscribe("plant/+/cmd", 1, got::add).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> got.size() == 1);
        assertThat(got.get(0).payload()).isEqualTo(payload);
        assertThat(got.get(0).topic()).isEqualTo("plant/3/cmd");
        assertThat(got.get(0).messageId()).isEqualTo(7);
        // The "+QMTSTAT" inside the payload was data: the client never dropped its connection.
        assertThat(client.state()).isEqualTo(MqttClientState.CONNECTED);
        script.awaitFinished(WAIT);
    }

    @Test
    void connectionLossReconnectsResubscribesAndResendsWhatWasInFlight() throws Exception {
        script = new ScriptedModem().connected("broker", 1883, "dev")
                .expect("AT+QMTSUB=0,1,\"cmd/#\",1\r").lines("OK", "+QMTSUB: 0,1,0,1")
                .expect("AT+QMTPUBEX=0,2,1,0,\"t\",\"one\"\r").lines("OK")
                // The broker drops us before acknowledging publish 2.
                .lines("+QMTSTAT: 0,1")
                .defaultConfig(0)
                .expect("AT+QMTOPEN=0,\"broker\",1883\r").lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"dev\"\r").lines("OK", "+QMTCONN: 0,0,0")
                .expect("AT+QMTSUB=0,3,\"cmd/#\",1\r").lines("OK", "+QMTSUB: 0,3,0,1")
                .expect("AT+QMTPUBEX=0,2,1,0,\"t\",\"one\"\r").lines("OK", "+QMTPUB: 0,2,0")
                .lines("+QMTRECV: 0,4,\"cmd/x\",2,\"go\"")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        List<ReceivedMessage> got = new CopyOnWriteArrayList<>();
        client.subscribe("cmd/#", 1, got::add).get(10, TimeUnit.SECONDS);
        PublishReceipt r = client.publish(new OutgoingMessage("t", "one".getBytes(StandardCharsets.US_ASCII), 1, false))
                .get(10, TimeUnit.SECONDS);
        assertThat(r.messageId()).isEqualTo(2);
        await().atMost(WAIT).until(() -> got.size() == 1);
        assertThat(text(got.get(0))).isEqualTo("go");
        assertThat(client.state()).isEqualTo(MqttClientState.CONNECTED);
        script.awaitFinished(WAIT);
    }

    @Test
    void inflightWindowKeepsAtMostThatManyQos1PublishesOutstanding() throws Exception {
        script = new ScriptedModem().connected("broker", 1883, "dev")
                .expect("AT+QMTPUBEX=0,1,1,0,\"t\",\"m1\"\r").lines("OK")
                .expect("AT+QMTPUBEX=0,2,1,0,\"t\",\"m2\"\r").lines("OK")
                // Window of 2 is full: m3 must not be written until a result frees a slot.
                .lines("+QMTPUB: 0,1,1,1", "+QMTPUB: 0,1,0")
                .expect("AT+QMTPUBEX=0,3,1,0,\"t\",\"m3\"\r").lines("OK", "+QMTPUB: 0,2,0", "+QMTPUB: 0,3,2")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClientSettings two = settings("broker", 1883, "dev").withInflightWindow(2);
        MqttClient client = modem.createClient(two);
        client.start().get(10, TimeUnit.SECONDS);
        var f1 = client.publish(new OutgoingMessage("t", "m1".getBytes(StandardCharsets.US_ASCII), 1, false));
        var f2 = client.publish(new OutgoingMessage("t", "m2".getBytes(StandardCharsets.US_ASCII), 1, false));
        var f3 = client.publish(new OutgoingMessage("t", "m3".getBytes(StandardCharsets.US_ASCII), 1, false));
        assertThat(f1.get(10, TimeUnit.SECONDS).messageId()).isEqualTo(1);
        assertThat(f2.get(10, TimeUnit.SECONDS).messageId()).isEqualTo(2);
        await().atMost(WAIT).until(f3::isDone);
        assertThat(f3).failsWithin(Duration.ZERO).withThrowableThat()
                .withMessageContaining("+QMTPUB: 0,3,2").withMessageContaining("failed to send packet");
        script.awaitFinished(WAIT);
    }

    @Test
    void badCredentialsFailStartWithTheMeaningAndNoSecret() throws Exception {
        script = new ScriptedModem().bringUp().defaultConfig(0)
                .expect("AT+QMTOPEN=0,\"broker\",1883\r").lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"dev\",\"user\",\"" + TestSecrets.MQTT_PASSWORD + "\"\r").lines("OK", "+QMTCONN: 0,0,4")
                .expect("AT+QMTCLOSE=0\r").lines("OK", "+QMTCLOSE: 0,0")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClientSettings creds = settings("broker", 1883, "dev").withCredentials("user", TestSecrets.MQTT_PASSWORD);
        MqttClient client = modem.createClient(creds);
        assertThat(client.start()).failsWithin(WAIT).withThrowableThat()
                .withMessageContaining("bad user name or password")
                .withMessageContaining("+QMTCONN: 0,0,4")
                .withMessageNotContaining(TestSecrets.MQTT_PASSWORD);
        script.awaitFinished(WAIT);
    }

    @Test
    void aConnectionLostDuringTheFirstConnectFailsStartWithItsMeaning() throws Exception {
        script = new ScriptedModem().bringUp().defaultConfig(0)
                .expect("AT+QMTOPEN=0,\"broker\",1883\r").lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"dev\"\r").lines("OK", "+QMTSTAT: 0,1")
                .expect("AT+QMTCLOSE=0\r").lines("OK", "+QMTCLOSE: 0,0")
                // The first attempt failed; the client goes on trying.
                .expect("AT+QMTCFG=\"version\",0,4\r")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        assertThat(client.start()).failsWithin(WAIT).withThrowableThat()
                .withMessageContaining("+QMTSTAT: 0,1").withMessageContaining("closed or reset by peer");
        script.awaitFinished(WAIT);
    }

    private static String text(ReceivedMessage m) {
        return new String(m.payload(), StandardCharsets.UTF_8);
    }
}
