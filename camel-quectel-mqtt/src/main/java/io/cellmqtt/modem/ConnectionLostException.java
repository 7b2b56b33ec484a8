package io.cellmqtt.modem;

/** The MQTT connection went away while an operation waited for its result; it may be retried. */
public class ConnectionLostException extends ModemException {
    public ConnectionLostException(String message) {
        super(message);
    }
}
