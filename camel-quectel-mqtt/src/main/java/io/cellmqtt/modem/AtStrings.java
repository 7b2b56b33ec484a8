package io.cellmqtt.modem;

import java.nio.charset.StandardCharsets;

/**
 * Quoted AT string parameters. A quoted parameter ends at the next {@code "} and a command ends
 * at CR, so a value holding either (or any control character) could end the command early and
 * smuggle another one in: such values are refused, never escaped.
 */
final class AtStrings {
    private AtStrings() {
    }

    /** {@code "value"}, after {@link #requireQuotable}. */
    static String quote(String what, String value) {
        requireQuotable(what, value);
        return '"' + value + '"';
    }

    /**
     * @param what names the value in the error, e.g. {@code topic 'a/b'}; must not contain a secret
     */
    static void requireQuotable(String what, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                throw new IllegalArgumentException(what + " contains '\"' (at index " + i
                        + "), which a quoted AT parameter cannot carry");
            }
            if (c < 0x20 || c == 0x7F) {
                throw new IllegalArgumentException(what + " contains control character 0x"
                        + String.format("%02X", (int) c) + " (at index " + i
                        + "), which a quoted AT parameter cannot carry");
            }
        }
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * True if the payload can go in the one-line quoted publish: printable ASCII only, no quote
     * and no backslash (some firmware treats it as an escape).
     */
    static boolean inlineable(byte[] payload) {
        for (byte b : payload) {
            if (b < 0x20 || b > 0x7E || b == '"' || b == '\\') {
                return false;
            }
        }
        return true;
    }
}
