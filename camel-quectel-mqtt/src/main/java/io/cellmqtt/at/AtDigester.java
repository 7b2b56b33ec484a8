package io.cellmqtt.at;

import java.util.List;

/**
 * Turns the modem's byte stream into {@link AtEvent}s. Pure and single-threaded: the same bytes
 * give the same events whether fed in one chunk or one byte at a time. CR and LF both end a
 * line; empty lines are skipped; {@code "> "} at the start of a line is a {@link AtEvent.Prompt};
 * a line that a {@link PayloadFraming} claims becomes an {@link AtEvent.Framed}.
 */
public final class AtDigester {

    public AtDigester(List<PayloadFraming> framings) {
    }

    /** Feeds {@code length} bytes and returns the events they completed, in order. */
    public List<AtEvent> feed(byte[] buffer, int offset, int length) {
        throw new IllegalStateException("not yet");
    }
}
