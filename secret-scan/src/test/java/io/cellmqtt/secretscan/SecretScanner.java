package io.cellmqtt.secretscan;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Looks for known secrets in text files, line by line, and says where by file, line and the secret's
 * label: never the secret itself, so its report can be printed anywhere.
 *
 * <p>A password or device secret ({@link Secret#key()} false) is looked for as is, XML-escaped (surefire's
 * reports), backslash-escaped (a Java string in a message), URL-encoded (a URI), and base64-encoded
 * at each of the three byte alignments it can have inside a longer base64 text, in the standard and the
 * URL-safe alphabet. A private key ({@link Secret#key()} true, the base64 body of its PEM) is found by any
 * {@value #KEY_CHUNK} characters of its body in a row, whatever the line breaks around them.
 *
 * <p>The registry the tests write (the simulator test-jar's {@code TestSecrets}) has one secret per
 * line: kind ({@code plain} or {@code key}), a tab, the label, a tab, base64 of the value's UTF-8 bytes.
 */
final class SecretScanner {

    /** The shortest secret worth looking for: anything shorter finds itself in unrelated text. */
    static final int MIN_LENGTH = 8;
    /** Characters of a key's base64 body that give it away. */
    static final int KEY_CHUNK = 40;

    record Secret(String label, String value, boolean key) {
        @Override
        public String toString() {
            return (key ? "key " : "secret ") + label; // never the value
        }
    }

    /** Where a secret was found: the file, its 1-based line, the secret's label and in which form. */
    record Finding(Path file, long line, String label, String form) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + label + " (" + form + ")";
        }
    }

    /** needle -> "label (form)"; several forms of one secret may be the same text: the first form wins. */
    private final Map<String, String[]> needles = new LinkedHashMap<>();
    /** every KEY_CHUNK-character piece of every key body -> label */
    private final Map<String, String> keyChunks = new HashMap<>();
    private final int secrets;

    SecretScanner(Collection<Secret> all) {
        Set<Secret> distinct = new LinkedHashSet<>(all);
        for (Secret s : distinct) {
            if (s.key()) {
                String body = s.value().replaceAll("[^A-Za-z0-9+/]", "");
                if (body.length() < KEY_CHUNK) {
                    throw new IllegalArgumentException(s + " has a body shorter than " + KEY_CHUNK + " characters");
                }
                for (int i = 0; i + KEY_CHUNK <= body.length(); i++) {
                    keyChunks.putIfAbsent(body.substring(i, i + KEY_CHUNK), s.label());
                }
            } else {
                if (s.value().length() < MIN_LENGTH) {
                    throw new IllegalArgumentException(s + " is shorter than " + MIN_LENGTH
                            + " characters: give the test a distinctive one, a shorter one would be found in unrelated text");
                }
                forms(s.value()).forEach((form, needle) -> needles.putIfAbsent(needle, new String[] {s.label(), form}));
            }
        }
        this.secrets = distinct.size();
    }

    /** How many distinct secrets are looked for. */
    int secrets() {
        return secrets;
    }

    /** How many texts are looked for (all forms of all passwords and secrets). */
    int needles() {
        return needles.size();
    }

    /** How many key chunks are looked for. */
    int keyChunks() {
        return keyChunks.size();
    }

    /** The forms a secret may take in a log or a report, by name. */
    static Map<String, String> forms(String value) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("as is", value);
        f.put("XML-escaped", value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;").replace("'", "&apos;"));
        f.put("XML-escaped, ' as is", value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;"));
        f.put("backslash-escaped", value.replace("\\", "\\\\").replace("\"", "\\\""));
        String url = URLEncoder.encode(value, StandardCharsets.UTF_8);
        f.put("URL-encoded", url);
        f.put("URL-encoded with %20", url.replace("+", "%20"));
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        for (int offset = 0; offset < 3; offset++) {
            byte[] shifted = new byte[offset + bytes.length];
            System.arraycopy(bytes, 0, shifted, offset, bytes.length);
            // only the characters made of the secret's bits alone: skip those that hold bits of what
            // comes before it, and those that hold bits of what follows (or padding)
            int from = offset == 0 ? 0 : offset + 1;
            int to = shifted.length * 8 / 6;
            String std = Base64.getEncoder().withoutPadding().encodeToString(shifted).substring(from, to);
            String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(shifted).substring(from, to);
            f.put("base64" + (offset == 0 ? "" : " at byte offset " + offset), std);
            f.put("URL-safe base64" + (offset == 0 ? "" : " at byte offset " + offset), urlSafe);
        }
        return f;
    }

    /** Every finding in {@code file}, read as UTF-8 (bytes that are not UTF-8 become U+FFFD). */
    List<Finding> scan(Path file, long[] lineCount) {
        List<Finding> found = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE)))) {
            long n = 0;
            for (String line; (line = r.readLine()) != null; ) {
                n++;
                scanLine(file, n, line, found);
            }
            lineCount[0] += n;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        return found;
    }

    private void scanLine(Path file, long n, String line, List<Finding> found) {
        Set<String> here = new LinkedHashSet<>();
        for (Map.Entry<String, String[]> e : needles.entrySet()) {
            if (line.contains(e.getKey()) && here.add(e.getValue()[0])) {
                found.add(new Finding(file, n, e.getValue()[0], e.getValue()[1]));
            }
        }
        if (keyChunks.isEmpty()) {
            return;
        }
        // runs of base64 characters at least KEY_CHUNK long, each window looked up
        int len = line.length();
        int i = 0;
        while (i < len) {
            while (i < len && !base64(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < len && base64(line.charAt(i))) {
                i++;
            }
            for (int w = start; w + KEY_CHUNK <= i; w++) {
                String label = keyChunks.get(line.substring(w, w + KEY_CHUNK));
                if (label != null) {
                    if (here.add(label)) {
                        found.add(new Finding(file, n, label, KEY_CHUNK + " characters of the key's base64 body"));
                    }
                    break;
                }
            }
        }
    }

    private static boolean base64(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/';
    }

    /** The secrets of one registry file; a line that cannot be read fails, naming the file and line. */
    static List<Secret> readRegistry(Path file) {
        List<Secret> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isBlank()) {
                continue;
            }
            String[] p = l.split("\t", -1);
            if (p.length != 3 || !(p[0].equals("plain") || p[0].equals("key"))) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": not <plain|key> TAB label TAB base64");
            }
            String value;
            try {
                value = new String(Base64.getDecoder().decode(p[2]), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": the value is not base64");
            }
            out.add(new Secret(p[1], value, p[0].equals("key")));
        }
        return out;
    }
}
