package io.cellmqtt.examples.quarkus;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The application as Quarkus builds and starts it, configured only through its properties (the test resource
 * points them at a simulated modem and an embedded broker), seen from the broker's side by an independent
 * Paho client: the readings arrive byte for byte, and a command published at the broker reaches the route.
 */
@QuarkusTest
@QuarkusTestResource(ModemAndBrokerResource.class)
class PlantRoutesTest {

    @ConfigProperty(name = "camel.component.cellmqtt.broker-url")
    String brokerUrl;

    @Inject
    Commands commands;

    @Test
    void readingsGoOutAndCommandsComeIn() throws Exception {
        byte[] reading = ModemAndBrokerResource.READING.getBytes(StandardCharsets.UTF_8);
        List<byte[]> atBroker = new CopyOnWriteArrayList<>();
        MqttClient paho = new MqttClient(brokerUrl, "test-observer", new MemoryPersistence());
        paho.connect();
        try {
            paho.subscribe("plant/7/telemetry", 1, (topic, m) -> atBroker.add(m.getPayload()));
            // readings published after this subscription reach it; the command route subscribed before the first
            await().atMost(Duration.ofSeconds(30)).until(() -> !atBroker.isEmpty());
            assertThat(atBroker).allSatisfy(p -> assertThat(p).isEqualTo(reading));

            byte[] command = "{\"valve\":\"open\",\"note\":\"x, \\\"y\\\"\r\n\"}".getBytes(StandardCharsets.UTF_8);
            paho.publish("plant/7/cmd", command, 1, false);
            await().atMost(Duration.ofSeconds(30)).until(() -> !commands.received().isEmpty());
            assertThat(commands.received()).singleElement().isEqualTo(command);
        } finally {
            paho.disconnect();
            paho.close();
        }
    }
}
