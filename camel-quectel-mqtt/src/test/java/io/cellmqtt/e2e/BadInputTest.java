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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Bad input gets a clear error naming the value and the limit, and not one byte reaches the
 * modem for it: the simulator's command log proves nothing was sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
    private TestBroker broker;
    private SimulatedModem modem;
    private String pty;
    private CamelContext camel;
    private ProducerTemplate template;

    @BeforeAll
    void startAll() throws Exception {
        broker = new MoquetteBroker();
        broker.start();
        modem = SimulatedModem.bg95();
        pty = modem.openPty();
    }

    @AfterAll
    void stopAll() throws Exception {
        modem.close();
        broker.stop();
    }

    @BeforeEach
    void startCamel() {
        camel = new DefaultCamelContext();
        camel.start();
        template = camel.createProducerTemplate();
    }

    @AfterEach
    void stopCamel() throws Exception {
        camel.close();
    }

    private String uri(String topic, String options) {
        return "cellmqtt:" + topic + "?serialPort=" + pty + "&brokerUrl=" + broker.url() + options;
    }

    /** Runs {@code action}, expects it to fail, returns every message of the cause chain. */
    private String refusedBeforeAnyByte(ThrowingRunnable action) {
        List<String> before = modem.commandLog();
        Throwable t = catchThrowable(action::run);
        assertThat(t).as("expected a failure").isNotNull();
        assertThat(modem.commandLog()).as("commands sent for refused input").isEqualTo(before);
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append(" | ");
        }
        return all.toString();
    }

    private String failedExchange(String uri, Object body) {
        List<String> before = modem.commandLog();
        Exchange out = template.send(uri, e -> e.getMessage().setBody(body));
        return failureOf(out, before);
    }

    private String failureOf(Exchange out, List<String> before) {
        assertThat(out.getException()).as("expected the exchange to fail").isNotNull();
        List<String> after = modem.commandLog();
        assertThat(after.subList(before.size(), after.size())).as("publish commands sent for refused input")
                .noneMatch(c -> c.startsWith("AT+QMTPUB"));
        return out.getException().getMessage();
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void wildcardInAPublishTopic() {
        String m = refusedBeforeAnyByte(() -> template.sendBody(uri("plant/+/telemetry", ""), "x"));
        assertThat(m).contains("plant/+/telemetry").containsIgnoringCase("wildcard");
    }

    @Test
    void qos3() {
        String m = refusedBeforeAnyByte(() -> template.sendBody(uri("plant/7/telemetry", "&qos=3"), "x"));
        assertThat(m).contains("qos=3").contains("0-2");
    }

    @Test
    void keepAliveOfFiveThousandSeconds() {
        String m = refusedBeforeAnyByte(() -> template.sendBody(uri("plant/7/telemetry", "&keepAliveInterval=5000"), "x"));
        assertThat(m).contains("keepAliveInterval=5000").contains("0-3600");
    }

    @Test
    void clientIndexSix() {
        String m = refusedBeforeAnyByte(() -> template.sendBody(uri("plant/7/telemetry", "&clientIndex=6"), "x"));
        assertThat(m).contains("clientIndex=6").contains("0-5");
    }

    @Test
    void unknownOption() {
        String m = refusedBeforeAnyByte(() -> template.sendBody(uri("plant/7/telemetry", "&brokerUlr=tcp://x:1"), "x"));
        assertThat(m).contains("brokerUlr");
    }

    @Test
    void missingBrokerUrl() {
        String m = refusedBeforeAnyByte(() -> template.sendBody("cellmqtt:plant/7/telemetry?serialPort=" + pty, "x"));
        assertThat(m).contains("brokerUrl");
    }

    @Test
    void payloadOverTheModelLimit() throws Exception {
        // Let the client connect first so that only the refused publish could write anything.
        template.sendBody(uri("plant/7/telemetry", ""), "warm-up");
        String m = failedExchange(uri("plant/7/telemetry", ""), new byte[4097]);
        assertThat(m).contains("4097").contains("4096");
        // Exactly at the limit is fine.
        Exchange ok = template.send(uri("plant/7/telemetry", ""), e -> e.getMessage().setBody(new byte[4096]));
        assertThat(ok.getException()).isNull();
    }

    @Test
    void aTopicCarryingAnAtCommandNeverReachesTheModem() throws Exception {
        template.sendBody(uri("plant/7/telemetry", ""), "warm-up");
        List<String> before = modem.commandLog();
        Exchange out = template.send(uri("plant/7/telemetry", ""), e -> {
            e.getMessage().setBody("x");
            e.getMessage().setHeader(CellMqttConstants.OVERRIDE_TOPIC, "plant/7\r\nAT+QPOWD\r\n");
        });
        String m = failureOf(out, before);
        assertThat(m).contains("control character");
        assertThat(modem.commandLog()).noneMatch(c -> c.toUpperCase().contains("QPOWD"));
    }

    @Test
    void aPayloadCarryingAnAtCommandIsDataNotACommand() throws Exception {
        try (CheckingClient checker = new CheckingClient(broker, "checker-injection-" + java.util.UUID.randomUUID())) {
            checker.subscribe("plant/7/injection", 1);
            byte[] payload = "\r\nAT+QPOWD\r\n".getBytes(StandardCharsets.US_ASCII);
            template.sendBody(uri("plant/7/injection", ""), payload);
            org.awaitility.Awaitility.await().atMost(EndToEndTestBase.WAIT)
                    .until(() -> checker.on("plant/7/injection").size() == 1);
            assertThat(checker.on("plant/7/injection").get(0).payload()).isEqualTo(payload);
        }
        assertThat(modem.commandLog()).noneMatch(c -> c.toUpperCase().contains("QPOWD"));
    }

    @Test
    void aMissingSerialPortFailsTheRouteStartNamingItAndListingThePortsThatExist() throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("cellmqtt:plant/+/cmd?serialPort=/dev/ttyUSB97&brokerUrl=" + broker.url()).routeId("missing")
                        .autoStartup(false).log("${body}");
            }
        });
        Throwable t = catchThrowable(() -> camel.getRouteController().startRoute("missing"));
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append(" | ");
        }
        assertThat(all.toString()).contains("/dev/ttyUSB97").containsPattern("ports present|no serial ports");
    }
}
