package io.cellmqtt.at;

import io.cellmqtt.link.Link;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 */
public final class AtChannel implements AutoCloseable {

    public AtChannel(Link link, List<PayloadFraming> framings) {
    }

    /** Starts reading. */
    public void start() {
    }

    /**
     * Queues {@code command}; the future completes with its reply on {@code OK}, or
     * exceptionally with {@link AtErrorException}, {@link AtTimeoutException} or
     * {@link LinkLostException}. Never blocks.
     */
    public CompletableFuture<AtResponse> submit(AtCommand command) {
        throw new IllegalStateException("not yet");
    }

    /** {@link #submit} and wait; the exception is the one the future failed with. */
    public AtResponse execute(AtCommand command) throws AtException {
        throw new IllegalStateException("not yet");
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
        throw new IllegalStateException("not yet");
    }

    /** Routes URCs starting with {@code prefix} (e.g. {@code +QMTRECV:}) to {@code handler}. */
    public void onUrc(String prefix, UrcHandler handler) {
    }

    /** Called once, on the reader thread, when the link is lost (not on {@link #close()}). */
    public void onLinkLost(Consumer<Throwable> listener) {
    }

    public boolean isOpen() {
        throw new IllegalStateException("not yet");
    }

    /** Fails everything queued or in flight with {@link LinkLostException} and closes the link. */
    @Override
    public void close() {
    }
}
