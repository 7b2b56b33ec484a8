package io.cellmqtt.modem;

/**
 * The modem refused a publish command because it has no connection for it (SIMCom
 * {@code +CMQTTPUB: <idx>,11} "no connection", {@code 20} "client not acquired", {@code 9} "network
 * not opened", on the publish or on its topic or payload): nothing went to the broker. As with a
 * bare {@code ERROR}, the publish waits for the connection like a new one, and a client that
 * believed it was connected recycles the connection.
 */
public final class PublishNotTakenException extends ResultException {
    public PublishNotTakenException(String message, int result) {
        super(message, result);
    }
}
