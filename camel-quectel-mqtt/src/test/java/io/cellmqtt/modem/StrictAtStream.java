package io.cellmqtt.modem;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads what a host wrote to a modem the way a strict modem would, independently of the component's
 * builder: a command line up to CR, then, for the commands that take data after a prompt, exactly
 * the declared number of bytes (or the bytes up to Ctrl+Z for the publish without a length).
 * Anything else is an {@link AssertionError}: a line that is not valid UTF-8, holds a control
 * character or an unbalanced quote, a parameter that is neither a number, one quoted string nor a
 * bare token, or bytes left over.
 */
final class StrictAtStream {

    /** A parameter as the modem reads it. */
    sealed interface Field permits Num, Quoted, Bare, Len {
    }

    record Num(long value) implements Field {
    }

    record Quoted(String value) implements Field {
    }

    record Bare(String value) implements Field {
    }

    /** The declared length of the data that follows the prompt. */
    record Len(long value) implements Field {
    }

    /**
     * One command: {@code form} is {@code ""} (execute), {@code "?"}, {@code "=?"} or {@code "="};
     * {@code data} is what followed the prompt (without the Ctrl+Z that ended it), or null.
     */
    record Unit(String name, String form, List<Field> fields, byte[] data) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Unit u && u.name.equals(name) && u.form.equals(form) && u.fields.equals(fields)
                    && Arrays.equals(u.data, data);
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }

        @Override
        public String toString() {
            return "AT" + name + form + fields + (data == null ? "" : " data=" + ScriptedModem.show(data));
        }
    }

    private static final Pattern NAME = Pattern.compile("[A-Z+&][A-Z0-9+&]*");
    private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]{0,17})");
    private static final Pattern BARE = Pattern.compile("[0-9A-Za-z;:_.-]+");
    /** Commands whose second parameter declares the length of the data after the prompt. */
    private static final Set<String> LENGTH_SECOND = Set.of("+CMQTTTOPIC", "+CMQTTPAYLOAD", "+CMQTTWILLTOPIC",
            "+CMQTTWILLMSG", "+CMQTTSUBTOPIC", "+CMQTTUNSUBTOPIC", "+QFUPL", "+QSECWRITE", "+CCERTDOWN");
    private static final byte CR = '\r';
    private static final byte CTRL_Z = 0x1A;

    private StrictAtStream() {
    }

    /** The field the modem reads an unquoted parameter {@code text} as: a number, or else a token. */
    static Field unquoted(String text) {
        return NUMBER.matcher(text).matches() ? new Num(Long.parseLong(text)) : new Bare(text);
    }

    /** Every command in {@code stream}, which must end right after the last one. */
    static List<Unit> parse(byte[] stream) {
        List<Unit> units = new ArrayList<>();
        int i = 0;
        while (i < stream.length) {
            int cr = indexOf(stream, CR, i);
            if (cr < 0) {
                throw new AssertionError("bytes after the last command line: <"
                        + ScriptedModem.show(Arrays.copyOfRange(stream, i, stream.length)) + ">");
            }
            Unit head = parseLine(Arrays.copyOfRange(stream, i, cr));
            i = cr + 1;
            DataKind kind = dataKind(head);
            byte[] data = null;
            if (kind.length >= 0) {
                if (i + kind.length > stream.length) {
                    throw new AssertionError(head + ": declares " + kind.length + " bytes, only "
                            + (stream.length - i) + " follow");
                }
                data = Arrays.copyOfRange(stream, i, (int) (i + kind.length));
                i += (int) kind.length;
            } else if (kind.ctrlZ) {
                int end = indexOf(stream, CTRL_Z, i);
                if (end < 0) {
                    throw new AssertionError(head + ": its data is not ended by Ctrl+Z");
                }
                data = Arrays.copyOfRange(stream, i, end);
                i = end + 1;
            }
            units.add(new Unit(head.name, head.form, head.fields, data));
        }
        return units;
    }

    /** What follows a command line: {@code length} bytes, bytes up to Ctrl+Z, or nothing. */
    record DataKind(long length, boolean ctrlZ) {
        static final DataKind NONE = new DataKind(-1, false);
    }

    static DataKind dataKind(Unit head) {
        List<Field> f = head.fields;
        if (head.name.equals("+QMTPUB") && head.form.equals("=")) {
            if (f.size() == 6 && f.get(5) instanceof Len len) {
                return new DataKind(len.value, false); // fixed length
            }
            if (f.size() == 5) {
                return new DataKind(-1, true); // no length: Ctrl+Z ends the data
            }
            return DataKind.NONE; // the payload is quoted on the line
        }
        if (LENGTH_SECOND.contains(head.name) && f.size() >= 2 && f.get(1) instanceof Len len) {
            return new DataKind(len.value, false);
        }
        return DataKind.NONE;
    }

    /** One command line (without its CR), strictly. */
    static Unit parseLine(byte[] line) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(line)).toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError("a command line that is not UTF-8: <" + ScriptedModem.show(line) + ">");
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                throw new AssertionError("a control character in the command line <" + ScriptedModem.show(line) + ">");
            }
        }
        if (!text.startsWith("AT")) {
            throw new AssertionError("not a command line: <" + ScriptedModem.show(line) + ">");
        }
        int end = 2;
        while (end < text.length() && "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+&".indexOf(text.charAt(end)) >= 0) {
            end++;
        }
        String name = text.substring(2, end);
        String rest = text.substring(end);
        if (name.isEmpty()) {
            if (!rest.isEmpty()) {
                throw new AssertionError("no command name in <" + text + ">");
            }
            return new Unit("", "", List.of(), null);
        }
        if (!NAME.matcher(name).matches()) {
            throw new AssertionError("bad command name in <" + text + ">");
        }
        if (rest.isEmpty() || rest.equals("?") || rest.equals("=?")) {
            return new Unit(name, rest, List.of(), null);
        }
        if (!rest.startsWith("=")) {
            throw new AssertionError("neither ?, =? nor = after the name in <" + text + ">");
        }
        List<String> raw = splitOutsideQuotes(text, rest.substring(1));
        List<Field> fields = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String p = raw.get(i);
            if (p.startsWith("\"")) {
                if (p.length() < 2 || !p.endsWith("\"") || p.substring(1, p.length() - 1).contains("\"")) {
                    throw new AssertionError("parameter " + (i + 1) + " is not one quoted string in <" + text + ">");
                }
                fields.add(new Quoted(p.substring(1, p.length() - 1)));
            } else if (NUMBER.matcher(p).matches()) {
                fields.add(new Num(Long.parseLong(p)));
            } else if (BARE.matcher(p).matches()) {
                fields.add(new Bare(p));
            } else {
                throw new AssertionError("parameter " + (i + 1) + " <" + p + "> is neither a number, a quoted string"
                        + " nor a token in <" + text + ">");
            }
        }
        Unit u = new Unit(name, "=", fields, null);
        return new Unit(name, "=", lengthsMarked(u), null);
    }

    /** The parameter that declares the data's length, as a {@link Len}. */
    private static List<Field> lengthsMarked(Unit u) {
        List<Field> f = new ArrayList<>(u.fields);
        int at = -1;
        if (u.name.equals("+QMTPUB") && f.size() == 6 && f.get(5) instanceof Num) {
            at = 5;
        } else if (LENGTH_SECOND.contains(u.name) && f.size() >= 2) {
            at = 1;
        }
        if (at >= 0) {
            if (!(f.get(at) instanceof Num n) || n.value < 0) {
                throw new AssertionError("AT" + u.name + ": parameter " + (at + 1) + " must be the data's length: "
                        + u.fields);
            }
            f.set(at, new Len(n.value));
        }
        return List.copyOf(f);
    }

    private static List<String> splitOutsideQuotes(String line, String params) {
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
        if (quoted) {
            throw new AssertionError("unbalanced quotes in <" + line + ">");
        }
        out.add(cur.toString());
        return out;
    }

    private static int indexOf(byte[] b, byte x, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }
}
