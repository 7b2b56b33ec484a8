package io.cellmqtt.modem;

/**
 * A modem operation failed. The message carries the command (secrets masked), the result the
 * modem gave and its meaning from the reference tables, e.g.
 * {@code AT+QMTCONN=0,"dev-1" -> +QMTCONN: 0,0,4: connection refused: bad user name or password}.
 */
public class ModemException extends Exception {
    private final Recovery recovery;

    public ModemException(String message) {
        this(message, null, Recovery.RECONNECT);
    }

    public ModemException(String message, Throwable cause) {
        this(message, cause, Recovery.RECONNECT);
    }

    public ModemException(String message, Throwable cause, Recovery recovery) {
        super(message, cause);
        this.recovery = recovery;
    }

    /** What a client should do when its connection fails with this (the reference tables' advice). */
    public Recovery recovery() {
        return recovery;
    }
}
