package io.cellmqtt.modem;

/**
 * A publish was refused because its client already holds as many unsettled publishes as
 * {@link QueueLimits#maxPendingPublishes()} allows (the connection is down, or the modem is slower
 * than the publishers), either at once or after no room came within the publish's timeout. Nothing
 * of it reached the modem, and it is never sent later: retry it (Camel's error handler and
 * redelivery) or let it go.
 */
public class ModemBackedUpException extends ModemException {
    private final String modem;
    private final int clientIndex;
    private final int pending;
    private final int limit;

    public ModemBackedUpException(String message, String modem, int clientIndex, int pending, int limit) {
        super(message);
        this.modem = modem;
        this.clientIndex = clientIndex;
        this.pending = pending;
        this.limit = limit;
    }

    /** The modem's port. */
    public String modem() {
        return modem;
    }

    public int clientIndex() {
        return clientIndex;
    }

    /** Publishes that waited for the client when this one was refused. */
    public int pending() {
        return pending;
    }

    /** The bound: {@code maxPendingPublishes}. */
    public int limit() {
        return limit;
    }
}
