package io.cellmqtt.modem;

import java.util.Objects;

/** A message to publish. Immutable; the payload is copied in and out. */
public record OutgoingMessage(String topic, byte[] payload, int qos, boolean retained) {
    public OutgoingMessage {
        Objects.requireNonNull(topic, "topic");
        payload = payload == null ? new byte[0] : payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload's length without copying it. */
    public int size() {
        return payload.length;
    }

    @Override
    public String toString() {
        return "OutgoingMessage[topic=" + topic + ", " + payload.length + " bytes, qos=" + qos + ", retained="
                + retained + "]";
    }
}
