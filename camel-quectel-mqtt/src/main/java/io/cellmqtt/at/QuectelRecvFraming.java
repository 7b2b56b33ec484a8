package io.cellmqtt.at;

import java.nio.charset.StandardCharsets;

/**
 * Opens Quectel's length-carrying receive URC (and the lines of an {@code AT+QMTRECV=} buffer read,
 * which have the same form) as a quoted record:
 * {@code +QMTRECV: <client_idx>,<msgID>,"<topic>",<payload_len>,"<payload>"}. The header is
 * everything up to and including the quote that opens the topic; what follows is read by
 * {@link QuectelRecvRecord}, which finds where the topic ends without trusting it.
 *
 * <p>Lines without a topic ({@code +QMTRECV: 0,3}, {@code +QMTRECV: 0,1,0,0,0,0}) are not records.
 * Only the models that report the length get this framing ({@code AT+QMTCFG="recv/mode",<idx>,0,1}).
 */
public final class QuectelRecvFraming implements PayloadFraming {

    /**
     * The longest received topic read: 4096 bytes. The modems' own topic parameters stop at 255
     * (Quectel) or 1024 (SIMCom) bytes, and a gateway's topics are far shorter; a longer one is
     * dropped with its message, never guessed at.
     */
    public static final int MAX_TOPIC = 4096;

    private static final byte[] PREFIX = "+QMTRECV: ".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_FIELD_DIGITS = 6;

    private final int maxPayload;

    /** @param maxPayload the largest payload the model reports; a longer claim is a framing error */
    public QuectelRecvFraming(int maxPayload) {
        if (maxPayload < 1) {
            throw new IllegalArgumentException("maxPayload must be positive: " + maxPayload);
        }
        this.maxPayload = maxPayload;
    }

    public int maxPayload() {
        return maxPayload;
    }

    @Override
    public int quotedRecord(byte[] line, int length) {
        // cheap check first: only a line whose last byte is a quote right after a comma
        if (length < PREFIX.length + 5 || line[length - 1] != '"' || line[length - 2] != ',') {
            return -1;
        }
        for (int i = 0; i < PREFIX.length; i++) {
            if (line[i] != PREFIX[i]) {
                return -1;
            }
        }
        int p = PREFIX.length;
        int q = digits(line, p, length);          // client_idx
        if (q == p || q >= length || line[q] != ',') {
            return -1;
        }
        p = q + 1;
        q = digits(line, p, length);              // msgID
        return q > p && q == length - 2 ? maxPayload : -1;
    }

    @Override
    public int maxRecordTopic() {
        return MAX_TOPIC;
    }

    private static int digits(byte[] line, int from, int length) {
        int i = from;
        while (i < length && i - from < MAX_FIELD_DIGITS && line[i] >= '0' && line[i] <= '9') {
            i++;
        }
        return i;
    }
}
