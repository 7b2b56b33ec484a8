package io.cellmqtt.modem;

/** The modem reported the publish as done ({@code +QMTPUB: idx,msgid,0}, or OK for QoS 0). */
public record PublishReceipt(int clientIndex, int messageId, int qos) {
}
