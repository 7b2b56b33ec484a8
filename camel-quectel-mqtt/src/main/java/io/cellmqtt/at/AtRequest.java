package io.cellmqtt.at;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One command handed to an {@link AtChannel}: its result, and how far it got. Used on the modem's
 * event loop only.
 */
public final class AtRequest {
    final AtCommand command;
    final CompletableFuture<AtResponse> result = new CompletableFuture<>();
    final List<String> lines = new ArrayList<>();
    final List<AtEvent.Framed> framed = new ArrayList<>();
    private final AtChannel channel;
    private final Runnable onSent;
    boolean lineWritten;
    boolean sent;

    AtRequest(AtChannel channel, AtCommand command, Runnable onSent) {
        this.channel = channel;
        this.command = command;
        this.onSent = onSent;
    }

    public AtCommand command() {
        return command;
    }

    /**
     * Completes with the reply on {@code OK}, or fails with {@link AtErrorException},
     * {@link AtTimeoutException}, {@link LinkLostException} or {@link AtWithdrawnException}.
     * Completed on the event loop.
     */
    public CompletableFuture<AtResponse> result() {
        return result;
    }

    /**
     * True once everything the command carries reached the link: its line and, for a data
     * command, its data. Before that the modem cannot have acted on it.
     */
    public boolean sent() {
        return sent;
    }

    /**
     * Takes the command back if not a byte of it was written yet: it then never will be, and its
     * result fails with {@link AtWithdrawnException}. False if it is already on its way.
     */
    public boolean withdraw() {
        return channel.withdraw(this);
    }

    void markSent() {
        sent = true;
        if (onSent != null) {
            onSent.run();
        }
    }
}
