package io.cellmqtt.simulator.broker;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;

/**
 * Builds the Netty client {@link SslContext} of one modem TLS connection from exactly the files its
 * SSL context names ({@link TlsSpec}). Any file that is not what it must be (not PEM, a key that does
 * not belong to its certificate) makes {@link #build} throw: the modem reports that as a failed
 * open, never as a crash.
 *
 * <p>The server name is not checked: none of the documents (references 000, 001, 003, 004) has a
 * setting or a word about the server's host name, and the modem connects by the name given to
 * QMTOPEN / CMQTTCONNECT. The chain is checked by signature and issuer name up to the uploaded CA,
 * and, unless the context ignores the time, every certificate of it must be valid at the modem's
 * clock.
 */
public final class ClientTls {

    private ClientTls() {
    }

    /** A file's PEM is unusable, or the client key does not belong to the client certificate. */
    public static final class BadFile extends GeneralSecurityException {
        BadFile(String message) {
            super(message);
        }
    }

    public static SslContext build(TlsSpec spec) throws GeneralSecurityException, IOException {
        if (spec.protocols().isEmpty()) {
            throw new BadFile("no TLS version the simulator can speak");
        }
        SslContextBuilder b = SslContextBuilder.forClient().protocols(spec.protocols());
        if (spec.verifyServer()) {
            List<X509Certificate> ca = certificates(spec.caCert(), "CA certificate");
            b.trustManager(new ChainTrust(ca, spec));
        } else {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE);
        }
        if (spec.presentClient()) {
            List<X509Certificate> chain = certificates(spec.clientCert(), "client certificate");
            PrivateKey key = privateKey(spec.clientKey());
            if (!belongTogether(key, chain.get(0).getPublicKey())) {
                throw new BadFile("the client key does not belong to the client certificate");
            }
            b.keyManager(key, chain.toArray(new X509Certificate[0]));
        }
        return b.build();
    }

    /** Every certificate of a PEM file, in order; at least one. */
    static List<X509Certificate> certificates(byte[] pem, String what) throws GeneralSecurityException, IOException {
        if (pem == null) {
            throw new BadFile("no " + what);
        }
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
        try (PEMParser p = new PEMParser(new StringReader(new String(pem, StandardCharsets.ISO_8859_1)))) {
            Object o;
            while ((o = readObject(p, what)) != null) {
                if (o instanceof X509CertificateHolder h) {
                    out.add(conv.getCertificate(h));
                }
            }
        }
        if (out.isEmpty()) {
            throw new BadFile("the " + what + " file holds no PEM certificate");
        }
        return out;
    }

    /** A PEM private key: PKCS#1 ({@code BEGIN RSA PRIVATE KEY}), SEC 1 ({@code BEGIN EC PRIVATE KEY}) or PKCS#8. */
    static PrivateKey privateKey(byte[] pem) throws GeneralSecurityException, IOException {
        if (pem == null) {
            throw new BadFile("no client key");
        }
        try (PEMParser p = new PEMParser(new StringReader(new String(pem, StandardCharsets.ISO_8859_1)))) {
            Object o;
            while ((o = readObject(p, "client key")) != null) {
                if (o instanceof PEMKeyPair kp) {
                    return toKey(kp.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo info) {
                    return toKey(info);
                }
            }
        }
        throw new BadFile("the client key file holds no unencrypted PEM private key");
    }

    /** A JDK key from its PKCS#8 structure, by the JDK's own algorithm names (BC's converter asks for "ECDSA"). */
    private static PrivateKey toKey(PrivateKeyInfo info) throws GeneralSecurityException, IOException {
        ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
        String alg;
        if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            alg = "RSA";
        } else if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            alg = "EC";
        } else if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
            alg = "Ed25519";
        } else {
            throw new BadFile("the client key's algorithm is not RSA, EC or Ed25519");
        }
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
    }

    private static Object readObject(PEMParser p, String what) throws BadFile {
        try {
            return p.readObject();
        } catch (IOException | RuntimeException e) {
            // the parser's message may quote the file: only the kind of failure goes on
            throw new BadFile("the " + what + " file is not valid PEM");
        }
    }

    /** True when a signature made with {@code key} verifies with {@code pub}. */
    static boolean belongTogether(PrivateKey key, PublicKey pub) {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (alg == null || !key.getAlgorithm().equals(pub.getAlgorithm())) {
            return false;
        }
        try {
            byte[] probe = "cellmqtt key pair probe".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * Trusts a server chain that leads, by issuer name and signature, to one of the uploaded CA
     * certificates; with the time checked, each certificate on the way (and the CA) must be valid at
     * the modem's clock.
     */
    static final class ChainTrust implements X509TrustManager {
        private final List<X509Certificate> anchors;
        private final TlsSpec spec;

        ChainTrust(List<X509Certificate> anchors, TlsSpec spec) {
            this.anchors = List.copyOf(anchors);
            this.spec = spec;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the server sent no certificate");
            }
            Date now = Date.from(spec.clock().instant());
            for (int i = 0; i < chain.length; i++) {
                X509Certificate c = chain[i];
                if (spec.checkTime()) {
                    c.checkValidity(now); // CertificateExpiredException / NotYetValid
                }
                X509Certificate anchor = anchorFor(c);
                if (anchor != null) {
                    if (spec.checkTime()) {
                        anchor.checkValidity(now);
                    }
                    return;
                }
                if (i + 1 < chain.length && verifies(c, chain[i + 1])) {
                    continue;
                }
                break;
            }
            throw new CertificateException("the server's certificate is not signed by the configured CA");
        }

        private X509Certificate anchorFor(X509Certificate c) {
            for (X509Certificate a : anchors) {
                if (a.equals(c) || verifies(c, a)) {
                    return a;
                }
            }
            return null;
        }

        private static boolean verifies(X509Certificate c, X509Certificate issuer) {
            if (!c.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
                return false;
            }
            try {
                c.verify(issuer.getPublicKey());
                return true;
            } catch (GeneralSecurityException e) {
                return false;
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a modem is never a TLS server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return anchors.toArray(new X509Certificate[0]);
        }
    }
}
