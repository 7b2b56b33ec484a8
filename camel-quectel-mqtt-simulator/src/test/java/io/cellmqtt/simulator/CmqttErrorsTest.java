package io.cellmqtt.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Limits, wrong-state errors and the broker's refusals, byte for byte. The refusals come from a
 * hand-driven server ({@link RawBroker}): a real broker gives them only for its own reasons.
 */
class CmqttErrorsTest {

    private static final String ERROR = "\r\nERROR\r\n";
    private static final String OK = "\r\nOK\r\n";

    private SimulatedModem modem;
    private SimcomHost host;

    @BeforeEach
    void start() {
        modem = SimulatedModem.of("sim7600");
        host = new SimcomHost(modem);
    }

    @AfterEach
    void stop() {
        modem.close();
    }

    private void startAndAcquire(int idx) {
        assertThat(host.brokerCommand("AT+CMQTTSTART", "+CMQTTSTART")).isEqualTo(OK + "\r\n+CMQTTSTART: 0\r\n");
        assertThat(host.command("AT+CMQTTACCQ=" + idx + ",\"sim-err\"")).isEqualTo(OK);
    }

    @Test
    void serviceAndClientStateErrors() {
        assertThat(host.command("AT+CMQTTACCQ=0,\"early\"")).as("before START").isEqualTo("\r\n+CMQTTACCQ: 0,9\r\n" + ERROR);
        assertThat(host.command("AT+CMQTTSTOP")).as("not started").isEqualTo("\r\n+CMQTTSTOP: 9\r\n" + ERROR);
        assertThat(host.brokerCommand("AT+CMQTTSTART", "+CMQTTSTART")).isEqualTo(OK + "\r\n+CMQTTSTART: 0\r\n");
        assertThat(host.command("AT+CMQTTSTART")).as("already started").isEqualTo("\r\n+CMQTTSTART: 23\r\n" + ERROR);

        // nothing but ACCQ works on a client that was not acquired, and no prompt is given
        assertThat(host.command("AT+CMQTTCONNECT=1,\"tcp://127.0.0.1:1883\",60,1")).isEqualTo("\r\n+CMQTTCONNECT: 1,20\r\n" + ERROR);
        assertThat(host.command("AT+CMQTTTOPIC=1,3")).isEqualTo("\r\n+CMQTTTOPIC: 1,20\r\n" + ERROR);
        assertThat(host.command("AT+CMQTTPAYLOAD=1,3")).isEqualTo("\r\n+CMQTTPAYLOAD: 1,20\r\n" + ERROR);
        assertThat(host.command("AT+CMQTTWILLTOPIC=1,3")).isEqualTo("\r\n+CMQTTWILLTOPIC: 1,20\r\n" + ERROR);
        assertThat(host.command("AT+CMQTTWILLMSG=1,3,0")).isEqualTo("\r\n+CMQTTWILLMSG: 1,20\r\n" + ERROR);
        assertThat(host.command("AT+CMQTTSUBTOPIC=1,3,0")).isEqualTo("\r\n+CMQTTSUBTOPIC: 1,20\r\n" + ERROR);
        assertThat(host.command("AT+CMQTTUNSUBTOPIC=1,3")).isEqualTo("\r\n+CMQTTUNSUBTOPIC: 1,20\r\n" + ERROR);
        assertThat(host.command("AT+CMQTTPUB=1,0,60")).isEqualTo("\r\n+CMQTTPUB: 1,20\r\n" + ERROR);
        assertThat(host.command("AT+CMQTTSUB=1")).isEqualTo("\r\n+CMQTTSUB: 1,20\r\n" + ERROR);
        assertThat(host.command("AT+CMQTTSUB=1,3,0")).isEqualTo("\r\n+CMQTTSUB: 1,20\r\n" + ERROR);
        assertThat(host.command("AT+CMQTTUNSUB=1,0")).isEqualTo("\r\n+CMQTTUNSUB: 1,20\r\n" + ERROR);
        assertThat(host.command("AT+CMQTTDISC=1,60")).isEqualTo("\r\n+CMQTTDISC: 1,20\r\n" + ERROR);
        assertThat(host.command("AT+CMQTTREL=1")).isEqualTo("\r\n+CMQTTREL: 1,20\r\n" + ERROR);

        assertThat(host.command("AT+CMQTTACCQ=1,\"c1\",0")).isEqualTo(OK);
        assertThat(host.command("AT+CMQTTACCQ=1,\"c1\",0")).as("in use").isEqualTo("\r\n+CMQTTACCQ: 1,19\r\n" + ERROR);
        assertThat(host.command("AT+CMQTTSTOP")).as("client not released").isEqualTo("\r\n+CMQTTSTOP: 21\r\n" + ERROR);

        // acquired but not connected
        assertThat(host.command("AT+CMQTTPUB=1,1,60")).as("no topic").isEqualTo("\r\n+CMQTTPUB: 1,18\r\n" + ERROR);
        assertThat(host.withData("AT+CMQTTTOPIC=1,3", "a/b")).isEqualTo(OK);
        assertThat(host.withData("AT+CMQTTPAYLOAD=1,2", "hi")).isEqualTo(OK);
        assertThat(host.command("AT+CMQTTPUB=1,1,60")).as("not connected").isEqualTo("\r\n+CMQTTPUB: 1,11\r\n" + ERROR);
        assertThat(host.command("AT+CMQTTSUB=1")).as("no filter").isEqualTo("\r\n+CMQTTSUB: 1,18\r\n" + ERROR);
        assertThat(host.withData("AT+CMQTTSUBTOPIC=1,3,1", "a/#")).isEqualTo(OK);
        assertThat(host.command("AT+CMQTTSUB=1")).isEqualTo("\r\n+CMQTTSUB: 1,11\r\n" + ERROR);
        assertThat(host.command("AT+CMQTTSUB=1,3,1")).as("refused before the prompt").isEqualTo("\r\n+CMQTTSUB: 1,11\r\n" + ERROR);
        assertThat(host.withData("AT+CMQTTUNSUBTOPIC=1,3", "a/#")).isEqualTo(OK);
        assertThat(host.command("AT+CMQTTUNSUB=1,0")).isEqualTo("\r\n+CMQTTUNSUB: 1,11\r\n" + ERROR);
        assertThat(host.command("AT+CMQTTDISC=1,60")).isEqualTo("\r\n+CMQTTDISC: 1,11\r\n" + ERROR);

        assertThat(host.command("AT+CMQTTACCQ?")).isEqualTo("\r\n+CMQTTACCQ: 0,\"\",0\r\n+CMQTTACCQ: 1,\"c1\",0\r\n" + OK);
        assertThat(host.command("AT+CMQTTREL=1")).isEqualTo(OK);
        assertThat(host.brokerCommand("AT+CMQTTSTOP", "+CMQTTSTOP")).isEqualTo(OK + "\r\n+CMQTTSTOP: 0\r\n");
        assertThat(host.command("AT+CMQTTACCQ=1,\"again\"")).as("stopped again").isEqualTo("\r\n+CMQTTACCQ: 1,9\r\n" + ERROR);
    }

    @Test
    void parameterLimitsAreAPlainError() {
        startAndAcquire(0);
        assertThat(host.command("AT+CMQTTTOPIC=0,0")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTTOPIC=0,1025")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTPAYLOAD=0,0")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTPAYLOAD=0,10241")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTSUBTOPIC=0,1025,0")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTSUBTOPIC=0,1,3")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTUNSUBTOPIC=0,0")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTWILLTOPIC=0,1025")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTWILLMSG=0,5,3")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTPUB=0,3,60")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTPUB=0,1,0")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTPUB=0,1,181")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTPUB=0,1,60,2")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTSUB=0,1")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTDISC=0,181")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTSSLCFG=0,10")).isEqualTo(ERROR);
        for (String index : new String[] {"2", "-1", "\"0\""}) {
            assertThat(host.command("AT+CMQTTTOPIC=" + index + ",3")).as("client index " + index).isEqualTo(ERROR);
            assertThat(host.command("AT+CMQTTACCQ=" + index + ",\"x\"")).isEqualTo(ERROR);
        }
        assertThat(host.command("AT+CMQTTACCQ=1,\"" + "c".repeat(129) + "\"")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTACCQ=1,\"\"")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTACCQ=1,\"c\",2")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTACCQ=1,\"" + "c".repeat(128) + "\",1,3")).isEqualTo(OK);
        for (String bad : new String[] {"\"ssl://127.0.0.1:1883\",60,1", "\"tcp://127.0.0.1\",60,1", "\"tcp://:1883\",60,1",
                "\"tcp://127.0.0.1:0\",60,1", "\"tcp://127.0.0.1:x\",60,1", "\"tcp://127.0.0.1:1883\",0,1",
                "\"tcp://127.0.0.1:1883\",64801,1", "\"tcp://127.0.0.1:1883\",60,2", "\"tcp://127.0.0.1:1883\",60"}) {
            assertThat(host.command("AT+CMQTTCONNECT=0," + bad)).as(bad).isEqualTo(ERROR);
        }
        // the exact limits are accepted
        assertThat(host.withData("AT+CMQTTTOPIC=0,1024", "t".repeat(1024))).isEqualTo(OK);
        assertThat(host.withData("AT+CMQTTPAYLOAD=0,10240", new byte[10240])).isEqualTo(OK);
        assertThat(host.command("AT+CMQTTSSLCFG=0,9")).isEqualTo(OK);
        assertThat(host.command("AT+CMQTTSSLCFG?")).isEqualTo("\r\n+CMQTTSSLCFG: 0,9\r\n+CMQTTSSLCFG: 1,0\r\n" + OK);
    }

    @Test
    void unknownCommandsAndOtherFamiliesAreErrors() {
        assertThat(host.command("AT+CMQTTFOO")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTCFG=\"checkUTF8\",0,0")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTSTART=1")).isEqualTo(ERROR);
        assertThat(host.command("AT+QMTOPEN=0,\"127.0.0.1\",1883")).isEqualTo(ERROR);
        assertThat(host.command("AT+QMTCFG=?")).isEqualTo(ERROR);
        assertThat(host.command("AT+CMQTTACCQ=?")).isEqualTo("\r\n+CMQTTACCQ: (0-1),(1-128),(0-1),(3-4)\r\n" + OK);
        assertThatThrownBy(() -> SimulatedModem.bg95().documentSpelling(true)).isInstanceOf(IllegalStateException.class);
    }

    /** CONNACK return codes 1–5 become the manual's 27–31, after the error line comes ERROR. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void connackRefusals(int returnCode) throws Exception {
        try (RawBroker broker = new RawBroker(c -> {
            c.expect(RawBroker.CONNECT);
            c.connAck(returnCode);
            c.awaitClose();
        })) {
            startAndAcquire(0);
            assertThat(host.brokerCommand("AT+CMQTTCONNECT=0,\"" + broker.url() + "\",60,1", "+CMQTTCONNECT"))
                    .isEqualTo("\r\n+CMQTTCONNECT: 0," + (26 + returnCode) + "\r\n" + ERROR);
            assertThat(host.command("AT+CMQTTDISC?")).isEqualTo("\r\n+CMQTTDISC: 0,1\r\n+CMQTTDISC: 1,1\r\n" + OK);
            assertThat(host.command("AT+CMQTTREL=0")).as("the client is free to release").isEqualTo(OK);
        }
        assertThat(host.all()).doesNotContain("CONNLOST");
    }

    /** Reference 001: a server that closes instead of answering CONNECT gives {@code +CMQTTCONNECT: 0,6}. */
    @Test
    void serverClosingInsteadOfConnackIsCode6() throws Exception {
        try (RawBroker broker = new RawBroker(c -> {
            c.expect(RawBroker.CONNECT);
            c.close();
        })) {
            startAndAcquire(0);
            assertThat(host.brokerCommand("AT+CMQTTCONNECT=0,\"" + broker.url() + "\",60,1", "+CMQTTCONNECT"))
                    .isEqualTo("\r\n+CMQTTCONNECT: 0,6\r\n" + ERROR);
        }
        assertThat(host.all()).doesNotContain("CONNLOST");
    }

    /** Reference 001: a publish the server answers by closing is {@code +CMQTTPUB: 0,6}, ERROR, then CONNLOST. */
    @Test
    void serverClosingOnPublishIsTheDocumentsSequence() throws Exception {
        CountDownLatch published = new CountDownLatch(1);
        try (RawBroker broker = new RawBroker(c -> {
            c.expect(RawBroker.CONNECT);
            c.connAck(0);
            c.expect(RawBroker.PUBLISH);
            published.countDown();
            c.close();
        })) {
            startAndAcquire(0);
            assertThat(host.brokerCommand("AT+CMQTTCONNECT=0,\"" + broker.url() + "\",60,1", "+CMQTTCONNECT"))
                    .isEqualTo(OK + "\r\n+CMQTTCONNECT: 0,0\r\n");
            assertThat(host.withData("AT+CMQTTTOPIC=0,8", "PubTopic")).isEqualTo(OK);
            assertThat(host.withData("AT+CMQTTPAYLOAD=0,19", "{\"message\":\"Hello\"}")).isEqualTo(OK);
            host.consume();
            host.send("AT+CMQTTPUB=0,1,60\r");
            assertThat(host.awaitFresh("+CMQTTCONNLOST: 0,1\r\n"))
                    .isEqualTo("\r\n+CMQTTPUB: 0,6\r\n\r\nERROR\r\n\r\n+CMQTTCONNLOST: 0,1\r\n");
            assertThat(published.await(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void unacknowledgedPublishTimesOutAfterPubTimeout() throws Exception {
        try (RawBroker broker = new RawBroker(c -> {
            c.expect(RawBroker.CONNECT);
            c.connAck(0);
            c.awaitClose(); // takes the PUBLISH, never answers it
        })) {
            startAndAcquire(0);
            assertThat(host.brokerCommand("AT+CMQTTCONNECT=0,\"" + broker.url() + "\",60,1", "+CMQTTCONNECT"))
                    .isEqualTo(OK + "\r\n+CMQTTCONNECT: 0,0\r\n");
            assertThat(host.withData("AT+CMQTTTOPIC=0,1", "t")).isEqualTo(OK);
            long start = System.nanoTime();
            assertThat(host.brokerCommand("AT+CMQTTPUB=0,1,1", "+CMQTTPUB")).isEqualTo("\r\n+CMQTTPUB: 0,17\r\n" + ERROR);
            assertThat(System.nanoTime() - start).as("waited for pub_timeout").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(900));
            // the connection stays: QoS 0 needs no answer
            assertThat(host.withData("AT+CMQTTTOPIC=0,1", "t")).isEqualTo(OK);
            assertThat(host.brokerCommand("AT+CMQTTPUB=0,0,1", "+CMQTTPUB")).isEqualTo(OK + "\r\n+CMQTTPUB: 0,0\r\n");
        }
    }

    @Test
    void socketAndDnsFailures() throws Exception {
        startAndAcquire(0);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        assertThat(host.brokerCommand("AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:" + closedPort + "\",60,1", "+CMQTTCONNECT"))
                .isEqualTo("\r\n+CMQTTCONNECT: 0,3\r\n" + ERROR);
        assertThat(host.brokerCommand("AT+CMQTTCONNECT=0,\"tcp://no-such-host.invalid:1883\",60,1", "+CMQTTCONNECT"))
                .isEqualTo("\r\n+CMQTTCONNECT: 0,25\r\n" + ERROR);
    }

    @Test
    void dataPhaseTakesExactlyTheAnnouncedBytes() {
        startAndAcquire(0);
        // a CR LF inside the topic is data; the command after it is a command again
        byte[] topic = "a\r\nb".getBytes(StandardCharsets.US_ASCII);
        assertThat(host.withData("AT+CMQTTTOPIC=0,4", topic)).isEqualTo(OK);
        assertThat(host.command("AT")).isEqualTo(OK);
        assertThat(modem.commandLog()).containsSubsequence("AT+CMQTTTOPIC=0,4", "AT").doesNotContain("b");
    }
}
