package io.cellmqtt.modem;

/**
 * The modem took a command but did not report its result within the longest time the reference
 * allows (e.g. {@code pkt_timeout x (retry_times + 1)} for a publish): what became of the packet is
 * unknown, and the connection is not to be trusted any more.
 */
public class NoResultException extends ModemException {
    public NoResultException(String message) {
        super(message);
    }
}
