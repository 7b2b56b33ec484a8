package io.cellmqtt.examples.kafka;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A gateway that bridges its modem's MQTT client and Kafka: see {@link BridgeRoutes}; the modem, the broker and Kafka
 * are configured once in application.yaml.
 */
@SpringBootApplication
public class KafkaBridgeApplication {

    public static void main(String[] args) {
        SpringApplication.run(KafkaBridgeApplication.class, args);
    }
}
