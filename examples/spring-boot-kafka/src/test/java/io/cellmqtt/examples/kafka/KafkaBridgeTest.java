package io.cellmqtt.examples.kafka;

import io.cellmqtt.simulator.secrets.TestSecrets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bridge end to end, both ways, with the application's own application.yaml (its placeholders given the addresses
 * of a single-node KRaft Kafka, an embedded Moquette and a simulated BG95 behind a PTY), checked with independent
 * clients: a plain KafkaConsumer/KafkaProducer and a Paho MQTT client.
 */
@SpringBootTest(classes = KafkaBridgeApplication.class, properties = {
        // the test's commands may be produced before the route's consumer has its partition
        "camel.component.kafka.auto-offset-reset=earliest"
})
class KafkaBridgeTest {

    private static LocalInfrastructure infra;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) throws Exception {
        if (infra == null) {
            infra = new LocalInfrastructure();
        }
        // the environment variables application.yaml reads
        registry.add("KAFKA_BROKERS", () -> infra.bootstrapServers);
        registry.add("CELLMQTT_SERIAL_PORT", () -> infra.serialPort);
        registry.add("CELLMQTT_BROKER_URL", () -> infra.brokerUrl);
        registry.add("CELLMQTT_MODEM", () -> "bg95");
        registry.add("CELLMQTT_USER_NAME", () -> "gateway-7");
        registry.add("CELLMQTT_PASSWORD", () -> TestSecrets.MQTT_PASSWORD);
    }

    @AfterAll
    static void stop() throws Exception {
        if (infra != null) {
            infra.close();
        }
    }

    @Autowired
    CamelContext camel;

    @Test
    void bridgesTelemetryToKafkaAndCommandsToTheModem() throws Exception {
        // the modem's client is connected and its subscription held by the broker
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<HealthCheck.Result> cellmqtt = new ArrayList<>();
            for (HealthCheck.Result r : HealthCheckHelper.invokeReadiness(camel)) {
                if (infra.serialPort.equals(String.valueOf(r.getDetails().get("serialPort")))) {
                    cellmqtt.add(r);
                }
            }
            assertThat(cellmqtt).isNotEmpty().allSatisfy(r -> assertThat(r.getState()).isEqualTo(HealthCheck.State.UP));
        });

        List<String> mqtt = new CopyOnWriteArrayList<>();
        MqttClient paho = new MqttClient(infra.brokerUrl, "plant-side", new MemoryPersistence());
        try (KafkaConsumer<String, String> consumer = consumer(); KafkaProducer<String, String> producer = producer()) {
            paho.connect();
            paho.subscribe("plant/+/cmd", 1, (topic, m) -> mqtt.add(topic + "=" + new String(m.getPayload(), StandardCharsets.UTF_8)));

            // MQTT -> Kafka: keyed by the MQTT topic, topic and client index as headers
            paho.publish("plant/7/telemetry", "{\"celsius\":21.5}".getBytes(StandardCharsets.UTF_8), 1, false);
            paho.publish("plant/9/telemetry", "{\"celsius\":19.0}".getBytes(StandardCharsets.UTF_8), 1, false);
            paho.publish("plant/7/status", "ignored".getBytes(StandardCharsets.UTF_8), 1, false);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= 2;
            });
            assertThat(records).extracting(ConsumerRecord::key, ConsumerRecord::value).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple("plant/7/telemetry", "{\"celsius\":21.5}"),
                    org.assertj.core.groups.Tuple.tuple("plant/9/telemetry", "{\"celsius\":19.0}"));
            for (ConsumerRecord<String, String> r : records) {
                assertThat(header(r, BridgeRoutes.MQTT_TOPIC)).isEqualTo(r.key());
                assertThat(header(r, BridgeRoutes.MQTT_CLIENT_INDEX)).isEqualTo("0");
            }

            // Kafka -> MQTT: the MQTT topic from the record's header; none: the unrouted topic
            ProducerRecord<String, String> command = new ProducerRecord<>("commands", "plant-7", "{\"setpoint\":22}");
            command.headers().add(BridgeRoutes.MQTT_TOPIC, "plant/7/cmd".getBytes(StandardCharsets.UTF_8));
            producer.send(command).get();
            producer.send(new ProducerRecord<>("commands", "plant-?", "{\"setpoint\":0}")).get();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(mqtt).containsExactlyInAnyOrder(
                    "plant/7/cmd={\"setpoint\":22}", BridgeRoutes.UNROUTED + "={\"setpoint\":0}"));
        } finally {
            paho.disconnect();
            paho.close();
        }
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static KafkaConsumer<String, String> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p);
        TopicPartition telemetry = new TopicPartition("telemetry", 0);
        consumer.assign(List.of(telemetry));
        consumer.seekToBeginning(List.of(telemetry));
        return consumer;
    }

    private static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}
