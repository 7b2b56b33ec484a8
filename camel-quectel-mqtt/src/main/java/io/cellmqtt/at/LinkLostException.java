package io.cellmqtt.at;

/** The link closed while a command was queued or in flight, or before it was sent. */
public class LinkLostException extends AtException {
    public LinkLostException(String command, String message, Throwable cause) {
        super(command, message, cause);
    }
}
