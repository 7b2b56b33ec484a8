package io.cellmqtt.simulator.at;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns a received command line (without its terminator) into an {@link AtCommand}.
 * Quectel strings have no escape sequences, so a quote always opens or closes a string and a
 * comma inside quotes belongs to the string.
 */
final class AtLineParser {

    private AtLineParser() {
    }

    /** Index of the "AT" prefix (any case), or -1: real modems skip noise such as a stray ESC before it. */
    static int prefixIndex(byte[] line) {
        for (int i = 0; i + 1 < line.length; i++) {
            if ((line[i] == 'A' || line[i] == 'a') && (line[i + 1] == 'T' || line[i + 1] == 't')) {
                return i;
            }
        }
        return -1;
    }

    /** Parses the text after "AT"; empty means a plain "AT". Returns empty Optional when unparsable. */
    static Optional<AtCommand> parse(byte[] afterAt) {
        String body = new String(afterAt, StandardCharsets.ISO_8859_1).stripTrailing();
        if (body.isEmpty()) {
            return Optional.of(new AtCommand("", AtCommand.Type.EXEC, List.of()));
        }
        if (body.charAt(0) != '+' && body.charAt(0) != '&') {
            // basic command such as E0, I, Z, V1: name is the letter(s), value the digits
            return Optional.of(new AtCommand(body.toUpperCase(Locale.ROOT), AtCommand.Type.EXEC, List.of()));
        }
        int end = 1;
        while (end < body.length() && body.charAt(end) != '=' && body.charAt(end) != '?') {
            end++;
        }
        String name = body.substring(0, end).toUpperCase(Locale.ROOT).trim();
        String rest = body.substring(end);
        if (rest.isEmpty()) {
            return Optional.of(new AtCommand(name, AtCommand.Type.EXEC, List.of()));
        }
        if (rest.equals("?")) {
            return Optional.of(new AtCommand(name, AtCommand.Type.READ, List.of()));
        }
        if (rest.equals("=?")) {
            return Optional.of(new AtCommand(name, AtCommand.Type.TEST, List.of()));
        }
        if (rest.charAt(0) != '=') {
            return Optional.empty();
        }
        return splitArgs(rest.substring(1)).map(a -> new AtCommand(name, AtCommand.Type.WRITE, a));
    }

    static Optional<List<AtCommand.Arg>> splitArgs(String s) {
        List<AtCommand.Arg> args = new ArrayList<>();
        int i = 0;
        while (true) {
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
            if (i < s.length() && s.charAt(i) == '"') {
                int close = s.indexOf('"', i + 1);
                if (close < 0) {
                    return Optional.empty();
                }
                args.add(new AtCommand.Arg(s.substring(i + 1, close), true));
                i = close + 1;
                while (i < s.length() && s.charAt(i) == ' ') {
                    i++;
                }
                if (i < s.length() && s.charAt(i) != ',') {
                    return Optional.empty();
                }
            } else {
                int comma = s.indexOf(',', i);
                int stop = comma < 0 ? s.length() : comma;
                String v = s.substring(i, stop).trim();
                if (v.indexOf('"') >= 0) {
                    return Optional.empty();
                }
                args.add(new AtCommand.Arg(v, false));
                i = stop;
            }
            if (i >= s.length()) {
                return Optional.of(args);
            }
            i++; // skip the comma
        }
    }
}
