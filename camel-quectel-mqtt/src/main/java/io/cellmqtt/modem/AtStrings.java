package io.cellmqtt.modem;

import io.cellmqtt.at.AtCommandLine;

import java.nio.charset.StandardCharsets;

/**
 * Quoted AT string parameters. A quoted parameter ends at the next {@code "} and a command ends
 * at CR, so a value holding either (or any control character) could end the command early and
 * smuggle another one in: such values are refused, never escaped. The rule lives in
 * {@link AtCommandLine}, which builds every command line and applies it to every value it quotes;
 * these are its checks for values before a command is built: the Camel layer checks options with
 * them before a modem is opened, the dialect its limits before each command.
 */
public final class AtStrings {
    private AtStrings() {
    }

    /**
     * @param what names the value in the error, e.g. {@code topic}; the error shows the value
     *             (escaped), so use {@link #requireQuotableSecret} for secrets and user names
     * @throws IllegalArgumentException naming the value, the character and its index
     */
    public static void requireQuotable(String what, String value) {
        AtCommandLine.requireQuotable(what, value);
    }

    /** As {@link #requireQuotable}, but the error names the option and never shows the value. */
    public static void requireQuotableSecret(String what, String value) {
        AtCommandLine.requireQuotableSecret(what, value);
    }

    /** The value with control characters escaped, so an error message cannot itself break a log line. */
    public static String printable(String value) {
        return AtCommandLine.printable(value);
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * True if the payload can go in the one-line quoted publish: printable ASCII only, no quote
     * and no backslash (some firmware treats it as an escape).
     */
    static boolean inlineable(byte[] payload) {
        return AtCommandLine.inlineable(payload);
    }
}
