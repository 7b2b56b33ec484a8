package io.cellmqtt.e2e;

import io.cellmqtt.simulator.SimulatedModem;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Issue 6's lifecycle points through every real part: a route's stop releases what it used and the
 * last user's stop disconnects and closes the port; a route that fails to start leaves no thread
 * or open port behind; a context restarts twice in a row; stopping in the middle of a reconnect
 * finishes within a bound; a modem costs two threads, whatever the number of routes and clients.
 */
class LifecycleTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    MoquetteBroker broker;
    SimulatedModem modem;
    String pty;
    CamelContext camel;
    ProducerTemplate template;

    @BeforeEach
    void setUp() throws Exception {
        broker = new MoquetteBroker();
        broker.start();
        modem = SimulatedModem.bg95();
        pty = modem.openPty();
        camel = new DefaultCamelContext();
        camel.start();
        template = camel.createProducerTemplate();
    }

    @AfterEach
    void tearDown() throws Exception {
        camel.close();
        modem.close();
        broker.stop();
    }

    String uri(String topic, String options) {
        return "cellmqtt:" + topic + "?serialPort=" + pty + "&brokerUrl=" + broker.url()
                + "&reconnectDelay=100&maxReconnectDelay=500" + options;
    }

    void consume(String routeId, String filter, List<Exchange> into) throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri(filter, "")).routeId(routeId).process(into::add);
            }
        });
        RouteHealth.awaitSubscribed(camel, routeId, WAIT);
    }

    /** This JVM's file descriptors open on {@code path} (e.g. the host's end of the PTY). */
    static long openDescriptors(String path) throws IOException {
        Path target = Path.of(path).toRealPath();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(target);
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            }).count();
        }
    }

    /** The threads of this component's modems (loop and port reader), by the names Camel gives them. */
    static List<String> modemThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.contains("CellMqttLoop") || n.contains("CellMqttReader")).sorted().toList();
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void stoppingARouteReleasesItsSubscriptionAndTheLastOneDisconnectsAndClosesThePort() throws Exception {
        long descriptorsBefore = openDescriptors(pty);
        List<Exchange> a = new CopyOnWriteArrayList<>();
        List<Exchange> b = new CopyOnWriteArrayList<>();
        consume("a", "life/a", a);
        consume("b", "life/b", b);
        assertThat(openDescriptors(pty)).isEqualTo(descriptorsBefore + 1);

        camel.getRouteController().stopRoute("a");
        assertThat(modem.commandLog()).anyMatch(c -> c.startsWith("AT+QMTUNS=") && c.contains("\"life/a\""));
        assertThat(modem.commandLog()).noneMatch(c -> c.startsWith("AT+QMTDISC="));
        // The other route keeps the shared client and its subscription.
        assertThat(RouteHealth.consumer(camel, "b").call().getState())
                .isEqualTo(org.apache.camel.health.HealthCheck.State.UP);

        camel.getRouteController().stopRoute("b");
        List<String> log = modem.commandLog();
        assertThat(log).anyMatch(c -> c.startsWith("AT+QMTUNS=") && c.contains("\"life/b\""));
        assertThat(log.stream().filter(c -> c.startsWith("AT+QMTDISC=")).count()).isOne();
        assertThat(log.stream().filter(c -> c.startsWith("AT+QMTCLOSE=")).count()).isOne();
        assertThat(log.indexOf(log.stream().filter(c -> c.startsWith("AT+QMTDISC=")).findFirst().orElseThrow()))
                .isLessThan(log.indexOf(log.stream().filter(c -> c.startsWith("AT+QMTCLOSE=")).findFirst().orElseThrow()));
        assertThat(openDescriptors(pty)).isEqualTo(descriptorsBefore);
        await().atMost(WAIT).until(() -> modemThreads().isEmpty());
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aRouteThatFailsToStartLeavesNoThreadAndNoOpenPortBehind() throws Exception {
        long descriptorsBefore = openDescriptors(pty);
        // The modem says nothing: bring-up gives up after its ten AT attempts.
        modem.faults().silence(Duration.ofSeconds(30));
        assertThatThrownBy(() -> camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:dead").routeId("dead").to(uri("life/dead", ""));
            }
        })).hasStackTraceContaining("no answer to AT");
        assertThat(openDescriptors(pty)).isEqualTo(descriptorsBefore);
        await().atMost(WAIT).until(() -> modemThreads().isEmpty());

        // A port that does not exist: refused before anything is opened, naming what exists.
        assertThatThrownBy(() -> camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:missing").routeId("missing")
                        .to("cellmqtt:life/m?serialPort=/dev/ttyUSB-missing-" + UUID.randomUUID()
                                + "&brokerUrl=" + broker.url());
            }
        })).hasStackTraceContaining("not found");
        await().atMost(WAIT).until(() -> modemThreads().isEmpty());
    }

    /** An application restarted in the same JVM (a redeploy): each context finds the port free and leaves it so. */
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aContextRestartsTwiceInARow() throws Exception {
        String topic = "life/restart/" + UUID.randomUUID();
        camel.close();
        try (CheckingClient checker = new CheckingClient(broker, "checker-" + UUID.randomUUID())) {
            checker.subscribe(topic, 1);
            for (int round = 0; round < 3; round++) {
                camel = new DefaultCamelContext();
                camel.addRoutes(new RouteBuilder() {
                    @Override
                    public void configure() {
                        from("direct:pub").to(uri(topic, "&qos=1&publishTimeout=15000"));
                    }
                });
                camel.start();
                String body = "round " + round;
                assertThat(camel.createProducerTemplate().request("direct:pub", e -> e.getMessage().setBody(body))
                        .getException()).isNull();
                int expected = round + 1;
                await().atMost(WAIT).until(() -> checker.on(topic).size() == expected);
                camel.close();
                await().atMost(WAIT).until(() -> modemThreads().isEmpty());
            }
        }
        assertThat(modem.commandLog().stream().filter(c -> c.startsWith("AT+QMTDISC=")).count()).isEqualTo(3);
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void stoppingWhileTheClientReconnectsFinishesWithinABound() throws Exception {
        List<Exchange> got = new CopyOnWriteArrayList<>();
        consume("cmd", "life/cmd", got);
        long opensBefore = modem.commandLog().stream().filter(c -> c.startsWith("AT+QMTOPEN=")).count();
        broker.stop(); // the connection drops and every reopen fails while the broker is away
        await().atMost(WAIT).until(
                () -> modem.commandLog().stream().filter(c -> c.startsWith("AT+QMTOPEN=")).count() > opensBefore + 1);
        long start = System.nanoTime();
        camel.stop();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(tookMs).as("stop while reconnecting, ms").isLessThan(15_000);
        await().atMost(WAIT).until(() -> modemThreads().isEmpty());
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aModemCostsTwoThreadsWhateverTheNumberOfRoutesAndClients() throws Exception {
        List<Exchange> got = new CopyOnWriteArrayList<>();
        consume("one", "life/one", got);
        consume("two", "life/two", got);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // A second client (another client id) and a third, on the same modem.
                from("direct:x").to(uri("life/x", "&clientId=other-" + UUID.randomUUID()));
                from("direct:y").to(uri("life/y", "&clientId=third-" + UUID.randomUUID()));
            }
        });
        assertThat(template.request("direct:x", e -> e.getMessage().setBody("x")).getException()).isNull();
        assertThat(template.request("direct:y", e -> e.getMessage().setBody("y")).getException()).isNull();
        assertThat(modemThreads()).hasSize(2).anyMatch(n -> n.contains("CellMqttLoop " + pty))
                .anyMatch(n -> n.contains("CellMqttReader " + pty));
    }

    /**
     * More publishes at once than Camel's default thread pool profile queues (1000): each holds a
     * timer on the modem's loop, and the loop must take them all (before, its scheduled executor came
     * from the default profile, refused the 1001st task, and silently dropped bytes read from the port
     * and timers with it: the client then waited forever for results it had been sent). The client's
     * own bound (maxPendingPublishes, 1000 by default) would refuse most of the burst before it reached
     * the loop: it is raised here, for the loop is what this is about.
     */
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aBurstOfPublishesLargerThanCamelsDefaultQueueAllComplete() throws Exception {
        String topic = "life/burst/" + UUID.randomUUID();
        String endpoint = uri(topic, "&qos=1&publishTimeout=60000&maxPendingPublishes=5000");
        List<java.util.concurrent.CompletableFuture<Exchange>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            String body = Integer.toString(i);
            all.add(template.asyncSend(endpoint, e -> e.getMessage().setBody(body)));
        }
        for (java.util.concurrent.CompletableFuture<Exchange> f : all) {
            assertThat(f.get(90, TimeUnit.SECONDS).getException()).isNull();
        }
    }
}
