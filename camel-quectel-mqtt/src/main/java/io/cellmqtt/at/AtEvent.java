package io.cellmqtt.at;

import java.util.Arrays;

/** What the {@link AtDigester} makes of the bytes the modem sends. Immutable. */
public sealed interface AtEvent permits AtEvent.Line, AtEvent.Prompt, AtEvent.Framed {

    /** A non-empty line without its CR/LF, decoded as UTF-8. */
    record Line(String text) implements AtEvent {
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
