package io.cellmqtt.at;

import io.cellmqtt.link.Link;
import io.cellmqtt.loop.ModemLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The AT engine over one port: one command in flight at a time, the others waiting in order,
 * each with its own timeout. It lives on the modem's {@link ModemLoop}: every method is called on
 * the loop, the bytes the port reads are handed to {@link #onBytes} on the loop, commands are
 * written from the loop, and every future it returns completes on the loop.
 *
 * <p>The reply-vs-URC rule: while a command is in flight, a line is part of its reply only if
 * it starts with the command's {@link AtCommand#replyPrefix()} (or, for a
 * {@link AtCommand#bareReply()} command, does not start with '+'), or is a final result
 * ({@code OK}, {@code ERROR}, {@code +CME ERROR:}, {@code +CMS ERROR:}, {@code NO CARRIER}). An
 * echo of the command line itself is dropped. Every other line is a URC and goes to the handler
 * registered for the longest matching prefix, else it is logged and dropped.
 *
 * <p>Data phase: a command with {@link AtCommand#data()} is written, the channel waits for the
 * {@code >} prompt (with a space after it, CR LF, or nothing: {@link AtDigester#expectPrompt()}), writes the data bytes as they are, then waits for the final result. An error
 * result instead of the prompt fails the command and its data is never written; an {@code OK} while
 * the prompt is awaited is not its answer (such a command is never answered OK before its data) but
 * another command's, doubled or late, and is dropped.
 *
 * <p>Timeouts run from the moment a command's line is written and cover prompt, data and final
 * result. After a timeout the channel resynchronises at once, before any other command: ESC (or,
 * when a data command's prompt did not come, what its {@link AtCommand.LostPrompt} says: ESC where
 * the document says it cancels the input, else the announced number of filler bytes), a drain period, then the probe {@value #PROBE} until it is answered (5 attempts by default). The
 * probe's answer is known by its {@code +CMEE: <n>} line before the {@code OK} (3GPP TS 27.007,
 * every modem has it), so a late final result of the command that timed out, which may come after
 * the probe was written, is never taken for it; and the answer of an earlier probe that comes after
 * the resync ended (its {@code +CMEE:} line, then its {@code OK}) is dropped wherever it comes,
 * never taken for the next command's. While resynchronising, lines for which a URC handler is
 * registered are still dispatched; every other line (the abandoned command's late reply) is
 * discarded, its text not logged. The outcome goes to the {@link ChannelListener}: answering again
 * (and whether our probe came back echoed, the sign of a modem that restarted), or not answering, in
 * which case every waiting command fails.
 *
 * <p>The text of the last few commands whose log text differs from their text (they carry a
 * secret) is remembered, and a line equal to it (a late echo) is dropped without being logged or
 * dispatched. A command may be {@linkplain AtRequest#withdraw() withdrawn} until its first byte
 * is written.
 */
public final class AtChannel {
    private static final Logger LOG = LoggerFactory.getLogger(AtChannel.class);
    private static final byte ESC = 0x1B;
    private static final int SECRETS_REMEMBERED = 8;
    /** The resynchronising probe: harmless, and answered with a line no other command of ours gets. */
    static final String PROBE = "AT+CMEE?";
    /** {@link #PROBE} read as the command line of typed parts it is, as every line written is. */
    private static final AtCommand PROBE_COMMAND = AtCommandLine.parse(PROBE).command();
    private static final String PROBE_ANSWER = "+CMEE:";

    private enum Phase { IDLE, AWAIT_PROMPT, AWAIT_FINAL, RESYNC_DRAIN, RESYNC_PROBE }

    private final ModemLoop loop;
    private final String name;
    private final List<PayloadFraming> framings;
    private final ArrayDeque<AtRequest> queue = new ArrayDeque<>();
    private final Map<String, UrcHandler> handlers = new HashMap<>();
    private final ArrayDeque<String> recentSecrets = new ArrayDeque<>();
    private ChannelListener listener = ChannelListener.NONE;
    private Link link;
    private Throwable noLinkCause;
    private AtDigester digester;
    private AtRequest inFlight;
    private Phase phase = Phase.IDLE;
    private ModemLoop.Timer timer;
    private boolean needResync;
    private boolean echoSeen;
    private int discarded;
    /** The data command whose prompt did not come, until the resync has written what it asks for. */
    private AtCommand lostPrompt;
    /** A probe's {@code +CMEE:} line came: the OK that follows is the probe's. */
    private boolean probeAnswered;

    /**
     * How long the line must be silent for the digester to take a receive URC as over (see
     * {@link AtDigester#quiet()}): a modem writes a URC without pausing this long inside it.
     */
    private Duration quietPeriod = Duration.ofMillis(300);
    private ModemLoop.Timer quietTimer;
    private long lastBytesAt;
    private long framingErrorsLogged;
    private long ambiguousLogged;
    /** What the digesters of links before this one refused. */
    private volatile FramingStats pastFraming = new FramingStats(0, 0, 0);
    /** Received lines a dialect dropped for having more than one reading. */
    private final java.util.concurrent.atomic.AtomicLong ambiguousLines = new java.util.concurrent.atomic.AtomicLong();
    private Duration resyncDrain = Duration.ofMillis(200);
    private Duration resyncAttemptTimeout = Duration.ofMillis(500);
    private int resyncAttempts = 5;

    public AtChannel(ModemLoop loop, String name, List<PayloadFraming> framings) {
        this.loop = loop;
        this.name = name;
        this.framings = framings == null ? List.of() : List.copyOf(framings);
    }

    public String name() {
        return name;
    }

    public void setListener(ChannelListener listener) {
        this.listener = listener == null ? ChannelListener.NONE : listener;
    }

    /**
     * Tunes resynchronisation: how long to drain after ESC, how long each {@code AT} may take,
     * and how many {@code AT} attempts are made. Defaults: 200 ms, 500 ms, 5.
     */
    public void setResyncTiming(Duration drain, Duration attemptTimeout, int attempts) {
        this.resyncDrain = drain;
        this.resyncAttemptTimeout = attemptTimeout;
        this.resyncAttempts = Math.max(1, attempts);
    }

    /** How long the line must be silent before a receive URC still waiting for bytes is given up. Default 300 ms. */
    public void setQuietPeriod(Duration quietPeriod) {
        this.quietPeriod = quietPeriod;
    }

    /** A dialect dropped a received line with more than one reading: counted with the digester's ambiguous records. */
    public void countAmbiguous() {
        ambiguousLines.incrementAndGet();
    }

    /** The digester's counts of what it refused to read: framing errors, ambiguous records, bytes discarded. */
    public FramingStats framingStats() {
        FramingStats s = plus(pastFraming, digester);
        return new FramingStats(s.framingErrors, s.ambiguousRecords + ambiguousLines.get(), s.discardedBytes);
    }

    private static FramingStats plus(FramingStats past, AtDigester d) {
        return d == null ? past : new FramingStats(past.framingErrors + d.framingErrors(),
                past.ambiguousRecords + d.ambiguousRecords(), past.discardedBytes + d.discardedBytes());
    }

    /**
     * What the digester refused to read since the link was attached.
     *
     * @param framingErrors    receive URCs whose end could not be told; each was followed by discarding
     *                         everything until the line was quiet
     * @param ambiguousRecords received messages with more than one reading, dropped
     * @param discardedBytes   bytes discarded while the stream was not trusted
     */
    public record FramingStats(long framingErrors, long ambiguousRecords, long discardedBytes) {
    }

    /** Routes URCs starting with {@code prefix} (e.g. {@code +QMTRECV:} or {@code RDY}) to {@code handler}. */
    public void onUrc(String prefix, UrcHandler handler) {
        handlers.put(prefix, handler);
    }

    /** Starts using {@code newLink} (already started, its bytes handed to {@link #onBytes}). */
    public void attach(Link newLink) {
        loop.assertInLoop();
        link = newLink;
        noLinkCause = null;
        pastFraming = plus(pastFraming, digester);
        digester = new AtDigester(framings);
        framingErrorsLogged = 0;
        ambiguousLogged = 0;
        phase = Phase.IDLE;
        needResync = false;
        lostPrompt = null;
        kick();
    }

    /** The link is gone: every queued or running command fails with {@link LinkLostException}. */
    public void detach(Throwable cause) {
        loop.assertInLoop();
        cancelTimer();
        link = null;
        noLinkCause = cause;
        phase = Phase.IDLE;
        AtRequest current = inFlight;
        inFlight = null;
        if (current != null) {
            current.result.completeExceptionally(lost(current.command, "in flight"));
        }
        failQueued(c -> lost(c, "queued"));
    }

    /**
     * The modem is no longer the one these commands were meant for (it restarted, or stopped
     * answering): every queued or running command fails with {@code cause}. A running one may still
     * be answered, so the next command resynchronises first.
     */
    public void abandon(Exception cause) {
        loop.assertInLoop();
        AtRequest current = inFlight;
        if (current != null) {
            cancelTimer();
            noPrompt();
            inFlight = null;
            phase = Phase.IDLE;
            needResync = true;
            current.result.completeExceptionally(cause);
        }
        failQueued(c -> new AtException(c.logText(), c.logText() + ": not sent: " + cause.getMessage(), cause));
    }

    public boolean isAttached() {
        return link != null;
    }

    /**
     * Queues {@code command}. Never blocks. {@code onSent}, if not null, runs on the loop the
     * moment the whole command (line, and data if it has any) was written.
     */
    public AtRequest submit(AtCommand command, Runnable onSent) {
        loop.assertInLoop();
        AtRequest r = new AtRequest(this, command, onSent);
        if (link == null) {
            r.result.completeExceptionally(lost(command, "not sent"));
            return r;
        }
        queue.add(r);
        kick();
        return r;
    }

    public AtRequest submit(AtCommand command) {
        return submit(command, null);
    }

    boolean withdraw(AtRequest r) {
        loop.assertInLoop();
        if (r.lineWritten || !queue.remove(r)) {
            return false;
        }
        r.result.completeExceptionally(new AtWithdrawnException(r.command.logText(),
                r.command.logText() + ": withdrawn before it was written to " + name));
        return true;
    }

    // ------------------------------------------------------------------ writing

    private void kick() {
        if (phase != Phase.IDLE || link == null) {
            return;
        }
        if (needResync) {
            startResync();
        } else if (!queue.isEmpty()) {
            writeNext(queue.poll());
        }
    }

    private void writeNext(AtRequest r) {
        AtCommand c = r.command;
        if (!c.text().equals(c.logText())) {
            recentSecrets.remove(c.text());
            recentSecrets.addLast(c.text());
            if (recentSecrets.size() > SECRETS_REMEMBERED) {
                recentSecrets.removeFirst();
            }
        }
        inFlight = r;
        LOG.debug("{}: >> {}", name, c);
        r.lineWritten = true;
        if (!write((c.text() + "\r").getBytes(StandardCharsets.UTF_8), r)) {
            return;
        }
        if (c.data() == null) {
            phase = Phase.AWAIT_FINAL;
            r.markSent();
        } else {
            phase = Phase.AWAIT_PROMPT;
            if (c.promptLine() == null) {
                digester.expectPrompt();
            }
        }
        timer = loop.schedule(c.timeout(), () -> timedOut(r));
    }

    /** Writes to the link; on failure fails {@code r} and reports the link as failing. */
    private boolean write(byte[] bytes, AtRequest r) {
        try {
            link.write(bytes);
            return true;
        } catch (IOException e) {
            LOG.debug("{}: write failed for {}: {}", name, r == null ? "resync" : r.command.logText(), e.toString());
            if (r != null) {
                if (inFlight == r) {
                    inFlight = null;
                }
                noPrompt();
                cancelTimer();
                phase = Phase.IDLE;
                r.result.completeExceptionally(new LinkLostException(r.command.logText(),
                        name + ": writing " + r.command.logText() + " failed: " + e.getMessage(), e));
            }
            listener.onWriteFailed(e);
            return false;
        }
    }

    private void timedOut(AtRequest r) {
        if (inFlight != r) {
            return;
        }
        String what = phase == Phase.AWAIT_PROMPT ? "no > prompt" : "no final result";
        if (phase == Phase.AWAIT_PROMPT) {
            lostPrompt = r.command;
        }
        noPrompt();
        inFlight = null;
        phase = Phase.IDLE;
        // A plain AT needs no resynchronising: a late OK to it is as good for the next AT (bring-up
        // and the modem's probe try AT until one is answered).
        if (!r.command.text().equals("AT")) {
            LOG.debug("{}: {} timed out ({}); resynchronising", name, r.command.logText(), what);
            needResync = true;
        }
        // Decided before the failure is reported: whatever its handlers submit goes after the resync.
        r.result.completeExceptionally(new AtTimeoutException(r.command.logText(), r.command.logText() + ": " + what
                + " within " + r.command.timeout().toMillis() + " ms on " + name));
        kick();
    }

    /** The command in flight ended: a {@code '>'} that comes now is no prompt of ours. */
    private void noPrompt() {
        if (digester != null) {
            digester.cancelPrompt();
        }
    }

    private void finish(AtRequest r, String result) {
        noPrompt();
        cancelTimer();
        inFlight = null;
        phase = Phase.IDLE;
        if (result.equals("OK")) {
            r.result.complete(new AtResponse(r.lines, result, r.framed));
        } else {
            r.result.completeExceptionally(new AtErrorException(r.command.logText(), result));
        }
        kick();
    }

    // ------------------------------------------------------------------ resynchronising

    private void startResync() {
        phase = Phase.RESYNC_DRAIN;
        echoSeen = false;
        discarded = 0;
        probeAnswered = false;
        AtCommand unprompted = lostPrompt;
        lostPrompt = null;
        if (unprompted != null && unprompted.lostPrompt() == AtCommand.LostPrompt.FILL_ANNOUNCED_LENGTH) {
            // No ESC: to a modem still waiting for the announced bytes it would be one of them.
            byte[] filler = new byte[unprompted.data().length + 1];
            Arrays.fill(filler, AtCommand.LostPrompt.FILLER);
            filler[filler.length - 1] = '\r';
            LOG.debug("{}: resync: {} filler bytes for the input {} announced", name, filler.length - 1,
                    unprompted.logText());
            if (!write(filler, null)) {
                return;
            }
        } else {
            LOG.debug("{}: resync: ESC", name);
            if (!write(new byte[] {ESC}, null)) {
                return;
            }
        }
        timer = loop.schedule(resyncDrain, () -> probe(1));
    }

    private void probe(int attempt) {
        if (link == null) {
            return;
        }
        phase = Phase.RESYNC_PROBE;
        if (!write((PROBE_COMMAND.text() + "\r").getBytes(StandardCharsets.US_ASCII), null)) {
            return;
        }
        timer = loop.schedule(resyncAttemptTimeout, () -> {
            if (attempt < resyncAttempts) {
                probe(attempt + 1);
            } else {
                resyncFailed();
            }
        });
    }

    private void resynchronised() {
        cancelTimer();
        phase = Phase.IDLE;
        needResync = false;
        LOG.debug("{}: resynchronised, {} stray line(s) discarded{}", name, discarded, echoSeen ? ", echo on" : "");
        listener.onResynchronised(echoSeen);
        kick();
    }

    private void resyncFailed() {
        phase = Phase.IDLE;
        // Still needed: the next command (a probe) resynchronises first.
        needResync = true;
        String why = "no answer to " + resyncAttempts + " " + PROBE + " probes after a timeout";
        LOG.debug("{}: could not resynchronise: {} ({} stray line(s) discarded)", name, why, discarded);
        failQueued(c -> new AtTimeoutException(c.logText(), c.logText() + ": not sent: the modem on " + name
                + " does not answer (" + why + ")"));
        listener.onUnresponsive(why);
    }

    // ------------------------------------------------------------------ reading

    /** The bytes the link read, in order. */
    public void onBytes(byte[] bytes, int offset, int length) {
        loop.assertInLoop();
        if (digester == null) {
            return;
        }
        handle(digester.feed(bytes, offset, length));
        if (digester.awaitsQuiet()) {
            lastBytesAt = System.nanoTime();
            if (quietTimer == null) {
                quietTimer = loop.schedule(quietPeriod, this::quietCheck);
            }
        }
        reportFraming();
    }

    private void handle(List<AtEvent> events) {
        for (AtEvent e : events) {
            try {
                onEvent(e);
            } catch (RuntimeException ex) {
                LOG.warn("{}: failed to handle {}", name, e, ex);
            }
        }
    }

    /** The quiet timer: the line was silent for the quiet period since the last bytes, or it is checked again then. */
    private void quietCheck() {
        quietTimer = null;
        if (digester == null || !digester.awaitsQuiet()) {
            return;
        }
        long left = quietPeriod.toNanos() - (System.nanoTime() - lastBytesAt);
        if (left > 0) {
            quietTimer = loop.schedule(Duration.ofNanos(left), this::quietCheck);
            return;
        }
        handle(digester.quiet());
        reportFraming();
    }

    /** Says once per occurrence what the digester refused, without the bytes (they are a publisher's). */
    private void reportFraming() {
        long errors = digester.framingErrors();
        if (errors != framingErrorsLogged) {
            framingErrorsLogged = errors;
            LOG.warn("{}: a receive URC could not be framed (its end is not certain); what the modem sends until the"
                    + " line is quiet for {} ms is discarded, never read as modem output ({} so far, {} bytes"
                    + " discarded)", name, quietPeriod.toMillis(), errors, digester.discardedBytes());
        }
        long ambiguous = digester.ambiguousRecords();
        if (ambiguous != ambiguousLogged) {
            ambiguousLogged = ambiguous;
            LOG.warn("{}: a received message had more than one reading (its topic holds \",<digits>,\"): dropped ({} so"
                    + " far)", name, ambiguous);
        }
    }

    private void onEvent(AtEvent event) {
        if (event instanceof AtEvent.Prompt) {
            onPrompt();
            return;
        }
        String text = event instanceof AtEvent.Line l ? l.text() : ((AtEvent.Framed) event).header();
        if (event instanceof AtEvent.Line && !recentSecrets.isEmpty()
                && (recentSecrets.contains(text) || recentSecrets.contains(text.trim()))) {
            return; // a (late) echo of a command carrying a secret: never logged nor dispatched
        }
        if (phase != Phase.RESYNC_DRAIN && phase != Phase.RESYNC_PROBE && event instanceof AtEvent.Line
                && lateProbeAnswer(text)) {
            return;
        }
        switch (phase) {
            case AWAIT_PROMPT, AWAIT_FINAL -> onReplyLine(event, text);
            case RESYNC_DRAIN, RESYNC_PROBE -> onResyncLine(event, text);
            case IDLE -> dispatchUrc(event, text);
        }
    }

    private void onPrompt() {
        AtRequest r = inFlight;
        if (phase != Phase.AWAIT_PROMPT || r == null) {
            LOG.debug("{}: stray prompt ignored", name);
            return;
        }
        if (!write(r.command.data(), r)) {
            return;
        }
        phase = Phase.AWAIT_FINAL;
        r.markSent();
    }

    private void onReplyLine(AtEvent event, String text) {
        AtRequest r = inFlight;
        AtCommand c = r.command;
        if (event instanceof AtEvent.Line) {
            if (text.equals(c.text()) || text.trim().equals(c.text())) {
                LOG.debug("{}: echo of {} dropped", name, c.logText());
                listener.onEcho();
                return;
            }
            if (phase == Phase.AWAIT_PROMPT && text.equals(c.promptLine())) {
                onPrompt();
                return;
            }
            if (isFinal(text)) {
                if (phase == Phase.AWAIT_PROMPT && text.equals("OK")) {
                    // A data command is answered with the prompt or refused before it, never with OK
                    // before its data: this OK is another command's (doubled, or late).
                    LOG.debug("{}: OK while awaiting the prompt of {} is not its answer; dropped", name, c.logText());
                    return;
                }
                // An error instead of the prompt: the data is never written.
                finish(r, text);
                return;
            }
            if (belongs(c, text)) {
                r.lines.add(text);
                return;
            }
        } else if (c.replyPrefix() != null && text.startsWith(c.replyPrefix())) {
            r.framed.add((AtEvent.Framed) event);
            return;
        }
        dispatchUrc(event, text);
    }

    /**
     * Outside a resync: the {@code +CMEE:} line and {@code OK} of a probe answered after its resync
     * ended (another probe's answer ended it). We never send {@value #PROBE} otherwise.
     */
    private boolean lateProbeAnswer(String text) {
        if (text.startsWith(PROBE_ANSWER)) {
            probeAnswered = true;
            LOG.debug("{}: a late answer to an earlier probe; dropped", name);
            return true;
        }
        if (probeAnswered && text.equals("OK")) {
            probeAnswered = false;
            return true;
        }
        return false;
    }

    private void onResyncLine(AtEvent event, String text) {
        if (event instanceof AtEvent.Line) {
            if (text.startsWith(PROBE_ANSWER)) {
                probeAnswered = true;
                return;
            }
            if (text.equals("OK") && probeAnswered) {
                probeAnswered = false;
                if (phase == Phase.RESYNC_PROBE) {
                    resynchronised();
                }
                return; // in the drain: an earlier resync's probe, answered late
            }
            if (text.equals(PROBE)) {
                echoSeen = true;
                return;
            }
        }
        if (handlerFor(text) != null) {
            dispatchUrc(event, text);
        } else {
            discarded++;
        }
    }

    private static boolean belongs(AtCommand c, String line) {
        if (c.replyPrefix() != null && line.startsWith(c.replyPrefix())) {
            return true;
        }
        return c.bareReply() && !line.startsWith("+");
    }

    /** OK, ERROR, +CME ERROR:, +CMS ERROR:, NO CARRIER. */
    static boolean isFinal(String line) {
        return line.equals("OK") || line.equals("ERROR") || line.startsWith("+CME ERROR:")
                || line.startsWith("+CMS ERROR:") || line.equals("NO CARRIER");
    }

    private String handlerFor(String text) {
        String best = null;
        for (String prefix : handlers.keySet()) {
            if (text.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        return best;
    }

    private void dispatchUrc(AtEvent event, String text) {
        String prefix = handlerFor(text);
        if (prefix == null) {
            LOG.debug("{}: unhandled URC dropped: {}", name, event);
            return;
        }
        try {
            handlers.get(prefix).onUrc(event);
        } catch (RuntimeException e) {
            LOG.warn("{}: URC handler for {} failed on {}", name, prefix, event, e);
        }
    }

    // ------------------------------------------------------------------ helpers

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private interface Failure {
        AtException of(AtCommand command);
    }

    private void failQueued(Failure failure) {
        if (queue.isEmpty()) {
            return;
        }
        List<AtRequest> queued = new ArrayList<>(queue);
        queue.clear();
        for (AtRequest r : queued) {
            r.result.completeExceptionally(failure.of(r.command));
        }
    }

    private LinkLostException lost(AtCommand command, String what) {
        Throwable cause = noLinkCause;
        String why = cause == null ? "no link to the modem" : "link lost (" + cause.getMessage() + ")";
        return new LinkLostException(command.logText(), name + ": " + command.logText() + " " + what + ": " + why,
                cause);
    }

    @Override
    public String toString() {
        return "AtChannel[" + name + ", " + phase + ", " + queue.size() + " queued]";
    }
}
