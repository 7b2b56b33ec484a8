package io.cellmqtt.modem;

/**
 * The MQTT connection (or the whole modem) went away while an operation waited for its result.
 * Whether the operation may be retried depends on whether it reached the modem.
 */
public class ConnectionLostException extends ModemException {
    public ConnectionLostException(String message) {
        super(message);
    }

    public ConnectionLostException(String message, Recovery recovery) {
        super(message, null, recovery);
    }

    public ConnectionLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
