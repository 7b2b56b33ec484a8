package io.cellmqtt.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellmqtt.simulator.secrets.TestSecrets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AtBasicsTest {

    private SimulatedModem modem;
    private FakeHost host;

    @BeforeEach
    void start() {
        modem = SimulatedModem.bg95();
        host = FakeHost.attachedTo(modem);
    }

    @AfterEach
    void stop() {
        modem.close();
    }

    @Test
    void echoIsOnUntilAte0() {
        host.send("ATE0\r");
        await().atMost(FakeHost.TIMEOUT).until(() -> host.all().endsWith("OK\r\n"));
        assertThat(host.all()).isEqualTo("ATE0\r\r\nOK\r\n");
        host.consume();
        assertThat(host.command("AT")).isEqualTo("\r\nOK\r\n");
        assertThat(host.command("ATE1")).isEqualTo("\r\nOK\r\n");
        assertThat(host.command("at")).isEqualTo("at\r\r\nOK\r\n");
    }

    @Test
    void identityAndNetworkQueries() {
        host.command("ATE0");
        assertThat(host.command("ATI")).isEqualTo("\r\nQuectel\r\nBG95-M3\r\nRevision: BG95M3LAR02A03\r\n\r\nOK\r\n");
        assertThat(host.command("AT+GSN")).isEqualTo("\r\n866425030000001\r\n\r\nOK\r\n");
        assertThat(host.command("AT+CGMM")).isEqualTo("\r\nBG95-M3\r\n\r\nOK\r\n");
        assertThat(host.command("AT+CGMR")).isEqualTo("\r\nBG95M3LAR02A03\r\n\r\nOK\r\n");
        assertThat(host.command("AT+CPIN?")).isEqualTo("\r\n+CPIN: READY\r\n\r\nOK\r\n");
        assertThat(host.command("AT+CEREG?")).isEqualTo("\r\n+CEREG: 0,1\r\n\r\nOK\r\n");
        assertThat(host.command("AT+CREG?")).isEqualTo("\r\n+CREG: 0,1\r\n\r\nOK\r\n");
        assertThat(host.command("AT+CSQ")).isEqualTo("\r\n+CSQ: 20,99\r\n\r\nOK\r\n");
        assertThat(host.command("AT+QIACT?")).isEqualTo("\r\n+QIACT: 1,1,1,\"10.0.0.2\"\r\n\r\nOK\r\n");
        assertThat(host.command("AT+QICSGP=1,1,\"internet\",\"\",\"\",1")).isEqualTo("\r\nOK\r\n");
        assertThat(host.command("AT+CMEE=2")).isEqualTo("\r\nOK\r\n");
        assertThat(host.command("AT+CMEE=3")).isEqualTo("\r\nERROR\r\n");
    }

    @Test
    void imeiCanBeOverridden() {
        modem.imei("866425030000099");
        assertThat(host.command("AT+CGSN")).contains("\r\n866425030000099\r\n");
    }

    @Test
    void unknownAndMalformedCommandsAreErrors() {
        host.command("ATE0");
        assertThat(host.command("AT+NOPE")).isEqualTo("\r\nERROR\r\n");
        assertThat(host.command("AT+QMTCFG=\"version\",0,\"x")).isEqualTo("\r\nERROR\r\n");
        assertThat(host.command("AT+QMTOPEN=6,\"h\",1883")).isEqualTo("\r\nERROR\r\n");
    }

    @Test
    void linesMayEndWithLfOrCrLf() {
        host.command("ATE0");
        host.send("AT\n");
        host.awaitFresh("OK");
        host.consume();
        host.send("AT\r\nAT\r\n");
        await().atMost(FakeHost.TIMEOUT).until(() -> host.fresh().equals("\r\nOK\r\n\r\nOK\r\n"));
        assertThat(modem.commandLog()).containsExactly("ATE0", "AT", "AT", "AT");
    }

    @Test
    void qmtcfgSetQueryAndRanges() {
        host.command("ATE0");
        assertThat(host.command("AT+QMTCFG=\"version\",0")).isEqualTo("\r\n+QMTCFG: \"version\",4\r\n\r\nOK\r\n");
        assertThat(host.command("AT+QMTCFG=\"version\",0,3")).isEqualTo("\r\nOK\r\n");
        assertThat(host.command("AT+QMTCFG=\"version\",0")).contains("+QMTCFG: \"version\",3");
        assertThat(host.command("AT+QMTCFG=\"version\",0,5")).isEqualTo("\r\nERROR\r\n");
        assertThat(host.command("AT+QMTCFG=\"keepalive\",0,3601")).isEqualTo("\r\nERROR\r\n");
        assertThat(host.command("AT+QMTCFG=\"keepalive\",1,3600")).isEqualTo("\r\nOK\r\n");
        assertThat(host.command("AT+QMTCFG=\"keepalive\",1")).contains("+QMTCFG: \"keepalive\",3600");
        assertThat(host.command("AT+QMTCFG=\"timeout\",0,61,3,0")).isEqualTo("\r\nERROR\r\n");
        assertThat(host.command("AT+QMTCFG=\"timeout\",0,5,11,0")).isEqualTo("\r\nERROR\r\n");
        assertThat(host.command("AT+QMTCFG=\"timeout\",0,10,2,1")).isEqualTo("\r\nOK\r\n");
        assertThat(host.command("AT+QMTCFG=\"timeout\",0")).contains("+QMTCFG: \"timeout\",10,2,1");
        assertThat(host.command("AT+QMTCFG=\"session\",0")).contains("+QMTCFG: \"session\",1");
        assertThat(host.command("AT+QMTCFG=\"pdpcid\",0,1")).isEqualTo("\r\nOK\r\n");
        assertThat(host.command("AT+QMTCFG=\"ssl\",0,1,2")).isEqualTo("\r\nOK\r\n");
        assertThat(host.command("AT+QMTCFG=\"ssl\",0")).contains("+QMTCFG: \"ssl\",1,2");
        assertThat(host.command("AT+QMTCFG=\"recv/mode\",0,0,1")).isEqualTo("\r\nOK\r\n");
        assertThat(host.command("AT+QMTCFG=\"recv/mode\",0")).contains("+QMTCFG: \"recv/mode\",0,1");
        assertThat(host.command("AT+QMTCFG=\"will\",0,1,1,0,\"dev/lwt\",\"gone, \"")).isEqualTo("\r\nOK\r\n");
        assertThat(host.command("AT+QMTCFG=\"will\",0")).contains("+QMTCFG: \"will\",1,1,0,\"dev/lwt\",\"gone, \"");
        assertThat(host.command("AT+QMTCFG=\"will\",0,1,1,0,\"" + "t".repeat(256) + "\",\"x\"")).isEqualTo("\r\nERROR\r\n");
        assertThat(host.command("AT+QMTCFG=\"will\",0,1,1,0,\"t\",\"" + "m".repeat(256) + "\"")).isEqualTo("\r\nERROR\r\n");
        assertThat(host.command("AT+QMTCFG=\"aliauth\",0,\"pk\",\"dn\",\"" + TestSecrets.DEVICE_SECRET + "\"")).isEqualTo("\r\nOK\r\n");
        assertThat(host.command("AT+QMTCFG=\"bogus\",0,1")).isEqualTo("\r\nERROR\r\n");
        assertThat(host.command("AT+QSSLCFG=\"cacert\",2,\"cacert.pem\"")).isEqualTo("\r\nOK\r\n");
        assertThat(host.command("AT+QSSLCFG=\"ciphersuite\",2,0XFFFF")).isEqualTo("\r\nOK\r\n");
    }

    @Test
    void injectedUrcsComeBetweenReplies() {
        host.command("ATE0");
        modem.injectUrc("+QMTSTAT: 0,1");
        host.awaitFresh("\r\n+QMTSTAT: 0,1\r\n");
        host.consume();
        modem.injectBeforeNextOk("+QMTRECV: 0,0,\"t\",\"x\"");
        assertThat(host.command("AT+CSQ")).isEqualTo("\r\n+CSQ: 20,99\r\n\r\n+QMTRECV: 0,0,\"t\",\"x\"\r\n\r\nOK\r\n");
        assertThat(host.command("AT")).isEqualTo("\r\nOK\r\n");
    }

    @Test
    void chunkedWritesCarryTheSameBytes() {
        modem.setWriteChunking(42, 3);
        host.send("ATI\r");
        await().atMost(FakeHost.TIMEOUT).until(() -> host.all().endsWith("OK\r\n"));
        assertThat(host.all()).isEqualTo("ATI\r\r\nQuectel\r\nBG95-M3\r\nRevision: BG95M3LAR02A03\r\n\r\nOK\r\n");
    }

    @Test
    void powerDownAnswersOkThenFallsSilent() {
        host.command("ATE0");
        host.send("AT+QPOWD\r");
        host.awaitFresh("\r\nOK\r\n\r\nPOWERED DOWN\r\n");
        host.consume();
        host.send("AT\r");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> host.fresh().isEmpty());
        assertThat(modem.commandLog()).containsExactly("ATE0", "AT+QPOWD");
    }
}
