package io.cellmqtt.modem;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The failures of issue 6 that a scripted BG95 shows byte for byte: what the host must (and must
 * not) write after a modem reboot, a modem that stops answering, a late result, a refused
 * subscription, a restart of a stopped client, and a connection lost under a QoS 0 or QoS 2
 * publish. Each test was red before the event loop and the recovery machine.
 */
class RecoveryTranscriptTest extends TranscriptTestBase {

    private static OutgoingMessage message(String topic, String payload, int qos) {
        return new OutgoingMessage(topic, payload.getBytes(StandardCharsets.US_ASCII), qos, false);
    }

    /** What a rebooted BG95 does when the host syncs: echo is on again, so every command comes back first. */
    private static ScriptedModem echoedBringUp(ScriptedModem s) {
        return s.expect("AT\r").send("AT\r\r\nOK\r\n")
                .expect("ATE0\r").send("ATE0\r\r\nOK\r\n")
                .on("AT+CMEE=2", "OK")
                .expect("ATI\r").send("\r\nQuectel\r\nBG95-M3\r\nRevision: BG95M3LAR02A03\r\n\r\nOK\r\n")
                .imeiAndSim()
                .on("AT+CEREG?", "+CEREG: 0,1", "OK");
    }

    /** After a restart the PDP context is looked at, and activated again: it went with the restart. */
    private static ScriptedModem reactivated(ScriptedModem s) {
        return s.on("AT+QIACT?", "OK").on("AT+QIACT=1", "OK");
    }

    private static ScriptedModem reconnected(ScriptedModem s) {
        return s.defaultConfig(0)
                .expect("AT+QMTOPEN=0,\"broker\",1883\r").lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"dev\"\r").lines("OK", "+QMTCONN: 0,0,0");
    }

    @Test
    void aRebootedModemIsBroughtUpAgainAndTheClientReconnectsAndResubscribes() throws Exception {
        script = new ScriptedModem().connected("broker", 1883, "dev")
                .expect("AT+QMTSUB=0,1,\"cmd/#\",1\r").lines("OK", "+QMTSUB: 0,1,0,1");
        // The boot lines of a BG95 that restarted on its own: every setting and connection is gone.
        script.lines("RDY", "+CFUN: 1", "+CPIN: READY", "+QUSIM: 1", "+QIND: SMS DONE");
        reactivated(echoedBringUp(script));
        reconnected(script)
                .expect("AT+QMTSUB=0,2,\"cmd/#\",1\r").lines("OK", "+QMTSUB: 0,2,0,1")
                .lines("+QMTRECV: 0,3,\"cmd/x\",5,\"after\"");
        script.start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        List<ReceivedMessage> got = new CopyOnWriteArrayList<>();
        client.subscribe("cmd/#", 1, got::add).get(10, TimeUnit.SECONDS);

        script.awaitFinished(WAIT);
        await().atMost(WAIT).until(() -> got.size() == 1);
        assertThat(new String(got.get(0).payload(), StandardCharsets.US_ASCII)).isEqualTo("after");
    }

    @Test
    void aModemThatStopsAnsweringAndComesBackRebootedIsBroughtUpAgainAndTheInFlightPublishIsSentAgain()
            throws Exception {
        script = new ScriptedModem().connected("broker", 1883, "dev")
                // The modem takes the command and then says nothing: it is restarting.
                .expect("AT+QMTPUBEX=0,1,1,0,\"t\",\"x\"\r")
                // The host gives up on the command and resynchronises: ESC, then its probe, which the
                // restarted modem echoes (echo is on after a restart) before its answer (CMEE is 0 again).
                .expect("\u001b").expect("AT+CMEE?\r").send("AT+CMEE?\r\r\n+CMEE: 0\r\n\r\nOK\r\n");
        reactivated(echoedBringUp(script));
        reconnected(script)
                .expect("AT+QMTPUBEX=0,1,1,0,\"t\",\"x\"\r").lines("OK", "+QMTPUB: 0,1,0");
        script.start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);

        CompletableFuture<PublishReceipt> x = client.publish(message("t", "x", 1));

        script.awaitFinished(Duration.ofSeconds(20));
        assertThat(x.get(10, TimeUnit.SECONDS).messageId()).isEqualTo(1);
    }

    /**
     * Every QoS 0 publish of a client waits for the same result key ({@code +QMTPUB: 0,0,<result>}).
     * A's caller gives up while the modem still has A; then A's result comes, late, while B waits
     * behind C, not yet written. It must be A's, not B's. (Red before the change with the modem's
     * own deadline as A's timeout; a result that never comes within that deadline now recycles the
     * connection, so the caller's timeout is what makes A late here.)
     */
    @Test
    void aLateQos0ResultNeverCompletesTheNextQos0PublishBeforeItIsWritten() throws Exception {
        byte[] big = new byte[600]; // over QMTPUBEX's 560 bytes: the fixed-length form, with a prompt
        Arrays.fill(big, (byte) 'b');
        CompletableFuture<Void> checked = new CompletableFuture<>();
        script = new ScriptedModem().connected("broker", 1883, "dev")
                .expect("AT+QMTSUB=0,1,\"cmd\",0\r").lines("OK", "+QMTSUB: 0,1,0,0")
                // A: taken, but its result does not come in time.
                .expect("AT+QMTPUBEX=0,0,0,0,\"t\",\"a\"\r").lines("OK")
                // C occupies the channel (no prompt yet) while B waits behind it, not yet written.
                .expect("AT+QMTPUB=0,2,1,0,\"t\",600\r")
                // A's result, late; then a message, so the test knows the late result was handled.
                .lines("+QMTPUB: 0,0,0", "+QMTRECV: 0,0,\"cmd\",4,\"mark\"")
                .pause(checked)
                .send("\r\n> ").expect(big).lines("OK", "+QMTPUB: 0,2,0")
                .expect("AT+QMTPUBEX=0,0,0,0,\"t\",\"b\"\r").lines("OK", "+QMTPUB: 0,0,0")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        CompletableFuture<Void> markSeen = new CompletableFuture<>();
        client.subscribe("cmd", 0, m -> markSeen.complete(null)).get(10, TimeUnit.SECONDS);

        CompletableFuture<PublishReceipt> a = client.publish(message("t", "a", 0), Duration.ofMillis(500));
        assertThat(a).failsWithin(WAIT).withThrowableThat().havingCause().isInstanceOfSatisfying(
                PublishTimeoutException.class, e -> assertThat(e.mayHaveBeenSent()).isTrue());
        CompletableFuture<PublishReceipt> c = client.publish(new OutgoingMessage("t", big, 1, false));
        CompletableFuture<PublishReceipt> b = client.publish(message("t", "b", 0));
        markSeen.get(10, TimeUnit.SECONDS);

        // A's late result was A's, not B's: B, not even written yet, stays open.
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !b.isDone());
        checked.complete(null);
        assertThat(c.get(10, TimeUnit.SECONDS).messageId()).isEqualTo(2);
        assertThat(b.get(10, TimeUnit.SECONDS).qos()).isZero();
        script.awaitFinished(WAIT);
    }

    /**
     * B waits behind C, which holds the channel until the modem's prompt; B's caller cancels it there.
     * The script holds the prompt until then: when it did not, a test thread descheduled between the
     * publish and the cancel let B be written first (seen once in a full run), and the script, waiting
     * for D, got B.
     */
    @Test
    void aPublishWhoseCallerGaveUpBeforeItWasWrittenNeverReachesTheModem() throws Exception {
        byte[] big = new byte[600];
        Arrays.fill(big, (byte) 'b');
        CompletableFuture<Void> cancelled = new CompletableFuture<>();
        script = new ScriptedModem().connected("broker", 1883, "dev")
                .expect("AT+QMTPUB=0,1,1,0,\"t\",600\r").pause(cancelled)
                .send("\r\n> ").expect(big).lines("OK", "+QMTPUB: 0,1,0")
                // Not B: its caller cancelled it while it waited behind C.
                .expect("AT+QMTPUBEX=0,0,0,0,\"t\",\"d\"\r").lines("OK", "+QMTPUB: 0,0,0");
        script.start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);

        CompletableFuture<PublishReceipt> c = client.publish(new OutgoingMessage("t", big, 1, false));
        CompletableFuture<PublishReceipt> b = client.publish(message("t", "b", 0));
        b.cancel(false);
        cancelled.complete(null);
        c.get(10, TimeUnit.SECONDS);
        client.publish(message("t", "d", 0)).get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void aSubscriptionTheBrokerRefusedIsNotSentAgainAfterReconnecting() throws Exception {
        script = new ScriptedModem().connected("broker", 1883, "dev")
                .expect("AT+QMTSUB=0,1,\"bad/#\",1\r").lines("OK", "+QMTSUB: 0,1,0,128")
                .expect("AT+QMTSUB=0,2,\"good\",1\r").lines("OK", "+QMTSUB: 0,2,0,1")
                .lines("+QMTSTAT: 0,1");
        reconnected(script)
                .expect("AT+QMTSUB=0,3,\"good\",1\r").lines("OK", "+QMTSUB: 0,3,0,1");
        script.start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);

        assertThat(client.subscribe("bad/#", 1, m -> { })).failsWithin(WAIT).withThrowableThat()
                .withMessageContaining("bad/#").withMessageContaining("128");
        client.subscribe("good", 1, m -> { }).get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void aStoppedClientStartsAgainAndReceives() throws Exception {
        script = new ScriptedModem().connected("broker", 1883, "dev")
                .expect("AT+QMTDISC=0\r").lines("OK", "+QMTDISC: 0,0", "+QMTSTAT: 0,5")
                .expect("AT+QMTCLOSE=0\r").lines("OK", "+QMTCLOSE: 0,0");
        reconnected(script)
                .expect("AT+QMTSUB=0,1,\"cmd\",1\r").lines("OK", "+QMTSUB: 0,1,0,1")
                .lines("+QMTRECV: 0,2,\"cmd\",5,\"again\"");
        script.start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        client.stop().get(10, TimeUnit.SECONDS);

        client.start().get(10, TimeUnit.SECONDS);
        List<ReceivedMessage> got = new CopyOnWriteArrayList<>();
        client.subscribe("cmd", 1, got::add).get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
        await().atMost(WAIT).until(() -> got.size() == 1);
    }

    @Test
    void aQos0PublishInterruptedByAConnectionLossIsNotSentAgain() throws Exception {
        script = new ScriptedModem().connected("broker", 1883, "dev")
                .expect("AT+QMTPUBEX=0,0,0,0,\"t\",\"a\"\r").lines("OK", "+QMTSTAT: 0,1");
        reconnected(script)
                .expect("AT+QMTPUBEX=0,0,0,0,\"t\",\"b\"\r").lines("OK", "+QMTPUB: 0,0,0");
        script.start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);

        CompletableFuture<PublishReceipt> a = client.publish(message("t", "a", 0));
        // At most once: it may have left the modem before the loss, so it must not go again.
        assertThat(a).failsWithin(WAIT).withThrowableThat().withMessageContaining("QoS 0");
        await().atMost(WAIT).until(() -> client.state() == MqttClientState.CONNECTED);
        client.publish(message("t", "b", 0)).get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void aQos2PublishInterruptedByAConnectionLossIsNotSentAgainOnACleanSession() throws Exception {
        script = new ScriptedModem().connected("broker", 1883, "dev")
                .expect("AT+QMTPUBEX=0,1,2,0,\"t\",\"x\"\r").lines("OK", "+QMTSTAT: 0,1");
        reconnected(script)
                .expect("AT+QMTPUBEX=0,2,1,0,\"t\",\"y\"\r").lines("OK", "+QMTPUB: 0,2,0");
        script.start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);

        CompletableFuture<PublishReceipt> x = client.publish(message("t", "x", 2));
        // The broker forgot the QoS 2 exchange with the clean session: sending it again could
        // deliver it twice, so the publish fails, saying it may or may not have arrived.
        assertThat(x).failsWithin(WAIT).withThrowableThat().withMessageContaining("QoS 2");
        await().atMost(WAIT).until(() -> client.state() == MqttClientState.CONNECTED);
        client.publish(message("t", "y", 1)).get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    /**
     * The connection drops while a publish is on its way to the modem: the modem refuses the command
     * ({@code ERROR}: its connection is gone), then reports the loss. Nothing went to the broker, so the
     * publish waits for the connection like any new one and goes once the client is back; the refusal
     * also makes the client stop trusting the connection at once, whether or not the loss is reported.
     */
    @Test
    void aPublishTheModemRefusedBecauseItsConnectionJustDroppedGoesAfterTheReconnect() throws Exception {
        script = new ScriptedModem().connected("broker", 1883, "dev")
                .expect("AT+QMTPUBEX=0,1,1,0,\"t\",\"x\"\r").lines("ERROR", "+QMTSTAT: 0,1")
                .on("AT+QMTCLOSE=0", "ERROR");
        reconnected(script)
                .expect("AT+QMTPUBEX=0,2,1,0,\"t\",\"x\"\r").lines("OK", "+QMTPUB: 0,2,0");
        script.start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);

        CompletableFuture<PublishReceipt> x = client.publish(message("t", "x", 1));
        assertThat(x.get(10, TimeUnit.SECONDS).messageId()).isEqualTo(2);
        script.awaitFinished(WAIT);
    }

    /** The same when the loss is never reported (a URC lost on the line): the refusal alone recycles the connection. */
    @Test
    void aPublishRefusedWithoutALossReportRecyclesTheConnectionAndGoesAfterTheReconnect() throws Exception {
        script = new ScriptedModem().connected("broker", 1883, "dev")
                .expect("AT+QMTPUBEX=0,0,0,0,\"t\",\"x\"\r").lines("ERROR")
                .on("AT+QMTCLOSE=0", "OK", "+QMTCLOSE: 0,0");
        reconnected(script)
                .expect("AT+QMTPUBEX=0,0,0,0,\"t\",\"x\"\r").lines("OK", "+QMTPUB: 0,0,0");
        script.start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);

        CompletableFuture<PublishReceipt> x = client.publish(message("t", "x", 0));
        assertThat(x.get(10, TimeUnit.SECONDS).qos()).isZero();
        script.awaitFinished(WAIT);
    }

    /** A publish the modem refuses again on a connection it just made is refused for good: it fails, with the error. */
    @Test
    void aPublishRefusedTwiceFails() throws Exception {
        script = new ScriptedModem().connected("broker", 1883, "dev")
                .expect("AT+QMTPUBEX=0,1,1,0,\"t\",\"x\"\r").lines("ERROR")
                .on("AT+QMTCLOSE=0", "OK", "+QMTCLOSE: 0,0");
        reconnected(script)
                // refused on a fresh connection: the publish, not the connection, is the problem
                .expect("AT+QMTPUBEX=0,2,1,0,\"t\",\"x\"\r").lines("ERROR")
                .expect("AT+QMTPUBEX=0,3,1,0,\"t\",\"y\"\r").lines("OK", "+QMTPUB: 0,3,0");
        script.start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);

        assertThat(client.publish(message("t", "x", 1))).failsWithin(WAIT).withThrowableThat()
                .withMessageContaining("AT+QMTPUBEX=0,2,1,0,\"t\",<1 bytes> failed: ERROR");
        assertThat(client.publish(message("t", "y", 1)).get(10, TimeUnit.SECONDS).messageId()).isEqualTo(3);
        script.awaitFinished(WAIT);
    }

    /**
     * The client recycles a connection it no longer trusts (here: the modem refused a publish). A
     * QoS 0 publish the modem took on that connection never gets its result now: the modem closed the
     * connection. Before, its waiter stayed, first in line for the key every QoS 0 publish shares, so
     * the first QoS 0 result on the new connection completed it (a publish reported done that may never
     * have left), and the publish that result belonged to waited for a result that had come already.
     */
    @Test
    void resultsOfAConnectionTheClientGaveUpAreNotAwaitedOnTheNextOne() throws Exception {
        script = new ScriptedModem().connected("broker", 1883, "dev")
                .expect("AT+QMTPUBEX=0,0,0,0,\"t\",\"a\"\r").lines("OK") // its result will never come
                .expect("AT+QMTPUBEX=0,1,1,0,\"t\",\"b\"\r").lines("ERROR")
                .on("AT+QMTCLOSE=0", "OK", "+QMTCLOSE: 0,0");
        reconnected(script)
                .expect("AT+QMTPUBEX=0,2,1,0,\"t\",\"b\"\r").lines("OK", "+QMTPUB: 0,2,0")
                .expect("AT+QMTPUBEX=0,0,0,0,\"t\",\"c\"\r").lines("OK", "+QMTPUB: 0,0,0");
        script.start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);

        CompletableFuture<PublishReceipt> a = client.publish(message("t", "a", 0));
        CompletableFuture<PublishReceipt> b = client.publish(message("t", "b", 1));
        assertThat(b.get(10, TimeUnit.SECONDS).messageId()).isEqualTo(2);
        // At most once: the modem had it, the connection is gone, it is not known to have left.
        assertThat(a).failsWithin(WAIT).withThrowableThat().withMessageContaining("QoS 0");
        assertThat(client.publish(message("t", "c", 0)).get(10, TimeUnit.SECONDS).qos()).isZero();
        script.awaitFinished(WAIT);
    }

    /**
     * +QMTSTAT: 0,2 (PINGREQ failed) asks for the PDP context to be deactivated and activated again
     * (reference 004, table 2). When the client gave the connection up a moment before the report
     * came (here the modem refused a publish first), the report still decides how it recovers.
     */
    @Test
    void aPingFailureReportedAfterTheClientGaveTheConnectionUpStillRecyclesThePdpContext() throws Exception {
        script = new ScriptedModem().connected("broker", 1883, "dev")
                .expect("AT+QMTPUBEX=0,1,1,0,\"t\",\"x\"\r").lines("ERROR", "+QMTSTAT: 0,2")
                .on("AT+QMTCLOSE=0", "ERROR")
                .on("AT+QIDEACT=1", "OK")
                .on("AT+QIACT?", "OK")
                .on("AT+QIACT=1", "OK");
        reconnected(script)
                .expect("AT+QMTPUBEX=0,2,1,0,\"t\",\"x\"\r").lines("OK", "+QMTPUB: 0,2,0");
        script.start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);

        assertThat(client.publish(message("t", "x", 1)).get(10, TimeUnit.SECONDS).messageId()).isEqualTo(2);
        script.awaitFinished(WAIT);
    }

    /**
     * The modem stopped answering for a while (a command timed out), and meanwhile the broker dropped
     * the connection: the +QMTSTAT was written into the silence and never heard. The client believed
     * it was connected and subscribed, and would have stayed deaf, its health UP, for ever. After the
     * channel resynchronised, the component asks the modem which connections it holds and recovers
     * the one it no longer has.
     */
    @Test
    void afterAResyncAConnectionTheModemNoLongerHoldsIsRecoveredThoughItsLossWasNotHeard() throws Exception {
        script = new ScriptedModem().connected("broker", 1883, "dev")
                .expect("AT+QMTSUB=0,1,\"cmd\",1\r").lines("OK", "+QMTSUB: 0,1,0,1")
                .expect("AT+CSQ\r") // not answered: the modem is silent for a while
                .expect("\u001b").expect("AT+CMEE?\r").lines("+CMEE: 2", "OK")
                .expect("AT+QMTCONN?\r").lines("OK"); // no +QMTCONN: 0,3: the connection is gone
        reconnected(script)
                .expect("AT+QMTSUB=0,2,\"cmd\",1\r").lines("OK", "+QMTSUB: 0,2,0,1")
                .lines("+QMTRECV: 0,3,\"cmd\",5,\"again\"");
        script.start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        List<ReceivedMessage> got = new CopyOnWriteArrayList<>();
        client.subscribe("cmd", 1, got::add).get(10, TimeUnit.SECONDS);

        CompletableFuture.runAsync(() -> {
            try {
                modem.signalQuality();
            } catch (ModemException e) {
                // times out: that is the point
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> got.size() == 1);
        assertThat(new String(got.get(0).payload(), StandardCharsets.US_ASCII)).isEqualTo("again");
        script.awaitFinished(WAIT);
    }
}
