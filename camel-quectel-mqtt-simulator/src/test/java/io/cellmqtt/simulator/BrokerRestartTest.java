package io.cellmqtt.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A broker restart (Moquette stopped and started again on the same port) is a connection the peer
 * closed: +QMTSTAT: n,1 / +CMQTTCONNLOST: n,1; the host then connects to the restarted broker.
 */
class BrokerRestartTest {

    private static final String OK = "\r\nOK\r\n";
    private static EmbeddedBroker broker;
    private SimulatedModem modem;

    @BeforeAll
    static void startBroker() {
        broker = new EmbeddedBroker();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @AfterEach
    void closeModem() {
        modem.close();
    }

    private void openAndConnect(FakeHost host) {
        assertThat(host.command("AT+QMTOPEN=0,\"127.0.0.1\"," + broker.port(), "+QMTOPEN: 0,"))
                .isEqualTo(OK + "\r\n+QMTOPEN: 0,0\r\n");
        assertThat(host.command("AT+QMTCONN=0,\"restart\"", "+QMTCONN: 0,")).isEqualTo(OK + "\r\n+QMTCONN: 0,0,0\r\n");
    }

    @Test
    void quectelReportsStat1AndOpensAgainOnTheRestartedBroker() {
        modem = SimulatedModem.bg95();
        FakeHost host = FakeHost.attachedTo(modem);
        host.command("ATE0");
        openAndConnect(host);
        host.consume();
        broker.stop();
        try {
            assertThat(host.awaitFresh("+QMTSTAT")).isEqualTo("\r\n+QMTSTAT: 0,1\r\n");
        } finally {
            broker.start();
        }
        openAndConnect(host);
        assertThat(host.command("AT+QMTPUBEX=0,1,1,0,\"r/t\",\"back\"", "+QMTPUB: 0,1,"))
                .isEqualTo(OK + "\r\n+QMTPUB: 0,1,0\r\n");
    }

    @Test
    void simcomReportsConnlost1AndConnectsAgainOnTheRestartedBroker() {
        modem = SimulatedModem.of("sim7600");
        SimcomHost host = new SimcomHost(modem);
        host.connect(0, "restart", broker.url());
        host.consume();
        broker.stop();
        try {
            assertThat(host.awaitFresh("CONNLOST: 0,1\r\n")).isEqualTo("\r\n+CMQTTCONNLOST: 0,1\r\n");
        } finally {
            broker.start();
        }
        assertThat(host.brokerCommand("AT+CMQTTCONNECT=0,\"" + broker.url() + "\",60,1", "+CMQTTCONNECT"))
                .isEqualTo(OK + "\r\n+CMQTTCONNECT: 0,0\r\n");
    }
}
