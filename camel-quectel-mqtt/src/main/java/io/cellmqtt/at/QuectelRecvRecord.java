package io.cellmqtt.at;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads one {@code +QMTRECV: <idx>,<msgid>,"<topic>",<len>,"<payload>"} URC after its header,
 * without trusting its topic or payload. The modem does not escape the topic, and under a wildcard
 * subscription any publisher chooses it: a topic such as {@code cmd/x",5,"} holds a second
 * {@code ",<digits>,"}, and reading the first one as the length would let the payload be read as
 * modem output (a forged {@code +QMTPUB: 0,5,0}, {@code OK}, {@code +QMTSTAT}).
 *
 * <p>So every {@code ",<digits>,"} before the first CR or LF is a <em>reading</em>: the topic ends
 * there and {@code <digits>} payload bytes follow. A reading is <em>consistent</em> when the byte
 * after its payload is the closing quote and the byte after that is CR or LF. The modem's own
 * reading is always among them and always consistent, provided the topic holds no CR or LF (which
 * no reader of this format could tell from the URC's end: see {@code docs/at-engine.md}). The
 * record waits until the first CR or LF was seen and every reading could be checked, then:
 * <ul>
 * <li>exactly one consistent reading, within the limits: that is the message
 * ({@link Outcome#MESSAGE});</li>
 * <li>several, all ending at the same byte: the message cannot be told, but where it ends can; it
 * is dropped and reading goes on after it ({@link Outcome#AMBIGUOUS});</li>
 * <li>none, and the bytes up to the first CR or LF end with a quote: not the length form at all but
 * the length-less line {@code "<topic>","<payload>"} ({@link Outcome#LINE}), which the dialect reads
 * as a line;</li>
 * <li>none otherwise: a URC a UART glitch tore ({@link Outcome#TORN}); it ends at its first line end,
 * as a torn line does;</li>
 * <li>several ending at different bytes, a consistent one above the limits, one that claims more
 * than can be buffered, or the line going quiet before all could be checked: where the URC ends is
 * unknown ({@link Outcome#UNFRAMEABLE}); the caller must not read anything as modem output until
 * the line has been quiet.</li>
 * </ul>
 * Memory is bounded by {@link #capacity()}: header, longest topic, length field, longest payload
 * and the closing bytes. Not thread-safe; reused for one record after the other.
 */
final class QuectelRecvRecord {

    enum Outcome { PENDING, MESSAGE, AMBIGUOUS, LINE, TORN, UNFRAMEABLE }

    /** A length field of more digits claims more than any model sends. */
    private static final int MAX_LEN_DIGITS = 8;
    private static final int MAX_HEADER = 32;

    private final int maxTopic;
    private final int maxPayload;
    private final int capacity;
    private byte[] buf = new byte[256];
    private int len;
    private int topicStart;
    /** A CR or LF came: no reading can start after it (its topic would hold it). */
    private boolean closed;
    /** The index of the first CR or LF, once {@link #closed}. */
    private int lineEnd;
    private Outcome outcome = Outcome.PENDING;

    // the readings: where their payload starts, the index of their closing quote, their state
    private int[] payloadStart = new int[4];
    private int[] closeAt = new int[4];
    private byte[] state = new byte[4];
    private boolean[] overLimit = new boolean[4];
    private int readings;
    private int unresolved;
    /** The unresolved readings, a binary min-heap on {@code closeAt}: each is checked once, in order. */
    private int[] heap = new int[4];
    /** The smallest {@code closeAt + 1} of the unresolved readings: nothing to check before it. */
    private int nextCheck = Integer.MAX_VALUE;
    private int chosen = -1;
    private int restFrom;

    private static final byte UNRESOLVED = 0;
    private static final byte CONSISTENT = 1;
    private static final byte FALSE = 2;

    QuectelRecvRecord(int maxTopic, int maxPayload) {
        this.maxTopic = maxTopic;
        this.maxPayload = maxPayload;
        this.capacity = MAX_HEADER + maxTopic + 2 + MAX_LEN_DIGITS + 2 + maxPayload + 2;
    }

    int maxTopic() {
        return maxTopic;
    }

    int maxPayload() {
        return maxPayload;
    }

    /** The most bytes a record holds. */
    int capacity() {
        return capacity;
    }

    /** Bytes held now (the buffer's size, not its fill). */
    int retained() {
        return buf.length;
    }

    /** Starts a record whose header, up to and including the topic's opening quote, is {@code header[0..length)}. */
    void open(byte[] header, int length) {
        if (length > MAX_HEADER) {
            throw new IllegalArgumentException("record header of " + length + " bytes");
        }
        System.arraycopy(header, 0, buf, 0, length);
        len = length;
        topicStart = length;
        closed = false;
        outcome = Outcome.PENDING;
        readings = 0;
        unresolved = 0;
        nextCheck = Integer.MAX_VALUE;
        chosen = -1;
        restFrom = -1;
    }

    Outcome outcome() {
        return outcome;
    }

    /**
     * Takes bytes from {@code src[pos..end)} until the record is decided or they run out.
     *
     * @return how many bytes were taken
     */
    int feed(byte[] src, int pos, int end) {
        int start = pos;
        while (pos < end && outcome == Outcome.PENDING) {
            if (len == capacity) {
                outcome = Outcome.UNFRAMEABLE; // still undecided with all a record can hold
                break;
            }
            if (!closed) {
                append(src[pos++]);
                afterOpenByte();
            } else {
                // Only the readings' closing bytes matter now: copy up to the next one at once.
                int n = Math.min(end - pos, Math.min(capacity, nextCheck + 1) - len);
                ensure(len + n);
                System.arraycopy(src, pos, buf, len, n);
                len += n;
                pos += n;
            }
            check();
        }
        return pos - start;
    }

    /** The line has been quiet: a reading still waiting for its bytes will not get them from this URC. */
    Outcome quiet() {
        if (outcome == Outcome.PENDING) {
            outcome = Outcome.UNFRAMEABLE;
        }
        return outcome;
    }

    /** For {@link Outcome#MESSAGE}: the header as the digester reports it, {@code +QMTRECV: i,m,"topic",len,"}. */
    String header() {
        return new String(buf, 0, payloadStart[chosen], StandardCharsets.UTF_8);
    }

    /** For {@link Outcome#MESSAGE}: the payload. */
    byte[] payload() {
        return Arrays.copyOfRange(buf, payloadStart[chosen], closeAt[chosen]);
    }

    /** For {@link Outcome#LINE} (and {@link Outcome#TORN}): the line, without its CR or LF. */
    byte[] line() {
        return Arrays.copyOfRange(buf, 0, lineEnd);
    }

    /**
     * For {@link Outcome#MESSAGE} and {@link Outcome#AMBIGUOUS}: the bytes taken after the closing
     * quote; for {@link Outcome#LINE} and {@link Outcome#TORN}, from the line's end.
     */
    byte[] rest() {
        return Arrays.copyOfRange(buf, restFrom, len);
    }

    private void append(byte b) {
        ensure(len + 1);
        buf[len++] = b;
    }

    private void ensure(int size) {
        if (size > buf.length) {
            buf = Arrays.copyOf(buf, Math.min(capacity, Math.max(size, buf.length * 2)));
        }
    }

    /** A byte before the first CR/LF: it may end the pattern {@code ",<digits>,"} of a reading. */
    private void afterOpenByte() {
        int i = len - 1;
        byte b = buf[i];
        if (b == '\r' || b == '\n') {
            closed = true;
            lineEnd = i;
            return;
        }
        if (b != '"' || i - 1 <= topicStart || buf[i - 1] != ',') {
            return;
        }
        int digitsEnd = i - 1;
        int k = digitsEnd;
        while (k > topicStart && buf[k - 1] >= '0' && buf[k - 1] <= '9') {
            k--;
        }
        int digits = digitsEnd - k;
        // k - 1 is the comma before the digits, k - 2 the topic's closing quote
        if (digits == 0 || k - 2 < topicStart || buf[k - 1] != ',' || buf[k - 2] != '"') {
            return;
        }
        if (digits > MAX_LEN_DIGITS) {
            outcome = Outcome.UNFRAMEABLE; // a reading that cannot be checked: where the URC ends is unknown
            return;
        }
        int length = 0;
        for (int j = k; j < digitsEnd; j++) {
            length = length * 10 + (buf[j] - '0');
        }
        long close = (long) i + 1 + length;
        if (close + 1 >= capacity) {
            outcome = Outcome.UNFRAMEABLE;
            return;
        }
        add(i + 1, (int) close, (k - 2) - topicStart > maxTopic || length > maxPayload);
    }

    private void add(int start, int close, boolean over) {
        if (readings == payloadStart.length) {
            int n = readings * 2;
            payloadStart = Arrays.copyOf(payloadStart, n);
            closeAt = Arrays.copyOf(closeAt, n);
            state = Arrays.copyOf(state, n);
            overLimit = Arrays.copyOf(overLimit, n);
        }
        payloadStart[readings] = start;
        closeAt[readings] = close;
        state[readings] = UNRESOLVED;
        overLimit[readings] = over;
        push(readings);
        readings++;
        nextCheck = closeAt[heap[0]] + 1;
    }

    private void push(int r) {
        if (unresolved == heap.length) {
            heap = Arrays.copyOf(heap, heap.length * 2);
        }
        int i = unresolved++;
        heap[i] = r;
        while (i > 0 && closeAt[heap[(i - 1) / 2]] > closeAt[heap[i]]) {
            swap(i, (i - 1) / 2);
            i = (i - 1) / 2;
        }
    }

    private int pop() {
        int top = heap[0];
        heap[0] = heap[--unresolved];
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            int m = i;
            if (l < unresolved && closeAt[heap[l]] < closeAt[heap[m]]) {
                m = l;
            }
            if (l + 1 < unresolved && closeAt[heap[l + 1]] < closeAt[heap[m]]) {
                m = l + 1;
            }
            if (m == i) {
                return top;
            }
            swap(i, m);
            i = m;
        }
    }

    private void swap(int a, int b) {
        int t = heap[a];
        heap[a] = heap[b];
        heap[b] = t;
    }

    /** Checks the readings whose closing bytes are in, and decides once nothing is left to wait for. */
    private void check() {
        if (outcome != Outcome.PENDING) {
            return;
        }
        // the readings whose closing quote and the byte after it are in, cheapest first
        while (unresolved > 0 && len > closeAt[heap[0]] + 1) {
            int r = pop();
            int c = closeAt[r];
            byte after = buf[c + 1];
            state[r] = buf[c] == '"' && (after == '\r' || after == '\n') ? CONSISTENT : FALSE;
        }
        nextCheck = unresolved == 0 ? Integer.MAX_VALUE : closeAt[heap[0]] + 1;
        if (closed && unresolved == 0) {
            decide();
        }
    }

    private void decide() {
        int consistent = 0;
        int first = -1;
        boolean sameEnd = true;
        for (int r = 0; r < readings; r++) {
            if (state[r] != CONSISTENT) {
                continue;
            }
            if (overLimit[r]) {
                outcome = Outcome.UNFRAMEABLE; // it may be the modem's own: nothing else can be trusted
                return;
            }
            consistent++;
            if (first < 0) {
                first = r;
            } else if (closeAt[r] != closeAt[first]) {
                sameEnd = false;
            }
        }
        if (consistent == 0) {
            // Not a URC as the modem writes one in the length form, whose own reading is always
            // consistent (a topic holding CR or LF aside): the length-less line of firmware that does
            // not report the length (the documents' examples) if it ends with a quote, else a URC a
            // UART glitch tore. Either way it ends at its first line end, as a line does.
            restFrom = lineEnd;
            outcome = lineEnd > topicStart && buf[lineEnd - 1] == '"' ? Outcome.LINE : Outcome.TORN;
            return;
        }
        if (!sameEnd) {
            outcome = Outcome.UNFRAMEABLE;
            return;
        }
        restFrom = closeAt[first] + 1;
        if (consistent == 1) {
            chosen = first;
            outcome = Outcome.MESSAGE;
        } else {
            outcome = Outcome.AMBIGUOUS;
        }
    }
}
