package io.cellmqtt.modem;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A certificate or key the component puts on the modem itself (from a file, the classpath or a
 * bean), as opposed to a file somebody already stored there. Its name on the modem is made of its
 * role and the start of its content's SHA-256, e.g. {@code cellmqtt-ca-3f2a9c01b7e4.pem}: the same
 * content always has the same name, so a name the modem already lists needs no upload, a changed
 * file gets a new name (uploaded once), and a private key is never uploaded twice.
 *
 * <p>The content is never shown: {@link #toString()} gives the role, the name, where it came from
 * and its size.
 *
 * @param role    {@code caCert}, {@code clientCert} or {@code clientKey}
 * @param name    the file's name on the modem, without a storage prefix ({@code UFS:}, {@code RAM:})
 * @param origin  where it came from, for messages ({@code file:/etc/gw/ca.pem}, {@code bean ca})
 * @param content the PEM bytes
 */
public record CertificateFile(String role, String name, String origin, byte[] content) {

    /** Every name the component gives a file starts with this: what is not ours is never deleted. */
    public static final String PREFIX = "cellmqtt-";
    /** Larger files are refused: a PEM certificate chain or key is a few KiB. */
    public static final int MAX_SIZE = 32 * 1024;

    public CertificateFile {
        content = content.clone();
    }

    /**
     * Checks that {@code content} is PEM of the kind {@code role} needs and names it.
     *
     * @throws IllegalArgumentException naming the role and the origin (never the content) when it
     *                                  is empty, too large or not PEM of that kind
     */
    public static CertificateFile of(String role, String origin, byte[] content) {
        if (content.length == 0) {
            throw new IllegalArgumentException(role + " from " + origin + " is empty");
        }
        if (content.length > MAX_SIZE) {
            throw new IllegalArgumentException(role + " from " + origin + " has " + content.length
                    + " bytes; a PEM certificate or key has a few KiB (at most " + MAX_SIZE + ")");
        }
        String text = new String(content, StandardCharsets.ISO_8859_1);
        boolean key = role.equals("clientKey");
        String kind = key ? "PRIVATE KEY-----" : "CERTIFICATE-----";
        int begin = text.indexOf("-----BEGIN ");
        if (begin < 0 || text.indexOf(kind, begin) < 0 || text.indexOf("-----END ", begin) < 0) {
            throw new IllegalArgumentException(role + " from " + origin + " is not a PEM "
                    + (key ? "private key (-----BEGIN ... PRIVATE KEY-----)" : "certificate (-----BEGIN CERTIFICATE-----)"));
        }
        if (!key && text.contains("PRIVATE KEY-----")) {
            throw new IllegalArgumentException(role + " from " + origin + " holds a private key: give the key as"
                    + " clientKey, and only certificates as " + role);
        }
        return new CertificateFile(role, PREFIX + shortRole(role) + "-" + digest(content) + ".pem", origin, content);
    }

    /** {@code ca}, {@code cert} or {@code key}: the part of the name that says what the file is. */
    static String shortRole(String role) {
        return switch (role) {
            case "caCert" -> "ca";
            case "clientCert" -> "cert";
            case "clientKey" -> "key";
            default -> role.toLowerCase(Locale.ROOT);
        };
    }

    private static String digest(byte[] content) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(content);
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Quectel's upload checksum ({@code +QFUPL: <size>,<checksum>}, {@code +QSECWRITE}): the XOR of
     * the data taken as 16-bit big-endian words, a last odd byte as the high byte of a word (the
     * FILE application note; fwupd's dfota updater computes it the same way).
     */
    public int quectelChecksum() {
        int x = 0;
        for (int i = 0; i < content.length; i += 2) {
            int hi = content[i] & 0xFF;
            int lo = i + 1 < content.length ? content[i + 1] & 0xFF : 0;
            x ^= (hi << 8) | lo;
        }
        return x;
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    public int size() {
        return content.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CertificateFile f && f.role.equals(role) && f.name.equals(name);
    }

    @Override
    public int hashCode() {
        return role.hashCode() * 31 + name.hashCode();
    }

    @Override
    public String toString() {
        return role + " " + name + " (from " + origin + ", " + content.length + " bytes)";
    }
}
