package io.cellmqtt.at;

/**
 * Claims the raw payload that follows a line's header, so that payload bytes (quotes, commas,
 * CR, LF, NUL...) are taken by length and never parsed as text. A dialect supplies one per
 * length-carrying URC, e.g. {@code +QMTRECV: <idx>,<msgid>,"<topic>",<len>,"}.
 */
@FunctionalInterface
public interface PayloadFraming {

    /**
     * Looks at the start of a line still being received ({@code line[0..length)}, no CR/LF yet)
     * and returns the number of payload bytes that follow it right now, or -1 if this line is not
     * (or not yet recognisably) one this framing claims. Called after every byte appended to a
     * line, so it must be cheap and must not claim a prefix that could still grow into
     * something else.
     */
    int payloadLength(byte[] line, int length);
}
