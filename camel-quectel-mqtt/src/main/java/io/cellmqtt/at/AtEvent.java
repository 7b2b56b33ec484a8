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
    final class Line implements AtEvent {
        private final String text;
        private final byte[] raw;

        /** @param raw the bytes as they came (copied), or null for {@code text} in UTF-8 */
        public Line(String text, byte[] raw) {
            this(text, raw == null ? text.getBytes(StandardCharsets.UTF_8) : raw.clone(), true);
        }

        /** A line whose bytes are {@code text} in UTF-8. */
        public Line(String text) {
            this(text, null);
        }

        private Line(String text, byte[] ownRaw, boolean owned) {
            this.text = text;
            this.raw = ownRaw;
        }

        /** For the digester: {@code raw} is a fresh array nobody else holds, so it is not copied again. */
        static Line owning(String text, byte[] raw) {
            return new Line(text, raw, true);
        }

        public String text() {
            return text;
        }

        /** The line's bytes (a copy). */
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
    final class Framed implements AtEvent {
        private final String header;
        private final byte[] payload;

        /** @param payload the claimed bytes (copied) */
        public Framed(String header, byte[] payload) {
            this(header, payload.clone(), true);
        }

        private Framed(String header, byte[] ownPayload, boolean owned) {
            this.header = header;
            this.payload = ownPayload;
        }

        /** For the digester: {@code payload} is a fresh array nobody else holds, so it is not copied again. */
        static Framed owning(String header, byte[] payload) {
            return new Framed(header, payload, true);
        }

        public String header() {
            return header;
        }

        /** The payload (a copy). */
        public byte[] payload() {
            return payload.clone();
        }

        /** The payload's length, without copying it. */
        public int payloadLength() {
            return payload.length;
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
