package io.cellmqtt.modem;

import java.nio.charset.StandardCharsets;

/**
 * Quoted AT string parameters. A quoted parameter ends at the next {@code "} and a command ends
 * at CR, so a value holding either (or any control character) could end the command early and
 * smuggle another one in: such values are refused, never escaped. The one place this rule lives:
 * the Camel layer checks options with it before a modem is opened, the dialect before each command.
 */
public final class AtStrings {
    private AtStrings() {
    }

    /** {@code "value"}, after {@link #requireQuotable}. */
    static String quote(String what, String value) {
        requireQuotable(what, value);
        return '"' + value + '"';
    }

    /**
     * @param what names the value in the error, e.g. {@code topic}; the error shows the value
     *             (escaped), so use {@link #requireQuotableSecret} for secrets
     * @throws IllegalArgumentException naming the value, the character and its index
     */
    public static void requireQuotable(String what, String value) {
        check(what + " \"" + printable(value) + "\"", value);
    }

    /** As {@link #requireQuotable}, but the error names the option and never shows the value. */
    public static void requireQuotableSecret(String what, String value) {
        check(what, value);
    }

    private static void check(String shown, String value) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '"' || Character.isISOControl(ch)) {
                throw new IllegalArgumentException(shown + " contains "
                        + (ch == '"' ? "a double quote" : "the control character " + escape(ch)) + " at index " + i
                        + ": control characters and double quotes cannot be carried in the AT command's quoted string");
            }
        }
    }

    /** The value with control characters escaped, so an error message cannot itself break a log line. */
    public static String printable(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            sb.append(Character.isISOControl(ch) ? escape(ch) : String.valueOf(ch));
        }
        return sb.toString();
    }

    private static String escape(char ch) {
        return switch (ch) {
            case '\r' -> "\\r";
            case '\n' -> "\\n";
            case '\t' -> "\\t";
            default -> String.format("\\u%04x", (int) ch);
        };
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
