package io.cellmqtt.at;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The one place an AT command line is made: every command the component writes is built here from
 * typed parts, never concatenated. A part that can't be carried is refused with an
 * {@link IllegalArgumentException} naming the field, the character and its index, when the part is
 * appended, so before anything is written to the modem. What can never get into a line this way:
 * CR and LF (they end the command, and what follows would be the next one), ESC and Ctrl+Z (they
 * cancel or end a data input), NUL or any other control character, and a double quote outside the
 * quotes the builder writes itself (it would end the quoted parameter early).
 *
 * <ul>
 * <li>{@link #execute} {@code ATI}, {@code AT+CMQTTSTART}; {@link #read} {@code AT+QMTCONN?};
 * {@link #test} {@code AT+CMQTTSTART=?}; {@link #write} {@code AT+QMTOPEN=} followed by
 * parameters, separated by commas.</li>
 * <li>{@link #integer}: a decimal number.</li>
 * <li>{@link #quoted}: a string in double quotes; it may hold any character but a double quote,
 * an ISO control character (U+0000-U+001F, U+007F-U+009F) and an unpaired surrogate (no UTF-8
 * encoding). Values are refused, never escaped. {@link #quotedConfidential} and
 * {@link #quotedSecret} refuse the same, but their errors never show the value; a secret's log
 * text shows {@code "***"} instead of it.</li>
 * <li>{@link #token}: an unquoted value such as the cipher suite {@code 0xFFFF} or
 * {@code 0X0035;0X002F}: only letters, digits and {@code ; : _ . -}.</li>
 * <li>{@link #quotedPayload}: a payload inside quotes (the one-line publish): printable ASCII
 * without {@code "} and {@code \}.</li>
 * <li>{@link #dataLength}: the length of the data that follows the prompt, as the command
 * declares it, and that data: the declared length is always the data's.</li>
 * <li>{@link #ctrlZData}: data that Ctrl+Z ends (the older Quectel publish): it may hold neither
 * Ctrl+Z nor ESC, which would end or cancel it early, the rest then read as commands.</li>
 * </ul>
 *
 * <p>Data written after the prompt ({@link AtCommand#data()}) with a declared length is framed by
 * that length, not by any character, so it is not restricted. {@link #command()} gives the {@link AtCommand}; its
 * {@link AtCommand#logText()} is the line with secrets masked, which is all logs and exceptions show.
 * Not thread-safe; build a line where it is used.
 */
public final class AtCommandLine {
    /** What logs and exceptions show in place of a secret. */
    public static final String MASK = "\"***\"";

    private static final byte CTRL_Z = 0x1A;
    private static final byte ESC = 0x1B;
    private static final Pattern NAME = Pattern.compile("[A-Z+&][A-Z0-9+&]*");
    private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]{0,17})");
    private static final String TOKEN_RULE = "an unquoted AT parameter can hold only letters, digits and ; : _ . -";
    private static final String QUOTED_RULE =
            "control characters and double quotes cannot be carried in the AT command's quoted string";

    private enum Form { EXECUTE, READ, TEST, WRITE }

    private final Form form;
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder log = new StringBuilder();
    private int parameters;
    private byte[] data;

    private AtCommandLine(Form form, String name) {
        this.form = form;
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("AT command name "
                    + (name == null ? "null" : '"' + printable(name) + '"')
                    + " is not a letter, '+' or '&' followed by upper-case letters, digits, '+' and '&'");
        }
        both("AT").both(name);
        switch (form) {
            case READ -> both("?");
            case TEST -> both("=?");
            case WRITE -> both("=");
            case EXECUTE -> { }
        }
    }

    private AtCommandLine() {
        this.form = Form.EXECUTE;
        both("AT");
    }

    /** {@code AT} alone: the attention command, answered {@code OK}. */
    public static AtCommandLine at() {
        return new AtCommandLine();
    }

    /** {@code AT<name>}, e.g. {@code ATI}, {@code ATE0}, {@code AT+CMQTTSTART}: no parameters. */
    public static AtCommandLine execute(String name) {
        return new AtCommandLine(Form.EXECUTE, name);
    }

    /** {@code AT<name>?}, the read (query) form, e.g. {@code AT+QMTCONN?}. */
    public static AtCommandLine read(String name) {
        return new AtCommandLine(Form.READ, name);
    }

    /** {@code AT<name>=?}, the test form. */
    public static AtCommandLine test(String name) {
        return new AtCommandLine(Form.TEST, name);
    }

    /** {@code AT<name>=}, the write (set) form: the parameters follow, at least one. */
    public static AtCommandLine write(String name) {
        return new AtCommandLine(Form.WRITE, name);
    }

    // ------------------------------------------------------------------ parameters

    /** A decimal integer, e.g. a client index, a QoS, a length. */
    public AtCommandLine integer(long value) {
        return next().both(Long.toString(value));
    }

    /**
     * {@code "value"}.
     *
     * @param field names the value in the error, e.g. {@code topic}; the error shows the value (its
     *              control characters escaped), so use {@link #quotedSecret} or
     *              {@link #quotedConfidential} for what must not be shown
     * @throws IllegalArgumentException if the value is null or holds what a quoted string can't carry
     */
    public AtCommandLine quoted(String field, String value) {
        requireQuotable(field, value);
        return next().both("\"").both(value).both("\"");
    }

    /**
     * {@code "value"}, checked as {@link #quoted}, but an error names only the field, never the value.
     * The log text shows the value: for user names, which say who connects but which a refusal must
     * not repeat (a password pasted into the wrong field would be shown).
     */
    public AtCommandLine quotedConfidential(String field, String value) {
        requireQuotableSecret(field, value);
        return next().both("\"").both(value).both("\"");
    }

    /** {@code "value"}, checked as {@link #quoted}; neither an error nor the log text shows it ({@value #MASK}). */
    public AtCommandLine quotedSecret(String field, String value) {
        requireQuotableSecret(field, value);
        next();
        text.append('"').append(value).append('"');
        log.append(MASK);
        return this;
    }

    /**
     * An unquoted value such as a cipher suite ({@code 0xFFFF}, {@code 0X0035;0X002F}): letters,
     * digits and {@code ; : _ . -}, at least one.
     *
     * @throws IllegalArgumentException naming the field, the value, the character and its index
     */
    public AtCommandLine token(String field, String value) {
        if (value == null) {
            throw missing(field);
        }
        if (value.isEmpty()) {
            throw new IllegalArgumentException(field + " is empty: " + TOKEN_RULE + ", at least one");
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (!isTokenChar(ch)) {
                throw new IllegalArgumentException(field + " \"" + printable(value) + "\" contains "
                        + describe(value, i) + " at index " + i + ": " + TOKEN_RULE);
            }
        }
        return next().both(value);
    }

    /**
     * {@code "payload"}: bytes in the quotes of a one-line publish. The log text shows
     * {@code <n bytes>} instead.
     *
     * @throws IllegalArgumentException naming the field, the byte and its index, if a byte is not
     *                                  {@linkplain #inlineable printable ASCII without " and \}
     */
    public AtCommandLine quotedPayload(String field, byte[] payload) {
        if (payload == null) {
            throw missing(field);
        }
        for (int i = 0; i < payload.length; i++) {
            if (!inlineable(payload[i])) {
                throw new IllegalArgumentException(String.format("%s byte 0x%02X at index %d can't be carried in the AT"
                        + " command's quoted string: only printable ASCII without \" and \\ can", field,
                        payload[i] & 0xFF, i));
            }
        }
        next();
        text.append('"').append(new String(payload, StandardCharsets.US_ASCII)).append('"');
        log.append('<').append(payload.length).append(" bytes>");
        return this;
    }

    /**
     * The length of {@code bytes}, as the command declares the data that follows its prompt, and
     * those bytes as the command's data: whatever they hold, the modem takes exactly that many.
     */
    public AtCommandLine dataLength(byte[] bytes) {
        if (bytes == null) {
            throw missing("data");
        }
        requireNoData();
        integer(bytes.length);
        data = bytes.clone();
        return this;
    }

    /**
     * Data for a command that declares no length, whose input ends at Ctrl+Z (0x1A) and is cancelled
     * by ESC (0x1B): {@code bytes}, then the Ctrl+Z that ends them.
     *
     * @throws IllegalArgumentException naming the field, the byte and its index, if a byte is Ctrl+Z or ESC
     */
    public AtCommandLine ctrlZData(String field, byte[] bytes) {
        if (bytes == null) {
            throw missing(field);
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == CTRL_Z || bytes[i] == ESC) {
                throw new IllegalArgumentException(String.format("%s byte 0x%02X at index %d can't be carried by a"
                        + " data input that Ctrl+Z (0x1A) ends and ESC (0x1B) cancels", field, bytes[i], i));
            }
        }
        requireNoData();
        data = Arrays.copyOf(bytes, bytes.length + 1);
        data[bytes.length] = CTRL_Z;
        return this;
    }

    private void requireNoData() {
        if (data != null) {
            throw new IllegalStateException(text + ": a command has one data phase");
        }
    }

    private AtCommandLine next() {
        if (form != Form.WRITE) {
            throw new IllegalStateException(text + ": only the write form (AT<name>=) takes parameters");
        }
        if (parameters++ > 0) {
            both(",");
        }
        return this;
    }

    private AtCommandLine both(String s) {
        text.append(s);
        log.append(s);
        return this;
    }

    // ------------------------------------------------------------------ results

    /** The command line, without the CR the channel ends it with. */
    public String text() {
        requireComplete();
        return text.toString();
    }

    /** The line with secrets masked: what logs and exceptions show. */
    public String logText() {
        requireComplete();
        return log.toString();
    }

    /** The command, with its log text and, if {@link #dataLength} was given, its data. */
    public AtCommand command() {
        AtCommand c = AtCommand.of(text());
        String masked = log.toString();
        if (!masked.equals(c.text())) {
            c = c.withLogText(masked);
        }
        return data == null ? c : c.withData(data);
    }

    private void requireComplete() {
        if (form == Form.WRITE && parameters == 0) {
            throw new IllegalStateException(text + ": the write form needs at least one parameter");
        }
    }

    @Override
    public String toString() {
        return log.toString();
    }

    // ------------------------------------------------------------------ constants

    /**
     * A command line written as one constant of the source, such as a model profile's registration
     * query ({@code AT+CEREG?}) or power-saving command ({@code AT+CPSMS=0}), built with the typed
     * parts it reads as: {@code AT}, a name, then {@code ?}, {@code =?}, or {@code =} and integers,
     * quoted strings and tokens separated by commas. Never for values from outside.
     *
     * @throws IllegalArgumentException unless the line reads back exactly as written
     */
    public static AtCommandLine parse(String line) {
        if (line == null || !line.startsWith("AT")) {
            throw new IllegalArgumentException("\"" + (line == null ? "null" : printable(line))
                    + "\" is not an AT command line");
        }
        int end = 2;
        while (end < line.length() && isNameChar(line.charAt(end))) {
            end++;
        }
        String name = line.substring(2, end);
        String rest = line.substring(end);
        AtCommandLine built;
        if (name.isEmpty() && rest.isEmpty()) {
            built = at();
        } else if (rest.isEmpty()) {
            built = execute(name);
        } else if (rest.equals("?")) {
            built = read(name);
        } else if (rest.equals("=?")) {
            built = test(name);
        } else if (rest.startsWith("=")) {
            built = write(name);
            List<String> params = split(rest.substring(1));
            for (int i = 0; i < params.size(); i++) {
                String p = params.get(i);
                String field = "parameter " + (i + 1) + " of " + printable(line);
                if (p.length() >= 2 && p.startsWith("\"") && p.endsWith("\"")) {
                    built.quoted(field, p.substring(1, p.length() - 1));
                } else if (INTEGER.matcher(p).matches()) {
                    built.integer(Long.parseLong(p));
                } else {
                    built.token(field, p);
                }
            }
        } else {
            throw new IllegalArgumentException("\"" + printable(line) + "\" is not an AT command line");
        }
        if (!built.text().equals(line)) {
            throw new IllegalArgumentException("\"" + printable(line) + "\" does not read back as written: "
                    + built.text());
        }
        return built;
    }

    /** Splits at the commas that are not inside quotes. */
    private static List<String> split(String params) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < params.length(); i++) {
            char ch = params.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            }
            if (ch == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out;
    }

    // ------------------------------------------------------------------ the rules

    /**
     * Checks a value for a quoted parameter; the error shows the value, escaped.
     *
     * @param field names the value in the error, e.g. {@code topic}
     * @throws IllegalArgumentException naming the field, the character and its index
     */
    public static void requireQuotable(String field, String value) {
        if (value == null) {
            throw missing(field);
        }
        check(field + " \"" + printable(value) + "\"", value);
    }

    /** As {@link #requireQuotable}, but the error names the field and never shows the value. */
    public static void requireQuotableSecret(String field, String value) {
        if (value == null) {
            throw missing(field);
        }
        check(field, value);
    }

    private static void check(String shown, String value) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '"' || Character.isISOControl(ch)) {
                throw new IllegalArgumentException(shown + " contains " + describe(value, i) + " at index " + i
                        + ": " + QUOTED_RULE);
            }
            if (Character.isSurrogate(ch)) {
                if (Character.isHighSurrogate(ch) && i + 1 < value.length()
                        && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new IllegalArgumentException(shown + " contains " + describe(value, i) + " at index " + i
                        + ": it has no UTF-8 encoding, so the AT command's quoted string cannot carry it");
            }
        }
    }

    /** True if the payload can go inside the quotes of a one-line publish (see {@link #quotedPayload}). */
    public static boolean inlineable(byte[] payload) {
        for (byte b : payload) {
            if (!inlineable(b)) {
                return false;
            }
        }
        return true;
    }

    /** Printable ASCII but {@code "} (it would end the string) and {@code \} (some firmware takes it as an escape). */
    private static boolean inlineable(byte b) {
        return b >= 0x20 && b <= 0x7E && b != '"' && b != '\\';
    }

    private static boolean isTokenChar(char ch) {
        return ch >= '0' && ch <= '9' || ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z'
                || ch == ';' || ch == ':' || ch == '_' || ch == '.' || ch == '-';
    }

    private static boolean isNameChar(char ch) {
        return ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '+' || ch == '&';
    }

    /**
     * Checks that {@code text} is one command line: no control character and balanced quotes. What
     * {@link AtCommand} checks of every text, whoever made it: a last guard behind the builder.
     */
    static void requireOneLine(String text) {
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (Character.isISOControl(ch)) {
                throw new IllegalArgumentException("an AT command line can't hold " + describe(text, i) + " (index "
                        + i + "): build it with AtCommandLine");
            }
            if (ch == '"') {
                quoted = !quoted;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("an AT command line can't end inside quotes: build it with"
                    + " AtCommandLine");
        }
    }

    private static IllegalArgumentException missing(String field) {
        return new IllegalArgumentException(field + " is missing (null): the AT command needs a value");
    }

    /** The character at {@code i}, as an error names it. */
    private static String describe(String value, int i) {
        char ch = value.charAt(i);
        if (ch == '"') {
            return "a double quote";
        }
        if (Character.isISOControl(ch)) {
            return "the control character " + escape(ch);
        }
        if (Character.isSurrogate(ch)) {
            boolean paired = Character.isHighSurrogate(ch) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1));
            return paired ? "'" + value.substring(i, i + 2) + "'" : "the unpaired surrogate " + escape(ch);
        }
        return "'" + ch + "'";
    }

    /**
     * The value with control characters and unpaired surrogates escaped, so an error message cannot
     * itself break a log line.
     */
    public static String printable(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (Character.isISOControl(ch)) {
                sb.append(escape(ch));
            } else if (Character.isHighSurrogate(ch) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                sb.append(ch).append(value.charAt(++i));
            } else if (Character.isSurrogate(ch)) {
                sb.append(escape(ch));
            } else {
                sb.append(ch);
            }
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
}
