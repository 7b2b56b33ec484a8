package io.cellmqtt.at;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns the modem's byte stream into {@link AtEvent}s. Pure and single-threaded: the same bytes
 * give the same events whether fed in one chunk or one byte at a time (and the same quiet moments,
 * {@link #quiet()}). CR and LF both end a line; empty lines are skipped; while a prompt
 * {@linkplain #expectPrompt() is expected}, {@code '>'} at the start of a line is a
 * {@link AtEvent.Prompt}; the receive URCs a {@link PayloadFraming} names become
 * {@link AtEvent.Framed}.
 *
 * <p>Details of the contract as implemented:
 * <ul>
 * <li>Once {@link #expectPrompt()} was called, the next {@code '>'} that is the first byte of a line
 * is a {@link AtEvent.Prompt}, emitted at once whatever follows it: modules send {@code "> "} (the
 * Quectel documents), a bare {@code ">"} and then wait for the data (SIMCom SIM7600 reference 001,
 * section 5: "responds with {@code >}"; users' SIM7600 and SIM7670 logs), or {@code ">"} and CR LF.
 * One space right after it belongs to the prompt and is dropped; a CR or LF ends an empty line.
 * The expectation ends with that prompt or with {@link #cancelPrompt()}. Without it, a line that
 * starts with {@code '>'} is an ordinary line.</li>
 * <li>After every byte appended to a line, each framing is asked whether the line so far opens a
 * {@linkplain PayloadFraming#quotedRecord quoted record} (Quectel's {@code +QMTRECV: 0,7,"}). From
 * then on the bytes go to a {@link QuectelRecvRecord}, CR and LF included, until it has decided
 * where the URC ends: a {@link AtEvent.Framed} of the one consistent reading, or nothing for an
 * ambiguous one ({@link #ambiguousRecords()}), and in both cases the bytes after the URC are
 * digested as usual; a {@link AtEvent.Line} when it has no reading at all and the line ends with a
 * quote (firmware that does not report the length); nothing when it has no reading otherwise (torn
 * by a UART glitch: like a torn line, it ends at its first line end, {@link #tornRecords()}); or
 * <em>unframeable</em> ({@link #framingErrors()}).</li>
 * <li>When a line ends and no record opened on the way, each framing is asked about the whole line
 * with {@link PayloadFraming#payloadAfterLine}. A claim of {@code n} bytes takes the next {@code n}
 * bytes after the line end as the payload of an {@link AtEvent.Framed} whose header is the whole
 * line: if the line ended with CR and the next byte is LF, that LF belongs to the line end and is
 * not payload; any other byte after the CR is the first payload byte. The payload must be followed
 * by CR or LF: the event is emitted when that byte comes (at once for {@code n == 0}); any other
 * byte, or a claim above the framing's limit ({@link PayloadFraming#TOO_LONG}), is a framing error.
 * Consequence: with CR-only line ends a payload that starts with LF cannot be told from a CR LF
 * line end (modems send CR LF).</li>
 * <li>After a framing error the digester <em>distrusts</em> the stream: every byte is discarded
 * ({@link #discardedBytes()}) until the caller reports the line {@linkplain #quiet() quiet}, since
 * where the bad URC ends is unknown and anything read before its end could be a publisher's bytes.
 * A record or block still waiting for its bytes when the line goes quiet is a framing error too
 * (a modem writes a URC without pausing inside it). {@link #awaitsQuiet()} says when the caller
 * should watch for quiet.</li>
 * <li>Lines are decoded as UTF-8 (malformed bytes become U+FFFD); {@link AtEvent.Line#raw()} keeps
 * the bytes.</li>
 * <li>A line longer than {@link #MAX_LINE} bytes is <em>dropped</em>, not truncated: its bytes
 * are discarded up to its end and {@link #droppedLines()} counts it. A truncated line could be
 * mistaken for a valid, shorter one; dropping it cannot.</li>
 * <li>What it holds is bounded: one line ({@link #MAX_LINE}), one record (its
 * {@linkplain QuectelRecvRecord#capacity() capacity}) or one block (the framing's limit),
 * whatever arrives ({@link #retainedBytes()}).</li>
 * </ul>
 */
public final class AtDigester {

    /** The longest line kept, in bytes (64 KiB). */
    public static final int MAX_LINE = 64 * 1024;

    private enum Mode { LINE, AFTER_PROMPT, RECORD, LF_AFTER_HEADER, PAYLOAD, AFTER_DATA, OVERLONG, DISTRUST }

    /** Bytes still to be digested: the caller's, or bytes a record took past its end and gives back. */
    private static final class Input {
        byte[] buffer;
        int end;
        int pos;

        Input set(byte[] buffer, int pos, int end) {
            this.buffer = buffer;
            this.pos = pos;
            this.end = end;
            return this;
        }
    }

    private final PayloadFraming[] framings;
    /** Inputs still to digest during one {@link #feed}: the caller's, and bytes a record gave back on top. */
    private final ArrayDeque<Input> inputs = new ArrayDeque<>(4);
    private final Input callerInput = new Input();
    /** The events of the {@link #feed} in progress; made on the first one (most reads complete none). */
    private List<AtEvent> out;
    private Mode mode = Mode.LINE;
    private byte[] line = new byte[256];
    private int lineLength;
    private String header;
    /** The block being read (SIMCom), filled from its start; {@code remaining} bytes still to come. */
    private byte[] payload;
    private int remaining;
    private QuectelRecvRecord record;
    private long droppedLines;
    private long framingErrors;
    private long ambiguousRecords;
    private long tornRecords;
    private long discardedBytes;
    /** A command that is answered with a prompt was written and its prompt has not come yet. */
    private boolean promptExpected;

    public AtDigester(List<PayloadFraming> framings) {
        this.framings = framings == null ? new PayloadFraming[0] : framings.toArray(new PayloadFraming[0]);
    }

    /**
     * A command answered with the data prompt was just written: the next {@code '>'} at the start
     * of a line is its prompt. Bytes fed from now on are read with that in mind.
     */
    public void expectPrompt() {
        promptExpected = true;
    }

    /** The command that expected a prompt is over without one (refused, timed out): {@code '>'} is text again. */
    public void cancelPrompt() {
        promptExpected = false;
    }

    /** Whether a prompt is expected and has not come yet. */
    public boolean promptExpected() {
        return promptExpected;
    }

    /**
     * True while the digester needs to hear of the line going quiet: a record or block is waiting
     * for its bytes, or the stream is distrusted after a framing error.
     */
    public boolean awaitsQuiet() {
        return mode == Mode.RECORD || mode == Mode.DISTRUST || mode == Mode.LF_AFTER_HEADER
                || mode == Mode.PAYLOAD || mode == Mode.AFTER_DATA;
    }

    /**
     * No byte came for a while (the caller's quiet period). A distrusted stream is trusted again from
     * the next byte; a record or block still waiting for bytes is a framing error, and is discarded;
     * so is a line still without its end.
     *
     * @return the events this completed (none today; kept for symmetry with {@link #feed})
     */
    public List<AtEvent> quiet() {
        switch (mode) {
            case RECORD, LF_AFTER_HEADER, PAYLOAD, AFTER_DATA -> {
                framingErrors++;
                releaseBlock();
                mode = Mode.LINE;
            }
            case DISTRUST, OVERLONG -> mode = Mode.LINE;
            default -> {
            }
        }
        // A line still being received is torn (a modem does not pause inside one): its start is no line.
        lineLength = 0;
        return List.of();
    }

    /** Feeds {@code length} bytes and returns the events they completed, in order. */
    public List<AtEvent> feed(byte[] buffer, int offset, int length) {
        out = null;
        // A stack, not recursion: bytes a record took past its end are digested before the rest.
        inputs.clear();
        inputs.push(callerInput.set(buffer, offset, offset + length));
        while (!inputs.isEmpty()) {
            Input in = inputs.peek();
            if (in.pos >= in.end) {
                inputs.pop();
                continue;
            }
            byte[] buf = in.buffer;
            switch (mode) {
                case RECORD -> {
                    in.pos += record.feed(buf, in.pos, in.end);
                    switch (record.outcome()) {
                        case PENDING -> {
                        }
                        case MESSAGE -> {
                            emit(AtEvent.Framed.owning(record.header(), record.payload()));
                            resumeAfterRecord();
                        }
                        case AMBIGUOUS -> {
                            ambiguousRecords++;
                            resumeAfterRecord();
                        }
                        case LINE -> {
                            byte[] raw = record.line();
                            emit(AtEvent.Line.owning(new String(raw, StandardCharsets.UTF_8), raw));
                            resumeAfterRecord();
                        }
                        case TORN -> {
                            framingErrors++;
                            tornRecords++;
                            resumeAfterRecord();
                        }
                        case UNFRAMEABLE -> distrust();
                    }
                }
                case PAYLOAD -> {
                    int n = Math.min(remaining, in.end - in.pos);
                    System.arraycopy(buf, in.pos, payload, payload.length - remaining, n);
                    in.pos += n;
                    remaining -= n;
                    if (remaining == 0) {
                        mode = Mode.AFTER_DATA;
                    }
                }
                case AFTER_DATA -> {
                    byte b = buf[in.pos++];
                    if (b == '\r' || b == '\n') {
                        // the payload's line end; an LF after a CR is an empty line
                        emit(AtEvent.Framed.owning(header, payload));
                        releaseBlock();
                        mode = Mode.LINE;
                    } else {
                        distrust();
                        discardedBytes++;
                    }
                }
                case LF_AFTER_HEADER -> {
                    // An LF completes the header's CR LF; any other byte is already the first payload byte.
                    if (buf[in.pos] == '\n') {
                        in.pos++;
                    }
                    mode = Mode.PAYLOAD;
                }
                case AFTER_PROMPT -> {
                    // "> ": the space is the prompt's own; anything else is read as it is.
                    if (buf[in.pos] == ' ') {
                        in.pos++;
                    }
                    mode = Mode.LINE;
                }
                case DISTRUST -> {
                    discardedBytes += in.end - in.pos;
                    in.pos = in.end;
                }
                case OVERLONG -> {
                    byte b = buf[in.pos++];
                    if (b == '\r' || b == '\n') {
                        mode = Mode.LINE;
                    }
                }
                case LINE -> {
                    byte b = buf[in.pos++];
                    if (b == '\r' || b == '\n') {
                        if (lineLength > 0) {
                            endLine(b);
                        }
                    } else if (b == '>' && lineLength == 0 && promptExpected) {
                        promptExpected = false;
                        emit(new AtEvent.Prompt());
                        mode = Mode.AFTER_PROMPT;
                    } else if (lineLength >= MAX_LINE) {
                        droppedLines++;
                        lineLength = 0;
                        mode = Mode.OVERLONG;
                    } else {
                        append(b);
                        openRecord();
                    }
                }
                default -> throw new IllegalStateException(mode.name());
            }
        }
        List<AtEvent> events = out == null ? List.of() : out;
        out = null;
        callerInput.buffer = null;
        return events;
    }

    private void emit(AtEvent e) {
        if (out == null) {
            out = new ArrayList<>(2);
        }
        out.add(e);
    }

    /** How many over-long lines were dropped so far. */
    public long droppedLines() {
        return droppedLines;
    }

    /**
     * How many receive URCs could not be framed so far: a record with no reading (torn: dropped up to
     * its first line end, {@link #tornRecords()}); and, each followed by distrust until quiet, a record
     * with several readings ending at different bytes, a claim above the limits, a block not followed
     * by its line end, or a record or block cut short by the line going quiet.
     */
    public long framingErrors() {
        return framingErrors;
    }

    /** How many of the {@link #framingErrors()} were records with no reading at all, taken as torn lines. */
    public long tornRecords() {
        return tornRecords;
    }

    /** How many records had several readings ending at the same byte, and were dropped. */
    public long ambiguousRecords() {
        return ambiguousRecords;
    }

    /** How many bytes were discarded while distrusting the stream. */
    public long discardedBytes() {
        return discardedBytes;
    }

    /** The bytes the digester holds now: its line buffer, its record's and its block's. */
    public long retainedBytes() {
        return line.length + (record == null ? 0 : record.retained()) + (payload == null ? 0 : payload.length);
    }

    private void append(byte b) {
        if (lineLength == line.length) {
            line = Arrays.copyOf(line, Math.min(MAX_LINE, line.length * 2));
        }
        line[lineLength++] = b;
    }

    /** After a byte was appended: does the line so far open a quoted record? */
    private void openRecord() {
        for (PayloadFraming framing : framings) {
            int maxPayload = framing.quotedRecord(line, lineLength);
            if (maxPayload >= 0) {
                int maxTopic = framing.maxRecordTopic();
                if (record == null || record.maxTopic() != maxTopic || record.maxPayload() != maxPayload) {
                    record = new QuectelRecvRecord(maxTopic, maxPayload);
                }
                record.open(line, lineLength);
                lineLength = 0;
                mode = Mode.RECORD;
                return;
            }
        }
    }

    private void resumeAfterRecord() {
        byte[] rest = record.rest();
        mode = Mode.LINE;
        if (rest.length > 0) {
            inputs.push(new Input().set(rest, 0, rest.length));
        }
    }

    private void distrust() {
        framingErrors++;
        releaseBlock();
        lineLength = 0;
        mode = Mode.DISTRUST;
    }

    private void releaseBlock() {
        header = null;
        payload = null;
        remaining = 0;
    }

    /** A non-empty line ended with {@code terminator}: a line event, or the header of a block. */
    private void endLine(byte terminator) {
        for (PayloadFraming framing : framings) {
            int n = framing.payloadAfterLine(line, lineLength);
            if (n == PayloadFraming.TOO_LONG) {
                distrust();
                return;
            }
            if (n >= 0) {
                header = new String(line, 0, lineLength, StandardCharsets.UTF_8);
                lineLength = 0;
                if (n == 0) {
                    emit(AtEvent.Framed.owning(header, new byte[0]));
                    releaseBlock();
                    return;
                }
                remaining = n;
                payload = new byte[n]; // n is within the framing's limit
                mode = terminator == '\r' ? Mode.LF_AFTER_HEADER : Mode.PAYLOAD;
                return;
            }
        }
        emit(AtEvent.Line.owning(new String(line, 0, lineLength, StandardCharsets.UTF_8),
                Arrays.copyOf(line, lineLength)));
        lineLength = 0;
    }
}
