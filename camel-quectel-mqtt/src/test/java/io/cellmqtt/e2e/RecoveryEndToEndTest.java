package io.cellmqtt.e2e;

import io.cellmqtt.simulator.SimulatedModem;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeTimedOutException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 6, failures 2, 3 and 8 through every real part (Camel, jSerialComm, a PTY, the simulated
 * BG95, Moquette, an independent Paho client): a publish whose exchange timed out is never sent
 * afterwards; a USB modem that vanishes and comes back under the same path is used again; and a
 * route that blocks after a failed publish stalls no other route's timeout.
 */
class RecoveryEndToEndTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String FAST_RECOVERY = "&reconnectDelay=100&maxReconnectDelay=500";

    MoquetteBroker broker;
    SimulatedModem modem;
    SimulatedModem replacement;
    CamelContext camel;
    ProducerTemplate template;
    CheckingClient checker;
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        broker = new MoquetteBroker();
        broker.start();
        modem = SimulatedModem.bg95();
        camel = new DefaultCamelContext();
        camel.start();
        template = camel.createProducerTemplate();
        dir = Files.createTempDirectory("cellmqtt-usb");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (checker != null) {
            checker.close();
        }
        camel.close();
        modem.close();
        if (replacement != null) {
            replacement.close();
        }
        broker.stop();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    String uri(String port, String topic, String options) {
        return "cellmqtt:" + topic + "?serialPort=" + port + "&brokerUrl=" + broker.url() + FAST_RECOVERY + options;
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aPublishWhoseExchangeTimedOutIsNeverSentAfterTheReconnect() throws Exception {
        String pty = modem.openPty();
        String topic = "ghost/" + UUID.randomUUID();
        Exchange before = template.request(uri(pty, topic, "&qos=1&retained=true&publishTimeout=20000"),
                e -> e.getMessage().setBody("before"));
        assertThat(before.getException()).isNull();

        broker.stop(); // the connection drops; reconnecting fails while the broker is away
        Exchange ghost = template.request(uri(pty, topic, "&qos=1&retained=true&publishTimeout=1500"),
                e -> e.getMessage().setBody("ghost"));
        assertThat(ghost.getException()).isInstanceOf(ExchangeTimedOutException.class);

        broker.start(); // in memory: it comes back empty, retained messages included
        String marker = topic + "/marker";
        Exchange after = template.request(uri(pty, marker, "&qos=1&retained=true&publishTimeout=20000"),
                e -> e.getMessage().setBody("after"));
        assertThat(after.getException()).isNull();

        // Same client, first in first out: had the ghost been sent after the reconnect, it would
        // have reached the broker before the marker, and be retained there now.
        checker = new CheckingClient(broker, "checker-" + UUID.randomUUID());
        checker.subscribe(topic + "/#", 1).subscribe(topic, 1);
        await().atMost(WAIT).until(() -> checker.on(marker).size() == 1);
        assertThat(checker.on(topic)).isEmpty();
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aUsbModemThatVanishesAndComesBackUnderTheSamePathIsUsedAgain() throws Exception {
        Path port = dir.resolve("ttyUSB2");
        Files.createSymbolicLink(port, Path.of(modem.openPty()));
        checker = new CheckingClient(broker, "checker-" + UUID.randomUUID());
        checker.subscribe("usb/#", 1);
        Exchange one = template.request(uri(port.toString(), "usb/t", "&qos=1&publishTimeout=5000"),
                e -> e.getMessage().setBody("one"));
        assertThat(one.getException()).isNull();

        // Unplugged: the device node goes away; re-enumerated: the same path names a new device.
        modem.close();
        Files.delete(port);
        replacement = SimulatedModem.bg95();
        Files.createSymbolicLink(port, Path.of(replacement.openPty()));

        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> template.request(
                uri(port.toString(), "usb/t", "&qos=1&publishTimeout=3000"),
                e -> e.getMessage().setBody("two")).getException() == null);
        await().atMost(WAIT).until(() -> checker.on("usb/t").stream()
                .anyMatch(r -> new String(r.payload(), StandardCharsets.UTF_8).equals("two")));

        // A route started after the loss gets the modem that came back, not a dead one.
        List<Exchange> got = new CopyOnWriteArrayList<>();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri(port.toString(), "usb/cmd", "")).routeId("late").process(got::add);
            }
        });
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
            checker.publish("usb/cmd", "go".getBytes(StandardCharsets.UTF_8), 1, false);
            return !got.isEmpty();
        });
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aRouteBlockingAfterAFailedPublishStallsNoOtherRoutesTimeout() throws Exception {
        String pty = modem.openPty();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:a").doTry().to(uri(pty, "stall/a", "&qos=1&publishTimeout=300"))
                        .doCatch(Exception.class).process(e -> {
                            blocked.countDown();
                            release.await(); // a slow step in the failed exchange's route
                        }).end();
                from("direct:b").to(uri(pty, "stall/b", "&qos=1&publishTimeout=300"));
            }
        });
        // Connected first (a route does not wait for the broker, and 300 ms may be too short for the first
        // connect on a busy machine: warm up until one is acknowledged), then the broker stops answering.
        await().atMost(WAIT).until(() -> template.request("direct:b", e -> e.getMessage().setBody("warm-up"))
                .getException() == null);
        modem.setNetworkLatency(Duration.ofSeconds(60));
        try {
            CompletableFuture<Exchange> a = template.asyncSend("direct:a", e -> e.getMessage().setBody("a"));
            assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Exchange> b = template.asyncSend("direct:b", e -> e.getMessage().setBody("b"));
            // b's own 300 ms timeout still fires while a's route blocks.
            assertThat(b.get(5, TimeUnit.SECONDS).getException()).isInstanceOf(ExchangeTimedOutException.class);
            release.countDown();
            a.get(5, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            modem.setNetworkLatency(Duration.ZERO);
        }
    }
}
