package io.cellmqtt.modem;

/**
 * A publish got no result within the time its caller gave it. {@link #mayHaveBeenSent()} tells
 * the two cases apart: false, it never reached the modem and never will; true, the modem had it
 * already, so it may still reach the broker (QoS 1 allows a message to arrive more than once).
 */
public class PublishTimeoutException extends ModemException {
    private final boolean mayHaveBeenSent;

    public PublishTimeoutException(String message, boolean mayHaveBeenSent) {
        super(message);
        this.mayHaveBeenSent = mayHaveBeenSent;
    }

    public boolean mayHaveBeenSent() {
        return mayHaveBeenSent;
    }
}
