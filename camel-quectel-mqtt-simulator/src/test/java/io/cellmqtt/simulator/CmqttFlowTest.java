package io.cellmqtt.simulator;

import static io.cellmqtt.simulator.SimcomHost.latin1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellmqtt.simulator.secrets.TestSecrets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SIM7600 CMQTT command set against a real broker, checked by an independent Paho client. */
class CmqttFlowTest {

    /** Bytes a host framing by quotes, commas or line ends would trip on, and Ctrl+Z/ESC. */
    private static final byte[] NASTY = {'a', '"', ',', '\r', '\n', 0x1A, 0x1B, 0, 'z', (byte) 0xFF};

    private static CmqttBroker broker;
    private SimulatedModem modem;
    private SimcomHost host;
    private MqttClient paho;
    private final LinkedBlockingQueue<Received> pahoInbox = new LinkedBlockingQueue<>();

    record Received(String topic, MqttMessage message) {
    }

    @BeforeAll
    static void startBroker() {
        broker = new CmqttBroker();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @BeforeEach
    void start() throws Exception {
        modem = SimulatedModem.of("sim7600");
        host = new SimcomHost(modem);
        paho = new MqttClient(broker.pahoUrl(), "paho-observer", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        paho.connect(o);
    }

    @AfterEach
    void stop() throws Exception {
        if (paho.isConnected()) {
            paho.disconnect();
        }
        paho.close();
        modem.close();
    }

    private void pahoSubscribe(String filter, int qos) throws Exception {
        paho.subscribe(filter, qos, (t, m) -> pahoInbox.add(new Received(t, m)));
    }

    private Received pahoNext() throws InterruptedException {
        Received r = pahoInbox.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("message at Paho").isNotNull();
        return r;
    }

    /** The receive URCs exactly as the contract spells them, payload in pieces of 1024. */
    private static String rxBlock(int idx, String topic, byte[] payload, String payloadUrc) {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder("\r\n+CMQTTRXSTART: " + idx + "," + t.length + "," + payload.length + "\r\n")
                .append("+CMQTTRXTOPIC: ").append(idx).append(',').append(t.length).append("\r\n")
                .append(latin1(t)).append("\r\n");
        for (int off = 0; off < payload.length; off += 1024) {
            int n = Math.min(1024, payload.length - off);
            sb.append(payloadUrc).append(' ').append(idx).append(',').append(n).append("\r\n");
            sb.append(latin1(java.util.Arrays.copyOfRange(payload, off, off + n))).append("\r\n");
        }
        return sb.append("+CMQTTRXEND: ").append(idx).append("\r\n").toString();
    }

    /** Reference 001 sections 4 to 7, in its order, over TLS as the document connects to AWS. */
    @Test
    void documentSessionOverTls() throws Exception {
        pahoSubscribe("PubTopic", 1);
        modem.documentSpelling(true);

        // 4. start, acquire (server type 1 = SSL/TLS), SSL context, connect
        assertThat(host.brokerCommand("AT+CMQTTSTART", "+CMQTTSTART")).isEqualTo("\r\nOK\r\n\r\n+CMQTTSTART: 0\r\n");
        assertThat(host.command("AT+CMQTTACCQ=0,\"ThingName\",1")).isEqualTo("\r\nOK\r\n");
        assertThat(host.command("AT+CMQTTSSLCFG=0,0")).isEqualTo("\r\nOK\r\n");
        assertThat(host.brokerCommand("AT+CMQTTCONNECT=0,\"" + broker.modemUrl(true) + "\",60,1", "+CMQTTCONNECT"))
                .isEqualTo("\r\nOK\r\n\r\n+CMQTTCONNECT: 0,0\r\n");

        // 5. topic, payload, publish
        assertThat(host.withData("AT+CMQTTTOPIC=0,8", "PubTopic")).isEqualTo("\r\nOK\r\n");
        assertThat(host.withData("AT+CMQTTPAYLOAD=0,19", "{\"message\":\"Hello\"}")).isEqualTo("\r\nOK\r\n");
        assertThat(host.brokerCommand("AT+CMQTTPUB=0,1,60", "+CMQTTPUB")).isEqualTo("\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n");
        Received r = pahoNext();
        assertThat(r.topic()).isEqualTo("PubTopic");
        assertThat(new String(r.message().getPayload(), StandardCharsets.UTF_8)).isEqualTo("{\"message\":\"Hello\"}");
        assertThat(r.message().getQos()).isEqualTo(1);
        // "To publish to the same topic again, the topic has to be set again."
        assertThat(host.brokerCommand("AT+CMQTTPUB=0,1,60", "+CMQTTPUB")).isEqualTo("\r\n+CMQTTPUB: 0,18\r\n\r\nERROR\r\n");

        // subscribe; a message then arrives as the document prints it (+CMQTTRCPAYLOAD)
        assertThat(host.withData("AT+CMQTTSUBTOPIC=0,8,1", "SubTopic")).isEqualTo("\r\nOK\r\n");
        assertThat(host.withData("AT+CMQTTSUBTOPIC=0,6,0", "Marker")).isEqualTo("\r\nOK\r\n");
        assertThat(host.brokerCommand("AT+CMQTTSUB=0", "+CMQTTSUB")).isEqualTo("\r\nOK\r\n\r\n+CMQTTSUB: 0,0\r\n");
        paho.publish("SubTopic", "from the cloud".getBytes(StandardCharsets.UTF_8), 1, false);
        String expected = rxBlock(0, "SubTopic", "from the cloud".getBytes(StandardCharsets.UTF_8), "+CMQTTRCPAYLOAD:");
        assertThat(host.awaitFresh("+CMQTTRXEND: 0\r\n")).isEqualTo(expected);
        host.consume();

        // 6. unsubscribe: SubTopic no longer arrives, Marker (published after it) still does
        assertThat(host.withData("AT+CMQTTUNSUBTOPIC=0,8", "SubTopic")).isEqualTo("\r\nOK\r\n");
        assertThat(host.brokerCommand("AT+CMQTTUNSUB=0,0", "+CMQTTUNSUB")).isEqualTo("\r\nOK\r\n\r\n+CMQTTUNSUB: 0,0\r\n");
        paho.publish("SubTopic", "unheard".getBytes(StandardCharsets.UTF_8), 1, false);
        paho.publish("Marker", "m".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(host.awaitFresh("+CMQTTRXEND: 0\r\n"))
                .isEqualTo(rxBlock(0, "Marker", new byte[] {'m'}, "+CMQTTRCPAYLOAD:"));
        host.consume();

        // 7. disconnect, release, stop
        assertThat(host.brokerCommand("AT+CMQTTDISC=0,120", "+CMQTTDISC")).isEqualTo("\r\nOK\r\n\r\n+CMQTTDISC: 0,0\r\n");
        assertThat(host.command("AT+CMQTTREL=0")).isEqualTo("\r\nOK\r\n");
        assertThat(host.brokerCommand("AT+CMQTTSTOP", "+CMQTTSTOP")).isEqualTo("\r\nOK\r\n\r\n+CMQTTSTOP: 0\r\n");
        assertThat(host.all()).doesNotContain("CONNLOST");
    }

    @Test
    void publishesAtEveryQosArriveByteExact() throws Exception {
        pahoSubscribe("dev/#", 2);
        host.connect(0, "sim-pub", broker.modemUrl(false));
        String topic = "dev/\"q,x\"";
        for (int qos = 0; qos <= 2; qos++) {
            assertThat(host.publish(0, topic, NASTY, qos, 0)).isEqualTo("\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n");
            Received r = pahoNext();
            assertThat(r.topic()).isEqualTo(topic);
            assertThat(r.message().getPayload()).containsExactly(NASTY);
            assertThat(r.message().getQos()).isEqualTo(qos);
            assertThat(r.message().isRetained()).isFalse();
        }
        // the largest payload, and the retained flag (QoS 1: Moquette 0.17 treats a retained QoS 0 as a clear)
        byte[] big = new byte[10240]; // the manual's largest AT+CMQTTPAYLOAD
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        assertThat(host.publish(0, "ret/big", big, 1, 1)).isEqualTo("\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n");
        pahoSubscribe("ret/big", 0); // Moquette 0.17 drops the retain flag when it hands a retained message out at QoS 1
        Received kept = pahoNext();
        assertThat(kept.message().isRetained()).isTrue();
        assertThat(kept.message().getPayload()).containsExactly(big);
        paho.publish("ret/big", new byte[0], 1, true); // clears the retained message for later runs
    }

    @Test
    void receivedMessagesComeAsOneBlockInPiecesOf1024() throws Exception {
        modem.setWriteChunking(42, 7); // the host sees the block in scraps, as from a UART
        host.connect(1, "sim-rx", broker.modemUrl(false));
        // the one-command form of SUB: the filter follows the prompt
        host.consume();
        host.send("AT+CMQTTSUB=1,4,1\r");
        host.awaitFresh("\r\n> ");
        host.sendBytes("in/#".getBytes(StandardCharsets.US_ASCII));
        assertThat(host.awaitFresh("+CMQTTSUB: 1,0\r\n")).isEqualTo("\r\n> \r\nOK\r\n\r\n+CMQTTSUB: 1,0\r\n");
        host.consume();

        paho.publish("in/a", NASTY, 1, false);
        assertThat(host.awaitFresh("+CMQTTRXEND: 1\r\n")).isEqualTo(rxBlock(1, "in/a", NASTY, "+CMQTTRXPAYLOAD:"));
        host.consume();

        byte[] big = new byte[10240];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 7);
        }
        paho.publish("in/big", big, 2, false);
        String block = host.awaitFresh("+CMQTTRXEND: 1\r\n");
        assertThat(block).isEqualTo(rxBlock(1, "in/big", big, "+CMQTTRXPAYLOAD:"));
        assertThat(block.split("\\+CMQTTRXPAYLOAD: 1,1024\r\n", -1)).hasSize(11);
        host.consume();

        // an empty payload has no payload line at all
        paho.publish("in/empty", new byte[0], 0, false);
        assertThat(host.awaitFresh("+CMQTTRXEND: 1\r\n"))
                .isEqualTo("\r\n+CMQTTRXSTART: 1,8,0\r\n+CMQTTRXTOPIC: 1,8\r\nin/empty\r\n+CMQTTRXEND: 1\r\n");
    }

    @Test
    void aMessageArrivingDuringADataPhaseWaitsForItsOk() throws Exception {
        host.connect(0, "sim-quiet", broker.modemUrl(false));
        assertThat(host.withData("AT+CMQTTSUBTOPIC=0,1,0", "q")).isEqualTo("\r\nOK\r\n");
        assertThat(host.brokerCommand("AT+CMQTTSUB=0", "+CMQTTSUB")).isEqualTo("\r\nOK\r\n\r\n+CMQTTSUB: 0,0\r\n");
        host.consume();
        host.send("AT+CMQTTPAYLOAD=0,3\r");
        host.awaitFresh("\r\n> ");
        // Moquette forwards a QoS 1 message to subscribers before it acknowledges the publisher, so
        // the modem gets it while the data phase is open (and must hold the report back)
        paho.publish("q", "in".getBytes(StandardCharsets.UTF_8), 1, false);
        host.sendBytes("ab".getBytes(StandardCharsets.US_ASCII));
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> host.fresh().equals("\r\n> "));
        host.sendBytes("c".getBytes(StandardCharsets.US_ASCII));
        assertThat(host.awaitFresh("+CMQTTRXEND: 0\r\n"))
                .isEqualTo("\r\n> \r\nOK\r\n" + rxBlock(0, "q", "in".getBytes(StandardCharsets.UTF_8), "+CMQTTRXPAYLOAD:"));
    }

    @Test
    void credentialsAreCheckedAndABadPasswordIsCode30() {
        assertThat(host.brokerCommand("AT+CMQTTSTART", "+CMQTTSTART")).contains("+CMQTTSTART: 0");
        assertThat(host.command("AT+CMQTTACCQ=0,\"sim-auth\",0")).isEqualTo("\r\nOK\r\n");
        String url = broker.modemUrl(false);
        assertThat(host.brokerCommand("AT+CMQTTCONNECT=0,\"" + url + "\",60,1,\"dev\",\"" + TestSecrets.WRONG_PASSWORD + "\"",
                "+CMQTTCONNECT"))
                .isEqualTo("\r\n+CMQTTCONNECT: 0,30\r\n\r\nERROR\r\n");
        // a comma inside the quoted password is part of it
        assertThat(CmqttBroker.PASSWORD).contains(",");
        assertThat(host.brokerCommand("AT+CMQTTCONNECT=0,\"" + url + "\",60,1,\"dev\",\"" + CmqttBroker.PASSWORD + "\"",
                "+CMQTTCONNECT")).isEqualTo("\r\nOK\r\n\r\n+CMQTTCONNECT: 0,0\r\n");
    }

    @Test
    void lostConnectionReportsConnlostDeliversTheWillAndConnectsAgain() throws Exception {
        pahoSubscribe("dev/lwt", 1);
        assertThat(host.brokerCommand("AT+CMQTTSTART", "+CMQTTSTART")).contains("+CMQTTSTART: 0");
        assertThat(host.command("AT+CMQTTACCQ=0,\"sim-will\"")).isEqualTo("\r\nOK\r\n");
        assertThat(host.withData("AT+CMQTTWILLTOPIC=0,7", "dev/lwt")).isEqualTo("\r\nOK\r\n");
        assertThat(host.withData("AT+CMQTTWILLMSG=0,6,1", "gone\r\n")).isEqualTo("\r\nOK\r\n");
        String connect = "AT+CMQTTCONNECT=0,\"" + broker.modemUrl(false) + "\",60,0";
        assertThat(host.brokerCommand(connect, "+CMQTTCONNECT")).isEqualTo("\r\nOK\r\n\r\n+CMQTTCONNECT: 0,0\r\n");
        assertThat(host.command("AT+CMQTTCONNECT?"))
                .isEqualTo("\r\n+CMQTTCONNECT: 0,\"" + broker.modemUrl(false) + "\",60,0\r\n\r\nOK\r\n");

        modem.dropNetwork(0);
        assertThat(host.awaitFresh("+CMQTTCONNLOST: 0,1\r\n")).isEqualTo("\r\n+CMQTTCONNLOST: 0,1\r\n");
        host.consume();
        Received will = pahoNext();
        assertThat(will.topic()).isEqualTo("dev/lwt");
        assertThat(will.message().getPayload()).containsExactly("gone\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(will.message().getQos()).isEqualTo(1);
        assertThat(host.command("AT+CMQTTDISC?")).isEqualTo("\r\n+CMQTTDISC: 0,1\r\n+CMQTTDISC: 1,1\r\n\r\nOK\r\n");

        // ACCQ stays: CONNECT again is all it takes; a DISC afterwards sends no will
        assertThat(host.brokerCommand(connect, "+CMQTTCONNECT")).isEqualTo("\r\nOK\r\n\r\n+CMQTTCONNECT: 0,0\r\n");
        assertThat(host.command("AT+CMQTTDISC?")).isEqualTo("\r\n+CMQTTDISC: 0,0\r\n+CMQTTDISC: 1,1\r\n\r\nOK\r\n");
        assertThat(host.brokerCommand("AT+CMQTTDISC=0,60", "+CMQTTDISC")).isEqualTo("\r\nOK\r\n\r\n+CMQTTDISC: 0,0\r\n");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(pahoInbox::isEmpty);
        assertThat(host.all()).containsOnlyOnce("CONNLOST");
    }

    @Test
    void brokerClosingTheConnectionIsConnlostToo() throws Exception {
        host.connect(0, "sim-twin", broker.modemUrl(false));
        // a second client with the same id makes the broker drop the first
        MqttClient twin = new MqttClient(broker.pahoUrl(), "sim-twin", new MemoryPersistence());
        twin.connect();
        try {
            assertThat(host.awaitFresh("+CMQTTCONNLOST: 0,1\r\n")).isEqualTo("\r\n+CMQTTCONNLOST: 0,1\r\n");
        } finally {
            twin.disconnect();
            twin.close();
        }
        assertThat(host.brokerCommand("AT+CMQTTPUB=0,0,60", "+CMQTTPUB")).isEqualTo("\r\n+CMQTTPUB: 0,18\r\n\r\nERROR\r\n");
        assertThat(host.withData("AT+CMQTTTOPIC=0,1", "t")).isEqualTo("\r\nOK\r\n");
        assertThat(host.brokerCommand("AT+CMQTTPUB=0,0,60", "+CMQTTPUB")).isEqualTo("\r\n+CMQTTPUB: 0,11\r\n\r\nERROR\r\n");
    }

    @Test
    void twoClientsAndTheStateErrorsThatNeedABroker() throws Exception {
        host.connect(0, "sim-c0", broker.modemUrl(false));
        host.connect(1, "sim-c1", broker.modemUrl(false));
        assertThat(host.command("AT+CMQTTACCQ?"))
                .isEqualTo("\r\n+CMQTTACCQ: 0,\"sim-c0\",0\r\n+CMQTTACCQ: 1,\"sim-c1\",0\r\n\r\nOK\r\n");
        assertThat(host.brokerCommand("AT+CMQTTCONNECT=1,\"" + broker.modemUrl(false) + "\",60,1", "+CMQTTCONNECT"))
                .as("already connected").isEqualTo("\r\n+CMQTTCONNECT: 1,13\r\n\r\nERROR\r\n");
        assertThat(host.brokerCommand("AT+CMQTTSTOP", "+CMQTTSTOP")).isEqualTo("\r\n+CMQTTSTOP: 21\r\n\r\nERROR\r\n");
        assertThat(host.brokerCommand("AT+CMQTTSUB=1", "+CMQTTSUB")).as("no SUBTOPIC").isEqualTo("\r\n+CMQTTSUB: 1,18\r\n\r\nERROR\r\n");
        assertThat(host.brokerCommand("AT+CMQTTUNSUB=1,0", "+CMQTTUNSUB")).as("no UNSUBTOPIC")
                .isEqualTo("\r\n+CMQTTUNSUB: 1,18\r\n\r\nERROR\r\n");

        // client 1 publishes, client 0 receives
        assertThat(host.withData("AT+CMQTTSUBTOPIC=0,5,2", "c/one")).isEqualTo("\r\nOK\r\n");
        assertThat(host.brokerCommand("AT+CMQTTSUB=0", "+CMQTTSUB")).isEqualTo("\r\nOK\r\n\r\n+CMQTTSUB: 0,0\r\n");
        assertThat(host.withData("AT+CMQTTTOPIC=1,5", "c/one")).isEqualTo("\r\nOK\r\n");
        assertThat(host.withData("AT+CMQTTPAYLOAD=1,10", NASTY)).isEqualTo("\r\nOK\r\n");
        host.send("AT+CMQTTPUB=1,2,60\r");
        host.awaitFresh("+CMQTTRXEND: 0\r\n");
        host.awaitFresh("+CMQTTPUB: 1,0\r\n");
        // the broker may forward the message before it completes the QoS 2 exchange with the publisher:
        // either URC may come first, but each one whole
        String rx = rxBlock(0, "c/one", NASTY, "+CMQTTRXPAYLOAD:");
        assertThat(host.fresh()).isIn("\r\nOK\r\n" + rx + "\r\n+CMQTTPUB: 1,0\r\n",
                "\r\nOK\r\n\r\n+CMQTTPUB: 1,0\r\n" + rx);
        host.consume();

        // REL of a connected client disconnects it first: the way out of "+CMQTTACCQ: 1,19"
        assertThat(host.command("AT+CMQTTREL=1")).isEqualTo("\r\nOK\r\n");
        assertThat(host.command("AT+CMQTTACCQ?")).isEqualTo("\r\n+CMQTTACCQ: 0,\"sim-c0\",0\r\n+CMQTTACCQ: 1,\"\",0\r\n\r\nOK\r\n");
        assertThat(host.command("AT+CMQTTDISC?")).isEqualTo("\r\n+CMQTTDISC: 0,0\r\n+CMQTTDISC: 1,1\r\n\r\nOK\r\n");
        assertThat(host.command("AT+CMQTTACCQ=1,\"sim-c1\",0")).isEqualTo("\r\nOK\r\n");
        assertThat(host.brokerCommand("AT+CMQTTCONNECT=1,\"" + broker.modemUrl(false) + "\",60,1", "+CMQTTCONNECT"))
                .isEqualTo("\r\nOK\r\n\r\n+CMQTTCONNECT: 1,0\r\n");
        for (int idx = 0; idx <= 1; idx++) {
            assertThat(host.brokerCommand("AT+CMQTTDISC=" + idx + ",60", "+CMQTTDISC"))
                    .isEqualTo("\r\nOK\r\n\r\n+CMQTTDISC: " + idx + ",0\r\n");
            assertThat(host.command("AT+CMQTTREL=" + idx)).isEqualTo("\r\nOK\r\n");
        }
        assertThat(host.brokerCommand("AT+CMQTTSTOP", "+CMQTTSTOP")).isEqualTo("\r\nOK\r\n\r\n+CMQTTSTOP: 0\r\n");
    }
}
