package io.cellmqtt.at;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** What the {@link AtDigester} makes of the bytes the modem sends. Immutable. */
public sealed interface AtEvent permits AtEvent.Line, AtEvent.Prompt, AtEvent.Framed {

    /**
     * A non-empty line without its CR/LF: {@code text} decoded as UTF-8 (malformed bytes become
     * U+FFFD), {@code raw} the bytes as they came, for what must be taken byte for byte (a message
     * payload in a receive URC that carries no length).
     */
    record Line(String text, byte[] raw) implements AtEvent {
        public Line {
            raw = raw == null ? text.getBytes(StandardCharsets.UTF_8) : raw.clone();
        }

        /** A line whose bytes are {@code text} in UTF-8. */
        public Line(String text) {
            this(text, null);
        }

        @Override
        public byte[] raw() {
            return raw.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Line l && l.text.equals(text) && Arrays.equals(l.raw, raw);
        }

        @Override
        public int hashCode() {
            return text.hashCode();
        }

        @Override
        public String toString() {
            return "Line[" + text + "]";
        }
    }

    /** The {@code "> "} data prompt (not followed by CR/LF). */
    record Prompt() implements AtEvent {
    }

    /**
     * A line whose trailing payload a {@link PayloadFraming} claimed by length: {@code header}
     * is the line up to (not including) the payload, {@code payload} exactly the claimed bytes.
     * Whatever follows the payload up to the end of that line (a closing quote) is dropped.
     */
    record Framed(String header, byte[] payload) implements AtEvent {
        public Framed {
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Framed f && f.header.equals(header) && Arrays.equals(f.payload, payload);
        }

        @Override
        public int hashCode() {
            return header.hashCode() * 31 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Framed[" + header + " +" + payload.length + " bytes]";
        }
    }
}
