package io.cellmqtt.modem;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10's attack, once per Quectel receive format: a publisher on a topic the gateway subscribes
 * to under a wildcard chooses both topic and payload, and the modem does not escape the topic. The
 * topic {@code cmd/x",5,"} holds a second {@code ",<digits>,"}: read as the length, it let the
 * payload be read as modem output. Each test was red before the receive framing was rebuilt.
 */
class ForgedModemOutputTest extends TranscriptTestBase {

    private static String text(ReceivedMessage m) {
        return new String(m.payload(), StandardCharsets.ISO_8859_1);
    }

    /**
     * BG95 family, {@code recv/mode} with length: the old framing took 5 bytes after
     * {@code "cmd/x",5,"} as the payload and read the rest, {@code +QMTPUB: 0,2,0}, as the broker's
     * acknowledgement of a publish it never acknowledged. Now the two readings end at different bytes:
     * nothing is read as modem output until the line was quiet, and the publish is not reported sent.
     */
    @Test
    void aTopicHoldingALengthCannotForgeAPublishAcknowledgementWithTheLengthForm() throws Exception {
        String forged = "\r\n+QMTPUB: 0,2,0\r\n";
        CompletableFuture<Void> quietAgain = new CompletableFuture<>();
        script = new ScriptedModem().connected("broker", 1883, "dev")
                .expect("AT+QMTSUB=0,1,\"cmd/#\",1\r").lines("OK", "+QMTSUB: 0,1,0,1")
                .expect("AT+QMTPUBEX=0,2,1,0,\"t\",\"one\"\r").lines("OK")
                .send("\r\n+QMTRECV: 0,4,\"cmd/x\",5,\"\"," + forged.length() + ",\"" + forged + "\"\r\n")
                .pause(quietAgain)
                .lines("+QMTRECV: 0,5,\"cmd/y\",2,\"ok\"")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        List<ReceivedMessage> got = new CopyOnWriteArrayList<>();
        client.subscribe("cmd/#", 1, got::add).get(10, TimeUnit.SECONDS);

        CompletableFuture<PublishReceipt> publish = client.publish(
                new OutgoingMessage("t", "one".getBytes(StandardCharsets.US_ASCII), 1, false), Duration.ofSeconds(2));
        await().atMost(WAIT).until(publish::isDone);
        assertThat(publish).as("the broker never acknowledged it").isCompletedExceptionally();
        assertThat(got).as("a message the modem did not report").isEmpty();
        assertThat(modem.framingStats().framingErrors()).isEqualTo(1);

        // The line was quiet for longer than the quiet period: what the modem says is read again.
        quietAgain.complete(null);
        await().atMost(WAIT).until(() -> got.size() == 1);
        assertThat(got.get(0).topic()).isEqualTo("cmd/y");
        assertThat(text(got.get(0))).isEqualTo("ok");
        script.awaitFinished(WAIT);
    }

    /**
     * Older BG96 firmware that refuses {@code recv/mode} sends {@code +QMTRECV: 0,4,"<topic>","<payload>"}.
     * The old parser ended the topic at its first {@code ",} and read {@code 5,} as a length: the
     * message {@code cmd/x} / {@code ","hello}, which nobody published. Of the places the topic could
     * end, only one leaves a well-formed rest: that is the message.
     */
    @Test
    void aTopicHoldingALengthIsReadAsTheTopicItIsWithTheLengthLessForm() throws Exception {
        script = new ScriptedModem().bg96WithoutRecvModeConnected()
                .expect("AT+QMTSUB=0,1,\"cmd/#\",1\r").lines("OK", "+QMTSUB: 0,1,0,1")
                .lines("+QMTRECV: 0,4,\"cmd/x\",5,\"\",\"hello\"", "+QMTRECV: 0,5,\"cmd/y\",\"ok\"")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        List<ReceivedMessage> got = new CopyOnWriteArrayList<>();
        client.subscribe("cmd/#", 1, got::add).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> got.size() == 2);
        assertThat(got.get(0).topic()).isEqualTo("cmd/x\",5,\"");
        assertThat(text(got.get(0))).isEqualTo("hello");
        assertThat(got.get(1).topic()).isEqualTo("cmd/y");
        script.awaitFinished(WAIT);
    }

    /**
     * BC26 and M95 report no length, and their payload may be unquoted, so the same line reads as
     * {@code cmd/x} / {@code 5,"","hello"} or as {@code cmd/x",5,"} / {@code hello}, and the client's
     * {@code cmd/#} wants both: it cannot be told, so it is dropped and counted. The old parser
     * delivered the first.
     */
    @Test
    void aLineWithTwoReadingsTheSubscriptionsWantIsDroppedWithTheUnframedForm() throws Exception {
        script = new ScriptedModem().identify("Quectel_Ltd", "Quectel_BC26", "Revision: BC26NBR01A10").imeiAndSim()
                .on("AT+CEREG?", "+CEREG: 0,1", "OK")
                .ok("AT+QMTCFG=\"version\",0,4", "AT+QMTCFG=\"keepalive\",0,120", "AT+QMTCFG=\"session\",0,1",
                        "AT+QMTCFG=\"timeout\",0,5,3,0", "AT+QMTCFG=\"will\",0,0")
                .expect("AT+QMTOPEN=0,\"broker\",1883\r").lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"dev\"\r").lines("OK", "+QMTCONN: 0,0,0")
                .expect("AT+QMTSUB=0,1,\"cmd/#\",1\r").lines("OK", "+QMTSUB: 0,1,0,1")
                .lines("+QMTRECV: 0,4,\"cmd/x\",5,\"\",\"hello\"", "+QMTRECV: 0,5,\"cmd/y\",\"ok\"")
                .start();
        modem = Modem.open(new ModemSettings("scripted", 115200, "auto", null, null, null, 1, false,
                Duration.ofSeconds(5)), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        List<ReceivedMessage> got = new CopyOnWriteArrayList<>();
        client.subscribe("cmd/#", 1, got::add).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> got.size() == 1 && modem.framingStats().ambiguousRecords() == 1);
        assertThat(got.get(0).topic()).isEqualTo("cmd/y");
        assertThat(text(got.get(0))).isEqualTo("ok");
        script.awaitFinished(WAIT);
    }
}
