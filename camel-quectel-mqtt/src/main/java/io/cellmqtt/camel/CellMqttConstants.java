package io.cellmqtt.camel;

import org.apache.camel.spi.Metadata;

/** The message headers of the {@code cellmqtt:} component. */
public final class CellMqttConstants {

    @Metadata(description = "The topic of a received message (consumer). Deprecated on the producer (read for this"
                            + " release only, with a warning, and never when it is the topic the exchange was received"
                            + " on): use CamelCellMqttOverrideTopic.",
              javaType = "String")
    public static final String TOPIC = "CamelCellMqttTopic";

    @Metadata(label = "producer",
              description = "The topic to publish to instead of the endpoint's; validated like the endpoint topic (no"
                            + " wildcards, no control characters or double quotes, not empty). A header of its own, so"
                            + " that a route from one cellmqtt endpoint to another never publishes back to the topic"
                            + " its message came from by accident.",
              javaType = "String")
    public static final String OVERRIDE_TOPIC = "CamelCellMqttOverrideTopic";

    /** Exchange property: the topic a {@code cellmqtt:} consumer received the exchange on. */
    static final String RECEIVED_TOPIC = "CamelCellMqttReceivedTopic";

    @Metadata(label = "producer",
              description = "The QoS (0, 1 or 2) to publish with; overrides the endpoint's qos option. Not set on"
                            + " received messages: the modem's receive URC does not report the QoS.",
              javaType = "Integer")
    public static final String QOS = "CamelCellMqttQos";

    @Metadata(label = "producer",
              description = "Whether to publish with the retain flag; overrides the endpoint's retained option. Not"
                            + " set on received messages: the modem's receive URC does not report the retain flag.",
              javaType = "Boolean")
    public static final String RETAINED = "CamelCellMqttRetained";

    @Metadata(description = "The MQTT message id: set by the producer after the modem reported the publish done"
                            + " (0 for QoS 0), and on received messages (0 for QoS 0 deliveries).",
              javaType = "Integer")
    public static final String MESSAGE_ID = "CamelCellMqttMessageId";

    @Metadata(description = "The modem's MQTT client index (client_idx) that published (producer, after completion)"
                            + " or received (consumer) the message.",
              javaType = "Integer")
    public static final String CLIENT_INDEX = "CamelCellMqttClientIndex";

    private CellMqttConstants() {
    }
}
