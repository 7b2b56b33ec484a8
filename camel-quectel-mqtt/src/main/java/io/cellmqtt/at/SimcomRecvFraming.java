package io.cellmqtt.at;

import java.nio.charset.StandardCharsets;

/**
 * Claims the bytes that follow SIMCom's length-announcing receive lines (CMQTT dialect, SIM7600):
 * <pre>
 * +CMQTTRXTOPIC: &lt;client_index&gt;,&lt;length&gt;      then CR LF and exactly length topic bytes
 * +CMQTTRXPAYLOAD: &lt;client_index&gt;,&lt;length&gt;    then CR LF and exactly length payload bytes
 * +CMQTTRCPAYLOAD: &lt;client_index&gt;,&lt;length&gt;    the same, as the SIM7600 + AWS guide spells it
 * </pre>
 * The bytes are taken by length ({@link PayloadFraming#payloadAfterLine}), so a topic or payload
 * holding CR, LF, quotes or text such as {@code +CMQTTRXEND: 0} is data, never a line. The
 * {@code +CMQTTRXSTART} and {@code +CMQTTRXEND} lines carry no bytes and stay ordinary lines.
 * Only a line that is exactly the prefix, a client index and a length (spaces after the comma
 * tolerated) is claimed; anything else is left to be a line. A topic line announcing more than
 * {@code maxTopic} bytes, or a payload line more than {@code maxPayload}, is
 * {@link PayloadFraming#TOO_LONG}: the modem cannot send that much, so its bytes are not read at all.
 */
public final class SimcomRecvFraming implements PayloadFraming {

    private static final byte[][] PREFIXES = {
        ascii("+CMQTTRXTOPIC:"), ascii("+CMQTTRXPAYLOAD:"), ascii("+CMQTTRCPAYLOAD:")};
    /** Up to 8 digits: lengths are at most a few KiB; more digits cannot be a real length. */
    private static final int MAX_LEN_DIGITS = 8;

    private final int maxTopic;
    private final int maxPayload;

    /**
     * @param maxTopic   the longest topic piece the modem sends, in bytes
     * @param maxPayload the longest payload piece the modem sends, in bytes
     */
    public SimcomRecvFraming(int maxTopic, int maxPayload) {
        this.maxTopic = maxTopic;
        this.maxPayload = maxPayload;
    }

    public int maxTopic() {
        return maxTopic;
    }

    public int maxPayload() {
        return maxPayload;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public int payloadAfterLine(byte[] line, int length) {
        int p = prefixEnd(line, length);
        if (p < 0) {
            return -1;
        }
        int limit = p == PREFIXES[0].length ? maxTopic : maxPayload;
        p = skipSpaces(line, p, length);
        int q = digits(line, p, length, 2);               // client index
        if (q == p || q >= length || line[q] != ',') {
            return -1;
        }
        p = skipSpaces(line, q + 1, length);
        q = digits(line, p, length, MAX_LEN_DIGITS);      // length
        if (q == p) {
            // more digits than any length has: a framing error, not a line (its bytes would be read as lines)
            int end = allDigits(line, p, length);
            return end > p && skipSpaces(line, end, length) == length ? TOO_LONG : -1;
        }
        if (skipSpaces(line, q, length) != length) {
            return -1;
        }
        long n = 0;
        for (int i = p; i < q; i++) {
            n = n * 10 + (line[i] - '0');
        }
        return n > limit ? TOO_LONG : (int) n;
    }

    private static int prefixEnd(byte[] line, int length) {
        for (byte[] prefix : PREFIXES) {
            if (startsWith(line, length, prefix)) {
                return prefix.length;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] line, int length, byte[] prefix) {
        if (length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (line[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int skipSpaces(byte[] line, int from, int length) {
        int i = from;
        while (i < length && line[i] == ' ') {
            i++;
        }
        return i;
    }

    private static int allDigits(byte[] line, int from, int length) {
        int i = from;
        while (i < length && line[i] >= '0' && line[i] <= '9') {
            i++;
        }
        return i;
    }

    private static int digits(byte[] line, int from, int length, int max) {
        int i = from;
        while (i < length && i - from < max && line[i] >= '0' && line[i] <= '9') {
            i++;
        }
        // more digits than allowed: not a number we accept
        return i < length && i - from == max && line[i] >= '0' && line[i] <= '9' ? from : i;
    }
}
