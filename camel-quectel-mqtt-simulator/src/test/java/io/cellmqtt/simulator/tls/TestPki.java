package io.cellmqtt.simulator.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import io.cellmqtt.simulator.secrets.TestSecrets;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small PKI generated at test time (nothing of it is committed): a CA, a server certificate for
 * {@code 127.0.0.1} and {@code localhost}, a client certificate, and the wrong ones a TLS test needs.
 * Every file is PEM, written into the directory given to {@link #generate(Path)}.
 *
 * <ul>
 *   <li>{@code ca.pem}: the CA (RSA 2048, self-signed);</li>
 *   <li>{@code server.pem}, {@code server-key.pem}: the server (key in PKCS#8, {@code BEGIN PRIVATE KEY});</li>
 *   <li>{@code client.pem}, {@code client-key.pem}: the client (key in PKCS#1, {@code BEGIN RSA PRIVATE
 *       KEY}, the form AWS IoT hands out as {@code xxxx-private.pem.key});</li>
 *   <li>{@code ec-client.pem}, {@code ec-client-key.pem}: a client with a P-256 key ({@code BEGIN EC PRIVATE KEY});</li>
 *   <li>{@code other-ca.pem}: a CA that signed nothing the server shows;</li>
 *   <li>{@code expired-server.pem}, {@code expired-server-key.pem}: signed by the CA, valid only in the past;</li>
 *   <li>{@code untrusted-client.pem}, {@code untrusted-client-key.pem}: signed by the other CA;</li>
 *   <li>{@code mismatched-client-key.pem}: a key of another pair than {@code client.pem}'s;</li>
 *   <li>{@code not-pem.pem}: bytes that are not PEM.</li>
 * </ul>
 */
public final class TestPki {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    /** The test class that asked for this PKI: the keys are recorded under its name. */
    private final String user;
    private final List<String> secretBodies = new ArrayList<>();
    private X509Certificate caCert;
    private X509Certificate serverCert;
    private PrivateKey serverKey;
    private X509Certificate clientCert;
    private PrivateKey clientKey;

    private TestPki(Path dir, String user) {
        this.dir = dir;
        this.user = user;
    }

    /**
     * Generates every key and certificate and writes them into {@code dir} (created if needed). Each
     * private key's body is recorded in the module's {@link TestSecrets} registry, so the suite's secret
     * scan knows these random keys too.
     */
    public static TestPki generate(Path dir) {
        String user = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .walk(s -> s.map(f -> f.getDeclaringClass())
                        .filter(c -> !c.getPackageName().equals(TestPki.class.getPackageName()))
                        .map(Class::getSimpleName).findFirst().orElse("?"));
        try {
            Files.createDirectories(dir);
            TestPki p = new TestPki(dir, user);
            p.build();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("could not generate the test PKI", e);
        }
    }

    private void build() throws GeneralSecurityException, OperatorCreationException, IOException {
        Instant now = Instant.now();
        Instant from = now.minus(Duration.ofDays(1));
        Instant to = now.plus(Duration.ofDays(3650));

        KeyPair ca = rsa();
        // the CA covers the expired server's whole life too: a modem clock set back into it sees a valid chain
        caCert = sign(new X500Name("CN=cellmqtt test CA"), ca, new X500Name("CN=cellmqtt test CA"), ca,
                now.minus(Duration.ofDays(1000)), to, Kind.CA);
        writeCert("ca.pem", caCert);

        KeyPair server = rsa();
        serverCert = sign(new X500Name("CN=localhost"), server, caName(), ca, from, now.plus(Duration.ofDays(730)), Kind.SERVER);
        serverKey = server.getPrivate();
        writeCert("server.pem", serverCert);
        writePkcs8("server-key.pem", serverKey);

        KeyPair client = rsa();
        clientCert = sign(new X500Name("CN=cellmqtt-test-client"), client, caName(), ca, from, now.plus(Duration.ofDays(730)), Kind.CLIENT);
        clientKey = client.getPrivate();
        writeCert("client.pem", clientCert);
        writeTraditional("client-key.pem", clientKey);

        KeyPair ec = ec();
        writeCert("ec-client.pem", sign(new X500Name("CN=cellmqtt-test-ec-client"), ec, caName(), ca, from,
                now.plus(Duration.ofDays(730)), Kind.CLIENT));
        writeTraditional("ec-client-key.pem", ec.getPrivate());

        KeyPair other = rsa();
        X500Name otherName = new X500Name("CN=cellmqtt other CA");
        writeCert("other-ca.pem", sign(otherName, other, otherName, other, from, to, Kind.CA));

        KeyPair expired = rsa();
        writeCert("expired-server.pem", sign(new X500Name("CN=localhost"), expired, caName(), ca,
                now.minus(Duration.ofDays(730)), now.minus(Duration.ofDays(365)), Kind.SERVER));
        writePkcs8("expired-server-key.pem", expired.getPrivate());

        KeyPair untrusted = rsa();
        writeCert("untrusted-client.pem", sign(new X500Name("CN=cellmqtt-untrusted-client"), untrusted, otherName, other,
                from, now.plus(Duration.ofDays(730)), Kind.CLIENT));
        writeTraditional("untrusted-client-key.pem", untrusted.getPrivate());

        writeTraditional("mismatched-client-key.pem", rsa().getPrivate());

        byte[] garbage = new byte[700];
        RANDOM.nextBytes(garbage);
        byte[] notPem = ("this is not a PEM file\r\n" + java.util.HexFormat.of().formatHex(garbage) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        Files.write(dir.resolve("not-pem.pem"), notPem);
    }

    private X500Name caName() {
        return new X500Name("CN=cellmqtt test CA");
    }

    private enum Kind { CA, SERVER, CLIENT }

    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048, RANDOM);
        return g.generateKeyPair();
    }

    private static KeyPair ec() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys,
            Instant from, Instant to, Kind kind) throws GeneralSecurityException, OperatorCreationException, IOException {
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(from), Date.from(to), subject, subjectKeys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKeys.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
        switch (kind) {
            case CA -> {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            }
            case SERVER -> {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
            }
            case CLIENT -> {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            }
        }
        String alg = issuerKeys.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        ContentSigner signer = new JcaContentSignerBuilder(alg).build(issuerKeys.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    private void writeCert(String name, X509Certificate c) throws IOException {
        Files.writeString(dir.resolve(name), pem(c), StandardCharsets.US_ASCII);
    }

    /** PKCS#1 for RSA ({@code BEGIN RSA PRIVATE KEY}), SEC 1 for EC ({@code BEGIN EC PRIVATE KEY}). */
    private void writeTraditional(String name, PrivateKey k) throws IOException {
        String text = k.getAlgorithm().equals("EC") ? pem(sec1(k)) : pem(k);
        secret(name, text);
        Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
    }

    /**
     * SEC 1 with the curve named inside, as {@code openssl ecparam -genkey} writes it: the JDK's PKCS#8
     * keeps the curve in the algorithm identifier only, and a bare conversion would lose it.
     */
    private static org.bouncycastle.util.io.pem.PemObject sec1(PrivateKey k) throws IOException {
        org.bouncycastle.asn1.pkcs.PrivateKeyInfo info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(k.getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
        org.bouncycastle.asn1.sec.ECPrivateKey withCurve = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(),
                inner.getPublicKey(), info.getPrivateKeyAlgorithm().getParameters());
        return new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", withCurve.getEncoded());
    }

    private void writePkcs8(String name, PrivateKey k) throws IOException {
        String text = pem(new JcaPKCS8Generator(k, null));
        secret(name, text);
        Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
    }

    private void secret(String name, String pem) {
        StringBuilder body = new StringBuilder();
        for (String line : pem.split("\r?\n")) {
            if (!line.startsWith("-----") && !line.isBlank()) {
                body.append(line.trim());
            }
        }
        secretBodies.add(body.toString());
        TestSecrets.recordKey(name + " of the TestPki of " + user, body.toString());
    }

    private static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        }
        return w.toString();
    }

    // ---- accessors -----------------------------------------------------------------------------

    public Path dir() {
        return dir;
    }

    public Path ca() {
        return dir.resolve("ca.pem");
    }

    public Path server() {
        return dir.resolve("server.pem");
    }

    public Path serverKey() {
        return dir.resolve("server-key.pem");
    }

    public Path client() {
        return dir.resolve("client.pem");
    }

    /** The client key in PKCS#1 ({@code -----BEGIN RSA PRIVATE KEY-----}), as AWS IoT gives it. */
    public Path clientKey() {
        return dir.resolve("client-key.pem");
    }

    public Path ecClient() {
        return dir.resolve("ec-client.pem");
    }

    /** A P-256 client key ({@code -----BEGIN EC PRIVATE KEY-----}). */
    public Path ecClientKey() {
        return dir.resolve("ec-client-key.pem");
    }

    /** A CA that signed neither the server nor the client. */
    public Path otherCa() {
        return dir.resolve("other-ca.pem");
    }

    /** A server certificate of the right CA whose validity ended a year ago. */
    public Path expiredServer() {
        return dir.resolve("expired-server.pem");
    }

    public Path expiredServerKey() {
        return dir.resolve("expired-server-key.pem");
    }

    /** A client certificate signed by {@link #otherCa()}: a broker trusting {@link #ca()} refuses it. */
    public Path untrustedClient() {
        return dir.resolve("untrusted-client.pem");
    }

    public Path untrustedClientKey() {
        return dir.resolve("untrusted-client-key.pem");
    }

    /** A PKCS#1 key of another pair than {@link #client()}'s. */
    public Path mismatchedClientKey() {
        return dir.resolve("mismatched-client-key.pem");
    }

    /** A file that is not PEM at all. */
    public Path notPem() {
        return dir.resolve("not-pem.pem");
    }

    /** A file's bytes. */
    public static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The base64 bodies of every private key written (line breaks removed), for tests that scan logs
     * and messages for a key's contents: look for {@link #secretLines()} too, as a log may keep the
     * PEM's line breaks.
     */
    public List<String> secretBodies() {
        return List.copyOf(secretBodies);
    }

    /** Every 64-character base64 line of every private key: a log containing a key contains these. */
    public List<String> secretLines() {
        List<String> lines = new ArrayList<>();
        for (String body : secretBodies) {
            for (int i = 0; i + 64 <= body.length(); i += 64) {
                lines.add(body.substring(i, i + 64));
            }
        }
        return lines;
    }

    // ---- Java objects, for brokers and checker clients built in the tests ----------------------

    public X509Certificate caCertificate() {
        return caCert;
    }

    public X509Certificate serverCertificate() {
        return serverCert;
    }

    public PrivateKey serverPrivateKey() {
        return serverKey;
    }

    public X509Certificate clientCertificate() {
        return clientCert;
    }

    public PrivateKey clientPrivateKey() {
        return clientKey;
    }

    /** The loopback address the server certificate is for. */
    public static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }
}
