package io.cellmqtt.at;

/**
 * Receives the unsolicited lines whose prefix it was registered for. Called on the channel's
 * reader thread: it must not block and must not execute commands synchronously.
 */
@FunctionalInterface
public interface UrcHandler {
    /** {@code event} is a {@link AtEvent.Line} or a {@link AtEvent.Framed}. */
    void onUrc(AtEvent event);
}
