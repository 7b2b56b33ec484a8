package io.cellmqtt.at;

/**
 * Receives the unsolicited lines whose prefix it was registered for. Called on the modem's event
 * loop: it must not block.
 */
@FunctionalInterface
public interface UrcHandler {
    /** {@code event} is a {@link AtEvent.Line} or a {@link AtEvent.Framed}. */
    void onUrc(AtEvent event);
}
