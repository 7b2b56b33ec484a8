package io.cellmqtt.e2e;

import io.cellmqtt.link.PipeLink;
import io.cellmqtt.modem.Modem;
import io.cellmqtt.modem.ModemSettings;
import io.cellmqtt.modem.MqttClient;
import io.cellmqtt.modem.MqttClientSettings;
import io.cellmqtt.modem.MqttClientState;
import io.cellmqtt.modem.OutgoingMessage;
import io.cellmqtt.modem.PublishReceipt;
import io.cellmqtt.simulator.SimulatedModem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

/**
 * Issue 6, failure 1: QoS 0 publishes keep coming while the broker connection drops again and
 * again. On SIMCom the dialect learnt of {@code +CMQTTCONNLOST} before the client did, and a QoS 0
 * publish failing in that gap was put back at the head of the queue and sent again at once, in a
 * loop, holding the client's lock: a thread at 100 % CPU, a loss report that never got the lock,
 * and a {@code stop()} that never returned. Every publish must end (sent once or failed), stop must
 * return, and no QoS 0 message may arrive twice.
 */
class ConnectionLossUnderLoadTest {
    private final MoquetteBroker broker;
    private SimulatedModem sim;
    private Modem modem;
    private CheckingClient checker;

    ConnectionLossUnderLoadTest() throws Exception {
        broker = new MoquetteBroker();
    }

    @AfterEach
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void tearDown() throws Exception {
        if (modem != null) {
            modem.close();
        }
        if (sim != null) {
            sim.close();
        }
        if (checker != null) {
            checker.close();
        }
        broker.stop();
    }

    @ParameterizedTest
    // A livelock holds the client's lock, so even reading its state hangs: fail instead of waiting forever.
    @Timeout(value = 150, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @ValueSource(strings = {"sim7600", "bg95"})
    void qos0PublishesRacingConnectionLossesNeitherSpinNorRepeat(String model) throws Exception {
        broker.start();
        sim = SimulatedModem.of(model);
        PipeLink link = PipeLink.create("pipe:" + model);
        sim.serve(link.modemInput(), link.modemOutput());
        modem = Modem.open(new ModemSettings("pipe:" + model, 115200, model, null, null, null, 1, false,
                Duration.ofSeconds(5)), link);
        MqttClient client = modem.createClient(MqttClientSettings.of(broker.host(), broker.port())
                .withClientId("load-" + UUID.randomUUID()).withClientIndex(0)
                .withReconnectDelays(Duration.ofMillis(10), Duration.ofMillis(50)));
        client.start().get(20, TimeUnit.SECONDS);
        checker = new CheckingClient(broker, "checker-" + UUID.randomUUID());
        checker.subscribe("load/#", 1);

        AtomicBoolean publishing = new AtomicBoolean(true);
        AtomicInteger stuck = new AtomicInteger();
        List<Thread> publishers = new ArrayList<>();
        Map<String, CompletableFuture<PublishReceipt>> all = new java.util.concurrent.ConcurrentHashMap<>();
        for (int t = 0; t < 3; t++) {
            int thread = t;
            Thread p = new Thread(() -> {
                int n = 0;
                while (publishing.get()) {
                    String payload = thread + "-" + n++;
                    CompletableFuture<PublishReceipt> f = client.publish(new OutgoingMessage("load/q0",
                            payload.getBytes(StandardCharsets.US_ASCII), 0, false));
                    all.put(payload, f);
                    try {
                        f.get(20, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.TimeoutException e) {
                        stuck.incrementAndGet();
                        return;
                    } catch (Exception e) {
                        // failed: allowed, if it is not sent later
                    }
                }
            }, "publisher-" + t);
            p.setDaemon(true);
            publishers.add(p);
            p.start();
        }
        String connect = model.equals("sim7600") ? "AT+CMQTTCONNECT=" : "AT+QMTCONN=";
        for (int drop = 0; drop < 15; drop++) {
            await().atMost(Duration.ofSeconds(20)).until(() -> client.state() == MqttClientState.CONNECTED);
            long connects = sim.commandLog().stream().filter(c -> c.startsWith(connect)).count();
            sim.dropNetwork(0);
            // Reconnecting may take less than a poll: count the CONNECTs instead of watching the state.
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> sim.commandLog().stream().filter(c -> c.startsWith(connect)).count() > connects);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> client.state() == MqttClientState.CONNECTED);
        publishing.set(false);
        for (Thread p : publishers) {
            p.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(stuck).as("publishes that never ended").hasValue(0);
        assertThat(publishers).noneMatch(Thread::isAlive);
        assertThatCode(() -> client.stop().get(15, TimeUnit.SECONDS)).as("stop after the losses").doesNotThrowAnyException();

        // At most once: every payload the broker saw, it saw once.
        Map<String, Integer> seen = new HashMap<>();
        checker.on("load/q0").forEach(r -> seen.merge(new String(r.payload(), StandardCharsets.US_ASCII), 1, Integer::sum));
        assertThat(seen).allSatisfy((payload, times) -> assertThat(times).as(payload).isEqualTo(1));
        // And no publish was left hanging.
        assertThat(all.values()).allMatch(CompletableFuture::isDone);
    }
}
