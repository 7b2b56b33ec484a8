package io.cellmqtt.at;

/**
 * Claims Quectel's length-carrying receive URC (and the lines of an {@code AT+QMTRECV=} buffer
 * read, which have the same form):
 * {@code +QMTRECV: <client_idx>,<msgID>,"<topic>",<payload_len>,"<payload>"}. The claimed header
 * is everything up to and including the quote that opens the payload, i.e. it ends with
 * {@code ,"}; the payload is then taken by length.
 *
 * <p>Lines without a length ({@code +QMTRECV: 0,1,"t","payload"}) and the buffer notice
 * ({@code +QMTRECV: 0,3}) are not claimed. The topic is not escaped by the modem, so a topic
 * that itself contains {@code ",<digits>,"} cannot be told apart; such a line is claimed at the
 * first place it matches. Configure the modem to report the length
 * ({@code AT+QMTCFG="recv/mode",<idx>,0,1}) for payloads to be carried safely.
 */
public final class QuectelRecvFraming implements PayloadFraming {

    private static final byte[] PREFIX = "+QMTRECV: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int MAX_LEN_DIGITS = 8;

    @Override
    public int payloadLength(byte[] line, int length) {
        // cheap check first: only a line that just received the opening quote of a payload
        if (length < PREFIX.length + 10 || line[length - 1] != '"' || line[length - 2] != ',') {
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
        if (q == p || q + 1 >= length || line[q] != ',' || line[q + 1] != '"') {
            return -1;
        }
        int topicStart = q + 2;
        // from the end: ,"  <- len digits <- ",
        int lenEnd = length - 2;
        int lenStart = lenEnd;
        while (lenStart > 0 && lenStart > lenEnd - MAX_LEN_DIGITS - 1 && isDigit(line[lenStart - 1])) {
            lenStart--;
        }
        if (lenStart == lenEnd || lenEnd - lenStart > MAX_LEN_DIGITS) {
            return -1;
        }
        // lenStart - 2 .. lenStart is `",`, and the topic's closing quote must come after its opening one
        if (lenStart - 2 < topicStart || line[lenStart - 1] != ',' || line[lenStart - 2] != '"') {
            return -1;
        }
        long n = 0;
        for (int i = lenStart; i < lenEnd; i++) {
            n = n * 10 + (line[i] - '0');
        }
        return n > Integer.MAX_VALUE ? -1 : (int) n;
    }

    /** The quote that closes the payload: a claim not followed by it was a torn line's. */
    @Override
    public int closingByte(byte[] line, int length) {
        return '"';
    }

    private static int digits(byte[] line, int from, int length) {
        int i = from;
        while (i < length && i - from < 6 && isDigit(line[i])) {
            i++;
        }
        return i;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }
}
