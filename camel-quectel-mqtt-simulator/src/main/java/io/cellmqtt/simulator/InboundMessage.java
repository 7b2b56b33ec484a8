package io.cellmqtt.simulator;

/** A PUBLISH received from the broker, as the host will be told about it. */
record InboundMessage(int msgId, String topic, byte[] payload) {
}
