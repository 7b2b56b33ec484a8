package io.cellmqtt.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cellmqtt.simulator.tls.TestPki;
import io.cellmqtt.simulator.tls.TlsBroker;
import io.cellmqtt.simulator.tls.TlsChecker;
import io.cellmqtt.simulator.tls.TlsMosquitto;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The simulator's TLS end to end, against an embedded Moquette and a Mosquitto started from the
 * test, both requiring a client certificate of the test CA: the files go up through the simulator's
 * AT interface with each model's own command (QFUPL, QSECWRITE, CCERTDOWN), the SSL context is
 * configured as the documents do it, and a message goes each way between the modem and an
 * independent Paho client over TLS. Then every way the TLS can be wrong, each with the code the
 * real modules report.
 */
class TlsEndToEndTest {

    @TempDir
    static Path pkiDir;
    static TestPki pki;
    private static final AtomicInteger IDS = new AtomicInteger();

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void generatePki() {
        pki = TestPki.generate(pkiDir);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    private TlsBroker broker(String kind, boolean expired) {
        if (kind.equals("mosquitto")) {
            assumeTrue(TlsMosquitto.available(), "mosquitto is not installed");
        }
        return closing(TlsBroker.start(kind, pki, expired));
    }

    private SimulatedModem modem(String model) {
        return closing(SimulatedModem.of(model));
    }

    private static String id(String prefix) {
        return prefix + "-" + IDS.incrementAndGet();
    }

    // ---- Quectel BG95: AT+QFUPL --------------------------------------------------------------------

    /** {@code AT+QFUPL}: CONNECT, the bytes, then exactly {@code +QFUPL: <size>,<checksum>} and OK. */
    static void qfupl(FakeHost h, String name, byte[] data) {
        h.consume();
        h.send("AT+QFUPL=\"" + name + "\"," + data.length + ",100\r");
        assertThat(h.awaitFresh("\r\nCONNECT\r\n")).isEqualTo("\r\nCONNECT\r\n");
        h.consume();
        h.sendBytes(data);
        assertThat(h.awaitFresh("\r\nOK\r\n")).isEqualTo("\r\n+QFUPL: " + data.length + ","
                + Integer.toHexString(FakeHost.quectelChecksum(data)) + "\r\n\r\nOK\r\n");
        h.consume();
    }

    private static void ok(FakeHost h, String... commands) {
        for (String c : commands) {
            assertThat(h.command(c)).as(c).isEqualTo("\r\nOK\r\n");
        }
    }

    /** A BG95 with the three files uploaded and SSL context 2 set up as reference 004 section 5.2 does. */
    private FakeHost bg95(SimulatedModem modem, Path ca, Path cert, Path key, int ignoreLocalTime) {
        FakeHost h = FakeHost.attachedTo(modem);
        h.command("ATE0");
        qfupl(h, "cacert.pem", TestPki.bytes(ca));
        qfupl(h, "client.pem", TestPki.bytes(cert));
        qfupl(h, "user_key.pem", TestPki.bytes(key));
        ok(h, "AT+QMTCFG=\"ssl\",0,1,2",
                "AT+QSSLCFG=\"cacert\",2,\"cacert.pem\"",
                "AT+QSSLCFG=\"clientcert\",2,\"client.pem\"",
                "AT+QSSLCFG=\"clientkey\",2,\"user_key.pem\"",
                "AT+QSSLCFG=\"seclevel\",2,2",
                "AT+QSSLCFG=\"sslversion\",2,4",
                "AT+QSSLCFG=\"ciphersuite\",2,0XFFFF",
                "AT+QSSLCFG=\"ignorelocaltime\",2," + ignoreLocalTime);
        return h;
    }

    private static String qmtopen(FakeHost h, TlsBroker b) {
        return h.command("AT+QMTOPEN=0,\"127.0.0.1\"," + b.port(), "+QMTOPEN: 0,");
    }

    @ParameterizedTest
    @ValueSource(strings = {"moquette", "mosquitto"})
    void bg95UploadsConfiguresAndExchangesMessagesOverMutualTls(String kind) throws Exception {
        TlsBroker b = broker(kind, false);
        TlsChecker checker = closing(new TlsChecker(b.sslUrl(), pki, id("checker")));
        checker.subscribe("tls/bg95/out", 1);
        SimulatedModem modem = modem("bg95");
        FakeHost h = bg95(modem, pki.ca(), pki.client(), pki.clientKey(), 1);
        assertThat(modem.files()).extracting(f -> f.name() + ":" + f.size() + ":" + f.uploads()).containsExactly(
                "cacert.pem:" + TestPki.bytes(pki.ca()).length + ":1",
                "client.pem:" + TestPki.bytes(pki.client()).length + ":1",
                "user_key.pem:" + TestPki.bytes(pki.clientKey()).length + ":1");

        assertThat(qmtopen(h, b)).isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
        assertThat(h.command("AT+QMTCONN=0,\"" + id("bg95") + "\"", "+QMTCONN: 0,")).isEqualTo("\r\nOK\r\n\r\n+QMTCONN: 0,0,0\r\n");
        assertThat(h.command("AT+QMTSUB=0,1,\"tls/bg95/in\",1", "+QMTSUB: 0,1,")).isEqualTo("\r\nOK\r\n\r\n+QMTSUB: 0,1,0,1\r\n");

        checker.publish("tls/bg95/in", "from the checker".getBytes(StandardCharsets.US_ASCII), 1);
        assertThat(h.awaitMatch("\r\n\\+QMTRECV: 0,\\d+,\"tls/bg95/in\",\"from the checker\"\r\n")).isNotNull();
        h.consume();

        h.send("AT+QMTPUB=0,2,1,0,\"tls/bg95/out\",14\r");
        h.awaitFresh("\r\n> ");
        h.consume();
        h.sendBytes("from the modem".getBytes(StandardCharsets.US_ASCII));
        assertThat(h.awaitFresh("+QMTPUB: 0,2,0\r\n")).isEqualTo("\r\nOK\r\n\r\n+QMTPUB: 0,2,0\r\n");
        TlsChecker.Received r = checker.next();
        assertThat(r).isNotNull();
        assertThat(r.topic()).isEqualTo("tls/bg95/out");
        assertThat(new String(r.payload(), StandardCharsets.US_ASCII)).isEqualTo("from the modem");
    }

    @ParameterizedTest
    @ValueSource(strings = {"moquette", "mosquitto"})
    void bg95ReportsEveryWrongTlsSetUpAsAFailedOpen(String kind) {
        TlsBroker b = broker(kind, false);
        String failed = "\r\nOK\r\n\r\n+QMTOPEN: 0,-1\r\n";
        // a CA that did not sign the server
        assertThat(qmtopen(bg95(modem("bg95"), pki.otherCa(), pki.client(), pki.clientKey(), 1), b)).as("wrong CA").isEqualTo(failed);
        // a client certificate the broker does not trust
        assertThat(qmtopen(bg95(modem("bg95"), pki.ca(), pki.untrustedClient(), pki.untrustedClientKey(), 1), b))
                .as("untrusted client").isEqualTo(failed);
        // a key that is not the certificate's
        assertThat(qmtopen(bg95(modem("bg95"), pki.ca(), pki.client(), pki.mismatchedClientKey(), 1), b))
                .as("mismatched key").isEqualTo(failed);
        // files that are not PEM, as CA and as key
        assertThat(qmtopen(bg95(modem("bg95"), pki.notPem(), pki.client(), pki.clientKey(), 1), b)).as("CA not PEM").isEqualTo(failed);
        assertThat(qmtopen(bg95(modem("bg95"), pki.ca(), pki.client(), pki.notPem(), 1), b)).as("key not PEM").isEqualTo(failed);
        // a name that is not on the modem
        SimulatedModem m = modem("bg95");
        FakeHost h = bg95(m, pki.ca(), pki.client(), pki.clientKey(), 1);
        ok(h, "AT+QSSLCFG=\"cacert\",2,\"nosuch.pem\"");
        assertThat(qmtopen(h, b)).as("missing file").isEqualTo(failed);
        // and no TLS version the broker speaks (TLS 1.0)
        h = bg95(modem("bg95"), pki.ca(), pki.client(), pki.clientKey(), 1);
        ok(h, "AT+QSSLCFG=\"sslversion\",2,1");
        assertThat(qmtopen(h, b)).as("TLS 1.0").isEqualTo(failed);
        // the same modem opens once the context is right again
        ok(h, "AT+QSSLCFG=\"sslversion\",2,3");
        assertThat(qmtopen(h, b)).isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"moquette", "mosquitto"})
    void anExpiredServerCertificateFailsUnlessTheContextIgnoresTheTime(String kind) {
        TlsBroker b = broker(kind, true);
        assertThat(qmtopen(bg95(modem("bg95"), pki.ca(), pki.client(), pki.clientKey(), 0), b))
                .as("ignorelocaltime 0").isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: 0,-1\r\n");
        assertThat(qmtopen(bg95(modem("bg95"), pki.ca(), pki.client(), pki.clientKey(), 1), b))
                .as("ignorelocaltime 1").isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
        // with the time checked, what counts is the modem's clock: set back to when the certificate was valid
        SimulatedModem past = modem("bg95").clock(Clock.fixed(Instant.now().minus(Duration.ofDays(500)), ZoneOffset.UTC));
        assertThat(qmtopen(bg95(past, pki.ca(), pki.client(), pki.clientKey(), 0), b))
                .as("modem clock in the certificate's validity").isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"moquette", "mosquitto"})
    void anEcClientKeyWorksToo(String kind) {
        TlsBroker b = broker(kind, false);
        assertThat(qmtopen(bg95(modem("bg95"), pki.ca(), pki.ecClient(), pki.ecClientKey(), 0), b))
                .isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
    }

    // ---- Quectel M95: AT+QSECWRITE into RAM --------------------------------------------------------

    static void qsecwrite(FakeHost h, String name, byte[] data) {
        h.consume();
        h.send("AT+QSECWRITE=\"" + name + "\"," + data.length + ",100\r");
        assertThat(h.awaitFresh("\r\nCONNECT\r\n")).isEqualTo("\r\nCONNECT\r\n");
        h.consume();
        h.sendBytes(data);
        assertThat(h.awaitFresh("\r\nOK\r\n")).isEqualTo("\r\n+QSECWRITE: " + data.length + ","
                + Integer.toHexString(FakeHost.quectelChecksum(data)) + "\r\n\r\nOK\r\n");
        h.consume();
    }

    private FakeHost m95(SimulatedModem modem, Path ca, Path cert, Path key) {
        FakeHost h = FakeHost.attachedTo(modem);
        h.command("ATE0");
        // reference 003 section 5.2, in its order and spellings
        ok(h, "AT+QMTCFG=\"SSL\", 0, 1, 2");
        qsecwrite(h, "RAM:cacert.pem", TestPki.bytes(ca));
        qsecwrite(h, "RAM:client.pem", TestPki.bytes(cert));
        qsecwrite(h, "RAM:user_key.pem", TestPki.bytes(key));
        assertThat(h.command("AT+QSECREAD=\"RAM:cacert.pem\"")).isEqualTo("\r\n+QSECREAD: 1,"
                + Integer.toHexString(FakeHost.quectelChecksum(TestPki.bytes(ca))) + "\r\n\r\nOK\r\n");
        ok(h, "AT+QSSLCFG=\"cacert\",2,\"RAM:cacert.pem\"",
                "AT+QSSLCFG=\"clientcert\",2,\"RAM:client.pem\"",
                "AT+QSSLCFG=\"clientkey\",2,\"RAM:user_key.pem\"",
                "AT+QSSLCFG=\"secllevel\",2,2",
                "AT+QSSLCFG=\"sslversion\",2,4",
                "AT+QSSLCFG=\"ciphersuite\",2,\"0xFFFF\"",
                "AT+Qsslcfg=\"ignorertctime\",1");
        return h;
    }

    @ParameterizedTest
    @ValueSource(strings = {"moquette", "mosquitto"})
    void m95WritesIntoRamAndExchangesMessagesOverMutualTls(String kind) throws Exception {
        TlsBroker b = broker(kind, false);
        TlsChecker checker = closing(new TlsChecker(b.sslUrl(), pki, id("checker")));
        checker.subscribe("tls/m95/out", 1);
        SimulatedModem modem = modem("m95");
        FakeHost h = m95(modem, pki.ca(), pki.client(), pki.clientKey());
        assertThat(h.command("AT+QMTOPEN=0, \"127.0.0.1\", \"" + b.port() + "\"", "+QMTOPEN: 0,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
        assertThat(h.command("AT+QMTCONN=0,\"" + id("M95") + "\"", "+QMTCONN: 0,")).isEqualTo("\r\nOK\r\n\r\n+QMTCONN: 0,0,0\r\n");
        assertThat(h.command("AT+QMTSUB=0,1,\"tls/m95/in\",1", "+QMTSUB: 0,1,")).isEqualTo("\r\nOK\r\n\r\n+QMTSUB: 0,1,0,1\r\n");
        checker.publish("tls/m95/in", "to the M95".getBytes(StandardCharsets.US_ASCII), 1);
        assertThat(h.awaitMatch("\r\n\\+QMTRECV: 0,\\d+, \"tls/m95/in\",to the M95\r\n")).isNotNull();
        h.consume();
        h.send("AT+QMTPUB=0,1,1,0,\"tls/m95/out\"\r");
        h.awaitFresh("\r\n> ");
        h.consume();
        h.sendBytes("from the M95\u001a".getBytes(StandardCharsets.US_ASCII));
        assertThat(h.awaitFresh("+QMTPUB: 0,1,0\r\n")).startsWith("\r\nOK\r\n");
        TlsChecker.Received r = checker.next();
        assertThat(r).isNotNull();
        assertThat(new String(r.payload(), StandardCharsets.US_ASCII)).isEqualTo("from the M95");
    }

    @ParameterizedTest
    @ValueSource(strings = {"moquette", "mosquitto"})
    void m95WithAWrongCaFailsTheOpen(String kind) {
        TlsBroker b = broker(kind, false);
        FakeHost h = m95(modem("m95"), pki.otherCa(), pki.client(), pki.clientKey());
        assertThat(h.command("AT+QMTOPEN=0, \"127.0.0.1\", \"" + b.port() + "\"", "+QMTOPEN: 0,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: 0,-1\r\n");
    }

    // ---- SIMCom SIM7600: AT+CCERTDOWN ---------------------------------------------------------------

    private SimcomHost sim7600(SimulatedModem modem, Path ca, Path cert, Path key, int authmode) {
        SimcomHost h = new SimcomHost(modem);
        // reference 001 sections 2 and 3
        assertThat(h.command("AT+CCERTLIST")).isEqualTo("\r\nOK\r\n");
        assertThat(h.withData("AT+CCERTDOWN=\"cacert.pem\"," + TestPki.bytes(ca).length, TestPki.bytes(ca))).isEqualTo("\r\nOK\r\n");
        assertThat(h.withData("AT+CCERTDOWN=\"clientcert.pem\"," + TestPki.bytes(cert).length, TestPki.bytes(cert))).isEqualTo("\r\nOK\r\n");
        assertThat(h.withData("AT+CCERTDOWN=\"clientkey.pem\"," + TestPki.bytes(key).length, TestPki.bytes(key))).isEqualTo("\r\nOK\r\n");
        assertThat(h.command("AT+CCERTLIST")).isEqualTo(
                "\r\n+CCERTLIST: \"cacert.pem\"\r\n+CCERTLIST: \"clientcert.pem\"\r\n+CCERTLIST: \"clientkey.pem\"\r\n\r\nOK\r\n");
        for (String c : new String[] {"AT+CSSLCFG=\"sslversion\",0,4", "AT+CSSLCFG=\"authmode\",0," + authmode,
            "AT+CSSLCFG=\"cacert\",0,\"cacert.pem\"", "AT+CSSLCFG=\"clientcert\",0,\"clientcert.pem\"",
            "AT+CSSLCFG=\"clientkey\",0,\"clientkey.pem\""}) {
            assertThat(h.command(c)).as(c).isEqualTo("\r\nOK\r\n");
        }
        assertThat(h.brokerCommand("AT+CMQTTSTART", "+CMQTTSTART")).isEqualTo("\r\nOK\r\n\r\n+CMQTTSTART: 0\r\n");
        assertThat(h.command("AT+CMQTTACCQ=0,\"" + id("ThingName") + "\",1")).isEqualTo("\r\nOK\r\n");
        assertThat(h.command("AT+CMQTTSSLCFG=0,0")).isEqualTo("\r\nOK\r\n");
        return h;
    }

    private static String cmqttConnect(SimcomHost h, TlsBroker b) {
        return h.brokerCommand("AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:" + b.port() + "\",60,1", "+CMQTTCONNECT");
    }

    @ParameterizedTest
    @ValueSource(strings = {"moquette", "mosquitto"})
    void sim7600DownloadsConfiguresAndExchangesMessagesOverMutualTls(String kind) throws Exception {
        TlsBroker b = broker(kind, false);
        TlsChecker checker = closing(new TlsChecker(b.sslUrl(), pki, id("checker")));
        checker.subscribe("tls/sim/out", 1);
        SimulatedModem modem = modem("sim7600");
        SimcomHost h = sim7600(modem, pki.ca(), pki.client(), pki.clientKey(), 2);
        assertThat(cmqttConnect(h, b)).isEqualTo("\r\nOK\r\n\r\n+CMQTTCONNECT: 0,0\r\n");
        assertThat(h.withData("AT+CMQTTSUBTOPIC=0,10,1", "tls/sim/in")).isEqualTo("\r\nOK\r\n");
        assertThat(h.brokerCommand("AT+CMQTTSUB=0", "+CMQTTSUB")).isEqualTo("\r\nOK\r\n\r\n+CMQTTSUB: 0,0\r\n");
        checker.publish("tls/sim/in", "to the SIM7600".getBytes(StandardCharsets.US_ASCII), 1);
        h.awaitFresh("+CMQTTRXEND: 0\r\n");
        assertThat(h.raw().fresh()).contains("+CMQTTRXTOPIC: 0,10\r\ntls/sim/in\r\n")
                .contains("+CMQTTRXPAYLOAD: 0,14\r\nto the SIM7600\r\n");
        h.raw().consume();
        assertThat(h.publish(0, "tls/sim/out", "from the SIM7600".getBytes(StandardCharsets.US_ASCII), 1, 0))
                .isEqualTo("\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n");
        TlsChecker.Received r = checker.next();
        assertThat(r).isNotNull();
        assertThat(new String(r.payload(), StandardCharsets.US_ASCII)).isEqualTo("from the SIM7600");
    }

    @ParameterizedTest
    @ValueSource(strings = {"moquette", "mosquitto"})
    void sim7600ReportsHandshakeFailuresAs32AndMissingCertificatesAs33(String kind) {
        TlsBroker b = broker(kind, false);
        String handshakeFail = "\r\n+CMQTTCONNECT: 0,32\r\n\r\nERROR\r\n";
        assertThat(cmqttConnect(sim7600(modem("sim7600"), pki.otherCa(), pki.client(), pki.clientKey(), 2), b))
                .as("wrong CA").isEqualTo(handshakeFail);
        assertThat(cmqttConnect(sim7600(modem("sim7600"), pki.ca(), pki.untrustedClient(), pki.untrustedClientKey(), 2), b))
                .as("untrusted client").isEqualTo(handshakeFail);
        assertThat(cmqttConnect(sim7600(modem("sim7600"), pki.ca(), pki.client(), pki.mismatchedClientKey(), 2), b))
                .as("mismatched key").isEqualTo(handshakeFail);
        assertThat(cmqttConnect(sim7600(modem("sim7600"), pki.notPem(), pki.client(), pki.clientKey(), 2), b))
                .as("CA not PEM").isEqualTo(handshakeFail);
        SimcomHost h = sim7600(modem("sim7600"), pki.ca(), pki.client(), pki.clientKey(), 2);
        assertThat(h.command("AT+CSSLCFG=\"clientkey\",0,\"nosuch.pem\"")).isEqualTo("\r\nOK\r\n");
        assertThat(cmqttConnect(h, b)).as("missing key file").isEqualTo("\r\n+CMQTTCONNECT: 0,33\r\n\r\nERROR\r\n");
        assertThat(h.command("AT+CSSLCFG=\"clientkey\",0,\"clientkey.pem\"")).isEqualTo("\r\nOK\r\n");
        assertThat(cmqttConnect(h, b)).isEqualTo("\r\nOK\r\n\r\n+CMQTTCONNECT: 0,0\r\n");
    }
}
