package io.cellmqtt.simulator.at;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * One parsed AT command line. The line is decoded as ISO-8859-1 so that every byte maps to one
 * char and back: a quoted argument (e.g. the message of QMTPUBEX) keeps its exact bytes.
 */
public record AtCommand(String name, Type type, List<Arg> args) {

    public enum Type { EXEC, READ, TEST, WRITE }

    /** One comma-separated argument; {@code quoted} tells "0" from 0 and lets empty "" differ from absent. */
    public record Arg(String raw, boolean quoted) {
        public byte[] bytes() {
            return raw.getBytes(StandardCharsets.ISO_8859_1);
        }

        /** Quectel strings on the wire are UTF-8. */
        public String text() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        public int intValue() {
            if (quoted) {
                throw new IllegalArgumentException("number expected, got string " + raw);
            }
            return Integer.parseInt(raw.trim());
        }

        public String lower() {
            return text().toLowerCase(Locale.ROOT);
        }
    }

    public int argCount() {
        return args.size();
    }

    public Arg arg(int i) {
        return args.get(i);
    }

    public int intArg(int i) {
        return args.get(i).intValue();
    }
}
