package io.cellmqtt.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellmqtt.simulator.fault.Faults;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The faults as a SIM7600 reports them, byte for byte, against an embedded broker. */
class SimcomFaultsTest {

    private static final String OK = "\r\nOK\r\n";
    private static EmbeddedBroker broker;
    private SimulatedModem modem;
    private SimcomHost host;
    private MqttClient paho;
    private final LinkedBlockingQueue<String> wills = new LinkedBlockingQueue<>();

    @BeforeAll
    static void startBroker() {
        broker = new EmbeddedBroker();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @BeforeEach
    void start() throws Exception {
        modem = SimulatedModem.of("sim7600");
        host = new SimcomHost(modem);
        paho = new MqttClient(broker.url(), "paho-simcom-faults", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        paho.connect(o);
        paho.subscribe("s/#", 1, (t, m) -> wills.add(t + "=" + new String(m.getPayload(), StandardCharsets.UTF_8)));
    }

    @AfterEach
    void stop() throws Exception {
        paho.disconnect();
        paho.close();
        modem.close();
    }

    private Faults faults() {
        return modem.faults();
    }

    /** START, ACCQ, a will on {@code s/<clientId>}, CONNECT. */
    private void connectWithWill(String clientId) {
        assertThat(host.brokerCommand("AT+CMQTTSTART", "+CMQTTSTART")).isEqualTo(OK + "\r\n+CMQTTSTART: 0\r\n");
        acquireAndConnect(clientId);
    }

    private void acquireAndConnect(String clientId) {
        assertThat(host.command("AT+CMQTTACCQ=0,\"" + clientId + "\",0")).isEqualTo(OK);
        String topic = "s/" + clientId;
        assertThat(host.withData("AT+CMQTTWILLTOPIC=0," + topic.length(), topic)).isEqualTo(OK);
        assertThat(host.withData("AT+CMQTTWILLMSG=0,4,1", "gone")).isEqualTo(OK);
        connect();
    }

    private void connect() {
        assertThat(host.brokerCommand("AT+CMQTTCONNECT=0,\"" + broker.url() + "\",60,1", "+CMQTTCONNECT"))
                .isEqualTo(OK + "\r\n+CMQTTCONNECT: 0,0\r\n");
    }

    private void expectWill(String clientId) throws InterruptedException {
        assertThat(wills.poll(10, TimeUnit.SECONDS)).isEqualTo("s/" + clientId + "=gone");
    }

    @Test
    void aDroppedConnectionIsConnlostCause1AndTheClientStaysAcquired() throws Exception {
        connectWithWill("drop");
        host.consume();
        faults().dropConnection(0);
        assertThat(host.awaitFresh("CONNLOST: 0,1\r\n")).isEqualTo("\r\n+CMQTTCONNLOST: 0,1\r\n");
        expectWill("drop");
        connect();

        host.consume();
        faults().pingTimeout(0);
        assertThat(host.awaitFresh("CONNLOST: 0,1\r\n")).isEqualTo("\r\n+CMQTTCONNLOST: 0,1\r\n");
        expectWill("drop");
        assertThat(faults().counts()).containsEntry(Faults.Kind.DROP_CONNECTION, 1L)
                .containsEntry(Faults.Kind.PING_TIMEOUT, 1L);
    }

    @Test
    void losingTheNetworkIsConnlostCause3ThenNonetAndEverythingMustBeStartedAgain() throws Exception {
        connectWithWill("pdp");
        host.consume();
        faults().deactivatePdp();
        assertThat(host.awaitFresh("NONET\r\n")).isEqualTo("\r\n+CMQTTCONNLOST: 0,3\r\n\r\n+CMQTTNONET\r\n");
        expectWill("pdp");
        assertThat(host.command("AT+CMQTTACCQ=0,\"pdp\",0")).isEqualTo("\r\n+CMQTTACCQ: 0,9\r\n\r\nERROR\r\n");
        assertThat(host.brokerCommand("AT+CMQTTSTART", "+CMQTTSTART")).isEqualTo(OK + "\r\n+CMQTTSTART: 0\r\n");
        acquireAndConnect("pdp"); // the client was released: ACCQ is accepted
    }

    @Test
    void aRebootStopsTheServiceAndPrintsTheSim7600BootLines() throws Exception {
        connectWithWill("boot");
        host.consume();
        faults().reboot(Duration.ofMillis(300)).get(5, TimeUnit.SECONDS);
        assertThat(host.awaitFresh("PB DONE\r\n")).isEqualTo("\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\nSMS DONE\r\n\r\nPB DONE\r\n");
        expectWill("boot");
        host.consume();
        host.send("AT\r");
        assertThat(host.awaitFresh("OK\r\n")).isEqualTo("AT\r" + OK);
        host.command("ATE0");
        assertThat(host.brokerCommand("AT+CMQTTSTART", "+CMQTTSTART")).isEqualTo(OK + "\r\n+CMQTTSTART: 0\r\n");
        acquireAndConnect("boot");
    }

    @Test
    void aDoubledOrLatePublishReplyCarriesItsUrcAlong() {
        connectWithWill("dup");
        assertThat(host.withData("AT+CMQTTTOPIC=0,5", "s/dup")).isEqualTo(OK);
        assertThat(host.withData("AT+CMQTTPAYLOAD=0,1", "x")).isEqualTo(OK);
        faults().duplicateNextReply();
        host.consume();
        host.send("AT+CMQTTPUB=0,1,60\r");
        await().atMost(FakeHost.TIMEOUT).until(() -> host.fresh().split("\\+CMQTTPUB: 0,0", -1).length == 3);
        assertThat(host.fresh()).isEqualTo(OK + OK + "\r\n+CMQTTPUB: 0,0\r\n\r\n+CMQTTPUB: 0,0\r\n");

        Duration delay = Duration.ofMillis(500);
        assertThat(host.withData("AT+CMQTTTOPIC=0,5", "s/dup")).isEqualTo(OK);
        assertThat(host.withData("AT+CMQTTPAYLOAD=0,1", "y")).isEqualTo(OK);
        faults().delayReplies(1, delay);
        long t0 = System.nanoTime();
        assertThat(host.brokerCommand("AT+CMQTTPUB=0,1,60", "+CMQTTPUB")).isEqualTo(OK + "\r\n+CMQTTPUB: 0,0\r\n");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(delay);
    }

    @Test
    void aLostPromptLeavesTheTopicBytesAsNoiseBeforeTheNextCommand() {
        connectWithWill("prompt");
        faults().dropPrompts(1);
        host.consume();
        host.send("AT+CMQTTTOPIC=0,3\r");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> host.fresh().isEmpty());
        host.send("s/p");
        // the modem reads "s/pAT+CMQTTTOPIC=0,3": noise, then a command it answers with its prompt
        assertThat(host.withData("AT+CMQTTTOPIC=0,3", "s/p")).isEqualTo(OK);
        assertThat(modem.commandLog()).endsWith("AT+CMQTTTOPIC=0,3", "AT+CMQTTTOPIC=0,3");
    }
}
