package io.cellmqtt.modem;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses Quectel's {@code +QMTRECV} message URCs.
 *
 * <p>On one line the modem does not escape the topic, so a topic holding {@code ",} (any publisher
 * may choose one under a wildcard subscription) can end it at more than one place. The
 * {@code readings} methods give every place that leaves a well-formed rest; the caller keeps the one
 * its subscriptions want, and drops the message when more than one is wanted (see
 * {@code QuectelDialect}). The {@code parse} methods give the reading that ends the topic at its
 * first {@code ",}.
 */
final class ReceiveUrc {
    private ReceiveUrc() {
    }

    /** {@code header} = {@code +QMTRECV: <idx>,<msgid>,"<topic>",<len>,"} as framed by length. */
    static ReceivedMessage parseFramed(String header, byte[] payload) {
        Head h = head(header);
        if (h == null) {
            return null;
        }
        // ... "<topic>",<len>,"  -> drop the trailing ,"  then the ,<len>
        String rest = h.rest;
        if (!rest.endsWith(",\"")) {
            return null;
        }
        rest = rest.substring(0, rest.length() - 2);
        int comma = rest.lastIndexOf(',');
        if (comma < 2 || rest.charAt(0) != '"' || rest.charAt(comma - 1) != '"') {
            return null;
        }
        return new ReceivedMessage(h.index, h.messageId, rest.substring(1, comma - 1), payload);
    }

    /**
     * {@code +QMTRECV: <idx>,<msgid>,"<topic>"[,<len>],"<payload>"} on one line (a receive mode
     * without length framing); {@code +QMTRECV: <idx>,<recv_id>} buffer notices give null.
     */
    static ReceivedMessage parseLine(String line) {
        return parseLine(line.getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #parseLine(String)} on the line's bytes: its first {@linkplain #lineReadings reading}, or null. */
    static ReceivedMessage parseLine(byte[] raw) {
        List<ReceivedMessage> readings = lineReadings(raw);
        return readings.isEmpty() ? null : readings.get(0);
    }

    /**
     * Every reading of a line {@code +QMTRECV: <idx>,<msgid>,"<topic>"[,<len>],"<payload>"}: for each
     * {@code ",} after the topic's opening quote, the rest must be a quoted payload to the end of the
     * line, or a length, a comma and a quoted payload of exactly that length.
     */
    static List<ReceivedMessage> lineReadings(byte[] raw) {
        String line = new String(raw, StandardCharsets.ISO_8859_1);
        Head h = head(line);
        List<ReceivedMessage> out = new ArrayList<>(1);
        if (h == null || !h.rest.startsWith("\"")) {
            return out;
        }
        for (int end = h.rest.indexOf("\",", 1); end >= 0; end = h.rest.indexOf("\",", end + 1)) {
            String after = h.rest.substring(end + 2);
            byte[] payload = quoted(after);
            if (payload == null) {
                int i = 0;
                while (i < after.length() && i < 9 && Character.isDigit(after.charAt(i))) {
                    i++;
                }
                if (i > 0 && i < after.length() && after.charAt(i) == ',') {
                    byte[] p = quoted(after.substring(i + 1));
                    if (p != null && p.length == Integer.parseInt(after.substring(0, i))) {
                        payload = p;
                    }
                }
            }
            if (payload != null) {
                out.add(new ReceivedMessage(h.index, h.messageId, utf8(h.rest.substring(1, end)), payload));
            }
        }
        return out;
    }

    /**
     * Every reading of the BC26/M95 line {@code +QMTRECV: <idx>,<msgid>,"<topic>",<payload>}: one per
     * {@code ",} after the topic's opening quote, the payload being the rest as
     * {@link #parseUnframedLine(byte[])} takes it (these models' payload may be unquoted, so every
     * such place leaves a well-formed rest).
     */
    static List<ReceivedMessage> unframedReadings(byte[] raw) {
        String line = new String(raw, StandardCharsets.ISO_8859_1);
        Head h = head(line);
        List<ReceivedMessage> out = new ArrayList<>(1);
        if (h == null) {
            return out;
        }
        String rest = stripSpaces(h.rest);
        if (!rest.startsWith("\"")) {
            return out;
        }
        for (int end = rest.indexOf("\",", 1); end >= 0; end = rest.indexOf("\",", end + 1)) {
            String payload = stripSpaces(rest.substring(end + 2));
            if (payload.length() >= 2 && payload.startsWith("\"") && payload.endsWith("\"")) {
                payload = payload.substring(1, payload.length() - 1);
            }
            out.add(new ReceivedMessage(h.index, h.messageId, utf8(rest.substring(1, end)),
                    payload.getBytes(StandardCharsets.ISO_8859_1)));
        }
        return out;
    }

    /** {@code "<payload>"} to the end: the payload's bytes, or null. */
    private static byte[] quoted(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")
                ? s.substring(1, s.length() - 1).getBytes(StandardCharsets.ISO_8859_1) : null;
    }

    /** Text read as ISO-8859-1 (one char per byte) decoded as the UTF-8 it was. */
    private static String utf8(String latin1) {
        return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /**
     * The receive URC of models that report no length (BC26, M95):
     * {@code +QMTRECV: <idx>,<msgid>,"<topic>","<payload>"}, with the variants the documents
     * print: spaces after the commas ({@code +QMTRECV: 0,0, "topic/example", "payload"}) and the
     * payload unquoted to the end of the line ({@code +QMTRECV: 0,0, "topic/pub",This is test data}).
     *
     * <p>The topic ends at the first {@code ",}; after it, leading spaces are skipped, and a rest
     * that starts and ends with a quote loses those two quotes; anything else is the payload as it
     * stands. Nothing in the rest is read as a length: with no length on these models,
     * {@code "a",5,""} is the payload {@code a",5,"}. A line without a quoted topic (a buffer
     * notice) gives null.
     */
    static ReceivedMessage parseUnframedLine(String line) {
        return parseUnframedLine(line.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@link #parseUnframedLine(String)} on the line's bytes (the payload is taken byte for byte): its
     * first {@linkplain #unframedReadings reading}, or null.
     */
    static ReceivedMessage parseUnframedLine(byte[] raw) {
        List<ReceivedMessage> readings = unframedReadings(raw);
        return readings.isEmpty() ? null : readings.get(0);
    }

    private static String stripSpaces(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return s.substring(i);
    }

    private record Head(int index, int messageId, String rest) {
    }

    private static Head head(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String s = text.substring(colon + 1).stripLeading();
        int c1 = s.indexOf(',');
        int c2 = c1 < 0 ? -1 : s.indexOf(',', c1 + 1);
        if (c2 < 0) {
            return null;
        }
        try {
            return new Head(Integer.parseInt(s.substring(0, c1).trim()), Integer.parseInt(s.substring(c1 + 1, c2).trim()),
                    s.substring(c2 + 1));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
