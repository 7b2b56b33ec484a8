package io.cellmqtt.modem;

/**
 * A modem operation failed. The message carries the command (secrets masked), the result the
 * modem gave and its meaning from the reference tables, e.g.
 * {@code AT+QMTCONN=0,"dev-1" -> +QMTCONN: 0,0,4: connection refused: bad user name or password}.
 */
public class ModemException extends Exception {
    public ModemException(String message) {
        super(message);
    }

    public ModemException(String message, Throwable cause) {
        super(message, cause);
    }
}
