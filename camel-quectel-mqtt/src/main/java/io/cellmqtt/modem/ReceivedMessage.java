package io.cellmqtt.modem;

/**
 * A message the modem reported with {@code +QMTRECV}. The payload holds exactly the published
 * bytes. {@code messageId} is 0 for QoS 0 deliveries.
 */
public record ReceivedMessage(int clientIndex, int messageId, String topic, byte[] payload) {
    public ReceivedMessage {
        payload = payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public String toString() {
        return "ReceivedMessage[client=" + clientIndex + ", id=" + messageId + ", topic=" + topic + ", "
                + payload.length + " bytes]";
    }
}
