package io.cellmqtt.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellmqtt.simulator.firmware.Firmware;
import io.cellmqtt.simulator.firmware.Prompt;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each firmware variant ({@link Firmware}) emits exactly its bytes: the variant alone, on a
 * simulated modem behind in-memory pipes, with an embedded broker and a Paho client where the
 * broker's side matters.
 */
class FirmwareVariantsTest {

    private static EmbeddedBroker broker;
    private final List<SimulatedModem> modems = new ArrayList<>();
    private MqttClient paho;
    private final LinkedBlockingQueue<String> pahoInbox = new LinkedBlockingQueue<>();

    @BeforeAll
    static void startBroker() {
        broker = new EmbeddedBroker();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @AfterEach
    void stop() throws Exception {
        if (paho != null) {
            if (paho.isConnected()) {
                paho.disconnect();
            }
            paho.close();
        }
        modems.forEach(SimulatedModem::close);
    }

    private FakeHost host(String model, Firmware f) {
        SimulatedModem m = SimulatedModem.of(model).firmware(f);
        modems.add(m);
        assertThat(m.firmware()).isEqualTo(f);
        FakeHost h = FakeHost.attachedTo(m);
        h.command("ATE0");
        return h;
    }

    private void paho(String filter) throws Exception {
        paho = new MqttClient(broker.url(), "paho-fw-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        paho.connect(o);
        if (filter != null) {
            paho.subscribe(filter, 1, (t, msg) -> pahoInbox.add(t + "=" + new String(msg.getPayload(),
                    StandardCharsets.ISO_8859_1)));
        }
    }

    private static String cut(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }

    /** Sends a command and returns what came until {@code until} (inclusive of everything so far). */
    private static String until(FakeHost h, String cmd, String until) {
        h.consume();
        h.send(cmd + "\r");
        String got = h.awaitFresh(until);
        h.consume();
        return got;
    }

    /** Sends a data command; returns exactly what arrived before the data was sent (the prompt). */
    private static String prompt(FakeHost h, String cmd, byte[] promptBytes) {
        h.consume();
        h.send(cmd + "\r");
        String p = new String(promptBytes, StandardCharsets.ISO_8859_1);
        String prompted = h.awaitFresh(p);
        // nothing more may follow the prompt before the data
        org.awaitility.Awaitility.await().during(java.time.Duration.ofMillis(50)).atMost(java.time.Duration.ofSeconds(2))
                .until(() -> h.fresh().equals(prompted));
        String got = h.fresh();
        h.consume();
        return got;
    }

    private void quectelConnect(FakeHost h, String id) {
        assertThat(until(h, "AT+QMTOPEN=0,\"127.0.0.1\"," + broker.port(), "+QMTOPEN: 0,0\r\n"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
        assertThat(until(h, "AT+QMTCONN=0,\"" + id + "\"", "+QMTCONN: 0,0,0\r\n"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTCONN: 0,0,0\r\n");
    }

    // ---------------------------------------------------------------- prompt

    @ParameterizedTest
    @EnumSource(Prompt.class)
    void quectelPublishPromptHasTheFirmwaresForm(Prompt form) throws Exception {
        FakeHost h = host("bg95", Firmware.DOCUMENTED.withPrompt(form));
        paho("fw/prompt/#");
        quectelConnect(h, "fw-prompt-q-" + form);
        String p = new String(form.bytes(), StandardCharsets.ISO_8859_1);
        assertThat(cut(prompt(h, "AT+QMTPUB=0,1,1,0,\"fw/prompt/q\",4", form.bytes()))).isEqualTo(cut(p));
        h.sendBytes("a>\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(h.awaitFresh("+QMTPUB: 0,1,0\r\n")).isEqualTo("\r\nOK\r\n\r\n+QMTPUB: 0,1,0\r\n");
        assertThat(pahoInbox.poll(10, TimeUnit.SECONDS)).isEqualTo("fw/prompt/q=a>\r\n");
        // Ctrl+Z data mode prompts the same way
        assertThat(cut(prompt(h, "AT+QMTPUB=0,2,1,0,\"fw/prompt/q\"", form.bytes()))).isEqualTo(cut(p));
        h.sendBytes("z\u001a".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(h.awaitFresh("+QMTPUB: 0,2,0\r\n")).isEqualTo("\r\nOK\r\n\r\n+QMTPUB: 0,2,0\r\n");
    }

    @Test
    void simcomDataCommandsAndCertificateUploadPromptBare() throws Exception {
        Prompt form = Prompt.BARE;
        FakeHost h = host("sim7600", Firmware.DOCUMENTED.withPrompt(form));
        paho("fw/bare/#");
        String p = "\r\n>";
        assertThat(cut(prompt(h, "AT+CCERTDOWN=\"ca.pem\",3", form.bytes()))).isEqualTo(cut(p));
        h.sendBytes("pem".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(h.awaitFresh("\r\nOK\r\n")).isEqualTo("\r\nOK\r\n");
        assertThat(until(h, "AT+CMQTTSTART", "+CMQTTSTART: 0\r\n")).isEqualTo("\r\nOK\r\n\r\n+CMQTTSTART: 0\r\n");
        assertThat(h.command("AT+CMQTTACCQ=0,\"fw-bare\",0")).isEqualTo("\r\nOK\r\n");
        for (String[] c : new String[][] {{"AT+CMQTTWILLTOPIC=0,7", "fw/will"}, {"AT+CMQTTWILLMSG=0,4,1", "gone"},
                {"AT+CMQTTSUBTOPIC=0,7,1", "fw/bare"}}) {
            assertThat(cut(prompt(h, c[0], form.bytes()))).as(c[0]).isEqualTo(cut(p));
            h.sendBytes(c[1].getBytes(StandardCharsets.ISO_8859_1));
            assertThat(h.awaitFresh("\r\nOK\r\n")).as(c[0]).isEqualTo("\r\nOK\r\n");
            h.consume();
        }
        assertThat(until(h, "AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:" + broker.port() + "\",60,1",
                "+CMQTTCONNECT: 0,0\r\n")).isEqualTo("\r\nOK\r\n\r\n+CMQTTCONNECT: 0,0\r\n");
        assertThat(cut(prompt(h, "AT+CMQTTSUB=0,8,1", form.bytes()))).isEqualTo(cut(p));
        h.sendBytes("fw/bin/#".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(h.awaitFresh("+CMQTTSUB: 0,0\r\n")).isEqualTo("\r\nOK\r\n\r\n+CMQTTSUB: 0,0\r\n");
        h.consume();
        assertThat(cut(prompt(h, "AT+CMQTTTOPIC=0,9", form.bytes()))).isEqualTo(cut(p));
        h.sendBytes("fw/bare/t".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(h.awaitFresh("\r\nOK\r\n")).isEqualTo("\r\nOK\r\n");
        h.consume();
        assertThat(cut(prompt(h, "AT+CMQTTPAYLOAD=0,3", form.bytes()))).isEqualTo(cut(p));
        h.sendBytes(">\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(h.awaitFresh("\r\nOK\r\n")).isEqualTo("\r\nOK\r\n");
        assertThat(until(h, "AT+CMQTTPUB=0,1,60", "+CMQTTPUB: 0,0\r\n")).isEqualTo("\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n");
        assertThat(pahoInbox.poll(10, TimeUnit.SECONDS)).isEqualTo("fw/bare/t=>\r\n");
    }

    // ---------------------------------------------------------------- echo

    @Test
    void echoLeftOnAnswersAte0OkButKeepsEchoing() {
        SimulatedModem m = SimulatedModem.bg95().firmware(Firmware.DOCUMENTED.withEchoLeftOn(true));
        modems.add(m);
        FakeHost h = FakeHost.attachedTo(m);
        assertThat(h.command("ATE0")).isEqualTo("ATE0\r\r\nOK\r\n");
        assertThat(h.command("AT")).isEqualTo("AT\r\r\nOK\r\n");
        assertThat(h.command("AT+CSQ")).isEqualTo("AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n");
        assertThat(h.command("ATE0")).isEqualTo("ATE0\r\r\nOK\r\n");
        // firmware may be switched after the port is open; the documented one then obeys ATE0
        m.firmware(Firmware.DOCUMENTED);
        assertThat(h.command("ATE0")).isEqualTo("ATE0\r\r\nOK\r\n");
        assertThat(h.command("AT")).isEqualTo("\r\nOK\r\n");
    }

    // ---------------------------------------------------------------- errors

    @Test
    void documentedErrorsFollowCmee() {
        FakeHost h = host("bg95", Firmware.DOCUMENTED);
        assertThat(h.command("AT+CPIN=\"1234\"")).isEqualTo("\r\nERROR\r\n");
        assertThat(h.command("AT+CMEE=1")).isEqualTo("\r\nOK\r\n");
        assertThat(until(h, "AT+CPIN=\"1234\"", "ERROR: 3\r\n")).isEqualTo("\r\n+CME ERROR: 3\r\n");
        assertThat(h.command("AT+CMEE=2")).isEqualTo("\r\nOK\r\n");
        assertThat(until(h, "AT+CPIN=\"1234\"", "allowed\r\n")).isEqualTo("\r\n+CME ERROR: operation not allowed\r\n");
    }

    @Test
    void numericErrorsStayNumericUnderCmee2() {
        FakeHost h = host("sim7600", Firmware.DOCUMENTED.withNumericErrors(true));
        assertThat(h.command("AT+CMEE=2")).isEqualTo("\r\nOK\r\n");
        assertThat(h.command("AT+CMEE?")).isEqualTo("\r\n+CMEE: 2\r\n\r\nOK\r\n");
        assertThat(until(h, "AT+CPIN=\"1234\"", "ERROR: 3\r\n")).isEqualTo("\r\n+CME ERROR: 3\r\n");
        assertThat(h.command("AT+CPIN?")).isEqualTo("\r\n+CPIN: READY\r\n\r\nOK\r\n");
    }

    @Test
    void numericErrorsLeaveQuectelMqttResultCodesAlone() throws Exception {
        FakeHost h = host("bg95", Firmware.DOCUMENTED.withNumericErrors(true));
        assertThat(h.command("AT+CMEE=2")).isEqualTo("\r\nOK\r\n");
        paho(null);
        quectelConnect(h, "fw-numeric");
        assertThat(until(h, "AT+QMTSUB=0,1,\"fw/n\",1", "+QMTSUB: 0,1,0,1\r\n"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTSUB: 0,1,0,1\r\n");
    }

    // ---------------------------------------------------------------- refused QMTCFG keys

    @Test
    void refusedRecvModeAndVersionOnBg96GiveErrorAndLengthlessReceive() throws Exception {
        FakeHost h = host("bg96", Firmware.DOCUMENTED.withRefusedQmtcfg("recv/mode", "VERSION"));
        assertThat(h.command("AT+QMTCFG=\"recv/mode\",0,0,1")).isEqualTo("\r\nERROR\r\n");
        assertThat(h.command("AT+QMTCFG=\"version\",0,4")).isEqualTo("\r\nERROR\r\n");
        assertThat(h.command("AT+QMTCFG=\"version\",0")).isEqualTo("\r\nERROR\r\n");
        assertThat(h.command("AT+QMTCFG=\"keepalive\",0,60")).isEqualTo("\r\nOK\r\n");
        String test = h.command("AT+QMTCFG=?");
        assertThat(test).contains("+QMTCFG: \"keepalive\"").doesNotContain("version").doesNotContain("recv/mode");
        paho(null);
        quectelConnect(h, "fw-refused");
        assertThat(h.command("AT+QMTRECV=0")).isEqualTo("\r\nERROR\r\n");
        assertThat(until(h, "AT+QMTSUB=0,1,\"fw/refused\",0", "+QMTSUB: 0,1,0,0\r\n"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTSUB: 0,1,0,0\r\n");
        paho.publish("fw/refused", "a\"b,c>".getBytes(StandardCharsets.ISO_8859_1), 0, false);
        // reference 000's receive form: +QMTRECV: <idx>,<msgid>,"<topic>","<payload>", no length
        assertThat(h.awaitFresh("\"\r\n")).isEqualTo("\r\n+QMTRECV: 0,0,\"fw/refused\",\"a\"b,c>\"\r\n");
    }

    // ---------------------------------------------------------------- result URC before OK

    @Test
    void quectelResultUrcsComeBeforeTheirOk() throws Exception {
        FakeHost h = host("bg95", Firmware.DOCUMENTED.withResultUrcBeforeOk(true));
        paho("fw/early/#");
        assertThat(until(h, "AT+QMTOPEN=0,\"127.0.0.1\"," + broker.port(), "OK\r\n"))
                .isEqualTo("\r\n+QMTOPEN: 0,0\r\n\r\nOK\r\n");
        assertThat(until(h, "AT+QMTCONN=0,\"fw-early\"", "OK\r\n")).isEqualTo("\r\n+QMTCONN: 0,0,0\r\n\r\nOK\r\n");
        assertThat(until(h, "AT+QMTSUB=0,1,\"fw/early/in\",1", "OK\r\n"))
                .isEqualTo("\r\n+QMTSUB: 0,1,0,1\r\n\r\nOK\r\n");
        assertThat(cut(prompt(h, "AT+QMTPUB=0,2,1,0,\"fw/early/out\",2", Prompt.SPACE.bytes()))).isEqualTo("\\r\\n> ");
        h.sendBytes("hi".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(h.awaitFresh("OK\r\n")).isEqualTo("\r\n+QMTPUB: 0,2,0\r\n\r\nOK\r\n");
        h.consume();
        assertThat(until(h, "AT+QMTPUBEX=0,0,0,0,\"fw/early/out\",\"q0\"", "OK\r\n"))
                .isEqualTo("\r\n+QMTPUB: 0,0,0\r\n\r\nOK\r\n");
        assertThat(pahoInbox.poll(10, TimeUnit.SECONDS)).isEqualTo("fw/early/out=hi");
        // AT+QMTDISC/AT+QMTCLOSE (one parameter) are not matched to their URC by the simulator (see
        // QmtCommands.resultUrcHead), so their OK is not held: not asserted here.
    }

    @Test
    void simcomResultUrcsComeBeforeTheirOk() throws Exception {
        FakeHost h = host("sim7600", Firmware.DOCUMENTED.withResultUrcBeforeOk(true));
        paho("fw/early7600/#");
        // as captured on a SIM7600G-H (Xinyuan-LilyGO/T-SIM7600X issue 49)
        assertThat(until(h, "AT+CMQTTSTART", "OK\r\n")).isEqualTo("\r\n+CMQTTSTART: 0\r\n\r\nOK\r\n");
        assertThat(h.command("AT+CMQTTACCQ=0,\"fw-early7600\",0")).isEqualTo("\r\nOK\r\n");
        assertThat(until(h, "AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:" + broker.port() + "\",60,1", "OK\r\n"))
                .isEqualTo("\r\n+CMQTTCONNECT: 0,0\r\n\r\nOK\r\n");
        prompt(h, "AT+CMQTTTOPIC=0,14", Prompt.SPACE.bytes());
        h.sendBytes("fw/early7600/t".getBytes(StandardCharsets.ISO_8859_1));
        h.awaitFresh("OK\r\n");
        prompt(h, "AT+CMQTTPAYLOAD=0,2", Prompt.SPACE.bytes());
        h.sendBytes("hi".getBytes(StandardCharsets.ISO_8859_1));
        h.awaitFresh("OK\r\n");
        assertThat(until(h, "AT+CMQTTPUB=0,1,60", "OK\r\n")).isEqualTo("\r\n+CMQTTPUB: 0,0\r\n\r\nOK\r\n");
        assertThat(pahoInbox.poll(10, TimeUnit.SECONDS)).isEqualTo("fw/early7600/t=hi");
    }

    // ---------------------------------------------------------------- spaces after commas

    @Test
    void quectelRepliesAndResultUrcsGetASpaceAfterEachComma() throws Exception {
        FakeHost h = host("bg95", Firmware.DOCUMENTED.withSpacesAfterCommas(true));
        paho(null);
        assertThat(h.command("AT+CEREG?")).isEqualTo("\r\n+CEREG: 0, 1\r\n\r\nOK\r\n");
        assertThat(h.command("AT+QIACT?")).isEqualTo("\r\n+QIACT: 1, 1, 1, \"10.0.0.2\"\r\n\r\nOK\r\n");
        assertThat(h.command("AT+QMTCFG=\"keepalive\",0")).isEqualTo("\r\n+QMTCFG: \"keepalive\", 120\r\n\r\nOK\r\n");
        assertThat(until(h, "AT+QMTOPEN=0,\"127.0.0.1\"," + broker.port(), "+QMTOPEN: 0, 0\r\n"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: 0, 0\r\n");
        assertThat(until(h, "AT+QMTCONN=0,\"fw-spaces\"", "+QMTCONN: 0, 0, 0\r\n"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTCONN: 0, 0, 0\r\n");
        assertThat(until(h, "AT+QMTSUB=0,1,\"fw/sp\",1", "+QMTSUB: 0, 1, 0, 1\r\n"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTSUB: 0, 1, 0, 1\r\n");
        assertThat(until(h, "AT+QMTPUBEX=0,2,1,0,\"fw/sp/out\",\"x,y\"", "+QMTPUB: 0, 2, 0\r\n"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTPUB: 0, 2, 0\r\n");
        paho.publish("fw/sp", "p,q".getBytes(StandardCharsets.ISO_8859_1), 0, false);
        // a received payload's line is left as it is
        assertThat(h.awaitFresh("\"\r\n")).isEqualTo("\r\n+QMTRECV: 0,0,\"fw/sp\",\"p,q\"\r\n");
    }

    @Test
    void simcomResultUrcsGetASpaceAfterEachComma() {
        FakeHost h = host("sim7600", Firmware.DOCUMENTED.withSpacesAfterCommas(true));
        assertThat(until(h, "AT+CMQTTSTART", "+CMQTTSTART: 0\r\n")).isEqualTo("\r\nOK\r\n\r\n+CMQTTSTART: 0\r\n");
        assertThat(h.command("AT+CMQTTACCQ=0,\"fw-sp7600\",0")).isEqualTo("\r\nOK\r\n");
        assertThat(until(h, "AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:" + broker.port() + "\",60,1",
                "+CMQTTCONNECT: 0, 0\r\n")).isEqualTo("\r\nOK\r\n\r\n+CMQTTCONNECT: 0, 0\r\n");
        assertThat(h.command("AT+CMQTTDISC?")).isEqualTo("\r\n+CMQTTDISC: 0, 0\r\n+CMQTTDISC: 1, 1\r\n\r\nOK\r\n");
    }

    // ---------------------------------------------------------------- noise

    private static final String NOISE = "+NOISE: 1,2";
    private static final String FRAMED_NOISE = "\r\n" + NOISE + "\r\n";

    @Test
    void noiseGoesOnlyBetweenLinesAndStrippingItGivesTheDocumentedBytes() throws Exception {
        SimulatedModem m = SimulatedModem.bg95().firmware(Firmware.DOCUMENTED.withNoise(1, NOISE));
        modems.add(m);
        FakeHost h = FakeHost.attachedTo(m);
        paho("fw/noise/#");
        StringBuilder expected = new StringBuilder();
        h.send("ATE0\r");
        h.awaitFresh("OK\r\n");
        expected.append("ATE0\r\r\nOK\r\n");
        for (int i = 0; i < 15; i++) {
            h.send("AT+CSQ\r");
            expected.append("\r\n+CSQ: 20,99\r\n\r\nOK\r\n");
            awaitStripped(h, expected.toString());
        }
        h.send("AT+QMTOPEN=0,\"127.0.0.1\"," + broker.port() + "\r");
        expected.append("\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
        awaitStripped(h, expected.toString());
        h.send("AT+QMTCONN=0,\"fw-noise\"\r");
        expected.append("\r\nOK\r\n\r\n+QMTCONN: 0,0,0\r\n");
        awaitStripped(h, expected.toString());
        h.send("AT+QMTSUB=0,1,\"fw/noise/in\",0\r");
        expected.append("\r\nOK\r\n\r\n+QMTSUB: 0,1,0,0\r\n");
        awaitStripped(h, expected.toString());
        for (int i = 1; i <= 30; i++) {
            h.send("AT+QMTPUB=0," + i + ",1,0,\"fw/noise/out\",4\r");
            expected.append("\r\n> ");
            awaitStripped(h, expected.toString());
            h.sendBytes("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)); // payload that looks like line ends
            expected.append("\r\nOK\r\n\r\n+QMTPUB: 0," + i + ",0\r\n");
            awaitStripped(h, expected.toString());
        }
        for (int i = 0; i < 5; i++) {
            paho.publish("fw/noise/in", ("m" + i).getBytes(StandardCharsets.ISO_8859_1), 0, false);
            expected.append("\r\n+QMTRECV: 0,0,\"fw/noise/in\",\"m" + i + "\"\r\n");
            awaitStripped(h, expected.toString());
        }
        String all = h.all();
        assertThat(all).contains(FRAMED_NOISE);
        assertThat(all).as("between an information line and its OK")
                .contains("\r\n+CSQ: 20,99\r\n" + FRAMED_NOISE + "\r\nOK\r\n");
        assertThat(all).as("before a prompt").contains(FRAMED_NOISE + "\r\n> ");
        assertThat(all).as("between OK and the result URC").contains("\r\nOK\r\n" + FRAMED_NOISE + "\r\n+QMTPUB: ");
        assertThat(all).as("never inside the payload data").doesNotContain("\r\n\r" + FRAMED_NOISE);
    }

    private static void awaitStripped(FakeHost h, String expected) {
        org.awaitility.Awaitility.await().atMost(FakeHost.TIMEOUT)
                .until(() -> h.all().replace(FRAMED_NOISE, "").length() >= expected.length());
        assertThat(cut(h.all().replace(FRAMED_NOISE, ""))).isEqualTo(cut(expected));
    }

    @Test
    void fieldNoiseNeverSplitsASimcomReceiveReport() throws Exception {
        FakeHost h = host("sim7600", Firmware.DOCUMENTED.withFieldNoise(7));
        paho(null);
        until(h, "AT+CMQTTSTART", "+CMQTTSTART: 0\r\n");
        h.command("AT+CMQTTACCQ=0,\"fw-fieldnoise\",0");
        until(h, "AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:" + broker.port() + "\",60,1", "+CMQTTCONNECT: 0,0\r\n");
        h.send("AT+CMQTTSUBTOPIC=0,8,0\r");
        h.awaitFresh("> ");
        h.sendBytes("fw/field".getBytes(StandardCharsets.ISO_8859_1));
        h.awaitFresh("OK\r\n");
        until(h, "AT+CMQTTSUB=0", "+CMQTTSUB: 0,0\r\n");
        for (int i = 0; i < 10; i++) {
            paho.publish("fw/field", ("p" + i + "\r\n").getBytes(StandardCharsets.ISO_8859_1), 0, false);
            h.awaitFresh("+CMQTTRXEND: 0\r\n");
            assertThat(h.fresh()).contains("\r\n+CMQTTRXSTART: 0,8,4\r\n+CMQTTRXTOPIC: 0,8\r\nfw/field\r\n"
                    + "+CMQTTRXPAYLOAD: 0,4\r\np" + i + "\r\n\r\n+CMQTTRXEND: 0\r\n");
            h.consume();
        }
        String all = h.all();
        String stripped = all;
        for (String n : Firmware.FIELD_NOISE) {
            stripped = stripped.replace("\r\n" + n + "\r\n", "");
        }
        assertThat(stripped.length()).as("some field noise was written").isLessThan(all.length());
        assertThat(stripped).doesNotContain("+CGEV").doesNotContain("+QIND").doesNotContain("+CPSI");
    }
}
