package io.cellmqtt.at;

import io.cellmqtt.link.Link;
import io.cellmqtt.link.LinkListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The AT engine over one {@link Link}: one writer, one reader (the link's thread), one command
 * in flight at a time; commands submitted while one is in flight wait in FIFO order.
 *
 * <p>The reply-vs-URC rule: while a command is in flight, a line is part of its reply only if
 * it starts with the command's {@link AtCommand#replyPrefix()} (or, for a {@link AtCommand#bareReply()}
 * command, does not start with '+'), or is a final result ({@code OK}, {@code ERROR},
 * {@code +CME ERROR:}, {@code +CMS ERROR:}). An echo of the command line itself is dropped. Every
 * other line is a URC: it first completes the oldest matching {@link #expectUrc} waiter, else it
 * goes to the handler registered for the longest matching prefix, else it is logged and dropped.
 *
 * <p>Data phase: a command with {@link AtCommand#data()} is written, the channel waits for the
 * {@code > } prompt, writes the data bytes as they are, then waits for the final result. If the
 * prompt or the final result does not come in time, the channel resynchronises (ESC, drain,
 * {@code AT} until {@code OK}) before the next command.
 *
 * <p>Details as implemented:
 * <ul>
 * <li>{@code NO CARRIER} is an error result too. An error result that arrives instead of the
 * prompt fails the command and its data is not written.</li>
 * <li>A {@link AtEvent.Framed} whose header starts with the in-flight command's reply prefix
 * (e.g. the lines of {@code AT+QMTRECV=0,1}) is part of the reply: see
 * {@link AtResponse#framed()}.</li>
 * <li>The timeout of a command runs from the moment its line is written and covers the prompt,
 * the data and the final result. After <em>any</em> timeout (not only in a data phase) the
 * channel resynchronises before the next command, so that a late reply cannot be taken for the
 * next command's. While resynchronising, lines that look like URCs (start with '+' and are not
 * final results) are still dispatched; all other lines are discarded (their text is not logged).
 * If resynchronising fails, the next command is sent anyway (and will likely time out and
 * resynchronise again).</li>
 * <li>Futures returned by {@link #submit} and {@link #expectUrc} are completed on a per-channel
 * callback thread, in the order the results arrived, never on the reader thread; so a
 * dependent stage may submit further commands. {@link #execute} waits on the result directly
 * and may be called from such a callback (but never from a {@link UrcHandler}, which runs on
 * the reader thread). A callback should not block on another future with {@code get()}.</li>
 * <li>The text of the last few commands whose log text differs from their text (they carry a
 * secret) is remembered, and a line equal to it (a late echo) is dropped without being logged or
 * dispatched.</li>
 * <li>Cancelling a {@link #submit} future before its command was written removes it from the
 * queue; once written, the command runs to its end (its result is then ignored).</li>
 * </ul>
 */
public final class AtChannel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AtChannel.class);
    private static final byte ESC = 0x1B;

    private final Link link;
    private final AtDigester digester;
    private final String name;
    private final Object lock = new Object();
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final List<Waiter> waiters = new ArrayList<>(); // guarded by lock
    private final Map<String, UrcHandler> handlers = new ConcurrentHashMap<>();
    private final List<Consumer<Throwable>> lostListeners = new CopyOnWriteArrayList<>();
    private final ExecutorService callbacks;
    private static final ScheduledExecutorService TIMER = timer();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean lostReported = new AtomicBoolean();
    private final Thread writer;

    // guarded by lock
    private final java.util.ArrayDeque<String> recentSecrets = new java.util.ArrayDeque<>();
    private Pending inFlight;
    private Resync resync;
    private volatile boolean closed;
    private volatile Throwable closeCause;
    private volatile boolean needResync;

    private volatile Duration resyncDrain = Duration.ofMillis(200);
    private volatile Duration resyncAttemptTimeout = Duration.ofMillis(500);
    private volatile int resyncAttempts = 5;

    public AtChannel(Link link, List<PayloadFraming> framings) {
        this.link = link;
        this.name = link.name();
        this.digester = new AtDigester(framings == null ? List.of() : framings);
        // one thread at most, so completions keep their order; it ends when idle, so the executor
        // never needs shutting down (and never rejects a late completion)
        this.callbacks = new ThreadPoolExecutor(0, 1, 2, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> daemon(r, "cellmqtt-at-callbacks-" + name));
        this.writer = daemon(this::writeLoop, "cellmqtt-at-writer-" + name);
    }

    private static ScheduledExecutorService timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "cellmqtt-at-timer"));
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    private static Thread daemon(Runnable r, String threadName) {
        Thread t = new Thread(r, threadName);
        t.setDaemon(true);
        return t;
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

    /** Starts reading. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        link.start(new LinkListener() {
            @Override
            public void onBytes(byte[] buffer, int offset, int length) {
                for (AtEvent e : digester.feed(buffer, offset, length)) {
                    try {
                        onEvent(e);
                    } catch (RuntimeException ex) {
                        LOG.warn("{}: failed to handle {}", name, e, ex);
                    }
                }
            }

            @Override
            public void onClosed(Throwable cause) {
                linkClosed(cause);
            }
        });
        writer.start();
    }

    /**
     * Queues {@code command}; the future completes with its reply on {@code OK}, or
     * exceptionally with {@link AtErrorException}, {@link AtTimeoutException} or
     * {@link LinkLostException}. Never blocks.
     */
    public CompletableFuture<AtResponse> submit(AtCommand command) {
        return enqueue(command).result;
    }

    /** {@link #submit} and wait; the exception is the one the future failed with. */
    public AtResponse execute(AtCommand command) throws AtException {
        Pending p = enqueue(command);
        try {
            return p.raw.get();
        } catch (ExecutionException e) {
            throw asAtException(command, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.result.cancel(false);
            throw new AtException(command.logText(), command.logText() + ": interrupted while waiting", e);
        }
    }

    private static AtException asAtException(AtCommand command, Throwable cause) {
        if (cause instanceof AtException ae) {
            return ae;
        }
        return new AtException(command.logText(), command.logText() + " failed: " + cause, cause);
    }

    private Pending enqueue(AtCommand command) {
        Pending p = new Pending(command);
        p.raw.whenComplete((r, e) -> callbacks.execute(() -> {
            if (e != null) {
                p.result.completeExceptionally(e);
            } else {
                p.result.complete(r);
            }
        }));
        p.result.whenComplete((r, e) -> {
            if (e instanceof CancellationException) {
                queue.remove(p);
                p.raw.completeExceptionally(e);
            }
        });
        if (closed) {
            p.raw.completeExceptionally(lost(command.logText(), "not sent"));
            return p;
        }
        queue.add(p);
        if (closed && queue.remove(p)) { // raced with close()
            p.raw.completeExceptionally(lost(command.logText(), "not sent"));
        }
        return p;
    }

    /**
     * Registers, before the command that causes it is submitted, a one-shot waiter for a
     * deferred result such as {@code +QMTOPEN: 0,<result>}: the future completes with the
     * first URC line (or {@link AtEvent.Framed} header) starting with {@code prefix} that arrives
     * after this call, and that URC is not passed to the prefix handlers. The future fails with
     * {@link AtTimeoutException} after {@code timeout}, or {@link LinkLostException}; cancelling
     * it unregisters it.
     */
    public CompletableFuture<String> expectUrc(String prefix, Duration timeout) {
        Waiter w = new Waiter(prefix);
        w.result.whenComplete((r, e) -> {
            synchronized (lock) {
                waiters.remove(w);
            }
            if (w.timeout != null) {
                w.timeout.cancel(false);
            }
        });
        synchronized (lock) {
            if (closed) {
                w.result.completeExceptionally(lost(null, "waiting for " + prefix));
                return w.result;
            }
            waiters.add(w);
        }
        w.timeout = TIMER.schedule(() -> {
            if (removeWaiter(w)) {
                callbacks.execute(() -> w.result.completeExceptionally(new AtTimeoutException(null,
                        "no " + prefix + " within " + timeout.toMillis() + " ms on " + name)));
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        return w.result;
    }

    private boolean removeWaiter(Waiter w) {
        synchronized (lock) {
            return waiters.remove(w);
        }
    }

    /** Routes URCs starting with {@code prefix} (e.g. {@code +QMTRECV:}) to {@code handler}. */
    public void onUrc(String prefix, UrcHandler handler) {
        handlers.put(prefix, handler);
    }

    /** Called once, on the reader thread, when the link is lost (not on {@link #close()}). */
    public void onLinkLost(Consumer<Throwable> listener) {
        lostListeners.add(listener);
    }

    public boolean isOpen() {
        return !closed && link.isOpen();
    }

    /** Fails everything queued or in flight with {@link LinkLostException} and closes the link. */
    @Override
    public void close() {
        shutdown(null);
        link.close();
    }

    // ------------------------------------------------------------------ reader side

    private void onEvent(AtEvent event) {
        List<Runnable> dispatch = new ArrayList<>(1);
        synchronized (lock) {
            if (event instanceof AtEvent.Prompt) {
                Pending p = inFlight;
                if (p != null && p.command.data() != null && !p.prompt.isDone()) {
                    p.prompt.complete(null);
                } else {
                    LOG.debug("{}: stray prompt ignored", name);
                }
                return;
            }
            String text = event instanceof AtEvent.Line l ? l.text() : ((AtEvent.Framed) event).header();
            if (event instanceof AtEvent.Line && !recentSecrets.isEmpty()
                    && (recentSecrets.contains(text) || recentSecrets.contains(text.trim()))) {
                return; // a (late) echo of a command carrying a secret: never logged nor dispatched
            }
            if (resync != null) {
                if (event instanceof AtEvent.Line && text.equals("OK")) {
                    resync.ok.complete(null);
                    return;
                }
                if (!(text.startsWith("+") && !isFinal(text))) {
                    resync.discarded++;
                    return;
                }
                dispatch.add(() -> dispatchUrc(event, text));
            } else if (inFlight != null) {
                Pending p = inFlight;
                AtCommand c = p.command;
                if (event instanceof AtEvent.Line) {
                    if (text.equals(c.text()) || text.trim().equals(c.text())) {
                        LOG.debug("{}: echo of {} dropped", name, c.logText());
                        return;
                    }
                    if (isFinal(text)) {
                        inFlight = null;
                        if (text.equals("OK")) {
                            p.raw.complete(new AtResponse(p.lines, text, p.framed));
                        } else {
                            p.raw.completeExceptionally(new AtErrorException(c.logText(), text));
                        }
                        // after raw: a writer waiting for the prompt must see the result and write no data
                        p.prompt.complete(null);
                        return;
                    }
                    if (belongs(c, text)) {
                        p.lines.add(text);
                        return;
                    }
                } else if (c.replyPrefix() != null && text.startsWith(c.replyPrefix())) {
                    p.framed.add((AtEvent.Framed) event);
                    return;
                }
                dispatch.add(() -> dispatchUrc(event, text));
            } else {
                dispatch.add(() -> dispatchUrc(event, text));
            }
        }
        dispatch.forEach(Runnable::run);
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

    private void dispatchUrc(AtEvent event, String text) {
        Waiter match = null;
        synchronized (lock) {
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext();) {
                Waiter w = it.next();
                if (text.startsWith(w.prefix)) {
                    it.remove();
                    match = w;
                    break;
                }
            }
        }
        if (match != null) {
            Waiter w = match;
            callbacks.execute(() -> w.result.complete(text));
            return;
        }
        String best = null;
        for (String prefix : handlers.keySet()) {
            if (text.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        UrcHandler h = best == null ? null : handlers.get(best);
        if (h == null) {
            LOG.debug("{}: unhandled URC dropped: {}", name, event);
            return;
        }
        try {
            h.onUrc(event);
        } catch (RuntimeException e) {
            LOG.warn("{}: URC handler for {} failed on {}", name, best, event, e);
        }
    }

    private void linkClosed(Throwable cause) {
        if (cause != null && !closed) {
            shutdown(cause);
            if (lostReported.compareAndSet(false, true)) {
                for (Consumer<Throwable> l : lostListeners) {
                    try {
                        l.accept(cause);
                    } catch (RuntimeException e) {
                        LOG.warn("{}: link-lost listener failed", name, e);
                    }
                }
            }
        } else {
            shutdown(null);
        }
    }

    private void shutdown(Throwable cause) {
        List<Waiter> ws;
        Pending current;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            closeCause = cause;
            ws = new ArrayList<>(waiters);
            waiters.clear();
            current = inFlight;
            inFlight = null;
            if (resync != null) {
                resync.ok.completeExceptionally(lost(null, "resynchronising"));
            }
        }
        if (cause != null) {
            LOG.warn("{}: link lost: {}", name, cause.toString());
        }
        if (current != null) {
            current.raw.completeExceptionally(lost(current.command.logText(), "in flight"));
            current.prompt.completeExceptionally(lost(current.command.logText(), "in flight"));
        }
        List<Pending> queued = new ArrayList<>();
        queue.drainTo(queued);
        for (Pending p : queued) {
            p.raw.completeExceptionally(lost(p.command.logText(), "queued"));
        }
        for (Waiter w : ws) {
            if (w.timeout != null) {
                w.timeout.cancel(false);
            }
            callbacks.execute(() -> w.result.completeExceptionally(lost(null, "waiting for " + w.prefix)));
        }
        writer.interrupt();
    }

    private LinkLostException lost(String command, String what) {
        Throwable cause = closeCause;
        String why = cause == null ? "channel closed" : "link lost (" + cause.getMessage() + ")";
        String subject = command == null ? what : command + " " + what;
        return new LinkLostException(command, name + ": " + subject + ": " + why, cause);
    }

    // ------------------------------------------------------------------ writer side

    private void writeLoop() {
        while (!closed) {
            Pending p;
            try {
                p = queue.take();
            } catch (InterruptedException e) {
                break;
            }
            if (p.raw.isDone()) {
                continue; // cancelled while queued
            }
            try {
                if (needResync) {
                    resynchronise();
                }
                run(p);
            } catch (InterruptedException e) {
                p.raw.completeExceptionally(lost(p.command.logText(), "interrupted"));
                break;
            } catch (IOException e) {
                LOG.debug("{}: write failed for {}: {}", name, p.command.logText(), e.toString());
                p.raw.completeExceptionally(new LinkLostException(p.command.logText(),
                        name + ": writing " + p.command.logText() + " failed: " + e.getMessage(), e));
            } catch (RuntimeException e) {
                LOG.warn("{}: unexpected failure running {}", name, p.command.logText(), e);
                p.raw.completeExceptionally(new AtException(p.command.logText(),
                        p.command.logText() + " failed: " + e, e));
            } finally {
                synchronized (lock) {
                    if (inFlight == p) {
                        inFlight = null;
                    }
                }
            }
        }
        Pending p;
        while ((p = queue.poll()) != null) {
            p.raw.completeExceptionally(lost(p.command.logText(), "queued"));
        }
    }

    private void run(Pending p) throws IOException, InterruptedException {
        AtCommand c = p.command;
        synchronized (lock) {
            if (closed) {
                p.raw.completeExceptionally(lost(c.logText(), "not sent"));
                return;
            }
            inFlight = p;
            if (!c.text().equals(c.logText())) {
                recentSecrets.remove(c.text());
                recentSecrets.addLast(c.text());
                if (recentSecrets.size() > 8) {
                    recentSecrets.removeFirst();
                }
            }
        }
        long deadline = System.nanoTime() + c.timeout().toNanos();
        LOG.debug("{}: >> {}", name, c);
        link.write((c.text() + "\r").getBytes(StandardCharsets.UTF_8));
        byte[] data = c.data();
        if (data != null) {
            if (!await(p.prompt, deadline)) {
                timedOut(p, "no > prompt within " + c.timeout().toMillis() + " ms");
                return;
            }
            if (p.raw.isDone()) {
                return; // an error came instead of the prompt
            }
            link.write(data);
        }
        if (!await(p.raw, deadline)) {
            timedOut(p, "no final result within " + c.timeout().toMillis() + " ms");
        }
    }

    private void timedOut(Pending p, String what) {
        synchronized (lock) {
            if (inFlight == p) {
                inFlight = null;
            }
        }
        if (p.raw.completeExceptionally(new AtTimeoutException(p.command.logText(),
                p.command.logText() + ": " + what + " on " + name))) {
            LOG.debug("{}: {} timed out ({}); resynchronising before the next command", name, p.command.logText(), what);
            needResync = true;
        }
    }

    /** Waits until {@code f} is done or the deadline passed; true if it is done. */
    private static boolean await(CompletableFuture<?> f, long deadline) throws InterruptedException {
        long left = deadline - System.nanoTime();
        if (left > 0) {
            try {
                f.get(left, TimeUnit.NANOSECONDS);
            } catch (ExecutionException | CancellationException e) {
                // done, exceptionally
            } catch (TimeoutException e) {
                // fall through
            }
        }
        return f.isDone();
    }

    private void resynchronise() throws IOException, InterruptedException {
        Resync r = new Resync();
        synchronized (lock) {
            resync = r;
        }
        try {
            LOG.debug("{}: resync: ESC", name);
            link.write(new byte[] {ESC});
            awaitQuietly(r.drained, resyncDrain); // just a drain period: nothing completes it
            for (int attempt = 1; attempt <= resyncAttempts && !closed; attempt++) {
                synchronized (lock) {
                    r.ok = new CompletableFuture<>();
                }
                link.write("AT\r".getBytes(StandardCharsets.US_ASCII));
                if (awaitQuietly(r.ok, resyncAttemptTimeout)) {
                    needResync = false;
                    LOG.debug("{}: resynchronised after {} attempt(s), {} stray line(s) discarded", name, attempt,
                            r.discarded);
                    return;
                }
            }
            LOG.warn("{}: could not resynchronise after {} attempts ({} stray line(s) discarded)", name,
                    resyncAttempts, r.discarded);
        } finally {
            synchronized (lock) {
                resync = null;
            }
        }
    }

    private static boolean awaitQuietly(CompletableFuture<?> f, Duration d) throws InterruptedException {
        try {
            f.get(d.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (ExecutionException | CancellationException e) {
            return false;
        } catch (TimeoutException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ state

    private static final class Pending {
        final AtCommand command;
        /** Completed by the reader/writer; {@link #result} follows on the callback thread. */
        final CompletableFuture<AtResponse> raw = new CompletableFuture<>();
        final CompletableFuture<AtResponse> result = new CompletableFuture<>();
        final CompletableFuture<Void> prompt = new CompletableFuture<>();
        final List<String> lines = new ArrayList<>();
        final List<AtEvent.Framed> framed = new ArrayList<>();

        Pending(AtCommand command) {
            this.command = command;
        }
    }

    private static final class Waiter {
        final String prefix;
        final CompletableFuture<String> result = new CompletableFuture<>();
        volatile ScheduledFuture<?> timeout;

        Waiter(String prefix) {
            this.prefix = prefix;
        }
    }

    private static final class Resync {
        final CompletableFuture<Void> drained = new CompletableFuture<>();
        CompletableFuture<Void> ok = new CompletableFuture<>();
        int discarded;
    }
}
