package io.cellmqtt.examples.kafka;

import org.springframework.boot.SpringApplication;

/**
 * Runs the bridge with no modem, no MQTT broker and no Kafka: {@link LocalInfrastructure} starts them in this JVM and
 * the application's placeholders are given their addresses. Then, for example, publish to plant/7/telemetry on the
 * printed MQTT broker and read the Kafka topic telemetry at the printed bootstrap servers.
 */
public final class LocalDemo {

    public static void main(String[] args) throws Exception {
        LocalInfrastructure infra = new LocalInfrastructure();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                infra.close();
            } catch (Exception e) {
                System.err.println("[demo] stopping: " + e);
            }
        }));
        System.out.println("[demo] Kafka " + infra.bootstrapServers + ", MQTT broker " + infra.brokerUrl
                + ", simulated BG95 on " + infra.serialPort);
        System.setProperty("KAFKA_BROKERS", infra.bootstrapServers);
        System.setProperty("CELLMQTT_BROKER_URL", infra.brokerUrl);
        System.setProperty("CELLMQTT_SERIAL_PORT", infra.serialPort);
        System.setProperty("CELLMQTT_MODEM", "bg95");
        System.setProperty("CELLMQTT_USER_NAME", "gateway-7");
        System.setProperty("CELLMQTT_PASSWORD", "demo");
        SpringApplication.run(KafkaBridgeApplication.class, args);
    }
}
