package io.cellmqtt.examples.kafka;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.springframework.stereotype.Component;

/**
 * The bridge, both ways:
 * <ul>
 * <li>every message the modem receives on {@code plant/+/telemetry} goes to the Kafka topic {@code telemetry}, keyed
 * by its MQTT topic (so one plant's readings stay in order in one partition), with the MQTT topic and the modem's
 * client index as the Kafka headers {@value #MQTT_TOPIC} and {@value #MQTT_CLIENT_INDEX};</li>
 * <li>every record on the Kafka topic {@code commands} is published by the modem to the MQTT topic its
 * {@value #MQTT_TOPIC} header names (through {@code CamelCellMqttOverrideTopic}); a record without one goes to
 * {@value #UNROUTED}.</li>
 * </ul>
 * The routes name no serial port, broker or Kafka address: application.yaml sets them once on the components.
 */
@Component
public class BridgeRoutes extends RouteBuilder {

    /** The Kafka header that carries the MQTT topic, both ways. */
    public static final String MQTT_TOPIC = "mqtt_topic";
    /** The Kafka header that carries the modem's MQTT client index (telemetry). */
    public static final String MQTT_CLIENT_INDEX = "mqtt_client_index";
    /** Where a command without an {@value #MQTT_TOPIC} header is published. */
    public static final String UNROUTED = "plant/unrouted/cmd";

    @Override
    public void configure() {
        from("cellmqtt:plant/+/telemetry").routeId("telemetry-to-kafka")
                // Camel* headers are not copied to Kafka: carry the facts under names of our own, as text
                .setHeader(MQTT_TOPIC, header("CamelCellMqttTopic").convertToString())
                .setHeader(MQTT_CLIENT_INDEX, header("CamelCellMqttClientIndex").convertToString())
                .setHeader(KafkaConstants.KEY, header("CamelCellMqttTopic").convertToString())
                .to("kafka:telemetry");

        from("kafka:commands").routeId("kafka-to-modem")
                // a Kafka header arrives as bytes; CamelCellMqttOverrideTopic is the producer's topic (the received
                // topic's header, CamelCellMqttTopic, is not used to route)
                .setHeader("CamelCellMqttOverrideTopic", header(MQTT_TOPIC).convertToString())
                .choice().when(header("CamelCellMqttOverrideTopic").isNull())
                    .log("command at offset ${header.kafka.OFFSET} has no " + MQTT_TOPIC + " header: to " + UNROUTED)
                .end()
                .to("cellmqtt:" + UNROUTED);
    }
}
