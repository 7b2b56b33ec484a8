package io.cellmqtt.e2e;

import io.cellmqtt.camel.CellMqttConstants;
import io.cellmqtt.simulator.SimulatedModem;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Both directions through every real part: a Camel route, jSerialComm, a PTY, the simulated
 * BG95, a real broker, and an independent Paho client that checks what arrived.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EndToEndTestBase {
    static final Duration WAIT = Duration.ofSeconds(20);
    /** Every byte a quoted AT parameter or Ctrl+Z data mode would choke on, plus an injection attempt. */
    static final byte[] NASTY = "q\"c,cr\rlf\nsub\u001aesc\u001bnul\u0000\r\nAT+QPOWD\r\nend"
            .getBytes(StandardCharsets.ISO_8859_1);

    TestBroker broker;
    SimulatedModem modem;
    String pty;
    CamelContext camel;
    ProducerTemplate template;
    CheckingClient checker;

    abstract TestBroker newBroker() throws Exception;

    @BeforeAll
    void startBrokerAndModem() throws Exception {
        broker = newBroker();
        broker.start();
        modem = SimulatedModem.bg95();
        pty = modem.openPty();
    }

    @AfterAll
    void stopBrokerAndModem() {
        if (modem != null) {
            modem.close();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    @BeforeEach
    void startCamel() throws Exception {
        camel = new DefaultCamelContext();
        camel.start();
        template = camel.createProducerTemplate();
        checker = new CheckingClient(broker, "checker-" + UUID.randomUUID());
    }

    @AfterEach
    void stopCamel() throws Exception {
        if (camel != null) {
            camel.close();
        }
        if (checker != null) {
            checker.close();
        }
    }

    String uri(String topic, String options) {
        return "cellmqtt:" + topic + "?serialPort=" + pty + "&brokerUrl=" + broker.url() + options;
    }

    /** A consumer route on {@code filter} whose exchanges land in the returned list. */
    List<Exchange> consume(String routeId, String filter, String options) throws Exception {
        List<Exchange> got = new CopyOnWriteArrayList<>();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri(filter, options)).routeId(routeId).process(got::add);
            }
        });
        // The route starts without waiting for the broker; its health says when it is subscribed.
        RouteHealth.awaitSubscribed(camel, routeId, WAIT);
        return got;
    }

    static byte[] body(Exchange e) {
        return e.getMessage().getBody(byte[].class);
    }

    @Test
    void publishesWithQos012AndTheCheckerGetsTheExactBytes() throws Exception {
        checker.subscribe("e2e/pub/#", 2);
        for (int qos = 0; qos <= 2; qos++) {
            byte[] payload = ("reading " + qos + " " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
            Exchange out = template.request(uri("e2e/pub/q" + qos, "&qos=" + qos), e -> e.getMessage().setBody(payload));
            assertThat(out.getException()).isNull();
            assertThat(out.getMessage().getHeader(CellMqttConstants.CLIENT_INDEX, Integer.class)).isBetween(0, 5);
            String topic = "e2e/pub/q" + qos;
            int q = qos;
            await().atMost(WAIT).until(() -> checker.on(topic).size() == 1);
            assertThat(checker.on(topic).get(0).payload()).isEqualTo(payload);
            assertThat(checker.on(topic).get(0).qos()).isEqualTo(q);
        }
    }

    @Test
    void retainedMessagesReachLateSubscribers() throws Exception {
        String topic = "e2e/retained/" + UUID.randomUUID();
        template.sendBody(uri(topic, "&retained=true&qos=1"), "last-known-good");
        try (CheckingClient late = new CheckingClient(broker, "late-" + UUID.randomUUID())) {
            late.subscribe(topic, 1);
            await().atMost(WAIT).until(() -> late.on(topic).size() == 1);
            assertThat(new String(late.on(topic).get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("last-known-good");
            // Delivered to a subscription made after the publish completed: the broker retained it.
            if (broker.flagsRetainedDeliveries()) {
                assertThat(late.on(topic).get(0).retained()).isTrue();
            }
        }
    }

    @Test
    void receivesQos012WithTopicAndMessageIdHeaders() throws Exception {
        List<Exchange> got = consume("cmd", "e2e/cmd/+", "&qos=2");
        awaitSubscribed("e2e/cmd/+");
        for (int qos = 0; qos <= 2; qos++) {
            checker.publish("e2e/cmd/" + qos, ("command " + qos).getBytes(StandardCharsets.UTF_8), qos, false);
        }
        await().atMost(WAIT).until(() -> got.size() == 3);
        for (int qos = 0; qos <= 2; qos++) {
            String topic = "e2e/cmd/" + qos;
            Exchange e = got.stream().filter(x -> topic.equals(x.getMessage().getHeader(CellMqttConstants.TOPIC)))
                    .findFirst().orElseThrow();
            assertThat(body(e)).isEqualTo(("command " + qos).getBytes(StandardCharsets.UTF_8));
            int id = e.getMessage().getHeader(CellMqttConstants.MESSAGE_ID, Integer.class);
            if (qos == 0) {
                assertThat(id).isZero();
            } else {
                assertThat(id).isPositive();
            }
        }
    }

    @Test
    void bytesThatBreakOtherStacksArriveExactInBothDirectionsAndInjectNothing() throws Exception {
        List<Exchange> got = consume("nasty-in", "e2e/nasty/in", "&qos=1");
        awaitSubscribed("e2e/nasty/in");
        checker.subscribe("e2e/nasty/out", 1);
        template.sendBody(uri("e2e/nasty/out", "&qos=1"), NASTY);
        checker.publish("e2e/nasty/in", NASTY, 1, false);
        await().atMost(WAIT).until(() -> checker.on("e2e/nasty/out").size() == 1 && got.size() == 1);
        assertThat(checker.on("e2e/nasty/out").get(0).payload()).isEqualTo(NASTY);
        assertThat(body(got.get(0))).isEqualTo(NASTY);
        assertThat(modem.commandLog()).noneMatch(c -> c.toUpperCase().contains("QPOWD"));
        // Still alive and answering.
        template.sendBody(uri("e2e/nasty/out", "&qos=1"), "after");
        await().atMost(WAIT).until(() -> checker.on("e2e/nasty/out").size() == 2);
    }

    @Test
    void theModemWritingInRandomTinyChunksChangesNothing() throws Exception {
        List<Exchange> got = consume("chunked", "e2e/chunked/in", "&qos=1");
        checker.subscribe("e2e/chunked/out", 1);
        modem.setWriteChunking(20261122L, 3);
        try {
            for (int i = 0; i < 5; i++) {
                checker.publish("e2e/chunked/in", NASTY, 1, false);
                Exchange out = template.request(uri("e2e/chunked/out", "&qos=1"), e -> e.getMessage().setBody(NASTY));
                assertThat(out.getException()).isNull();
            }
            await().atMost(WAIT).until(() -> got.size() == 5 && checker.on("e2e/chunked/out").size() == 5);
        } finally {
            modem.setWriteChunking(0, 0);
        }
        assertThat(got).allSatisfy(e -> assertThat(body(e)).isEqualTo(NASTY));
        assertThat(checker.on("e2e/chunked/out")).allSatisfy(r -> assertThat(r.payload()).isEqualTo(NASTY));
    }

    @Test
    void threeConsumersWithOverlappingFiltersOnOneClientEachGetTheirOwn() throws Exception {
        List<Exchange> plus = consume("plus", "e2e/plant/+/cmd", "");
        List<Exchange> hash = consume("hash", "e2e/plant/#", "");
        List<Exchange> exact = consume("exact", "e2e/plant/7/cmd", "");
        awaitSubscribed("e2e/plant/+/cmd");
        awaitSubscribed("e2e/plant/#");
        awaitSubscribed("e2e/plant/7/cmd");
        checker.publish("e2e/plant/7/cmd", "a".getBytes(StandardCharsets.UTF_8), 1, false);
        checker.publish("e2e/plant/8/cmd", "b".getBytes(StandardCharsets.UTF_8), 1, false);
        checker.publish("e2e/plant/7/telemetry", "c".getBytes(StandardCharsets.UTF_8), 1, false);
        await().atMost(WAIT).until(() -> hash.size() == 3 && plus.size() == 2 && exact.size() == 1);
        assertThat(plus).extracting(e -> new String(body(e), StandardCharsets.UTF_8)).containsExactlyInAnyOrder("a", "b");
        assertThat(exact).extracting(e -> new String(body(e), StandardCharsets.UTF_8)).containsExactly("a");
        assertThat(hash).extracting(e -> new String(body(e), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("a", "b", "c");
        // One modem client served all three: every route reports the same index.
        assertThat(List.of(plus.get(0), hash.get(0), exact.get(0)))
                .extracting(e -> e.getMessage().getHeader(CellMqttConstants.CLIENT_INDEX))
                .containsOnly(plus.get(0).getMessage().getHeader(CellMqttConstants.CLIENT_INDEX));
    }

    @Test
    void aUrcArrivingBetweenACommandAndItsOkIsDeliveredAndTheReplyIsIntact() throws Exception {
        List<Exchange> got = consume("mid", "e2e/mid", "&qos=1");
        awaitSubscribed("e2e/mid");
        checker.subscribe("e2e/mid/out", 1);
        int index = clientIndexOfRoute();
        modem.injectBeforeNextOk("+QMTRECV: " + index + ",0,\"e2e/mid\",5,\"hello\"");
        Exchange out = template.request(uri("e2e/mid/out", "&qos=1"), e -> e.getMessage().setBody("payload"));
        assertThat(out.getException()).isNull();
        await().atMost(WAIT).until(() -> got.size() == 1 && checker.on("e2e/mid/out").size() == 1);
        assertThat(new String(body(got.get(0)), StandardCharsets.UTF_8)).isEqualTo("hello");
    }

    @Test
    void afterQmtstatTheClientReconnectsResubscribesAndMessagesFlow() throws Exception {
        List<Exchange> got = consume("re", "e2e/re/#", "&qos=1");
        awaitSubscribed("e2e/re/#");
        checker.subscribe("e2e/re-out", 1);
        long subscribesBefore = countCommands("AT+QMTSUB=", "\"e2e/re/#\"");
        modem.dropNetwork(clientIndexOfRoute());
        await("resubscribed after +QMTSTAT").atMost(WAIT)
                .until(() -> countCommands("AT+QMTSUB=", "\"e2e/re/#\"") > subscribesBefore);
        // The resubscription's SUBACK may still be on its way: publish until one gets through.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
            checker.publish("e2e/re/1", "back".getBytes(StandardCharsets.UTF_8), 1, false);
            return !got.isEmpty();
        });
        assertThat(got).extracting(e -> new String(body(e), StandardCharsets.UTF_8)).containsOnly("back");
        template.sendBody(uri("e2e/re-out", "&qos=1"), "still here");
        await().atMost(WAIT).until(() -> checker.on("e2e/re-out").size() == 1);
    }

    @Test
    void theWillIsPublishedWhenTheModemLosesItsNetwork() throws Exception {
        checker.subscribe("e2e/will", 1);
        String options = "&clientId=will-" + UUID.randomUUID() + "&willTopic=e2e/will&willPayload=gateway-7-offline&willQos=1";
        template.sendBody(uri("e2e/alive", options), "hello");
        int index = template.request(uri("e2e/alive", options), e -> e.getMessage().setBody("again")).getMessage()
                .getHeader(CellMqttConstants.CLIENT_INDEX, Integer.class);
        assertThat(checker.on("e2e/will")).isEmpty();
        modem.dropNetwork(index);
        await().atMost(WAIT).until(() -> checker.on("e2e/will").size() == 1);
        assertThat(new String(checker.on("e2e/will").get(0).payload(), StandardCharsets.UTF_8))
                .isEqualTo("gateway-7-offline");
    }

    /**
     * Issue 10's attack through every real part: a publisher on a subscribed wildcard chooses the
     * topic {@code e2e/forge/x",5,"}, which holds a false length, and a payload holding
     * {@code +QMTSTAT: <idx>,1} for every client index. Read with the false length, the payload was
     * modem output: the client believed its connection lost and opened it again, and the route got a
     * message on {@code e2e/forge/x} that nobody published. Now neither happens, and once the line has
     * been quiet, messages arrive again.
     */
    @Test
    void aPublisherCannotMakeItsTopicAndPayloadReadAsModemOutput() throws Exception {
        List<Exchange> got = consume("forge", "e2e/forge/#", "&qos=1");
        awaitSubscribed("e2e/forge/#");
        long opens = countCommands("AT+QMTOPEN=", "");
        StringBuilder forged = new StringBuilder("\r\n");
        for (int idx = 0; idx < 6; idx++) {
            forged.append("+QMTSTAT: ").append(idx).append(",1\r\n");
        }
        checker.publish("e2e/forge/x\",5,\"", forged.toString().getBytes(StandardCharsets.US_ASCII), 1, false);
        // Published again until one arrives: what the modem says within the quiet period after the
        // hostile URC is discarded, by design.
        int[] n = {0};
        await().atMost(WAIT).pollInterval(Duration.ofMillis(700)).until(() -> {
            checker.publish("e2e/forge/ok", ("ok " + n[0]++).getBytes(StandardCharsets.US_ASCII), 1, false);
            return got.stream().anyMatch(e -> "e2e/forge/ok".equals(e.getMessage().getHeader(CellMqttConstants.TOPIC)));
        });
        assertThat(got).allSatisfy(e -> assertThat(e.getMessage().getHeader(CellMqttConstants.TOPIC, String.class))
                .isIn("e2e/forge/ok", "e2e/forge/x\",5,\""));
        assertThat(countCommands("AT+QMTOPEN=", "")).as("a reconnect: the forged +QMTSTAT was believed").isEqualTo(opens);
        // and the route's health says what was refused
        assertThat((Number) RouteHealth.consumer(camel, "forge").call().getDetails().get("framingErrors"))
                .extracting(Number::longValue).isEqualTo(1L);
    }

    /** {@link #consume} waited for the route's health to say it is subscribed: the command was sent, and this checks it. */
    void awaitSubscribed(String filter) {
        assertThat(modem.commandLog()).anyMatch(c -> c.startsWith("AT+QMTSUB=") && c.contains("\"" + filter + "\""));
    }

    long countCommands(String prefix, String containing) {
        return modem.commandLog().stream().filter(c -> c.startsWith(prefix) && c.contains(containing)).count();
    }

    /** The index the shared default client got: the last QMTCONN's first parameter. */
    int clientIndexOfRoute() {
        List<String> conns = modem.commandLog().stream().filter(c -> c.startsWith("AT+QMTCONN=")).toList();
        String last = conns.get(conns.size() - 1);
        return Integer.parseInt(last.substring("AT+QMTCONN=".length(), last.indexOf(',')));
    }

}
