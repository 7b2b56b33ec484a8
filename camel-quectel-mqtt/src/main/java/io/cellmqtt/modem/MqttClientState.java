package io.cellmqtt.modem;

/** Where one modem MQTT client stands; {@link MqttClient#reason()} says why. */
public enum MqttClientState {
    /** Not started, or stopped. */
    STOPPED,
    /** Started; the modem is not ready (coming up, port lost, restarted, not answering, network being recovered). */
    WAITING_FOR_MODEM,
    /** Configuring, opening the network connection, connecting. */
    CONNECTING,
    /** Connected; its subscriptions are being restored. */
    SUBSCRIBING,
    /** Connected, every subscription restored: publishes go out. */
    CONNECTED,
    /** The last attempt failed or the connection was lost; the next attempt waits for its backoff. */
    WAITING_TO_RETRY,
    /** Stopping: finishing what is on its way, then DISCONNECT and close. */
    DISCONNECTING
}
