package io.cellmqtt.examples.quickstart;

import io.cellmqtt.simulator.SimulatedModem;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import org.apache.camel.CamelContext;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link PlantRoutes}, unchanged, against every simulated model: only {@code cellmqtt.modem} (and the
 * PTY the simulator got) differs. A reading goes out and reaches an independent client at the
 * broker; a command from that client comes back in through the route.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlantRoutesOnEveryModelTest {
    private Server broker;
    private String brokerUrl;

    static List<String> models() {
        return SimulatedModem.models();
    }

    @BeforeAll
    void startBroker() throws Exception {
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
    }

    @AfterAll
    void stopBroker() {
        broker.stopServer();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void theSameRoutesRunOnEveryModel(String model) throws Exception {
        List<String> atBroker = new CopyOnWriteArrayList<>();
        try (SimulatedModem modem = SimulatedModem.of(model);
                CamelContext camel = new DefaultCamelContext()) {
            Properties props = new Properties();
            props.setProperty("cellmqtt.serialPort", modem.openPty());
            props.setProperty("cellmqtt.modem", model);
            props.setProperty("cellmqtt.brokerUrl", brokerUrl);
            props.setProperty("plant.commands", "seda:commands");
            camel.getPropertiesComponent().setInitialProperties(props);
            camel.addRoutes(new PlantRoutes());
            camel.start();

            MqttClient observer = new MqttClient(brokerUrl, "observer-" + model, new MemoryPersistence());
            observer.connect();
            try {
                observer.subscribe("plant/7/telemetry", 1,
                        (topic, m) -> atBroker.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
                String reading = "{\"plant\":7,\"model\":\"" + model + "\",\"celsius\":21.5}";
                camel.createProducerTemplate().sendBody("direct:readings", reading);
                await().atMost(Duration.ofSeconds(30)).until(() -> atBroker.contains(reading));

                String command = "{\"setpoint\":" + model.length() + ",\"for\":\"" + model + "\"}";
                observer.publish("plant/7/cmd", command.getBytes(StandardCharsets.UTF_8), 1, false);
                ConsumerTemplate commands = camel.createConsumerTemplate();
                Exchange got = commands.receive("seda:commands", 30_000);
                assertThat(got).as("a command arrived through the route on %s", model).isNotNull();
                assertThat(got.getMessage().getBody(byte[].class)).isEqualTo(command.getBytes(StandardCharsets.UTF_8));
                assertThat(got.getMessage().getHeader("CamelCellMqttTopic")).isEqualTo("plant/7/cmd");
            } finally {
                observer.disconnect();
                observer.close();
            }
        }
    }
}
