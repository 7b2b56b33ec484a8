package io.cellmqtt.modem;

/** The life of one modem MQTT client, as the modem sees it. */
public enum MqttClientState {
    CLOSED,
    OPENING,
    OPEN,
    CONNECTING,
    CONNECTED,
    DISCONNECTING
}
