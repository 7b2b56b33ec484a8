package io.cellmqtt.e2e;

import io.cellmqtt.simulator.fault.Faults;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every fault the simulator can inject, end to end, on a Quectel BG95 ({@code AT+QMT*}) and a
 * SIMCom SIM7600 ({@code AT+CMQTT*}) wherever the fault applies: Camel routes → jSerialComm → the
 * simulated modem's USB port → the simulated modem → Moquette ← an independent Paho client
 * ({@link FaultRig}).
 *
 * <p>Each test publishes numbered messages before the fault, a burst around it (QoS 1 and QoS 0),
 * and one of each after it, and proves what could go wrong did not:
 * <ul>
 * <li>where the fault takes the connection away, the producer's and the consumer's health checks
 * went DOWN (seen by {@link HealthWatch}, which samples every 2 ms) and came back UP; where it does
 * not (noise, a doubled reply, torn URCs, tiny writes), they never went DOWN;</li>
 * <li>every QoS 1 publish of the burst was acknowledged within its publishTimeout (20 s, far more
 * than any recovery here takes), and the one after the fault too;</li>
 * <li>every number acknowledged to the producer's route reached the broker (its own record) and the
 * Paho checker; no QoS 0 number reached them twice; nothing reached them that was never
 * published (no reply mistaken for another command's, no payload made of AT commands);</li>
 * <li>a command the checker publishes after the recovery reaches the consumer route, byte-exact, and
 * the consumer route got nothing that was not published;</li>
 * <li>what the component did about the fault, in the modem's command log (PDP recycled, service
 * restarted, full bring-up) and at the broker (the will).</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModemFaultsEndToEndTest {
    private static final Duration WAIT = FaultRig.WAIT;
    private static final long PUBLISH_TIMEOUT_MS = 20_000;

    /** Which health checks the fault must take DOWN. */
    private enum Down {
        /** Producer and consumer: the fault takes every connection away. */
        BOTH,
        /** Neither may go DOWN: the fault is one the component must ride through. */
        NEVER,
        /** Not prescribed: the component may decide to recycle a connection it cannot trust, or not. */
        EITHER
    }

    private RecordingMoquette broker;
    private FaultRig rig;
    private final Set<String> commandsPublished = new HashSet<>();
    private int next = 4;

    @BeforeAll
    void startBroker() throws Exception {
        // One broker for the class (stopping Moquette takes 2 s); every rig has its own topics and client ids.
        broker = new RecordingMoquette();
        broker.start();
    }

    @AfterAll
    void stopBroker() {
        if (broker != null) {
            broker.stop();
        }
    }

    @BeforeEach
    void banner(TestInfo test) {
        // Where each test begins in the shared output file.
        System.out.println("======== " + test.getDisplayName() + " " + test.getTestMethod().map(m -> m.getName()).orElse(""));
    }

    @AfterEach
    void tearDown() {
        if (rig != null) {
            rig.close();
            rig = null;
        }
        commandsPublished.clear();
        next = 4;
    }

    private FaultRig start(String model) throws Exception {
        broker.start(); // idempotent: running unless a test stopped it and failed before starting it again
        rig = new FaultRig(model, broker, PUBLISH_TIMEOUT_MS).start();
        // Before any fault: both sequences flow.
        for (int n = 1; n <= 3; n++) {
            assertThat(rig.sendAndWait(1, n).failure()).as("q1-%d before the fault", n).isNull();
            assertThat(rig.sendAndWait(0, n).failure()).as("q0-%d before the fault", n).isNull();
        }
        command("before");
        return rig;
    }

    private Faults faults() {
        return rig.modem.faults();
    }

    /** Sends {@code count} numbers of each QoS without waiting; returns their exchanges. */
    private List<CompletableFuture<Exchange>> burst(int count) {
        List<CompletableFuture<Exchange>> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = next++;
            sent.add(rig.send(1, n));
            sent.add(rig.send(0, n));
        }
        return sent;
    }

    private void command(String text) throws Exception {
        commandsPublished.add(rig.cmdTopic + "/" + text + "=" + text);
        rig.commandReachesConsumer(text);
    }

    /**
     * After the fault at {@code faultAt}: the health checks went DOWN as {@code down} says and are UP
     * again; the burst ended with every QoS 1 number acknowledged; a publish of each QoS and a
     * command after the recovery get through; and the delivery rules hold.
     */
    private void recovered(Down down, long faultAt, List<CompletableFuture<Exchange>> burst) throws Exception {
        if (down == Down.BOTH) {
            rig.health.awaitDownSince(rig.producerCheck, faultAt, WAIT);
            rig.health.awaitDownSince(rig.consumerCheck, faultAt, WAIT);
        }
        rig.health.awaitAllUp(WAIT);
        CompletableFuture.allOf(burst.toArray(CompletableFuture[]::new))
                .get(PUBLISH_TIMEOUT_MS + 10_000, TimeUnit.MILLISECONDS);
        int after = next++;
        assertThat(rig.sendAndWait(1, after).failure()).as("q1-%d after the fault", after).isNull();
        assertThat(rig.sendAndWait(0, after).failure()).as("q0-%d after the fault", after).isNull();
        command("after");
        assertThat(rig.failed(1)).as("QoS 1 publishes that failed although publishTimeout covered the recovery: "
                + rig.outcomes.values().stream().filter(o -> o.failure() != null).map(o -> o.n() + ": "
                        + o.failure()).toList()).isEmpty();
        rig.assertDelivery();
        assertThat(rig.unexpectedCommands(commandsPublished)).as("commands nobody published").isEmpty();
        if (down == Down.NEVER) {
            assertThat(rig.health.wentDownSince(rig.producerCheck, faultAt))
                    .as("producer DOWN: " + rig.health.changes(rig.producerCheck)).isFalse();
            assertThat(rig.health.wentDownSince(rig.consumerCheck, faultAt))
                    .as("consumer DOWN: " + rig.health.changes(rig.consumerCheck)).isFalse();
        }
    }

    private void willPublished(String topic, String payload) {
        await("the will on " + topic).atMost(WAIT).until(() -> rig.checkers.stream()
                .anyMatch(c -> c.on(topic).stream().anyMatch(r -> new String(r.payload(), StandardCharsets.UTF_8)
                        .equals(payload))));
    }

    private boolean quectel() {
        return !rig.model.equals("sim7600");
    }

    // ------------------------------------------------------------------ the broker connection

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void brokerDrop(String model) throws Exception {
        start(model);
        String connect = quectel() ? "AT+QMTCONN=" : "AT+CMQTTCONNECT=";
        long connects = rig.count(connect);
        long t = System.nanoTime();
        List<CompletableFuture<Exchange>> burst = burst(5);
        faults().dropConnection(0);
        faults().dropConnection(1);
        recovered(Down.BOTH, t, burst);
        assertThat(rig.count(connect)).as("reconnected both clients").isGreaterThanOrEqualTo(connects + 2);
        willPublished(rig.prodWill, "producer-gone");
        willPublished(rig.consWill, "consumer-gone");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void pingTimeout(String model) throws Exception {
        start(model);
        long deacts = rig.count("AT+QIDEACT=");
        long acts = rig.count("AT+QIACT=");
        long connects = rig.count(quectel() ? "AT+QMTCONN=" : "AT+CMQTTCONNECT=");
        long t = System.nanoTime();
        List<CompletableFuture<Exchange>> burst = burst(5);
        faults().pingTimeout(0);
        if (!quectel()) {
            // SIMCom reports it per client as a plain connection loss: lose both to see both recover.
            faults().pingTimeout(1);
        }
        // Quectel: +QMTSTAT: 0,2 means "deactivate PDP, then activate PDP" (reference 004, table 2): every
        // connection on the context goes with it, the consumer's too.
        recovered(Down.BOTH, t, burst);
        if (quectel()) {
            assertThat(rig.count("AT+QIDEACT=")).as("PDP context deactivated").isGreaterThan(deacts);
            assertThat(rig.count("AT+QIACT=")).as("PDP context activated again").isGreaterThan(acts);
            List<String> log = rig.modem.commandLog();
            assertThat(log.lastIndexOf("AT+QIDEACT=1")).as("deactivated before activated")
                    .isLessThan(log.lastIndexOf("AT+QIACT=1"));
        } else {
            assertThat(rig.count("AT+CMQTTCONNECT=")).isGreaterThanOrEqualTo(connects + 2);
        }
        willPublished(rig.prodWill, "producer-gone");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void pdpDeactivation(String model) throws Exception {
        start(model);
        long acts = rig.count("AT+QIACT=");
        long starts = rig.count("AT+CMQTTSTART");
        long accqs = rig.count("AT+CMQTTACCQ=");
        long t = System.nanoTime();
        List<CompletableFuture<Exchange>> burst = burst(5);
        faults().deactivatePdp();
        recovered(Down.BOTH, t, burst);
        if (quectel()) {
            assertThat(rig.count("AT+QIACT=")).as("PDP context activated again").isGreaterThan(acts);
        } else {
            // +CMQTTNONET: the service stopped and released both clients.
            assertThat(rig.count("AT+CMQTTSTART")).as("MQTT service started again").isGreaterThan(starts);
            assertThat(rig.count("AT+CMQTTACCQ=")).as("both clients acquired again").isGreaterThanOrEqualTo(accqs + 2);
        }
        willPublished(rig.prodWill, "producer-gone");
        willPublished(rig.consWill, "consumer-gone");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void realBrokerRestart(String model) throws Exception {
        start(model);
        int startsBefore = broker.starts();
        long t = System.nanoTime();
        List<CompletableFuture<Exchange>> burst = burst(3);
        rig.stopBroker();
        burst.addAll(burst(3)); // while the broker is away: they wait for the connection
        broker.start(); // same port, empty: no session, no subscription
        rig.newChecker();
        recovered(Down.BOTH, t, burst);
        assertThat(broker.starts()).isEqualTo(startsBefore + 1);
    }

    // ------------------------------------------------------------------ the modem

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void reboot(String model) throws Exception {
        start(model);
        long echoOff = rig.count("ATE0");
        long t = System.nanoTime();
        List<CompletableFuture<Exchange>> burst = burst(5);
        faults().reboot(Duration.ofMillis(800)).get(10, TimeUnit.SECONDS);
        recovered(Down.BOTH, t, burst);
        assertThat(rig.count("ATE0")).as("brought up from scratch again").isGreaterThan(echoOff);
        willPublished(rig.prodWill, "producer-gone");
        willPublished(rig.consWill, "consumer-gone");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void usbLossWithoutReboot(String model) throws Exception {
        start(model);
        long t = System.nanoTime();
        List<CompletableFuture<Exchange>> burst = burst(5);
        String back = faults().usbLoss(Duration.ofMillis(600), false).get(10, TimeUnit.SECONDS);
        assertThat(back).startsWith("/dev/pts/");
        recovered(Down.BOTH, t, burst);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void usbLossWithReboot(String model) throws Exception {
        start(model);
        long echoOff = rig.count("ATE0");
        long t = System.nanoTime();
        List<CompletableFuture<Exchange>> burst = burst(5);
        faults().usbLoss(Duration.ofMillis(600), true).get(10, TimeUnit.SECONDS);
        recovered(Down.BOTH, t, burst);
        assertThat(rig.count("ATE0")).as("brought up from scratch again").isGreaterThan(echoOff);
        willPublished(rig.prodWill, "producer-gone");
    }

    // ------------------------------------------------------------------ the AT port

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void silenceLongerThanACommandTimeout(String model) throws Exception {
        start(model);
        long echoOff = rig.count("ATE0");
        long t = System.nanoTime();
        // 5 s command timeout, then 0.2 s drain and five AT probes of 0.5 s: 9 s outlasts them all.
        CompletableFuture<Void> over = faults().silence(Duration.ofSeconds(9));
        List<CompletableFuture<Exchange>> burst = burst(3); // what notices the silence
        recovered(Down.BOTH, t, burst);
        assertThat(over).isDone();
        assertThat(rig.count("ATE0")).as("an unresponsive modem is brought up again").isGreaterThan(echoOff);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void repliesDelayedPastTheirTimeout(String model) throws Exception {
        start(model);
        long t = System.nanoTime();
        faults().delayReplies(2, Duration.ofSeconds(6)); // the command timeout is 5 s
        List<CompletableFuture<Exchange>> burst = burst(3);
        recovered(Down.EITHER, t, burst);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aReplySentTwice(String model) throws Exception {
        start(model);
        long t = System.nanoTime();
        List<CompletableFuture<Exchange>> burst = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            faults().duplicateNextReply();
            burst.addAll(burst(3));
            burst.get(burst.size() - 2).get(PUBLISH_TIMEOUT_MS + 10_000, TimeUnit.MILLISECONDS);
        }
        recovered(Down.NEVER, t, burst);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void garbageBytes(String model) throws Exception {
        start(model);
        long t = System.nanoTime();
        byte[][] noise = {
            {0x00, (byte) 0xFF, (byte) 0xFE, 0x13, 0x11},
            "\u0000\u0000~~~#@!".getBytes(StandardCharsets.ISO_8859_1),
            {(byte) 0xC3, 0x28, (byte) 0xA0, (byte) 0xA1, '\r'},
            "\r\nZZ+QMT?\r\n".getBytes(StandardCharsets.ISO_8859_1),
            {'\n', '\n', (byte) 0x80, 0x7F, 0x1A, 0x1B},
        };
        List<CompletableFuture<Exchange>> burst = new ArrayList<>();
        for (byte[] b : noise) {
            faults().garbage(b);
            burst.addAll(burst(2));
        }
        recovered(Down.NEVER, t, burst);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void truncatedUrcs(String model) throws Exception {
        start(model);
        long t = System.nanoTime();
        // Torn received-message URCs: a UART glitch cut them; none may be delivered, none may swallow
        // what follows. (A torn status URC is another matter: the component cannot know what it said.)
        String topic = rig.cmdTopic + "/torn";
        List<String> torn = quectel()
                ? List.of("+QMTRECV: 1,0,\"" + topic + "\",5,\"forge\"",
                        "+QMTRECV: 1,7,\"" + topic + "\",5,\"forge\"")
                : List.of("+CMQTTRXSTART: 1," + topic.length() + ",5",
                        "+CMQTTRXTOPIC: 1," + topic.length());
        List<CompletableFuture<Exchange>> burst = new ArrayList<>();
        for (String urc : torn) {
            for (int keep : new int[] {6, urc.length() / 2, urc.length() - 1}) {
                faults().truncatedUrc(urc, keep);
                burst.addAll(burst(1));
            }
            command("after-torn-" + Math.abs(urc.hashCode()));
        }
        recovered(Down.NEVER, t, burst);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyWriteSplitIntoSingleBytes(String model) throws Exception {
        start(model);
        long t = System.nanoTime();
        faults().setWriteChunking(20260611L, 1);
        try {
            List<CompletableFuture<Exchange>> burst = burst(5);
            command("chunked");
            recovered(Down.NEVER, t, burst);
        } finally {
            faults().setWriteChunking(0, 0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aMissingPrompt(String model) throws Exception {
        start(model);
        long t = System.nanoTime();
        faults().dropPrompts(1);
        List<CompletableFuture<Exchange>> burst = burst(3);
        recovered(Down.EITHER, t, burst);
    }
}
