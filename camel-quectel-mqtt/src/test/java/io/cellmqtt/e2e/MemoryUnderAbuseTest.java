package io.cellmqtt.e2e;

import io.cellmqtt.modem.ModemBackedUpException;
import io.cellmqtt.modem.ModemProfile;
import io.cellmqtt.simulator.SimulatedModem;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10, memory under abuse, through every real part (Camel, jSerialComm, a PTY, the simulated
 * BG95, Moquette, an independent Paho client): a route that blocks while the broker floods its
 * client with messages of the model's largest size, and a producer that keeps publishing the
 * largest messages while the broker is away. The heap (used, after collections) stays under what
 * the bounds allow, and what was dropped or refused is exactly what the bounds imply.
 *
 * <p>The bound asserted is {@code (entries the bound lets the client hold) x (payload + a per-entry
 * allowance of 2 KiB for the objects around it)} plus a fixed margin of {@value #MARGIN_MIB} MiB for
 * what else a running JVM allocates and keeps between two measurements (log buffers, JIT-time
 * objects, Moquette's and Netty's state). Without the bounds the same runs grew the heap by 16.9 MiB
 * (the flood, under the old bound of 10,000 deliveries) and by 27 MiB (the outage, every publish queued
 * with its exchange): both fail here.
 */
class MemoryUnderAbuseTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final int PAYLOAD = ModemProfile.BG95.maxPayload();
    static final int PER_ENTRY = PAYLOAD + 2048;
    static final long MARGIN_MIB = 8;
    static final long MARGIN = MARGIN_MIB << 20;
    /** Messages the broker floods the blocked route's client with. */
    static final int FLOOD = 4000;
    static final int DELIVERY_BOUND = 20;
    /** Publishes made while the broker is away. */
    static final int OUTAGE_PUBLISHES = 3000;
    static final int PUBLISH_BOUND = 20;

    /** Plain Moquette for the flood (a recording one would keep the flood in this heap); recording for the outage. */
    TestBroker broker;
    SimulatedModem modem;
    String pty;
    CamelContext camel;
    org.eclipse.paho.client.mqttv3.MqttClient flooder;
    /** Lets the blocked route go on. */
    final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void setUp() throws Exception {
        modem = SimulatedModem.bg95();
        pty = modem.openPty();
        camel = new DefaultCamelContext();
        camel.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        release.countDown();
        if (flooder != null) {
            flooder.disconnect();
            flooder.close();
        }
        camel.close();
        modem.close();
        if (broker != null) {
            broker.stop();
        }
    }

    String uri(String topic, String options) {
        return "cellmqtt:" + topic + "?serialPort=" + pty + "&brokerUrl=" + broker.url()
                + "&reconnectDelay=100&maxReconnectDelay=500" + options;
    }

    /** The {@code n}th message: its number in the first four bytes, then filler up to the model's largest payload. */
    static byte[] numbered(int n) {
        byte[] b = new byte[PAYLOAD];
        ByteBuffer.wrap(b).putInt(n);
        return b;
    }

    static int numberOf(byte[] b) {
        return ByteBuffer.wrap(b).getInt();
    }

    /** Heap in use once collections no longer free anything: the least of samples that agree within 256 KiB. */
    static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        List<Long> samples = new ArrayList<>();
        await("the heap to settle").atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    System.gc();
                    samples.add(memory.getHeapMemoryUsage().getUsed());
                    int n = samples.size();
                    return n >= 3 && Math.abs(samples.get(n - 1) - samples.get(n - 2)) < 256 * 1024;
                });
        return samples.stream().mapToLong(Long::longValue).min().orElseThrow();
    }

    /** The numbers of the messages the broker accepted on {@code topic}, in order, a QoS 1 duplicate counted once. */
    static List<Integer> reached(RecordingMoquette broker, String topic) {
        return broker.on(topic).stream().map(a -> numberOf(a.payload())).distinct().toList();
    }

    static String mib(long bytes) {
        return String.format("%.2f MiB", bytes / 1048576.0);
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aBlockedRouteFloodedWithTheLargestMessagesHoldsOnlyTheBoundAndTheRestIsDroppedAndCounted() throws Exception {
        broker = new MoquetteBroker();
        broker.start();
        String topic = "abuse/in/" + UUID.randomUUID();
        CountDownLatch entered = new CountDownLatch(1);
        List<Integer> delivered = new CopyOnWriteArrayList<>();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri(topic, "&qos=1&maxPendingDeliveries=" + DELIVERY_BOUND)).routeId("blocked").process(e -> {
                    delivered.add(numberOf(e.getMessage().getBody(byte[].class)));
                    entered.countDown();
                    release.await(); // a route stuck on a slow backend
                });
            }
        });
        RouteHealth.awaitSubscribed(camel, "blocked", WAIT);
        HealthCheck check = RouteHealth.consumer(camel, "blocked");
        // Paho's own client: with its default window of 10 a QoS 1 publish may find the previous one's slot not yet free.
        flooder = new org.eclipse.paho.client.mqttv3.MqttClient(broker.url(), "flooder-" + UUID.randomUUID(),
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        org.eclipse.paho.client.mqttv3.MqttConnectOptions options = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
        options.setMaxInflight(1000);
        flooder.connect(options);
        long before = heapAfterGc();

        // The route takes the first message and blocks on it; then the flood.
        flooder.publish(topic, numbered(0), 1, false);
        assertThat(entered.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();
        for (int i = 1; i < FLOOD; i++) {
            flooder.publish(topic, numbered(i), 1, false);
        }
        // Every message reached the client: one in the route, the bound waiting, the rest dropped.
        await("the flood accounted for").atMost(WAIT).until(() -> {
            Map<String, Object> d = check.call().getDetails();
            return 1 + ((Number) d.get("pendingDeliveries")).longValue()
                   + ((Number) d.get("droppedDeliveries")).longValue() == FLOOD;
        });
        long floodMs = (System.nanoTime() - start) / 1_000_000;
        Map<String, Object> details = check.call().getDetails();
        long during = heapAfterGc();

        release.countDown();
        await().atMost(WAIT).until(() -> delivered.size() == 1 + DELIVERY_BOUND
                && ((Number) check.call().getDetails().get("pendingDeliveries")).intValue() == 0);
        long after = heapAfterGc();

        long allowed = (long) (DELIVERY_BOUND + 1) * PER_ENTRY + MARGIN;
        System.out.printf("memory under abuse, inbound: %d messages of %d bytes in %d ms to a blocked route with "
                + "maxPendingDeliveries=%d; heap before %s, during %s (+%s), after %s (+%s); allowed +%s "
                + "((%d + 1) x (%d + 2048) + %d MiB); delivered %d, dropped %s, pending %s%n", FLOOD, PAYLOAD, floodMs,
                DELIVERY_BOUND, mib(before), mib(during), mib(during - before), mib(after), mib(after - before),
                mib(allowed), DELIVERY_BOUND, PAYLOAD, MARGIN_MIB, delivered.size(), details.get("droppedDeliveries"),
                details.get("pendingDeliveries"));

        assertThat(details.get("pendingDeliveries")).isEqualTo(DELIVERY_BOUND);
        assertThat(details.get("droppedDeliveries")).isEqualTo((long) FLOOD - 1 - DELIVERY_BOUND);
        assertThat(details.get("unmatchedMessages")).isEqualTo(0L);
        // In arrival order: the one the route held, then the ones that waited; the newer ones were dropped.
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i <= DELIVERY_BOUND; i++) {
            expected.add(i);
        }
        assertThat(delivered).containsExactlyElementsOf(expected);
        assertThat(during - before).as("heap growth while the route was blocked").isLessThan(allowed);
        assertThat(after - before).as("heap growth after the route went on").isLessThan(MARGIN);
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void publishingTheLargestMessagesThroughALongOutageHoldsOnlyTheBoundAndRefusesTheRest() throws Exception {
        RecordingMoquette recording = new RecordingMoquette();
        broker = recording;
        broker.start();
        String topic = "abuse/out/" + UUID.randomUUID();
        String endpoint = uri(topic, "&qos=1&publishTimeout=60000&maxPendingPublishes=" + PUBLISH_BOUND);
        AsyncProducer producer = camel.getEndpoint(endpoint).createAsyncProducer();
        producer.start();
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger otherwise = new AtomicInteger();
        List<Throwable> refusals = new CopyOnWriteArrayList<>();
        Exchange warmUp = new DefaultExchange(camel);
        warmUp.getMessage().setBody(numbered(-1));
        CountDownLatch warm = new CountDownLatch(1);
        producer.process(warmUp, doneSync -> warm.countDown());
        assertThat(warm.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(warmUp.getException()).isNull();
        HealthCheckRegistry.get(camel).getRepository("producers").orElseThrow().setEnabled(true);
        HealthCheck check = HealthCheckRegistry.get(camel).stream()
                .filter(c -> c.getId().startsWith("producer:cellmqtt") && c.getId().contains(topic)).findFirst()
                .orElseThrow();
        long before = heapAfterGc();

        broker.stop(); // a long outage, for this test: every publish below is made while it lasts
        await("the client knows the broker is gone").atMost(WAIT)
                .until(() -> check.call().getState() == HealthCheck.State.DOWN);
        int accepted = 0;
        long start = System.nanoTime();
        for (int i = 0; i < OUTAGE_PUBLISHES; i++) {
            Exchange e = new DefaultExchange(camel);
            e.getMessage().setBody(numbered(i)); // a payload of its own, which the client would keep if it queued it
            boolean sync = producer.process(e, doneSync -> {
                if (e.getException() == null) {
                    acknowledged.incrementAndGet();
                } else if (e.getException() instanceof ModemBackedUpException) {
                    if (refused.incrementAndGet() == 1) {
                        refusals.add(e.getException());
                    }
                } else {
                    otherwise.incrementAndGet();
                }
            });
            if (!sync) {
                accepted++;
            }
        }
        long publishMs = (System.nanoTime() - start) / 1_000_000;
        long during = heapAfterGc();
        Map<String, Object> details = check.call().getDetails();

        broker.start();
        await("the accepted publishes acknowledged after the outage").atMost(WAIT)
                .until(() -> acknowledged.get() == PUBLISH_BOUND);
        // What reached the broker: the warm-up, then the first PUBLISH_BOUND, in order; none of the refused ever.
        List<Integer> expected = new ArrayList<>(List.of(-1));
        for (int i = 0; i < PUBLISH_BOUND; i++) {
            expected.add(i);
        }
        await().atMost(WAIT).until(() -> reached(recording, topic).size() == expected.size());
        long after = heapAfterGc();

        long allowed = (long) PUBLISH_BOUND * PER_ENTRY + MARGIN;
        System.out.printf("memory under abuse, outbound: %d publishes of %d bytes in %d ms while the broker was away, "
                + "maxPendingPublishes=%d; heap before %s, during %s (+%s), after %s (+%s); allowed +%s "
                + "(%d x (%d + 2048) + %d MiB); accepted %d, refused %d (ModemBackedUpException), rejectedPublishes %s;"
                + " reached the broker %d%n", OUTAGE_PUBLISHES, PAYLOAD, publishMs, PUBLISH_BOUND, mib(before),
                mib(during), mib(during - before), mib(after), mib(after - before), mib(allowed), PUBLISH_BOUND,
                PAYLOAD, MARGIN_MIB, accepted, refused.get(), details.get("rejectedPublishes"),
                reached(recording, topic).size() - 1);

        assertThat(otherwise).hasValue(0);
        assertThat(refused).hasValue(OUTAGE_PUBLISHES - PUBLISH_BOUND);
        assertThat(details.get("rejectedPublishes")).isEqualTo((long) OUTAGE_PUBLISHES - PUBLISH_BOUND);
        assertThat(refusals.get(0)).hasMessageContaining("is backed up: " + PUBLISH_BOUND + " publishes wait for it")
                .hasMessageContaining("maxPendingPublishes=" + PUBLISH_BOUND);
        assertThat(accepted).isEqualTo(PUBLISH_BOUND);
        assertThat(acknowledged).hasValue(PUBLISH_BOUND);
        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> reached(recording, topic).equals(expected));
        assertThat(during - before).as("heap growth during the outage").isLessThan(allowed);
        assertThat(after - before).as("heap growth after the outage").isLessThan(MARGIN);
    }
}
