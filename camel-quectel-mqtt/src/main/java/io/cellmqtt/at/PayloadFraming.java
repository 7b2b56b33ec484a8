package io.cellmqtt.at;

/**
 * Tells the digester which receive URCs carry bytes that must be taken by length, never read as
 * text, because a publisher chose them: a dialect supplies one per receive format. Two forms exist:
 * <ul>
 * <li>a <em>quoted record</em>: Quectel's {@code +QMTRECV: <idx>,<msgid>,"<topic>",<len>,"<payload>"},
 * where the topic is not escaped and its end can only be found by trying every
 * {@code ",<digits>,"} in it against the bytes that follow ({@link QuectelRecvRecord});</li>
 * <li>a <em>block after a line</em>: SIMCom's {@code +CMQTTRXPAYLOAD: 0,19} followed by CR LF,
 * exactly 19 bytes and a line end.</li>
 * </ul>
 * Each form has limits: a claim above them is a framing error, never a reason to read the bytes
 * as lines.
 */
public interface PayloadFraming {

    /** {@link #payloadAfterLine} for a line that announces more bytes than the modem can send. */
    int TOO_LONG = -2;

    /**
     * Looks at the start of a line still being received ({@code line[0..length)}, no CR/LF yet),
     * called after every byte appended to it, and returns the largest payload (in bytes) if the line
     * so far is exactly the header of a quoted record up to and including the quote that opens its
     * topic (for Quectel {@code +QMTRECV: 0,7,"}), else -1. Must be cheap.
     */
    default int quotedRecord(byte[] line, int length) {
        return -1;
    }

    /** The longest topic, in bytes, a record that {@link #quotedRecord} opened may carry. */
    default int maxRecordTopic() {
        return 0;
    }

    /**
     * Looks at a whole line that has just ended ({@code line[0..length)}, its CR/LF not included)
     * and returns the number of bytes that follow it, -1 if this line announces none, or
     * {@link #TOO_LONG} if it announces more than the modem can send (a framing error).
     * Default: claims nothing.
     */
    default int payloadAfterLine(byte[] line, int length) {
        return -1;
    }
}
