package io.cellmqtt.modem;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 7: what real firmware does that the documents do not say, each against the modem layer
 * with exact bytes. The end-to-end counterparts (through a PTY, the simulator set to each variant,
 * a real broker) are in {@code e2e/FirmwareVariantsEndToEndTest}; captured sessions replay in
 * {@code CapturedFirmwareReplayTest}.
 */
class FirmwareVariantsTranscriptTest extends TranscriptTestBase {

    /** {@code command\r} from the host, echoed, then answered by {@code reply}. */
    private static ScriptedModem echoed(ScriptedModem s, String command, String... reply) {
        return s.expect(command + "\r").send(command + "\r").lines(reply);
    }

    /**
     * A port whose echo stays on after {@code ATE0} answered OK: each echo is dropped, and none is
     * taken for the sign of a restart (which would bring the modem up again, and again, forever).
     */
    @Test
    void echoThatStaysOnAfterAte0IsDroppedAndIsNoRestart() throws Exception {
        ScriptedModem s = new ScriptedModem();
        echoed(s, "AT", "OK");
        echoed(s, "ATE0", "OK");
        echoed(s, "AT+CMEE=2", "OK");
        s.expect("ATI\r").send("ATI\r\r\nQuectel\r\nBG95-M3\r\nRevision: BG95M3LAR02A03\r\n\r\nOK\r\n");
        echoed(s, "AT+GSN", "866425030000001", "OK");
        echoed(s, "AT+CPIN?", "+CPIN: READY", "OK");
        echoed(s, "AT+CEREG?", "+CEREG: 0,1", "OK");
        for (String c : List.of("AT+QMTCFG=\"version\",0,4", "AT+QMTCFG=\"pdpcid\",0,1", "AT+QMTCFG=\"ssl\",0,0",
                "AT+QMTCFG=\"keepalive\",0,120", "AT+QMTCFG=\"session\",0,1", "AT+QMTCFG=\"timeout\",0,5,3,0",
                "AT+QMTCFG=\"will\",0,0", "AT+QMTCFG=\"recv/mode\",0,0,1")) {
            echoed(s, c, "OK");
        }
        echoed(s, "AT+QMTOPEN=0,\"broker\",1883", "OK", "+QMTOPEN: 0,0");
        echoed(s, "AT+QMTCONN=0,\"dev\"", "OK", "+QMTCONN: 0,0,0");
        s.expect("AT+QMTPUB=0,1,1,0,\"t\",3\r").send("AT+QMTPUB=0,1,1,0,\"t\",3\r\r\n> ")
                .expect("a\"b").lines("OK", "+QMTPUB: 0,1,0");
        script = s.start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        assertThat(client.publish(new OutgoingMessage("t", "a\"b".getBytes(StandardCharsets.US_ASCII), 1, false))
                .get(10, TimeUnit.SECONDS)).isEqualTo(new PublishReceipt(0, 1, 1));
        script.awaitFinished(WAIT);
        assertThat(modem.state()).isEqualTo(ModemState.READY);
    }

    /**
     * Older BG96 firmware answers {@code ERROR} to {@code AT+QMTCFG="version"} and
     * {@code "recv/mode"} (its document, reference 000, sets neither): the client does without them,
     * and messages come in the length-less form, which is then read as a line (no length framing: a
     * payload such as {@code a",5,"} must not be taken for a length).
     */
    @Test
    void aFirmwareThatRefusesRecvModeAndVersionStillConnectsAndReceivesTheLengthLessForm() throws Exception {
        script = new ScriptedModem().bg96WithoutRecvModeConnected()
                .expect("AT+QMTSUB=0,1,\"cmd/#\",1\r").lines("OK", "+QMTSUB: 0,1,0,1")
                .lines("+QMTRECV: 0,3,\"cmd/a\",\"a\",5,\"bc\"", "+QMTRECV: 0,4,\"cmd/b\",\"{\"on\":true}\"")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        List<ReceivedMessage> got = new CopyOnWriteArrayList<>();
        client.subscribe("cmd/#", 1, got::add).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> got.size() == 2);
        assertThat(new String(got.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("a\",5,\"bc");
        assertThat(got.get(0).topic()).isEqualTo("cmd/a");
        assertThat(new String(got.get(1).payload(), StandardCharsets.UTF_8)).isEqualTo("{\"on\":true}");
        script.awaitFinished(WAIT);
    }

    /** Refused once, not asked again: a reconnect configures without the refused keys. */
    @Test
    void refusedKeysAreNotSentAgainOnTheNextConfiguration() throws Exception {
        script = new ScriptedModem().bringUp("Quectel", "BG96", "Revision: BG96MAR02A04M1G")
                .on("AT+QMTCFG=\"version\",0,4", "ERROR")
                .ok("AT+QMTCFG=\"pdpcid\",0,1", "AT+QMTCFG=\"ssl\",0,0", "AT+QMTCFG=\"keepalive\",0,120",
                        "AT+QMTCFG=\"session\",0,1", "AT+QMTCFG=\"timeout\",0,5,3,0", "AT+QMTCFG=\"will\",0,0")
                .on("AT+QMTCFG=\"recv/mode\",0,0,1", "ERROR")
                .expect("AT+QMTOPEN=0,\"broker\",1883\r").lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"dev\"\r").lines("OK", "+QMTCONN: 0,0,0")
                .lines("+QMTSTAT: 0,1")
                .ok("AT+QMTCFG=\"pdpcid\",0,1", "AT+QMTCFG=\"ssl\",0,0", "AT+QMTCFG=\"keepalive\",0,120",
                        "AT+QMTCFG=\"session\",0,1", "AT+QMTCFG=\"timeout\",0,5,3,0", "AT+QMTCFG=\"will\",0,0")
                .expect("AT+QMTOPEN=0,\"broker\",1883\r").lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"dev\"\r").lines("OK", "+QMTCONN: 0,0,0")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
        await().atMost(WAIT).until(() -> client.state() == MqttClientState.CONNECTED);
    }

    /**
     * Results as some firmware writes them: the result URC before the command's own {@code OK} (a
     * fast broker), spaces after the commas, a bare {@code >} prompt, and unsolicited lines the
     * documents never mention between the lines of a reply.
     */
    @Test
    void resultsBeforeOkSpacesAfterCommasABarePromptAndNoiseBetweenReplyLines() throws Exception {
        script = new ScriptedModem().bringUp().defaultConfig(0)
                .expect("AT+QMTOPEN=0,\"broker\",1883\r").lines("+QMTOPEN: 0, 0", "+CGEV: ME PDN ACT 1", "OK")
                .expect("AT+QMTCONN=0,\"dev\"\r").lines("+QIND: SMS DONE", "+QMTCONN: 0, 0, 0", "OK")
                .expect("AT+QMTPUB=0,1,1,0,\"t\",3\r").send("\r\n>")
                .expect("h\"i").lines("+QIND: \"csq\",20,99", "OK", "+QMTPUB: 0, 1, 0")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        // a quote: not for AT+QMTPUBEX, so by the prompt
        assertThat(client.publish(new OutgoingMessage("t", "h\"i".getBytes(StandardCharsets.US_ASCII), 1, false))
                .get(10, TimeUnit.SECONDS)).isEqualTo(new PublishReceipt(0, 1, 1));
        script.awaitFinished(WAIT);
    }

    /** {@code AT+CMEE=2} answered OK, errors numeric all the same: the code and its meaning still reach the user. */
    @Test
    void numericErrorsAfterCmee2StillSayWhatWentWrong() throws Exception {
        script = new ScriptedModem().bringUp().defaultConfig(0)
                .expect("AT+QMTOPEN=0,\"broker\",1883\r").lines("+CME ERROR: 3")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        assertThat(client.start()).failsWithin(WAIT).withThrowableThat().withMessageContaining("+CME ERROR: 3");
    }
}
