package io.cellmqtt.bench;

import io.cellmqtt.e2e.MoquetteBroker;
import io.cellmqtt.simulator.SimulatedModem;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many QoS 1 publishes per second one producer endpoint sustains through jSerialComm, a PTY,
 * the simulated BG95 and an embedded broker, for each in-flight window. Prints its figures; run:
 *
 * <pre>
 * mvn -pl camel-quectel-mqtt -am -DskipTests install
 * mvn -pl camel-quectel-mqtt exec:java -Dcellmqtt.exec.skip=false -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.cellmqtt.bench.PublishThroughputBenchmark [-Dbench.messages=3000 -Dbench.latencyMs=0]
 * </pre>
 *
 * Every publish's exchange must complete without error and every message must reach an
 * independent subscriber, or the run fails: a fast wrong answer is not a figure.
 */
public final class PublishThroughputBenchmark {

    public static void main(String[] args) throws Exception {
        int messages = Integer.getInteger("bench.messages", 3000);
        int warmup = Integer.getInteger("bench.warmup", 300);
        int latencyMs = Integer.getInteger("bench.latencyMs", 0);
        int payloadSize = Integer.getInteger("bench.payload", 64);
        MoquetteBroker broker = new MoquetteBroker();
        broker.start();
        SimulatedModem modem = SimulatedModem.bg95();
        modem.setNetworkLatency(Duration.ofMillis(latencyMs));
        String tty = modem.openPty();
        String brokerUrl = broker.url();

        MqttClient checker = new MqttClient(brokerUrl, "bench-checker", new MemoryPersistence());
        checker.connect();
        AtomicInteger arrived = new AtomicInteger();
        AtomicReference<CountDownLatch> allArrived = new AtomicReference<>(new CountDownLatch(0));
        checker.subscribe("bench/+/run", 1, (t, m) -> {
            arrived.incrementAndGet();
            allArrived.get().countDown();
        });

        System.out.printf("QoS 1 publish throughput, %d-byte payloads, %d messages per run, simulator latency %d ms%n",
                payloadSize, messages, latencyMs);
        byte[] payload = new byte[payloadSize];
        java.util.Arrays.fill(payload, (byte) 'x');
        try {
            for (int window : new int[] {1, 5}) {
                CamelContext camel = new DefaultCamelContext();
                camel.start();
                ProducerTemplate template = camel.createProducerTemplate();
                // All publishes are handed over at once and wait their turn: their deadline must cover the whole run
                // (3000 one at a time behind a 50 ms round trip take longer than the default 60 s), and the client must
                // hold them all (maxPendingPublishes, 1000 by default, would refuse the rest at once).
                String options = "?serialPort=" + tty + "&brokerUrl=" + brokerUrl + "&qos=1&inflightWindow=" + window
                        + "&publishTimeout=900000&maxPendingPublishes=" + Math.max(messages, warmup);
                String uri = "cellmqtt:bench/w" + window + "/run" + options;
                run(template, "cellmqtt:bench/w" + window + "/warmup" + options, payload, warmup);
                arrived.set(0);
                allArrived.set(new CountDownLatch(messages));
                long start = System.nanoTime();
                run(template, uri, payload, messages);
                double seconds = (System.nanoTime() - start) / 1e9;
                if (!allArrived.get().await(30, TimeUnit.SECONDS) || arrived.get() != messages) {
                    throw new IllegalStateException("only " + arrived.get() + " of " + messages + " arrived");
                }
                System.out.printf("inflightWindow=%d: %.0f publishes/s (%d in %.2f s; all %d arrived at the subscriber)%n",
                        window, messages / seconds, messages, seconds, arrived.get());
                camel.close();
            }
        } finally {
            checker.disconnect();
            checker.close();
            modem.close();
            broker.stop();
        }
    }

    /** Sends {@code n} publishes without waiting for each; returns when all completed. */
    private static void run(ProducerTemplate template, String uri, byte[] payload, int n) throws Exception {
        List<CompletableFuture<Exchange>> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] body = payload.clone();
            byte[] seq = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(seq, 0, body, 0, Math.min(seq.length, body.length));
            all.add(template.asyncSend(uri, e -> e.getMessage().setBody(body)));
        }
        for (CompletableFuture<Exchange> f : all) {
            Exchange e = f.get(120, TimeUnit.SECONDS);
            if (e.getException() != null) {
                throw new IllegalStateException("publish failed", e.getException());
            }
        }
    }
}
