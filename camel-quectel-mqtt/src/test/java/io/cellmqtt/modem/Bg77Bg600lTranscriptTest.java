package io.cellmqtt.modem;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The BG77 and the BG600L are covered by the BG95 application note (reference 004): bring-up picks
 * their own profile, by ATI or by {@code modem=}, and from there on every byte is the BG95's
 * (see {@link Bg95TranscriptTest} for the note's exchanges): the same {@code AT+QMTCFG} keys,
 * {@code AT+QMTPUBEX} for short quotable payloads, fixed-length {@code AT+QMTPUB} for the rest,
 * and received messages framed by their length.
 */
class Bg77Bg600lTranscriptTest extends TranscriptTestBase {
    @ParameterizedTest(name = "modem={0}, ATI model {2}")
    @CsvSource({
        "auto,   Quectel, BG77,      BG77LAR02A04,     bg77",
        "bg77,   Quectel, BG77,      BG77LAR02A04,     bg77",
        "auto,   Quectel, BG600L-M3, BG600LM3LAR02A01, bg600l",
        "bg600l, Quectel, BG600L-M3, BG600LM3LAR02A01, bg600l",
    })
    void sameBytesAsTheBg95(String option, String manufacturer, String model, String revision, String profile)
            throws Exception {
        byte[] binary = "a\",\"b\r\n\u001a\u0000".getBytes(StandardCharsets.ISO_8859_1);
        script = new ScriptedModem().bringUp(manufacturer, model, "Revision: " + revision).defaultConfig(0)
                .expect("AT+QMTOPEN=0,\"broker\",1883\r").lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"dev\"\r").lines("OK", "+QMTCONN: 0,0,0")
                .expect("AT+QMTSUB=0,1,\"cmd\",1\r").lines("OK", "+QMTSUB: 0,1,0,1")
                .expect("AT+QMTPUBEX=0,2,1,0,\"t\",\"short\"\r").lines("OK", "+QMTPUB: 0,2,0")
                .expect("AT+QMTPUB=0,3,1,0,\"t\"," + binary.length + "\r").send("\r\n> ")
                .expect(binary).lines("OK", "+QMTPUB: 0,3,0")
                .send("\r\n+QMTRECV: 0,9,\"cmd\"," + binary.length + ",\"")
                .send(new String(binary, StandardCharsets.ISO_8859_1)).send("\"\r\n")
                .expect("AT+QMTDISC=0\r").lines("OK", "+QMTDISC: 0,0", "+QMTSTAT: 0,5")
                .expect("AT+QMTCLOSE=0\r").lines("OK", "+QMTCLOSE: 0,0")
                .start();
        modem = Modem.open(new ModemSettings("scripted", 115200, option, null, null, null, 1, false,
                Duration.ofSeconds(5)), script.link());
        assertThat(modem.modelName()).isEqualTo(profile);
        assertThat(modem.identity().model()).isEqualTo(model);

        MqttClient client = modem.createClient(MqttClientSettings.of("broker", 1883).withClientId("dev")
                .withClientIndex(0).withReconnectDelays(Duration.ofMillis(20), Duration.ofMillis(200)));
        client.start().get(10, TimeUnit.SECONDS);
        List<ReceivedMessage> got = new CopyOnWriteArrayList<>();
        client.subscribe("cmd", 1, got::add).get(10, TimeUnit.SECONDS);
        client.publish(new OutgoingMessage("t", "short".getBytes(StandardCharsets.US_ASCII), 1, false))
                .get(10, TimeUnit.SECONDS);
        client.publish(new OutgoingMessage("t", binary, 1, false)).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> got.size() == 1);
        assertThat(got.get(0).payload()).isEqualTo(binary);
        assertThat(got.get(0).messageId()).isEqualTo(9);
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }
}
