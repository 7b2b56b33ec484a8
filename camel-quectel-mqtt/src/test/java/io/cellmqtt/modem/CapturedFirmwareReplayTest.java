package io.cellmqtt.modem;

import io.cellmqtt.at.AtErrorException;
import io.cellmqtt.modem.Captures.Capture;
import io.cellmqtt.simulator.secrets.TestSecrets;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Replays modem output that users captured on real modules and posted publicly
 * ({@code src/test/resources/captures/}, listed with their sources in {@code captures/README.md}) against the modem
 * layer: the component's own commands are expected byte for byte, and each is answered with the bytes the real
 * firmware sent to the captured command. One test per capture, named after it.
 *
 * <p>Rules of the replay:
 * <ul>
 * <li>The component is configured so that its commands are the captured ones where it can be (client id, host,
 * port, keep-alive, topic, QoS, payload). Where our command necessarily differs, the test says how, and answers with
 * the captured reply anyway.</li>
 * <li>Commands the capture does not show (the bring-up, usually, and whatever the component sends that the poster's
 * library did not) are answered as the simulated modem answers them ({@link ScriptedModem}); each test says which
 * ones are captured.</li>
 * <li>The component runs with echo off ({@code ATE0} in its bring-up). Where a capture was taken with echo on, a
 * reply replayed after our {@code ATE0} leaves out the echo line ({@link #noEcho}); the file keeps it.</li>
 * </ul>
 */
class CapturedFirmwareReplayTest extends TranscriptTestBase {

    /** Every capture file, and the test that replays it. */
    private static final List<String> REPLAYED = List.of(
            "a7670e-01-connect-result-3.txt",
            "a7670e-02-sim-failure-then-ready.txt",
            "a76xx-01-ccertdown-prompt-then-newline.txt",
            "a76xx-02-authmode0-connect-ok.txt",
            "bc26-01-cpin-error-before-ready.txt",
            "bg95-01-ssl-open-minus1.txt",
            "bg96-01-ati-autodetect.txt",
            "bg96-02-powered-down-rdy.txt",
            "bg96-03-ssl-open-fail.txt",
            "sim7600-04-stop-start-urc-before-ok.txt",
            "sim7600e-01-ati-split-read.txt",
            "sim7600eh-01-start-already-23.txt",
            "sim7600g-01-start-urc-before-ok.txt",
            "sim7600g-02-tls-connect-ok.txt",
            "sim7600g-03-connect-handshake-fail-32.txt",
            "sim7600gh-01-start-urc-before-ok.txt",
            "sim7600gh-02-ccertdown-bare-prompt.txt",
            "sim7670g-01-rel-not-acquired.txt",
            "sim7670g-02-connect-ok.txt",
            "sim7670g-03-subtopic-error.txt",
            "sim7670g-04-publish-bare-prompt.txt");

    // ---------------------------------------------------------------- the corpus itself

    @Test
    void everyCaptureNamesItsSourceModelFirmwareAndStatusAndIsReplayedHere() {
        assertThat(Captures.names()).containsExactlyInAnyOrderElementsOf(REPLAYED);
        for (String name : Captures.names()) {
            Capture c = Captures.load(name);
            assertThat(c.source()).as(name).startsWith("http");
            assertThat(c.model()).as(name).isNotBlank();
            assertThat(c.firmware()).as(name).isNotBlank();
            assertThat(c.header().get("shows")).as(name).isNotBlank();
            assertThat(c.status()).as(name).matches("captured|reconstructed: .+");
            assertThat(c.steps()).as(name).isNotEmpty();
        }
    }

    // ---------------------------------------------------------------- SIMCom: A76xx / SIM7670G

    /**
     * SIM7670G B05 answers the release of an index it does not hold with {@code +CMQTTREL: 0,20} and {@code ERROR}.
     * Replayed as the answer to the {@code AT+CMQTTREL=0} of a stop, as when the module lost the client behind our
     * back: the component must still stop the service and end {@code STOPPED}. DISC and STOP are not in the capture.
     */
    @Test
    void sim7670g_01_lilygoIssue197_releaseOfAnIndexNotHeldStillStops() throws Exception {
        Capture cap = Captures.load("sim7670g-01-rel-not-acquired.txt");
        script = plainConnected(simcom())
                .on("AT+CMQTTDISC=0,60", "OK", "+CMQTTDISC: 0,0")
                .expect("AT+CMQTTREL=0\r").send(cap.reply("AT+CMQTTREL=0"))
                .on("AT+CMQTTSTOP", "OK", "+CMQTTSTOP: 0")
                .start();
        MqttClient client = startSimcom(plain("dev"));
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
        assertThat(client.state()).isEqualTo(MqttClientState.STOPPED);
    }

    /**
     * SIM7670G B05, TLS: the captured SSL context commands, acquire and connect replies. Ours differ: we send
     * {@code sslversion}, {@code authmode}, {@code cacert} in that order and neither {@code enableSNI} nor
     * {@code AT+CMQTTCFG="version"}; our connect carries keep-alive and clean session, the captured one only the
     * (redacted) URL. {@code AT+CMQTTSTART} is not in the capture.
     */
    @Test
    void sim7670g_02_lilygoIssue197_tlsConnectAnsweredOkThenResult() throws Exception {
        Capture cap = Captures.load("sim7670g-02-connect-ok.txt");
        script = simcom()
                .expect("AT+CSSLCFG=\"sslversion\",0,4\r").send(cap.reply("AT+CSSLCFG=\"sslversion\""))
                .expect("AT+CSSLCFG=\"authmode\",0,1\r").send(cap.reply("AT+CSSLCFG=\"authmode\""))
                .expect("AT+CSSLCFG=\"cacert\",0,\"ca_cert.pem\"\r").send(cap.reply("AT+CSSLCFG=\"cacert\""))
                .on("AT+CMQTTSTART", "OK", "+CMQTTSTART: 0")
                .expect("AT+CMQTTACCQ=0,\"TSIM7670-2\",1\r").send(cap.reply("AT+CMQTTACCQ"))
                .expect("AT+CMQTTSSLCFG=0,0\r").send(cap.reply("AT+CMQTTSSLCFG"))
                .expect("AT+CMQTTCONNECT=0,\"tcp://broker:8883\",60,1\r").send(cap.reply("AT+CMQTTCONNECT"))
                .start();
        MqttClient client = startSimcom(tls("broker", "TSIM7670-2", "ca_cert.pem"));
        assertThat(client.state()).isEqualTo(MqttClientState.CONNECTED);
        script.awaitFinished(WAIT);
    }

    /**
     * SIM7670G B05/B02: {@code AT+CMQTTSUBTOPIC} answered with a bare {@code ERROR} instead of the prompt. The
     * TinyGSM example subscribes to {@code GsmMqttTest/subscribe} (21 bytes) at QoS 0: our command is the captured
     * one. The subscriber hears of the failure at once, the client stays connected (the connection is fine), the
     * subscription stays pending and is asked again after the backoff; here (not in the capture) the second
     * attempt gets the prompt, as the simulated modem gives it, and the subscription becomes active.
     */
    @Test
    void sim7670g_03_lilygoIssue197_subtopicRefusedWithErrorFailsTheSubscription() throws Exception {
        Capture cap = Captures.load("sim7670g-03-subtopic-error.txt");
        script = plainConnected(simcom())
                .expect(cap.hostLine("AT+CMQTTSUBTOPIC") + "\r").send(cap.reply("AT+CMQTTSUBTOPIC"))
                .expect(cap.hostLine("AT+CMQTTSUBTOPIC") + "\r").send("\r\n>")
                .expect("GsmMqttTest/subscribe").lines("OK")
                .on("AT+CMQTTSUB=0", "OK", "+CMQTTSUB: 0,0")
                .start();
        MqttClient client = startSimcom(plain("dev"));
        Subscription sub = new Subscription("GsmMqttTest/subscribe", 0, m -> { });
        Throwable e = failureOf(client.subscribe(sub));
        assertThat(e).isInstanceOf(ModemException.class)
                .hasMessageContaining("AT+CMQTTSUBTOPIC=0,21,0 failed: ERROR");
        script.awaitFinished(WAIT);
        await().atMost(WAIT).until(() -> sub.state() == Subscription.State.ACTIVE);
        assertThat(client.state()).isEqualTo(MqttClientState.CONNECTED);
    }

    /**
     * SIM7670G B05 publishes after a bare {@code >}: no space, the data expected right after it. The module echoes
     * the data it took before {@code OK}. Ours differ: we write exactly the announced bytes (TinyGSM added CR LF),
     * and our publish is {@code AT+CMQTTPUB=0,0,20,0} (timeout from packetTimeout x (retries + 1), retain flag),
     * the captured {@code AT+CMQTTPUB=0,0,60,0,0}. (Red while the digester knew only {@code "> "} as a prompt.)
     */
    @Test
    void sim7670g_04_lilygoIssue197_publishAfterABarePrompt() throws Exception {
        Capture cap = Captures.load("sim7670g-04-publish-bare-prompt.txt");
        script = plainConnected(simcom())
                .expect("AT+CMQTTTOPIC=0,19\r").send(cap.reply("AT+CMQTTTOPIC"))
                .expect("GsmMqttTest/publish").send(cap.reply("GsmMqttTest/publish"))
                .expect("AT+CMQTTPAYLOAD=0,10\r").send(cap.reply("AT+CMQTTPAYLOAD"))
                .expect("RunTime:14").send(cap.reply("RunTime:14"))
                .expect("AT+CMQTTPUB=0,0,20,0\r").send(cap.reply("AT+CMQTTPUB"))
                .start();
        MqttClient client = startSimcom(plain("dev"));
        PublishReceipt r = client.publish(new OutgoingMessage("GsmMqttTest/publish", ascii("RunTime:14"), 0, false))
                .get(10, TimeUnit.SECONDS);
        assertThat(r.qos()).isZero();
        script.awaitFinished(WAIT);
    }

    /**
     * A76xx with echo on: the module echoes each command, a {@code +CGEV} URC lands between the host's command and
     * its echo, and {@code +CMQTTSTART: 0} follows the OK. The prompt of {@code AT+CCERTDOWN} is a {@code >} then a
     * line break. The component does not send {@code AT+CCERTDOWN} (certificates are named, not uploaded): this test
     * answers our {@code AT+CMQTTTOPIC} with the prompt bytes this firmware sent for {@code AT+CCERTDOWN}, assuming
     * one prompt routine for every data input of the firmware (an assumption, said here). The echo lines are left
     * out: our bring-up switched echo off. (Red while the digester knew only {@code "> "} as a prompt.)
     */
    @Test
    void a76xx_01_lilygoIssue77_startAfterOkAndThePromptFollowedByALineBreak() throws Exception {
        Capture cap = Captures.load("a76xx-01-ccertdown-prompt-then-newline.txt");
        script = simcom()
                .expect("AT+CMQTTSTART\r").send(noEcho(cap, "AT+CMQTTSTART"))
                .on("AT+CMQTTACCQ=0,\"dev\",0", "OK")
                .on("AT+CMQTTCONNECT=0,\"tcp://broker:1883\",120,1", "OK", "+CMQTTCONNECT: 0,0")
                .expect("AT+CMQTTTOPIC=0,1\r").send(noEcho(cap, "AT+CCERTDOWN"))
                .expect("t").lines("OK")
                .expect("AT+CMQTTPAYLOAD=0,1\r").send(noEcho(cap, "AT+CCERTDOWN"))
                .expect("x").lines("OK")
                .on("AT+CMQTTPUB=0,1,20,0", "OK", "+CMQTTPUB: 0,0")
                .start();
        MqttClient client = startSimcom(plain("dev"));
        assertThat(client.publish(new OutgoingMessage("t", ascii("x"), 1, false)).get(10, TimeUnit.SECONDS).qos())
                .isEqualTo(1);
        script.awaitFinished(WAIT);
    }

    /** A7670E: a failed connect is answered {@code +CMQTTCONNECT: 0,3} then {@code ERROR}, with no OK. */
    @Test
    void a7670e_01_embeddedMqttBrokerIssue20_connectResult3FailsTheStartWithTheMeaning() throws Exception {
        Capture cap = Captures.load("a7670e-01-connect-result-3.txt");
        // Ours: no AT+CMQTTCFG="argtopic" (the poster's own setting); the other commands are the captured ones.
        script = simcom()
                .expect("AT+CMQTTSTART\r").send(cap.reply("AT+CMQTTSTART"))
                .expect("AT+CMQTTACCQ=0,\"a1accq\",0\r").send(cap.reply("AT+CMQTTACCQ"))
                .expect("AT+CMQTTCONNECT=0,\"tcp://192.168.43.128:1883\",20,1\r").send(cap.reply("AT+CMQTTCONNECT"))
                // not in the capture: what the component does after the failure (release, stop, try again)
                .on("AT+CMQTTREL=0", "OK")
                .on("AT+CMQTTSTOP", "OK", "+CMQTTSTOP: 0")
                .expect("AT+CEREG?\r")
                .start();
        modem = Modem.open(simcomSettings(), script.link());
        MqttClient client = modem.createClient(settings(plain("a1accq"), "192.168.43.128", 1883, 20));
        Throwable e = failureOf(client.start());
        assertThat(e).isInstanceOf(ResultException.class);
        assertThat(((ResultException) e).result()).isEqualTo(3);
        assertThat(e.getMessage()).contains("+CMQTTCONNECT: 0,3").contains("sock connect fail");
        script.awaitFinished(WAIT);
    }

    /**
     * A76xx: TLS without server authentication ({@code authmode} 0: a TLS client with no CA certificate) and the
     * captured connect, our command being the captured one. Start, acquire and {@code AT+CMQTTSSLCFG} are not in
     * the capture.
     */
    @Test
    void a76xx_02_lilygoIssue77_tlsWithoutServerAuthenticationConnects() throws Exception {
        Capture cap = Captures.load("a76xx-02-authmode0-connect-ok.txt");
        script = simcom()
                .on("AT+CSSLCFG=\"sslversion\",0,4", "OK")
                .expect(cap.hostLine("AT+CSSLCFG=\"authmode\"") + "\r").send(cap.reply("AT+CSSLCFG=\"authmode\""))
                .on("AT+CMQTTSTART", "OK", "+CMQTTSTART: 0")
                .on("AT+CMQTTACCQ=0,\"dev\",1", "OK")
                .on("AT+CMQTTSSLCFG=0,0", "OK")
                .expect(cap.hostLine("AT+CMQTTCONNECT") + "\r").send(cap.reply("AT+CMQTTCONNECT"))
                .start();
        MqttClient client = startSimcom(settings(MqttClientSettings.of("broker.emqx.io", 8883).withClientId("dev")
                .withClientIndex(0).withReconnectDelays(Duration.ofMillis(20), Duration.ofMillis(200))
                .withSsl(0, null, null, null, "0xFFFF"), "broker.emqx.io", 8883, 60));
        assertThat(client.state()).isEqualTo(MqttClientState.CONNECTED);
        script.awaitFinished(WAIT);
    }

    /**
     * A7670E right after boot: {@code *ATREADY: 1} before the first command, {@code AT+CPIN?} answered
     * {@code +CME ERROR: SIM failure}, asked again {@code +CME ERROR: SIM failure}, then (unasked) STK URCs,
     * {@code +CPIN: READY} and {@code SMS DONE}. The bring-up gets over the transient SIM error: it asks again
     * every second (its own design, not in the capture), and the third answer is the simulated modem's READY (the
     * capture's SIM became ready on its own, nobody asked). The echo lines are left out: our bring-up turned echo
     * off.
     */
    @Test
    void a7670e_02_lilygoIssue332_simFailureRightAfterBootThenReady() throws Exception {
        Capture cap = Captures.load("a7670e-02-sim-failure-then-ready.txt");
        List<byte[]> second = cap.replyReads("AT+CPIN?", 2);
        script = new ScriptedModem().send(cap.beforeFirstCommand())
                .identify(SIM7600_ATI)
                .on("AT+GSN", "866425030000001", "OK")
                .expect("AT+CPIN?\r").send(noEcho(cap, "AT+CPIN?"))
                .expect("AT+CPIN?\r").send(latin1(second.get(1)));
        // what followed the poster's second AT+CPIN? after its echo and error: the URCs of the SIM becoming ready
        for (byte[] line : second.subList(2, second.size())) {
            script.send(latin1(line));
        }
        script = script.on("AT+CPIN?", "+CPIN: READY", "OK")
                .on("AT+CEREG?", "+CEREG: 0,1", "OK")
                .on("AT+CMQTTSTART", "OK", "+CMQTTSTART: 0")
                .on("AT+CMQTTACCQ=0,\"dev\",0", "OK")
                .on("AT+CMQTTCONNECT=0,\"tcp://broker:1883\",120,1", "OK", "+CMQTTCONNECT: 0,0")
                .start();
        MqttClient client = startSimcom(plain("dev"));
        assertThat(client.state()).isEqualTo(MqttClientState.CONNECTED);
        script.awaitFinished(WAIT);
    }

    // ---------------------------------------------------------------- SIMCom: SIM7600

    /**
     * SIM7600G right after power-up: {@code RDY}, {@code +CPIN: READY}, {@code SMS DONE}, {@code PB DONE} before
     * the first command, and {@code +CMQTTSTART: 0} before the OK of {@code AT+CMQTTSTART}. The boot lines are
     * already on the line when the port opens; they must not stop the bring-up. The component takes the
     * {@code RDY} for a restart that overtook its first {@code AT}: it abandons it, resynchronises (ESC, then its
     * {@code AT+CMEE?} probe, answered as the simulated modem answers it: not in the capture) and brings the modem
     * up from the start.
     */
    @Test
    void sim7600g_01_tsim7600xIssue100_bootLinesFirstThenStartResultBeforeOk() throws Exception {
        Capture cap = Captures.load("sim7600g-01-start-urc-before-ok.txt");
        script = new ScriptedModem().send(cap.beforeFirstCommand())
                .on("AT", "OK")
                .expect("\u001b").on("AT+CMEE?", "+CMEE: 0", "OK");
        script = sim7600BringUp(script)
                .expect("AT+CMQTTSTART\r").send(cap.reply("AT+CMQTTSTART"))
                .on("AT+CMQTTACCQ=0,\"dev\",0", "OK")
                .on("AT+CMQTTCONNECT=0,\"tcp://broker:1883\",120,1", "OK", "+CMQTTCONNECT: 0,0")
                .start();
        MqttClient client = startSimcom(plain("dev"));
        assertThat(client.state()).isEqualTo(MqttClientState.CONNECTED);
        script.awaitFinished(WAIT);
    }

    /**
     * SIM7600G TLS connect to broker.emqx.io:8883 with the captured client id: our acquire and connect are the
     * captured commands. The capture's {@code AT+CMQTTSTART} shows no OK (the sketch did not wait): its reply is
     * taken from the other log of the same issue and module ({@code sim7600g-01}). The captured OK to
     * {@code AT+CMQTTREL=0} answers our release at stop; DISC and STOP are not in the capture.
     */
    @Test
    void sim7600g_02_tsim7600xIssue100_tlsConnectWithTheCapturedCommands() throws Exception {
        Capture cap = Captures.load("sim7600g-02-tls-connect-ok.txt");
        Capture start = Captures.load("sim7600g-01-start-urc-before-ok.txt");
        script = simcom()
                .expect("AT+CSSLCFG=\"sslversion\",0,4\r").send(cap.reply("AT+CSSLCFG=\"sslversion\""))
                .expect("AT+CSSLCFG=\"authmode\",0,1\r").send(cap.reply("AT+CSSLCFG=\"authmode\""))
                .expect("AT+CSSLCFG=\"cacert\",0,\"ca_cert.pem\"\r").send(cap.reply("AT+CSSLCFG=\"cacert\""))
                .expect("AT+CMQTTSTART\r").send(start.reply("AT+CMQTTSTART"))
                .expect(cap.hostLine("AT+CMQTTACCQ") + "\r").send(cap.reply("AT+CMQTTACCQ"))
                .expect("AT+CMQTTSSLCFG=0,0\r").send(cap.reply("AT+CMQTTSSLCFG"))
                .expect(cap.hostLine("AT+CMQTTCONNECT") + "\r").send(cap.reply("AT+CMQTTCONNECT"))
                .on("AT+CMQTTDISC=0,60", "OK", "+CMQTTDISC: 0,0")
                .expect("AT+CMQTTREL=0\r").send(cap.reply("AT+CMQTTREL"))
                .on("AT+CMQTTSTOP", "OK", "+CMQTTSTOP: 0")
                .start();
        MqttClient client = startSimcom(settings(tls("broker.emqx.io", "Sim7600_fa7d2288", "ca_cert.pem"),
                "broker.emqx.io", 8883, 60));
        assertThat(client.state()).isEqualTo(MqttClientState.CONNECTED);
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
        assertThat(client.state()).isEqualTo(MqttClientState.STOPPED);
    }

    /**
     * SIM7600G to Azure IoT Hub: connect answered OK, then {@code +CMQTTCONNECT: 0,32} (handshake fail). Ours:
     * no spaces after the commas, our own host, user name and password (the poster masked his). The start must
     * fail with result 32 and its meaning; then the component releases and stops before trying again.
     */
    @Test
    void sim7600g_03_tsim7600xIssue100_connectResult32FailsTheStartAsAHandshakeFailure() throws Exception {
        Capture cap = Captures.load("sim7600g-03-connect-handshake-fail-32.txt");
        script = simcom()
                .on("AT+CSSLCFG=\"sslversion\",0,4", "OK")
                .on("AT+CSSLCFG=\"authmode\",0,1", "OK")
                .on("AT+CSSLCFG=\"cacert\",0,\"my_cert.pem\"", "OK")
                .on("AT+CMQTTSTART", "OK", "+CMQTTSTART: 0")
                .expect(cap.hostLine("AT+CMQTTACCQ") + "\r").send(cap.reply("AT+CMQTTACCQ"))
                .on("AT+CMQTTSSLCFG=0,0", "OK")
                .expect("AT+CMQTTCONNECT=0,\"tcp://hub.azure-devices.net:8883\",60,1,\"hub.azure-devices.net/device_002/"
                        + "?api-version=2021-04-12\",\"" + TestSecrets.SAS_TOKEN + "\"\r")
                .send(cap.reply("AT+CMQTTCONNECT"))
                .on("AT+CMQTTREL=0", "OK")
                .on("AT+CMQTTSTOP", "OK", "+CMQTTSTOP: 0")
                .expect("AT+CSSLCFG=\"sslversion\",0,4\r")
                .start();
        modem = Modem.open(simcomSettings(), script.link());
        MqttClient client = modem.createClient(settings(tls("hub.azure-devices.net", "device_002", "my_cert.pem"),
                "hub.azure-devices.net", 8883, 60)
                .withCredentials("hub.azure-devices.net/device_002/?api-version=2021-04-12", TestSecrets.SAS_TOKEN));
        Throwable e = failureOf(client.start());
        assertThat(e).isInstanceOf(ResultException.class);
        assertThat(((ResultException) e).result()).isEqualTo(32);
        assertThat(e.getMessage()).contains("+CMQTTCONNECT: 0,32").contains("handshake fail")
                .doesNotContain("SharedAccessSignature").doesNotContain(TestSecrets.SAS_TOKEN);
        script.awaitFinished(WAIT);
    }

    /**
     * SIM7600G-H LE20B04SIM7600G22 right after boot: {@code AT+CPIN?} is answered {@code +CME ERROR: SIM busy},
     * then {@code +CPIN: READY} arrives on its own. The bring-up gets over it: the SIM is asked again a second later
     * (not in the capture) and answered as the simulated modem answers. Then {@code +CMQTTSTART: 0} before OK, as captured.
     */
    @Test
    void sim7600gh_01_tsim7600xIssue49_simBusyAtBootThenReady() throws Exception {
        Capture cap = Captures.load("sim7600gh-01-start-urc-before-ok.txt");
        script = new ScriptedModem().identify(SIM7600_ATI)
                .on("AT+GSN", "866425030000001", "OK")
                .expect("AT+CPIN?\r").send(cap.reply("AT+CPIN?"))
                // not in the capture: the component's second look a second later, answered as the SIM now is
                .on("AT+CPIN?", "+CPIN: READY", "OK")
                .on("AT+CEREG?", "+CEREG: 0,1", "OK")
                .expect("AT+CMQTTSTART\r").send(cap.reply("AT+CMQTTSTART"))
                .on("AT+CMQTTACCQ=0,\"dev\",0", "OK")
                .on("AT+CMQTTCONNECT=0,\"tcp://broker:1883\",120,1", "OK", "+CMQTTCONNECT: 0,0")
                .start();
        MqttClient client = startSimcom(plain("dev"));
        assertThat(client.state()).isEqualTo(MqttClientState.CONNECTED);
        script.awaitFinished(WAIT);
    }

    /**
     * SIM7600G-H LE20B04SIM7600G22: the prompt of {@code AT+CCERTDOWN} is a bare {@code >} with the data right
     * after it. The component does not send {@code AT+CCERTDOWN}: this test answers our {@code AT+CMQTTTOPIC} and
     * {@code AT+CMQTTPAYLOAD} with the prompt bytes this firmware sent for it, assuming one prompt routine for every
     * data input of the firmware (an assumption, said here). The OK after the data is not in the capture. (Red while
     * the digester knew only {@code "> "} as a prompt.)
     */
    @Test
    void sim7600gh_02_tsim7600xIssue49_publishAfterTheBarePromptOfThisFirmware() throws Exception {
        Capture cap = Captures.load("sim7600gh-02-ccertdown-bare-prompt.txt");
        script = plainConnected(simcom())
                .expect("AT+CMQTTTOPIC=0,1\r").send(cap.reply("AT+CCERTDOWN"))
                .expect("t").lines("OK")
                .expect("AT+CMQTTPAYLOAD=0,1\r").send(cap.reply("AT+CCERTDOWN"))
                .expect("x").lines("OK")
                .on("AT+CMQTTPUB=0,1,20,0", "OK", "+CMQTTPUB: 0,0")
                .start();
        MqttClient client = startSimcom(plain("dev"));
        assertThat(client.publish(new OutgoingMessage("t", ascii("x"), 1, false)).get(10, TimeUnit.SECONDS).qos())
                .isEqualTo(1);
        script.awaitFinished(WAIT);
    }

    /**
     * SIM7600 (T-SIM7600X): the SSL context, start and acquire as captured, with {@code +CMQTTSTART: 0} before OK;
     * at stop, the captured OK to {@code AT+CMQTTREL=0} and {@code +CMQTTSTOP: 0} before OK. Ours differ: no
     * {@code AT+CCERTLIST}, and our acquire has no 4th parameter ({@code ,4}, the MQTT version): answered with the
     * captured OK. The connect and disconnect are not in the capture.
     */
    @Test
    void sim7600_04_tsim7600xIssue49_startAndStopResultsBeforeTheirOk() throws Exception {
        Capture cap = Captures.load("sim7600-04-stop-start-urc-before-ok.txt");
        script = simcom()
                .expect("AT+CSSLCFG=\"sslversion\",0,4\r").send(cap.reply("AT+CSSLCFG=\"sslversion\""))
                .expect("AT+CSSLCFG=\"authmode\",0,1\r").send(cap.reply("AT+CSSLCFG=\"authmode\""))
                .expect("AT+CSSLCFG=\"cacert\",0,\"isrgrootx1.pem\"\r").send(cap.reply("AT+CSSLCFG=\"cacert\""))
                .expect("AT+CMQTTSTART\r").send(cap.reply("AT+CMQTTSTART"))
                .expect("AT+CMQTTACCQ=0,\"Client1\",1\r").send(cap.reply("AT+CMQTTACCQ"))
                .expect("AT+CMQTTSSLCFG=0,0\r").send(cap.reply("AT+CMQTTSSLCFG"))
                .on("AT+CMQTTCONNECT=0,\"tcp://broker:8883\",60,1", "OK", "+CMQTTCONNECT: 0,0")
                .on("AT+CMQTTDISC=0,60", "OK", "+CMQTTDISC: 0,0")
                .expect("AT+CMQTTREL=0\r").send(cap.reply("AT+CMQTTREL"))
                .expect("AT+CMQTTSTOP\r").send(cap.reply("AT+CMQTTSTOP"))
                .start();
        MqttClient client = startSimcom(tls("broker", "Client1", "isrgrootx1.pem"));
        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
        assertThat(client.state()).isEqualTo(MqttClientState.STOPPED);
    }

    /**
     * SIM7600E SIM7600M21-A_V1.1: the ATI answer arrives in two reads split inside {@code +GCAP: +CGSM}, each
     * replayed as one write. With {@code modem=auto} the component must recognise a SIM7600 from it. Then the
     * captured start and acquire ({@code ,1}: the poster's AWS client is TLS, so ours is too; its SSL context
     * commands are not in the capture).
     */
    @Test
    void sim7600e_01_freematicsForum44155_atiInTwoReadsIsRecognised() throws Exception {
        Capture cap = Captures.load("sim7600e-01-ati-split-read.txt");
        script = new ScriptedModem().on("AT", "OK").on("ATE0", "OK").on("AT+CMEE=2", "OK").expect("ATI\r");
        for (byte[] read : cap.replyReads("ATI")) {
            script.send(latin1(read));
        }
        script.imeiAndSim().on("AT+CEREG?", "+CEREG: 0,1", "OK")
                .on("AT+CSSLCFG=\"sslversion\",0,4", "OK")
                .on("AT+CSSLCFG=\"authmode\",0,1", "OK")
                .on("AT+CSSLCFG=\"cacert\",0,\"ca.pem\"", "OK")
                .expect("AT+CMQTTSTART\r").send(cap.reply("AT+CMQTTSTART"))
                .expect(cap.hostLine("AT+CMQTTACCQ") + "\r").send(cap.reply("AT+CMQTTACCQ"))
                .on("AT+CMQTTSSLCFG=0,0", "OK")
                .on("AT+CMQTTCONNECT=0,\"tcp://broker:8883\",60,1", "OK", "+CMQTTCONNECT: 0,0")
                .start();
        modem = Modem.open(new ModemSettings("scripted", 115200, "auto", null, null, null, 1, false,
                Duration.ofSeconds(5)), script.link());
        assertThat(modem.modelName()).isEqualTo("sim7600");
        assertThat(modem.identity().revision()).isEqualTo("SIM7600M21-A_V1.1");
        MqttClient client = modem.createClient(tls("broker", "SIMCom_client01", "ca.pem"));
        client.start().get(10, TimeUnit.SECONDS);
        assertThat(client.state()).isEqualTo(MqttClientState.CONNECTED);
        script.awaitFinished(WAIT);
    }

    /** SIM7600E-H: {@code AT+CMQTTSTART} on a running service answers {@code +CMQTTSTART: 23} and ERROR. */
    @Test
    void sim7600eh_01_elementzIssue13_serviceAlreadyStartedIsNotAnError() throws Exception {
        Capture cap = Captures.load("sim7600eh-01-start-already-23.txt");
        script = simcom()
                .expect("AT+CMQTTSTART\r").send(cap.reply("AT+CMQTTSTART"))
                .on("AT+CMQTTACCQ=0,\"dev\",0", "OK")
                .on("AT+CMQTTCONNECT=0,\"tcp://broker:1883\",120,1", "OK", "+CMQTTCONNECT: 0,0")
                .start();
        MqttClient client = startSimcom(plain("dev"));
        assertThat(client.state()).isEqualTo(MqttClientState.CONNECTED);
        script.awaitFinished(WAIT);
    }

    // ---------------------------------------------------------------- Quectel BG96

    /**
     * BG96 BG96MAR02A07M1G: its captured ATI answer (three lines) and {@code +CPIN: READY}, echo lines left out (our
     * bring-up turned echo off). With {@code modem=auto} the component must pick the BG96 profile.
     */
    @Test
    void bg96_01_tinygsmIssue157_atiOfARealBg96PicksTheBg96Profile() throws Exception {
        Capture cap = Captures.load("bg96-01-ati-autodetect.txt");
        script = new ScriptedModem().on("AT", "OK").on("ATE0", "OK").on("AT+CMEE=2", "OK")
                .expect("ATI\r").send(noEcho(cap, "ATI"))
                .on("AT+GSN", "866425030000001", "OK")
                .expect("AT+CPIN?\r").send(noEcho(cap, "AT+CPIN?"))
                .on("AT+CEREG?", "+CEREG: 0,1", "OK")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        assertThat(modem.modelName()).isEqualTo("bg96");
        assertThat(modem.identity()).isEqualTo(new ModemIdentity("Quectel", "BG96", "BG96MAR02A07M1G",
                "866425030000001"));
        script.awaitFinished(WAIT);
    }

    /**
     * BG96 BG96MAR02A07M1G restarting: {@code POWERED DOWN}, {@code +QIURC: "pdpdeact",1}, {@code RDY}, then its
     * first {@code AT} echoed. Replayed while the client is connected (the capture's restart was asked for with
     * {@code AT+CFUN=1,1}; here it comes unasked, which the module does the same way): the component must bring the
     * modem up again (the first {@code AT} answered as captured), activate the PDP context and reconnect the client.
     */
    @Test
    void bg96_02_tinygsmIssue157_aRestartIsFollowedByBringUpAndReconnect() throws Exception {
        Capture cap = Captures.load("bg96-02-powered-down-rdy.txt");
        List<byte[]> restart = cap.replyReads("AT+CFUN=1,1");
        script = new ScriptedModem().bringUp(BG96_ATI).defaultConfig(0)
                .expect("AT+QMTOPEN=0,\"broker\",1883\r").lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"dev\"\r").lines("OK", "+QMTCONN: 0,0,0");
        // the echo of AT+CFUN=1,1 and its OK are the answer to the poster's command, not sent here
        for (byte[] line : restart.subList(2, restart.size())) {
            script.send(latin1(line));
        }
        script.expect("AT\r").send(cap.reply("AT", 2)) // the 2nd host line starting "AT": the plain AT after RDY
                .expect("ATE0\r").send("ATE0\r\r\nOK\r\n")
                .on("AT+CMEE=2", "OK")
                .expect("ATI\r").send("\r\nQuectel\r\nBG96\r\nRevision: BG96MAR02A07M1G\r\n\r\nOK\r\n")
                .imeiAndSim().on("AT+CEREG?", "+CEREG: 0,1", "OK")
                .on("AT+QIACT?", "OK").on("AT+QIACT=1", "OK")
                .defaultConfig(0)
                .expect("AT+QMTOPEN=0,\"broker\",1883\r").lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"dev\"\r").lines("OK", "+QMTCONN: 0,0,0")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev"));
        client.start().get(10, TimeUnit.SECONDS);
        script.awaitFinished(Duration.ofSeconds(20));
        await().atMost(WAIT).until(() -> client.state() == MqttClientState.CONNECTED);
    }

    /**
     * BG96: with the poster's SSL settings on context 2, our {@code AT+QMTCFG="ssl"} (lower case; the poster's
     * {@code "SSL"} was accepted too), the certificate files, and the unquoted cipher suite (the quoted one got
     * {@code ERROR}) are answered as captured; our {@code "ignorelocaltime"} is a write ({@code ,2,1}), the
     * captured one was a read, so it gets OK. Then {@code +QMTOPEN: 0,-1}: the start fails with result -1 and
     * its meaning; not in the capture: the component then closes the connection and tries again.
     */
    @Test
    void bg96_03_catm1Bg96Issue9_openResultMinus1FailsTheStart() throws Exception {
        Capture cap = Captures.load("bg96-03-ssl-open-fail.txt");
        String host = "a2c0mm2np5hs-ats.iot.us-west-2.amazonaws.com";
        script = new ScriptedModem().bringUp(BG96_ATI)
                .on("AT+QMTCFG=\"version\",0,4", "OK")
                .on("AT+QMTCFG=\"pdpcid\",0,1", "OK")
                .expect("AT+QMTCFG=\"ssl\",0,1,2\r").send(cap.reply("AT+QMTCFG=\"SSL\""))
                .on("AT+QMTCFG=\"keepalive\",0,120", "OK")
                .on("AT+QMTCFG=\"session\",0,1", "OK")
                .on("AT+QMTCFG=\"timeout\",0,5,3,0", "OK")
                .on("AT+QMTCFG=\"will\",0,0", "OK")
                .on("AT+QMTCFG=\"recv/mode\",0,0,1", "OK");
        for (String c : List.of("AT+QSSLCFG=\"cacert\",2,\"rootCA.pem\"",
                "AT+QSSLCFG=\"clientcert\",2,\"a0b2a62b23-certificate.pem\"",
                "AT+QSSLCFG=\"clientkey\",2,\"a0b2a62b23-private.pem\"",
                "AT+QSSLCFG=\"seclevel\",2,2",
                "AT+QSSLCFG=\"sslversion\",2,4",
                "AT+QSSLCFG=\"ciphersuite\",2,0XFFFF")) {
            script.expect(c + "\r").send(cap.reply(c));
        }
        script.on("AT+QSSLCFG=\"ignorelocaltime\",2,1", "OK")
                .expect("AT+QMTOPEN=0,\"" + host + "\",8883\r").send(cap.reply("AT+QMTOPEN"))
                // not in the capture: after a failed open the component closes the connection before trying again
                .expect("AT+QMTCLOSE=0\r")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings(host, 8883, "dev")
                .withSsl(2, "rootCA.pem", "a0b2a62b23-certificate.pem", "a0b2a62b23-private.pem", "0XFFFF"));
        Throwable e = failureOf(client.start());
        assertThat(e).isInstanceOf(ResultException.class);
        assertThat(((ResultException) e).result()).isEqualTo(-1);
        assertThat(e.getMessage()).contains("+QMTOPEN: 0,-1");
        script.awaitFinished(WAIT);
    }

    // ---------------------------------------------------------------- Quectel BG95, BC26

    /**
     * BG95: an SSL open answered OK, then {@code +QMTOPEN: 0,-1}. Our host is our own (the poster masked his); the
     * configuration before the open is not in the capture. The start must fail with result -1; then the component
     * closes the connection before trying again (not in the capture).
     */
    @Test
    void bg95_01_esp32Bg95Pr5_sslOpenResultMinus1FailsTheStart() throws Exception {
        Capture cap = Captures.load("bg95-01-ssl-open-minus1.txt");
        script = new ScriptedModem().bringUp()
                .ok("AT+QMTCFG=\"version\",0,4",
                        "AT+QMTCFG=\"pdpcid\",0,1",
                        "AT+QMTCFG=\"ssl\",0,1,2",
                        "AT+QMTCFG=\"keepalive\",0,120",
                        "AT+QMTCFG=\"session\",0,1",
                        "AT+QMTCFG=\"timeout\",0,5,3,0",
                        "AT+QMTCFG=\"will\",0,0",
                        "AT+QMTCFG=\"recv/mode\",0,0,1",
                        "AT+QSSLCFG=\"cacert\",2,\"cacert.pem\"",
                        "AT+QSSLCFG=\"seclevel\",2,1",
                        "AT+QSSLCFG=\"sslversion\",2,4",
                        "AT+QSSLCFG=\"ciphersuite\",2,0xFFFF",
                        "AT+QSSLCFG=\"ignorelocaltime\",2,1")
                .expect("AT+QMTOPEN=0,\"broker\",8883\r").send(cap.reply("AT+QMTOPEN"))
                .expect("AT+QMTCLOSE=0\r")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        assertThat(modem.modelName()).isEqualTo("bg95");
        MqttClient client = modem.createClient(settings("broker", 8883, "dev")
                .withSsl(2, "cacert.pem", null, null, "0xFFFF"));
        Throwable e = failureOf(client.start());
        assertThat(e).isInstanceOf(ResultException.class);
        assertThat(((ResultException) e).result()).isEqualTo(-1);
        assertThat(e.getMessage()).contains("+QMTOPEN: 0,-1");
        script.awaitFinished(WAIT);
    }

    /**
     * BC26 after a reset: {@code AT+CPIN?} answered with a bare {@code ERROR} while the SIM is not ready; a later
     * {@code AT+CPIN?} is answered {@code +CPIN: READY}. The bring-up gets over the first answer: it asks again a
     * second later (its own design, not in the capture) and gets the capture's later answer. The ATI
     * and IMEI answers are the simulated BC26's.
     */
    @Test
    void bc26_01_dsi2598Example_simNotReadyAfterResetThenReady() throws Exception {
        Capture cap = Captures.load("bc26-01-cpin-error-before-ready.txt");
        script = new ScriptedModem().identify(BC26_ATI)
                .on("AT+GSN", "866425030000001", "OK")
                .expect("AT+CPIN?\r").send(cap.reply("AT+CPIN?", 1))
                .expect("AT+CPIN?\r").send(cap.reply("AT+CPIN?", 2))
                .on("AT+CEREG?", "+CEREG: 0,1", "OK")
                .start();
        modem = Modem.open(new ModemSettings("scripted", 115200, "auto", null, null, null, 1, false,
                Duration.ofSeconds(5)), script.link());
        assertThat(modem.modelName()).isEqualTo("bc26");
        script.awaitFinished(WAIT);
    }

    // ---------------------------------------------------------------- helpers

    private static final String[] SIM7600_ATI = {"Manufacturer: SIMCOM INCORPORATED", "Model: SIMCOM_SIM7600E-H",
            "Revision: SIM7600M22_V2.0", "IMEI: 866425030000001", "+GCAP: +CGSM"};
    private static final String[] BG96_ATI = {"Quectel", "BG96", "Revision: BG96MAR02A07M1G"};
    /** The simulated BC26's ATI answer (as in Bc26TranscriptTest; not from a capture). */
    private static final String[] BC26_ATI = {"Quectel_Ltd", "Quectel_BC26", "Revision: BC26NBR01A10"};

    /** The simulated SIM7600 bring-up (not from a capture). */
    private static ScriptedModem simcom() {
        return new ScriptedModem().bringUp(SIM7600_ATI);
    }

    private static ScriptedModem sim7600BringUp(ScriptedModem s) {
        return s.bringUp(SIM7600_ATI);
    }

    /** Start, acquire and connect of {@link #plain} as the simulated modem answers them (not from a capture). */
    private static ScriptedModem plainConnected(ScriptedModem s) {
        return s.on("AT+CMQTTSTART", "OK", "+CMQTTSTART: 0")
                .on("AT+CMQTTACCQ=0,\"dev\",0", "OK")
                .on("AT+CMQTTCONNECT=0,\"tcp://broker:1883\",120,1", "OK", "+CMQTTCONNECT: 0,0");
    }

    private static ModemSettings simcomSettings() {
        return new ModemSettings("scripted", 115200, "sim7600", null, null, null, 1, false, Duration.ofSeconds(5));
    }

    private static MqttClientSettings plain(String clientId) {
        return MqttClientSettings.of("broker", 1883).withClientId(clientId).withClientIndex(0)
                .withReconnectDelays(Duration.ofMillis(20), Duration.ofMillis(200));
    }

    /** TLS on SSL context 0 with only a CA certificate, keep-alive 60, clean session. */
    private static MqttClientSettings tls(String host, String clientId, String ca) {
        return settings(MqttClientSettings.of(host, 8883).withClientId(clientId).withClientIndex(0)
                .withReconnectDelays(Duration.ofMillis(20), Duration.ofMillis(200))
                .withSsl(0, ca, null, null, "0xFFFF"), host, 8883, 60);
    }

    /** {@code s} with another broker and keep-alive. */
    private static MqttClientSettings settings(MqttClientSettings s, String host, int port, int keepAlive) {
        return new MqttClientSettings(host, port, s.ssl(), s.clientId(), s.userName(), s.password(), s.clientIndex(),
                s.protocolVersion(), keepAlive, s.cleanSession(), s.packetTimeout(), s.retryTimes(), s.timeoutNotice(),
                s.willTopic(), s.willPayload(), s.willQos(), s.willRetained(), s.sslContextId(), s.caCert(),
                s.clientCert(), s.clientKey(), s.secLevel(), s.sslVersion(), s.cipherSuite(), s.ignoreLocalTime(),
                s.inflightWindow(), s.reconnectDelay(), s.maxReconnectDelay(), s.credentialsProvider(), null);
    }

    private MqttClient startSimcom(MqttClientSettings settings) throws Exception {
        modem = Modem.open(simcomSettings(), script.link());
        assertThat(modem.modelName()).isEqualTo("sim7600");
        MqttClient client = modem.createClient(settings);
        client.start().get(10, TimeUnit.SECONDS);
        assertThat(client.state()).isEqualTo(MqttClientState.CONNECTED);
        return client;
    }

    /** The captured reply to {@code hostPrefix} without the echo of the command (our bring-up turned echo off). */
    private static String noEcho(Capture cap, String hostPrefix) {
        String command = cap.hostLine(hostPrefix);
        StringBuilder b = new StringBuilder();
        for (byte[] read : cap.replyReads(hostPrefix)) {
            String r = latin1(read);
            if (!r.equals("\r\n" + command + "\r\n")) {
                b.append(r);
            }
        }
        return b.toString();
    }

    private static Throwable failureOf(CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return Failures.cause(e);
        }
        throw new AssertionError("expected a failure");
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @SuppressWarnings("unused")
    private static List<String> lines(List<byte[]> reads) {
        List<String> l = new ArrayList<>();
        reads.forEach(r -> l.add(latin1(r)));
        return l;
    }
}
