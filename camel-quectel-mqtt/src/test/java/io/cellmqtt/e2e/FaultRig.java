package io.cellmqtt.e2e;

import io.cellmqtt.simulator.SimulatedModem;
import org.apache.camel.AsyncProducer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.service.ServiceHelper;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One simulated modem behind its USB port, a recording Moquette, a Camel context with two
 * producer routes on one modem client (index 0: a numbered QoS 1 sequence on {@code q1}, a
 * numbered QoS 0 sequence on {@code q0}) and a consumer route on another client of the same modem
 * (index 1, filter {@code cmd/#}), and an independent Paho client subscribed to everything. Both
 * clients have a will. The health of the producer and of the consumer is watched all the time.
 *
 * <p>Each publish goes through its route; the route itself records whether the exchange succeeded
 * (the modem reported the broker's acknowledgement) or failed (its error handler takes it, no
 * redelivery), so what counts as acknowledged is exactly what a route would have been told.
 */
final class FaultRig implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String FAST_RECOVERY = "&reconnectDelay=100&maxReconnectDelay=1000";

    /** What became of one numbered publish. */
    record Outcome(int qos, int n, long sentNanos, long doneNanos, Exception failure) {
        boolean acknowledged() {
            return failure == null;
        }
    }

    final String model;
    final RecordingMoquette broker;
    final String prefix;
    final String q1Topic;
    final String q0Topic;
    final String cmdTopic;
    final String prodWill;
    final String consWill;
    final String prodClientId;
    final String consClientId;
    final long publishTimeoutMs;

    SimulatedModem modem;
    String port;
    DefaultCamelContext camel;
    HealthWatch health;
    String producerCheck;
    String consumerCheck;
    /** Every Paho checker made, the live one last: a broker restart disconnects one, and a new one takes over. */
    final List<CheckingClient> checkers = new CopyOnWriteArrayList<>();
    /** When each checker was subscribed, and when the broker it listened to was stopped (else Long.MAX_VALUE). */
    private final Map<CheckingClient, long[]> windows = new ConcurrentHashMap<>();
    final List<Exchange> commands = new CopyOnWriteArrayList<>();
    /** Outcomes by "qos-n", as the routes recorded them. */
    final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final Map<Integer, AsyncProducer> producers = new HashMap<>();

    FaultRig(String model, RecordingMoquette broker, long publishTimeoutMs) {
        this.model = model;
        this.broker = broker;
        this.publishTimeoutMs = publishTimeoutMs;
        String run = UUID.randomUUID().toString().substring(0, 8);
        this.prefix = "rig/" + model + "/" + run;
        this.q1Topic = prefix + "/q1";
        this.q0Topic = prefix + "/q0";
        this.cmdTopic = prefix + "/cmd";
        this.prodWill = prefix + "/will/producer";
        this.consWill = prefix + "/will/consumer";
        this.prodClientId = "prod-" + model + "-" + run;
        this.consClientId = "cons-" + model + "-" + run;
    }

    String common() {
        return "serialPort=" + port + "&brokerUrl=" + broker.url() + FAST_RECOVERY;
    }

    String producerUri(int qos) {
        return "cellmqtt:" + (qos == 1 ? q1Topic : q0Topic) + "?" + common() + "&clientId=" + prodClientId
                + "&clientIndex=0&publishTimeout=" + publishTimeoutMs + "&willTopic=" + prodWill
                + "&willPayload=producer-gone&willQos=1&qos=" + qos;
    }

    String consumerUri() {
        return "cellmqtt:" + cmdTopic + "/#?" + common() + "&clientId=" + consClientId
                + "&clientIndex=1&qos=1&willTopic=" + consWill + "&willPayload=consumer-gone&willQos=1";
    }

    /** Opens the modem's USB port, starts the routes and waits for both health checks to say UP. */
    FaultRig start() throws Exception {
        modem = SimulatedModem.of(model);
        port = modem.openUsbPort();
        camel = new DefaultCamelContext();
        camel.getShutdownStrategy().setTimeout(30);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                for (int qos = 0; qos <= 1; qos++) {
                    int q = qos;
                    from("direct:q" + qos).routeId("q" + qos)
                            // A failed exchange is recorded as failed and ends: no redelivery.
                            .onException(Exception.class).handled(true)
                                .process(e -> done(q, e, e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class)))
                            .end()
                            .to(producerUri(qos))
                            .process(e -> done(q, e, null));
                }
                from(consumerUri()).routeId("cmd").process(commands::add);
            }
        });
        camel.start();
        for (int qos = 0; qos <= 1; qos++) {
            Endpoint direct = camel.getEndpoint("direct:q" + qos);
            AsyncProducer p = direct.createAsyncProducer();
            ServiceHelper.startService(p);
            producers.put(qos, p);
        }
        producerCheck = "producer:" + org.apache.camel.util.URISupport.sanitizeUri(camel.getEndpoint(producerUri(1)).getEndpointUri());
        consumerCheck = "consumer:cmd";
        HealthCheckRegistry registry = HealthCheckRegistry.get(camel);
        registry.getRepository("producers").ifPresent(r -> r.setEnabled(true)); // off by default in Camel
        Map<String, HealthCheck> checks = new LinkedHashMap<>();
        checks.put(producerCheck, registry.stream().filter(c -> c.getId().equals(producerCheck)).findFirst().orElseThrow());
        checks.put(consumerCheck, registry.stream().filter(c -> c.getId().equals(consumerCheck)).findFirst().orElseThrow());
        health = new HealthWatch(checks);
        health.awaitAllUp(WAIT);
        newChecker();
        return this;
    }

    /** A new Paho checker subscribed to everything under the rig's prefix (after a broker restart). */
    CheckingClient newChecker() throws Exception {
        CheckingClient c = new CheckingClient(broker, "checker-" + UUID.randomUUID());
        c.subscribe(prefix + "/#", 1);
        windows.put(c, new long[] {System.nanoTime(), Long.MAX_VALUE});
        checkers.add(c);
        return c;
    }

    /** Stops the broker; the live checker's window ends here (what is published from now on it cannot see). */
    void stopBroker() {
        for (long[] w : windows.values()) {
            w[1] = Math.min(w[1], System.nanoTime());
        }
        broker.stop();
    }

    /**
     * True when a checker was subscribed for the whole life of this publish, from before its exchange
     * started to after it was acknowledged: that checker must have received it.
     */
    private boolean watched(Outcome o) {
        for (long[] w : windows.values()) {
            if (w[0] < o.sentNanos() && o.doneNanos() < w[1]) {
                return true;
            }
        }
        return false;
    }

    CheckingClient checker() {
        return checkers.get(checkers.size() - 1);
    }

    private void done(int qos, Exchange e, Exception failure) {
        int n = e.getMessage().getHeader("seq", Integer.class);
        long sent = sentAt.getOrDefault(qos + "-" + n, 0L);
        outcomes.put(qos + "-" + n, new Outcome(qos, n, sent, System.nanoTime(), failure));
    }

    static String payload(int qos, int n) {
        return "q" + qos + "-" + n;
    }

    /** Sends number {@code n} through route {@code q<qos>}; completes when the exchange is done, however it ended. */
    CompletableFuture<Exchange> send(int qos, int n) {
        AsyncProducer p = producers.get(qos);
        Exchange ex = p.getEndpoint().createExchange();
        ex.getMessage().setHeader("seq", n);
        ex.getMessage().setBody(payload(qos, n).getBytes(StandardCharsets.UTF_8));
        sentAt.put(qos + "-" + n, System.nanoTime());
        CompletableFuture<Exchange> f = new CompletableFuture<>();
        p.process(ex, doneSync -> f.complete(ex));
        return f;
    }

    /** Sends and waits for the exchange to end (at most the publish timeout and a margin); returns its outcome. */
    Outcome sendAndWait(int qos, int n) throws Exception {
        send(qos, n).get(publishTimeoutMs + 10_000, java.util.concurrent.TimeUnit.MILLISECONDS);
        return outcomes.get(qos + "-" + n);
    }

    /** Numbers whose exchange succeeded, per QoS. */
    Set<Integer> acknowledged(int qos) {
        Set<Integer> s = new TreeSet<>();
        outcomes.values().stream().filter(o -> o.qos() == qos && o.acknowledged()).forEach(o -> s.add(o.n()));
        return s;
    }

    Set<Integer> failed(int qos) {
        Set<Integer> s = new TreeSet<>();
        outcomes.values().stream().filter(o -> o.qos() == qos && !o.acknowledged()).forEach(o -> s.add(o.n()));
        return s;
    }

    /** How many times each number of {@code qos} reached the broker from the producer's client. */
    Map<Integer, Integer> atBroker(int qos) {
        String topic = qos == 1 ? q1Topic : q0Topic;
        Map<Integer, Integer> m = new HashMap<>();
        for (RecordingMoquette.Accepted a : broker.on(topic)) {
            m.merge(number(qos, a.text()), 1, Integer::sum);
        }
        return m;
    }

    /** How many times each number of {@code qos} reached the Paho checkers. */
    Map<Integer, Integer> atCheckers(int qos) {
        String topic = qos == 1 ? q1Topic : q0Topic;
        Map<Integer, Integer> m = new HashMap<>();
        for (CheckingClient c : checkers) {
            for (CheckingClient.Received r : c.on(topic)) {
                m.merge(number(qos, new String(r.payload(), StandardCharsets.UTF_8)), 1, Integer::sum);
            }
        }
        return m;
    }

    /** The number a payload carries; -1 for a payload this rig never published (a forged or corrupted message). */
    static int number(int qos, String payload) {
        String head = "q" + qos + "-";
        if (!payload.startsWith(head)) {
            return -1;
        }
        try {
            return Integer.parseInt(payload.substring(head.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Publishes a command from the independent side and waits until the consumer route has it. */
    void commandReachesConsumer(String text) throws Exception {
        String topic = cmdTopic + "/" + text;
        checker().publish(topic, text.getBytes(StandardCharsets.UTF_8), 1, false);
        await("command " + text + " at the consumer route").atMost(WAIT).until(() -> commands.stream()
                .anyMatch(e -> topic.equals(e.getMessage().getHeader("CamelCellMqttTopic"))));
        Exchange got = commands.stream().filter(e -> topic.equals(e.getMessage().getHeader("CamelCellMqttTopic")))
                .findFirst().orElseThrow();
        assertThat(got.getMessage().getBody(byte[].class)).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The delivery rules, checked against the broker's own record and the Paho checkers: every
     * QoS 1 number acknowledged to its route reached the broker and the checkers (waiting, bounded,
     * for the last ones to arrive); no QoS 0 number reached the broker twice; nothing reached the
     * broker on the producer's topics that the routes never published.
     */
    void assertDelivery() {
        Set<Integer> acked1 = acknowledged(1);
        Set<Integer> watched1 = new TreeSet<>();
        outcomes.values().stream().filter(o -> o.qos() == 1 && o.acknowledged() && watched(o))
                .forEach(o -> watched1.add(o.n()));
        await("every acknowledged QoS 1 number at the broker and at the checker that watched it")
                .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> {
                    assertThat(atBroker(1).keySet()).as("acknowledged QoS 1 numbers the broker never accepted")
                            .containsAll(acked1);
                    assertThat(atCheckers(1).keySet()).as("acknowledged QoS 1 numbers the checker never got")
                            .containsAll(watched1);
                });
        Map<Integer, Integer> q0 = atBroker(0);
        assertThat(q0).as("QoS 0 numbers the broker got more than once")
                .allSatisfy((n, times) -> assertThat(times).as("q0-%d", n).isEqualTo(1));
        assertThat(atCheckers(0)).as("QoS 0 numbers a checker got more than once")
                .allSatisfy((n, times) -> assertThat(times).as("q0-%d", n).isEqualTo(1));
        assertThat(atBroker(1).keySet()).as("QoS 1 payloads the routes never published").doesNotContain(-1);
        assertThat(q0.keySet()).as("QoS 0 payloads the routes never published").doesNotContain(-1);
        assertThat(atBroker(1).keySet()).as("numbers that reached the broker were all sent")
                .allSatisfy(n -> assertThat(outcomes).containsKey("1-" + n));
    }

    /** Commands the consumer route got that the independent side never published (forged or corrupted). */
    List<String> unexpectedCommands(Set<String> published) {
        List<String> odd = new ArrayList<>();
        for (Exchange e : commands) {
            String topic = e.getMessage().getHeader("CamelCellMqttTopic", String.class);
            String body = new String(e.getMessage().getBody(byte[].class), StandardCharsets.UTF_8);
            if (topic == null || !published.contains(topic + "=" + body)) {
                odd.add(topic + "=" + body);
            }
        }
        return odd;
    }

    long count(String commandPrefix) {
        return modem.commandLog().stream().filter(c -> c.startsWith(commandPrefix)).count();
    }

    /** The threads serving this rig's modem in the component (its event loop and its port reader). */
    long modemThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().contains(String.valueOf(port)) || t.getName().contains("CellMqttLoop")
                        || t.getName().contains("CellMqttReader"))
                .count();
    }

    /** Stops Camel (routes, clients, modem), the health watch, the simulator and the checkers; not the broker. */
    @Override
    public void close() {
        if (health != null) {
            health.close();
        }
        for (AsyncProducer p : producers.values()) {
            try {
                ServiceHelper.stopService(p);
            } catch (RuntimeException e) {
                // stopping anyway
            }
        }
        if (camel != null) {
            try {
                camel.close();
            } catch (Exception e) {
                throw new IllegalStateException("stopping Camel failed", e);
            }
        }
        if (modem != null) {
            modem.close();
        }
        for (CheckingClient c : checkers) {
            try {
                c.close();
            } catch (Exception e) {
                // a checker the broker restart disconnected: nothing to close
            }
        }
    }
}
