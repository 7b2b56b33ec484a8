package com.example.gateway;

import io.cellmqtt.simulator.secrets.TestSecrets;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellmqtt.camel.CellMqttComponent;
import io.cellmqtt.camel.CellMqttConfiguration;
import io.cellmqtt.simulator.SimulatedModem;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The starter's "done when": a Spring Boot application in a package of its own (so the auto-configuration is found
 * through the starter's AutoConfiguration.imports) binds {@code camel.component.cellmqtt.*} from application.properties,
 * publishes and consumes through a simulated BG95 behind a PTY and an embedded Moquette (checked with an independent
 * Paho client), and shows the cellmqtt health checks with their details in {@code /actuator/health}.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GatewayApplicationTest {

    private static Server broker;
    private static SimulatedModem modem;
    private static String brokerUrl;
    private static String tty;

    @DynamicPropertySource
    static void modemAndBroker(DynamicPropertyRegistry registry) throws Exception {
        if (broker == null) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Properties p = new Properties();
            p.setProperty("host", "127.0.0.1");
            p.setProperty("port", Integer.toString(port));
            p.setProperty("allow_anonymous", "true");
            p.setProperty("telemetry_enabled", "false");
            p.setProperty("persistence_enabled", "false");
            p.setProperty("websocket_port", "disabled");
            broker = new Server();
            broker.startServer(new MemoryConfig(p));
            brokerUrl = "tcp://127.0.0.1:" + port;
            modem = SimulatedModem.of("bg95");
            tty = modem.openPty();
        }
        registry.add("camel.component.cellmqtt.serial-port", () -> tty);
        registry.add("camel.component.cellmqtt.broker-url", () -> brokerUrl);
    }

    @AfterAll
    static void stop() {
        if (modem != null) {
            modem.close();
        }
        if (broker != null) {
            broker.stopServer();
        }
    }

    @Autowired
    CamelContext camel;

    @Autowired
    ProducerTemplate producer;

    @Autowired
    TestRestTemplate http;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theComponentIsConfiguredFromApplicationProperties() {
        CellMqttConfiguration c = camel.getComponent("cellmqtt", CellMqttComponent.class).getConfiguration();
        assertThat(c.getSerialPort()).isEqualTo(tty);
        assertThat(c.getBrokerUrl()).isEqualTo(brokerUrl);
        assertThat(c.getModem()).isEqualTo("bg95");
        assertThat(c.getClientId()).isEqualTo("gateway-7");
        assertThat(c.getUserName()).isEqualTo("gateway-7");
        assertThat(c.getPassword()).isEqualTo(TestSecrets.MQTT_PASSWORD);
        assertThat(c.getKeepAliveInterval()).isEqualTo(30);
        assertThat(c.getPublishTimeout()).isEqualTo(20000L);
        assertThat(c.getReconnectDelay()).isEqualTo(200L);
        assertThat(c.getMaxReconnectDelay()).isEqualTo(2000L);
        assertThat(c.getWillTopic()).isEqualTo("plant/7/status");
        assertThat(c.getWillPayload()).isEqualTo("offline");
        assertThat(c.getWillQos()).isEqualTo(1);
        // left unset: the component's defaults
        assertThat(c.getBaudRate()).isEqualTo(115200);
        assertThat(c.getInflightWindow()).isEqualTo(5);
    }

    @Test
    void publishesAndConsumesThroughTheModemAndShowsItsHealthInActuator() throws Exception {
        // the consumer's check is UP once the broker holds its subscription, so an independent publish reaches it
        // (Camel's indicator gives each check as "<id>": "UP" and its details as "<id>.data")
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(cellmqttChecks())
                .as("a consumer and a producer check").hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy((id, check) -> assertThat(check.path("status").asText()).as(id).isEqualTo("UP")));

        List<String> seen = new CopyOnWriteArrayList<>();
        MqttClient paho = new MqttClient(brokerUrl, "independent-observer", new MemoryPersistence());
        try {
            paho.connect();
            paho.subscribe("plant/7/telemetry", 1, (topic, message) ->
                    seen.add(topic + "=" + new String(message.getPayload(), StandardCharsets.UTF_8)));

            producer.sendBody("direct:telemetry", "{\"celsius\":21.5}");
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("plant/7/telemetry={\"celsius\":21.5}"));

            paho.publish("plant/7/cmd", "{\"setpoint\":22}".getBytes(StandardCharsets.UTF_8), 1, false);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> GatewayApplication.RECEIVED.contains("plant/7/cmd={\"setpoint\":22}"));
        } finally {
            paho.disconnect();
            paho.close();
        }

        // each cellmqtt check is in /actuator/health with its details (exposure-level=full)
        Map<String, JsonNode> checks = cellmqttChecks();
        assertThat(checks.keySet()).anyMatch(id -> id.startsWith("consumer:")).anyMatch(id -> id.startsWith("producer:"));
        assertThat(checks).allSatisfy((id, check) -> {
            JsonNode data = check.path("data");
            assertThat(data.path("serialPort").asText()).isEqualTo(tty);
            assertThat(data.path("state").asText()).isEqualTo("CONNECTED");
            assertThat(data.path("modemState").asText()).isEqualTo("READY");
            assertThat(data.path("check.kind").asText()).isEqualTo("READINESS");
        });
    }

    /**
     * The cellmqtt checks in /actuator/health (those whose details name our serial port), by check id:
     * {"status": "UP", "data": {the check's details}}.
     */
    private Map<String, JsonNode> cellmqttChecks() throws Exception {
        ResponseEntity<String> response = http.getForEntity("/actuator/health", String.class);
        JsonNode details = json.readTree(response.getBody()).path("components").path("camelHealth").path("details");
        Map<String, JsonNode> checks = new java.util.TreeMap<>();
        details.fields().forEachRemaining(detail -> {
            String key = detail.getKey();
            if (key.endsWith(".data") && tty.equals(detail.getValue().path("serialPort").asText())) {
                String id = key.substring(0, key.length() - ".data".length());
                checks.put(id, json.createObjectNode().put("status", details.path(id).asText())
                        .set("data", detail.getValue()));
            }
        });
        return checks;
    }
}
