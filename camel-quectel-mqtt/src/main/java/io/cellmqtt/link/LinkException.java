package io.cellmqtt.link;

import java.io.IOException;

/** A link could not be opened or was lost; the message names the port. */
public class LinkException extends IOException {
    public LinkException(String message) {
        super(message);
    }

    public LinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
