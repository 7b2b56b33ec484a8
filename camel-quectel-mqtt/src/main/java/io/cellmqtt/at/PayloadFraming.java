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

    /**
     * Looks at a whole line that has just ended ({@code line[0..length)}, its CR/LF not included)
     * and returns the number of payload bytes that follow on the next line(s), or -1. For URCs
     * that announce a length on one line and carry the bytes after it, e.g. SIMCom's
     * {@code +CMQTTRXPAYLOAD: 0,19} followed by CR LF and 19 raw bytes. Default: claims nothing.
     */
    default int payloadAfterLine(byte[] line, int length) {
        return -1;
    }

    /**
     * The byte that must come right after the payload this framing claimed in {@code line} with
     * {@link #payloadLength} (a closing quote), or -1. When another byte comes, the claim was false
     * (the line was torn after its header) and the digester reads the claimed bytes again as
     * ordinary input. Default: -1.
     */
    default int closingByte(byte[] line, int length) {
        return -1;
    }
}
