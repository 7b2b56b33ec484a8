package io.cellmqtt.modem;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Loads the field captures under {@code src/test/resources/captures/}: modem output that users captured on real
 * modules and posted publicly. The line format is described in {@code captures/README.md}:
 * <ul>
 * <li>{@code # key: value} header lines ({@code source}, {@code model}, {@code firmware}, {@code shows},
 * {@code status}); other {@code #} lines are notes;</li>
 * <li>{@code >> text}: a command line the host wrote;</li>
 * <li>{@code >>= bytes}: bytes the host wrote as they stand (data after a prompt), with escapes;</li>
 * <li>{@code << text}: a line the modem sent, framed {@code CR LF text CR LF};</li>
 * <li>{@code <<= bytes}: bytes the modem sent as they stand, with escapes, one read per line: for prompts and for
 * anything whose exact bytes (or read boundaries) the capture shows.</li>
 * </ul>
 * Escapes: {@code \r}, {@code \n}, {@code \\} and {@code \xNN}.
 */
final class Captures {
    static final String DIR = "captures/";

    private Captures() {
    }

    /** One thing the capture shows: the host wrote, or the modem sent, these bytes. */
    record Step(boolean fromHost, String text, byte[] bytes) {
    }

    /** A capture file: its header and its steps. */
    record Capture(String name, Map<String, String> header, List<Step> steps) {
        String source() {
            return header.get("source");
        }

        String model() {
            return header.get("model");
        }

        String firmware() {
            return header.get("firmware");
        }

        String status() {
            return header.get("status");
        }

        /** The modem's reads after the first host step whose text starts with {@code hostPrefix}. */
        List<byte[]> replyReads(String hostPrefix) {
            return replyReads(hostPrefix, 1);
        }

        /**
         * The modem's reads after the {@code occurrence}-th host step whose text starts with {@code hostPrefix}, up
         * to the next host step.
         */
        List<byte[]> replyReads(String hostPrefix, int occurrence) {
            int seen = 0;
            for (int i = 0; i < steps.size(); i++) {
                Step s = steps.get(i);
                if (s.fromHost() && s.text().startsWith(hostPrefix) && ++seen == occurrence) {
                    List<byte[]> reads = new ArrayList<>();
                    for (int j = i + 1; j < steps.size() && !steps.get(j).fromHost(); j++) {
                        reads.add(steps.get(j).bytes());
                    }
                    return reads;
                }
            }
            throw new IllegalArgumentException(name + ": no host step " + occurrence + " starting with " + hostPrefix);
        }

        /** The modem's reply to that host step, all reads joined. */
        String reply(String hostPrefix) {
            return reply(hostPrefix, 1);
        }

        String reply(String hostPrefix, int occurrence) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            replyReads(hostPrefix, occurrence).forEach(b::writeBytes);
            return new String(b.toByteArray(), StandardCharsets.ISO_8859_1);
        }

        /** What the modem sent before the host's first step (boot URCs). */
        String beforeFirstCommand() {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (Step s : steps) {
                if (s.fromHost()) {
                    break;
                }
                b.writeBytes(s.bytes());
            }
            return new String(b.toByteArray(), StandardCharsets.ISO_8859_1);
        }

        /** The host step whose text starts with {@code hostPrefix}, as the capture shows it. */
        String hostLine(String hostPrefix) {
            return steps.stream().filter(s -> s.fromHost() && s.text().startsWith(hostPrefix)).map(Step::text)
                    .findFirst().orElseThrow(() -> new IllegalArgumentException(name + ": no host step " + hostPrefix));
        }
    }

    /** The names of every capture file, sorted. */
    static List<String> names() {
        URL dir = Captures.class.getClassLoader().getResource(DIR);
        if (dir == null) {
            throw new IllegalStateException("no " + DIR + " on the test class path");
        }
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".txt")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Capture load(String name) {
        try (InputStream in = Captures.class.getClassLoader().getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no capture " + name);
            }
            return parse(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Capture parse(String name, String text) {
        Map<String, String> header = new LinkedHashMap<>();
        List<Step> steps = new ArrayList<>();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                int colon = line.indexOf(':');
                String key = colon > 0 ? line.substring(1, colon).trim() : "";
                if (steps.isEmpty() && key.matches("source|model|firmware|shows|status") && !header.containsKey(key)) {
                    header.put(key, line.substring(colon + 1).trim());
                }
                continue;
            }
            if (line.startsWith(">>= ")) {
                String raw = line.substring(4);
                steps.add(new Step(true, raw, unescape(raw, name, n)));
            } else if (line.startsWith(">> ")) {
                String cmd = line.substring(3);
                steps.add(new Step(true, cmd, (cmd + "\r").getBytes(StandardCharsets.ISO_8859_1)));
            } else if (line.startsWith("<<= ")) {
                String raw = line.substring(4);
                steps.add(new Step(false, raw, unescape(raw, name, n)));
            } else if (line.startsWith("<< ")) {
                String l = line.substring(3);
                steps.add(new Step(false, l, ("\r\n" + l + "\r\n").getBytes(StandardCharsets.ISO_8859_1)));
            } else {
                throw new IllegalArgumentException(name + ":" + n + ": not a capture line: " + line);
            }
        }
        return new Capture(name, header, steps);
    }

    static byte[] unescape(String s, String name, int lineNo) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                b.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            if (i + 1 >= s.length()) {
                throw new IllegalArgumentException(name + ":" + lineNo + ": a lone backslash at the end");
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'r' -> b.write('\r');
                case 'n' -> b.write('\n');
                case '\\' -> b.write('\\');
                case 'x' -> {
                    b.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> throw new IllegalArgumentException(name + ":" + lineNo + ": unknown escape \\" + e);
            }
        }
        return b.toByteArray();
    }
}
