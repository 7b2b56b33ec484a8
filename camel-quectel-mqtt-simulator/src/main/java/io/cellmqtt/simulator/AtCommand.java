package io.cellmqtt.simulator;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * One parsed AT command line. The line is decoded as ISO-8859-1 so that every byte maps to one
 * char and back: a quoted argument (e.g. the message of QMTPUBEX) keeps its exact bytes.
 */
record AtCommand(String name, Type type, List<Arg> args) {

    enum Type { EXEC, READ, TEST, WRITE }

    /** One comma-separated argument; {@code quoted} tells "0" from 0 and lets empty "" differ from absent. */
    record Arg(String raw, boolean quoted) {
        byte[] bytes() {
            return raw.getBytes(StandardCharsets.ISO_8859_1);
        }

        /** Quectel strings on the wire are UTF-8. */
        String text() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        int intValue() {
            if (quoted) {
                throw new IllegalArgumentException("number expected, got string " + raw);
            }
            return Integer.parseInt(raw.trim());
        }

        String lower() {
            return text().toLowerCase(Locale.ROOT);
        }
    }

    int argCount() {
        return args.size();
    }

    Arg arg(int i) {
        return args.get(i);
    }

    int intArg(int i) {
        return args.get(i).intValue();
    }
}
