package io.cellmqtt.modem;

/** The modem reported a non-success result for an operation; {@link #result()} is its code. */
public class ResultException extends ModemException {
    private final int result;

    public ResultException(String message, int result) {
        this(message, result, Recovery.RECONNECT);
    }

    public ResultException(String message, int result, Recovery recovery) {
        super(message, null, recovery);
        this.result = result;
    }

    public int result() {
        return result;
    }
}
