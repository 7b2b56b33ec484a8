package io.cellmqtt.simulator.broker;

/** A PUBLISH received from the broker, as the host will be told about it. */
public record InboundMessage(int msgId, String topic, byte[] payload) {
}
