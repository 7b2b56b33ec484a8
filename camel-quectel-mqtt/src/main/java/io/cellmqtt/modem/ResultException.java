package io.cellmqtt.modem;

/** The modem reported a non-success result for an operation; {@link #result()} is its code. */
public class ResultException extends ModemException {
    private final int result;

    public ResultException(String message, int result) {
        super(message);
        this.result = result;
    }

    public int result() {
        return result;
    }
}
