package io.cellmqtt.at;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns the modem's byte stream into {@link AtEvent}s. Pure and single-threaded: the same bytes
 * give the same events whether fed in one chunk or one byte at a time. CR and LF both end a
 * line; empty lines are skipped; while a prompt {@linkplain #expectPrompt() is expected}, {@code '>'}
 * at the start of a line is a {@link AtEvent.Prompt}; a line that a {@link PayloadFraming} claims
 * becomes an {@link AtEvent.Framed}.
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
 * <li>After every byte appended to a line (CR and LF are never appended), each framing is
 * asked, in list order, about the line so far. The first that answers {@code n >= 0} claims it:
 * the next {@code n} bytes, whatever they are, are the payload; the {@link AtEvent.Framed} is
 * emitted as soon as the last payload byte arrived (immediately for {@code n == 0}), or, for a
 * framing with a {@linkplain PayloadFraming#closingByte closing byte}, as soon as that byte
 * follows; then everything up to the end of that line &mdash; the next CR or LF, inclusive
 * &mdash; is dropped. A CR LF pair after the payload therefore ends it just as a lone LF would (the
 * LF that follows the CR is an empty line, which is skipped).</li>
 * <li>When another byte than the closing byte follows, the claim was false: the line was torn
 * after its header (a UART glitch), and its length counted bytes the modem wrote after it. The
 * header is dropped ({@link #falseClaims()} counts it) and the claimed bytes, with the one that
 * gave the claim away, are digested again as ordinary input, before what follows them. No event is
 * made of a torn line, and none of the lines after it is lost.</li>
 * <li>When a line ends (at its CR or LF) and no framing claimed it on the way, each framing is
 * asked, in list order, about the whole line with {@link PayloadFraming#payloadAfterLine}. The
 * first that answers {@code n >= 0} claims the next {@code n} bytes after the line end as the
 * payload of an {@link AtEvent.Framed} whose header is the whole line: if the line ended with CR
 * and the next byte is LF, that LF belongs to the line end and is not payload; any other byte
 * after the CR is the first payload byte. The event is emitted as soon as the last payload byte
 * arrived (at the line end for {@code n == 0}); then the digester is at the start of a new line,
 * so a CR LF after the payload is just an empty line. Consequence: with CR-only line ends a
 * payload that starts with LF cannot be told from a CR LF line end (modems send CR LF).</li>
 * <li>Lines are decoded as UTF-8 (malformed bytes become U+FFFD).</li>
 * <li>A line longer than {@link #MAX_LINE} bytes is <em>dropped</em>, not truncated: its bytes
 * are discarded up to its end and {@link #droppedLines()} counts it. A truncated line could be
 * mistaken for a valid, shorter one; dropping it cannot. Framings are not asked about a line
 * once it is over the limit. A framing claim above {@link #MAX_PAYLOAD} bytes is ignored.</li>
 * </ul>
 */
public final class AtDigester {

    /** The longest line kept, in bytes (64 KiB). */
    public static final int MAX_LINE = 64 * 1024;
    /** The largest payload a framing may claim (16 MiB); larger claims are ignored. */
    public static final int MAX_PAYLOAD = 16 * 1024 * 1024;

    private enum Mode { LINE, AFTER_PROMPT, LF_AFTER_HEADER, PAYLOAD, CLOSING, SKIP_TO_EOL, OVERLONG }

    /** Bytes still to be digested: the caller's, or bytes a false claim took and gives back. */
    private static final class Input {
        final byte[] buffer;
        final int end;
        int pos;

        Input(byte[] buffer, int pos, int end) {
            this.buffer = buffer;
            this.pos = pos;
            this.end = end;
        }
    }

    private final PayloadFraming[] framings;
    private Mode mode = Mode.LINE;
    private byte[] line = new byte[256];
    private int lineLength;
    private String header;
    private ByteArrayOutputStream payload;
    private int remaining;
    /** True while the payload being read was claimed after a whole line, not inside one. */
    private boolean afterLine;
    /** The byte that must follow the payload being read for the claim to stand, or -1. */
    private int closing = -1;
    private long droppedLines;
    private long falseClaims;
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

    /** Feeds {@code length} bytes and returns the events they completed, in order. */
    public List<AtEvent> feed(byte[] buffer, int offset, int length) {
        List<AtEvent> events = new ArrayList<>(2);
        // A stack, not recursion: bytes given back by a false claim are digested before the rest,
        // and may themselves hold a false claim.
        ArrayDeque<Input> inputs = new ArrayDeque<>();
        inputs.push(new Input(buffer, offset, offset + length));
        while (!inputs.isEmpty()) {
            Input in = inputs.peek();
            if (in.pos >= in.end) {
                inputs.pop();
                continue;
            }
            byte[] buf = in.buffer;
            switch (mode) {
                case PAYLOAD -> {
                    int n = Math.min(remaining, in.end - in.pos);
                    payload.write(buf, in.pos, n);
                    in.pos += n;
                    remaining -= n;
                    if (remaining == 0) {
                        payloadComplete(events);
                    }
                }
                case CLOSING -> {
                    byte b = buf[in.pos++];
                    if (b == closing) {
                        emitFramed(events);
                    } else {
                        // Not followed by its closing byte: these were never a payload (the header was
                        // torn off its line). The header goes; what it claimed is read again as it is.
                        falseClaims++;
                        byte[] claimed = payload.toByteArray();
                        byte[] back = Arrays.copyOf(claimed, claimed.length + 1);
                        back[claimed.length] = b;
                        header = null;
                        payload = null;
                        mode = Mode.LINE;
                        inputs.push(new Input(back, 0, back.length));
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
                case SKIP_TO_EOL, OVERLONG -> {
                    byte b = buf[in.pos++];
                    if (b == '\r' || b == '\n') {
                        mode = Mode.LINE;
                    }
                }
                case LINE -> {
                    byte b = buf[in.pos++];
                    if (b == '\r' || b == '\n') {
                        if (lineLength > 0) {
                            endLine(b, events);
                        }
                    } else if (b == '>' && lineLength == 0 && promptExpected) {
                        promptExpected = false;
                        events.add(new AtEvent.Prompt());
                        mode = Mode.AFTER_PROMPT;
                    } else if (lineLength >= MAX_LINE) {
                        droppedLines++;
                        lineLength = 0;
                        mode = Mode.OVERLONG;
                    } else {
                        append(b);
                        claim(events);
                    }
                }
                default -> throw new IllegalStateException(mode.name());
            }
        }
        return events;
    }

    /** How many over-long lines were dropped so far. */
    public long droppedLines() {
        return droppedLines;
    }

    /** How many claimed payloads turned out not to be one (no closing byte after them) so far. */
    public long falseClaims() {
        return falseClaims;
    }

    private void append(byte b) {
        if (lineLength == line.length) {
            line = Arrays.copyOf(line, Math.min(MAX_LINE, line.length * 2));
        }
        line[lineLength++] = b;
    }

    private void claim(List<AtEvent> events) {
        for (PayloadFraming framing : framings) {
            int n = framing.payloadLength(line, lineLength);
            if (n >= 0 && n <= MAX_PAYLOAD) {
                closing = framing.closingByte(line, lineLength);
                startPayload(n, false, events);
                return;
            }
        }
    }

    /** A non-empty line ended with {@code terminator}: a line event, or the header of a block. */
    private void endLine(byte terminator, List<AtEvent> events) {
        for (PayloadFraming framing : framings) {
            int n = framing.payloadAfterLine(line, lineLength);
            if (n >= 0 && n <= MAX_PAYLOAD) {
                closing = -1;
                startPayload(n, true, events);
                if (n > 0 && terminator == '\r') {
                    mode = Mode.LF_AFTER_HEADER;
                }
                return;
            }
        }
        events.add(new AtEvent.Line(new String(line, 0, lineLength, StandardCharsets.UTF_8),
                Arrays.copyOf(line, lineLength)));
        lineLength = 0;
    }

    private void startPayload(int n, boolean wholeLine, List<AtEvent> events) {
        header = new String(line, 0, lineLength, StandardCharsets.UTF_8);
        lineLength = 0;
        remaining = n;
        afterLine = wholeLine;
        payload = new ByteArrayOutputStream(Math.min(n, 8192));
        if (n == 0) {
            payloadComplete(events);
        } else {
            mode = Mode.PAYLOAD;
        }
    }

    /** All claimed bytes are in: the event, or first the check that the claim's closing byte follows. */
    private void payloadComplete(List<AtEvent> events) {
        if (!afterLine && closing >= 0) {
            mode = Mode.CLOSING;
        } else {
            emitFramed(events);
        }
    }

    private void emitFramed(List<AtEvent> events) {
        events.add(new AtEvent.Framed(header, payload.toByteArray()));
        header = null;
        payload = null;
        // A payload inside a line is followed by the rest of that line (a closing quote); one
        // after a whole line ends where the next line starts.
        mode = afterLine ? Mode.LINE : Mode.SKIP_TO_EOL;
    }
}
