package io.cellmqtt.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellmqtt.simulator.physics.Physics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simulator's physics: the UART paces both directions, the network delays each broker
 * operation by its round trip without serialising them. Lower bounds only, except where the
 * property is that something is not serialised (pipelining), with a generous bound.
 */
class PhysicsTest {

    private static final long MS = 1_000_000L;
    /** Timing slack of a poll loop and a scheduler, for the lower bounds. */
    private static final long TOLERANCE_NANOS = 5 * MS;
    private static EmbeddedBroker broker;
    private SimulatedModem modem;
    private FakeHost host;

    @BeforeAll
    static void startBroker() {
        broker = new EmbeddedBroker();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @AfterEach
    void stop() {
        if (modem != null) {
            modem.close();
        }
    }

    private void start(Physics p) {
        modem = SimulatedModem.bg95();
        host = FakeHost.attachedTo(modem);
        host.command("ATE0");
        modem.physics(p);
    }

    /** When {@code text} was first seen after {@code from} characters of output, polling every 0.2 ms. */
    private long seenAt(String text, int from) {
        long deadline = System.nanoTime() + FakeHost.TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (host.all().indexOf(text, from) >= 0) {
                return System.nanoTime();
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
        throw new AssertionError("no " + text + " in " + host.all().substring(from));
    }

    private static long wire(int bytes, int baud) {
        return bytes * 10L * 1_000_000_000L / baud;
    }

    @Test
    void outputLeavesNoFasterThanTheBaudRate() {
        start(Physics.uart(9600, Duration.ZERO));
        StringBuilder sb = new StringBuilder("+TEST: ");
        for (int i = 0; sb.length() < 300; i++) {
            sb.append(i).append(',');
        }
        String urc = sb.toString();
        String expected = "\r\n" + urc + "\r\n";
        int from = host.all().length();
        long t0 = System.nanoTime();
        modem.injectUrc(urc);
        // the first half of the bytes can't be there before half the time
        long half = seenAt(expected.substring(0, expected.length() / 2), from);
        long done = seenAt(expected, from);
        assertThat(done - t0).as("%d bytes at 9600 baud", expected.length())
                .isGreaterThanOrEqualTo(wire(expected.length(), 9600) - TOLERANCE_NANOS);
        assertThat(half - t0).isGreaterThanOrEqualTo(wire(expected.length() / 2, 9600) - TOLERANCE_NANOS);
        assertThat(host.all().substring(from)).isEqualTo(expected);
    }

    @Test
    void intakeTakesNoFasterThanTheBaudRate() {
        start(Physics.uart(9600, Duration.ZERO));
        StringBuilder sb = new StringBuilder("AT+TEST=");
        for (int i = 0; sb.length() < 250; i++) {
            sb.append(i % 10 == 0 ? '"' : (char) ('a' + i % 26));
        }
        String line = sb.toString();
        int before = modem.commandLog().size();
        long t0 = System.nanoTime();
        host.send(line + "\r");
        await().atMost(FakeHost.TIMEOUT).pollInterval(Duration.ofMillis(1)).until(() -> modem.commandLog().size() > before);
        long took = System.nanoTime() - t0;
        // the line is complete with its CR: 251 bytes crossed the wire before the modem had it
        assertThat(took).isGreaterThanOrEqualTo(wire(line.length() + 1, 9600) - TOLERANCE_NANOS);
        assertThat(modem.commandLog().get(before)).isEqualTo(line);
        host.awaitFresh("\r\nERROR\r\n");
    }

    @Test
    void bothDirectionsAtOnceKeepTheBytesInOrder() {
        start(Physics.uart(115200, Duration.ZERO));
        long t0 = System.nanoTime();
        int from = host.all().length();
        StringBuilder cmds = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            cmds.append("AT+CGMR\r");
        }
        host.send(cmds.toString());
        await().atMost(FakeHost.TIMEOUT).until(() -> count(host.all().substring(from), "\r\nOK\r\n") == 20);
        String out = host.all().substring(from);
        // every reply whole and in order: the same block twenty times
        String one = out.substring(0, out.indexOf("\r\nOK\r\n") + 6);
        assertThat(out).isEqualTo(one.repeat(20));
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(wire(out.length(), 115200) - TOLERANCE_NANOS);
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private void openAndConnect(String clientId, long rttNanos) {
        long t0 = System.nanoTime();
        assertThat(host.command("AT+QMTOPEN=0,\"127.0.0.1\"," + broker.port(), "+QMTOPEN: 0,")).contains("+QMTOPEN: 0,0");
        assertThat(System.nanoTime() - t0).as("TCP open").isGreaterThanOrEqualTo(rttNanos);
        long t1 = System.nanoTime();
        assertThat(host.command("AT+QMTCONN=0,\"" + clientId + "\"", "+QMTCONN: 0,")).contains("+QMTCONN: 0,0,0");
        assertThat(System.nanoTime() - t1).as("CONNECT to CONNACK").isGreaterThanOrEqualTo(rttNanos);
    }

    @Test
    void publishesInFlightEachTakeOneRoundTripNotOneAfterAnother() {
        long rtt = 200 * MS;
        start(Physics.usb(Duration.ofMillis(200)));
        openAndConnect("physics-pipeline", rtt);

        long t1 = System.nanoTime();
        assertThat(host.command("AT+QMTSUB=0,1,\"phys/in\",1", "+QMTSUB: 0,1,")).contains("+QMTSUB: 0,1,0,1");
        assertThat(System.nanoTime() - t1).as("SUBSCRIBE to SUBACK").isGreaterThanOrEqualTo(rtt);

        int from = host.all().length();
        StringBuilder five = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
            five.append("AT+QMTPUBEX=0,").append(i).append(",1,0,\"phys/out\",\"m").append(i).append("\"\r");
        }
        long t0 = System.nanoTime();
        host.send(five.toString());
        List<Long> acked = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            acked.add(seenAt("+QMTPUB: 0," + i + ",0", from) - t0);
        }
        for (long a : acked) {
            assertThat(a).as("each PUBACK a round trip after its publish").isGreaterThanOrEqualTo(rtt);
        }
        // pipelined: the fifth is acknowledged about one round trip after it was written, not five;
        // 3 round trips leave 400 ms for the five commands' handling and the schedulers, and still
        // fail a simulator that waits out one acknowledgement before sending the next publish
        assertThat(acked.get(4)).as("fifth PUBACK, after %s", acked).isLessThan(3 * rtt);
        assertThat(host.all().substring(from)).doesNotContain("ERROR");
    }

    @Test
    void aMessageFromTheBrokerArrivesHalfARoundTripAfterItWasSent() throws Exception {
        long rtt = 200 * MS;
        start(Physics.usb(Duration.ofMillis(200)));
        openAndConnect("physics-inbound", rtt);
        assertThat(host.command("AT+QMTSUB=0,1,\"phys/down\",1", "+QMTSUB: 0,1,")).contains("+QMTSUB: 0,1,0,1");
        MqttClient paho = new MqttClient(broker.url(), "physics-paho", new MemoryPersistence());
        try {
            paho.connect(new MqttConnectOptions());
            int from = host.all().length();
            long t0 = System.nanoTime();
            paho.publish("phys/down", "hello".getBytes(StandardCharsets.UTF_8), 1, false);
            long at = seenAt("+QMTRECV: 0,", from);
            assertThat(at - t0).isGreaterThanOrEqualTo(rtt / 2);
        } finally {
            paho.disconnect();
            paho.close();
        }
    }

    /**
     * A flood from the broker larger than the receiving line's bound (DelayLine.MAX_RECEIVING): the
     * connection stops reading its socket while the line is full and reads again as it drains, so
     * every message still arrives, in order.
     */
    @Test
    void aFloodLargerThanTheReceivingLineArrivesWholeAndInOrder() throws Exception {
        int count = 4 * io.cellmqtt.simulator.physics.DelayLine.MAX_RECEIVING;
        start(Physics.usb(Duration.ofMillis(200)));
        openAndConnect("physics-flood", 200 * MS);
        assertThat(host.command("AT+QMTSUB=0,1,\"phys/flood\",0", "+QMTSUB: 0,1,")).contains("+QMTSUB: 0,1,0,0");
        MqttClient paho = new MqttClient(broker.url(), "physics-flooder", new MemoryPersistence());
        try {
            paho.connect(new MqttConnectOptions());
            int from = host.all().length();
            for (int i = 0; i < count; i++) {
                paho.publish("phys/flood", ("f" + i).getBytes(StandardCharsets.UTF_8), 0, false);
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> count(host.all().substring(from), "+QMTRECV: 0,") >= count);
            String out = host.all().substring(from);
            int at = 0;
            for (int i = 0; i < count; i++) {
                at = out.indexOf("\"f" + i + "\"", at);
                assertThat(at).as("message f%d, after f%d", i, i - 1).isGreaterThanOrEqualTo(0);
            }
            assertThat(count(out, "+QMTRECV: 0,")).isEqualTo(count);
        } finally {
            paho.disconnect();
            paho.close();
        }
    }

    @Test
    void jitterStaysWithinTheRoundTripAndTheJitter() {
        long rtt = 100 * MS;
        long jitter = 100 * MS;
        start(new Physics(0, Duration.ofMillis(100), Duration.ofMillis(100), 42));
        openAndConnect("physics-jitter", rtt);
        List<Long> times = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            int from = host.all().length();
            long t0 = System.nanoTime();
            host.send("AT+QMTPUBEX=0," + i + ",1,0,\"phys/j\",\"j\"\r");
            times.add(seenAt("+QMTPUB: 0," + i + ",", from) - t0);
        }
        // upper bound: the jitter's maximum plus 50 ms for the broker, the threads and the poll loop
        assertThat(times).allSatisfy(t -> assertThat(t).isBetween(rtt, rtt + jitter + 50 * MS));
        // and it is jitter: not all the same
        assertThat(times.stream().mapToLong(Long::longValue).max().getAsLong()
                - times.stream().mapToLong(Long::longValue).min().getAsLong()).isGreaterThan(5 * MS);
    }

    @Test
    void aSim7600ConnectCostsTheTcpOpenAndTheConnectRoundTrips() {
        long rtt = 150 * MS;
        modem = SimulatedModem.of("sim7600");
        host = FakeHost.attachedTo(modem);
        host.command("ATE0");
        modem.physics(Physics.usb(Duration.ofMillis(150)));
        assertThat(host.command("AT+CMQTTSTART", "+CMQTTSTART:")).contains("+CMQTTSTART: 0");
        assertThat(host.command("AT+CMQTTACCQ=0,\"physics-sim\",0")).contains("OK");
        long t0 = System.nanoTime();
        assertThat(host.command("AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:" + broker.port() + "\",60,1", "+CMQTTCONNECT: 0,"))
                .contains("+CMQTTCONNECT: 0,0");
        // the SYN's round trip, then CONNECT's
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(2 * rtt);
    }
}
