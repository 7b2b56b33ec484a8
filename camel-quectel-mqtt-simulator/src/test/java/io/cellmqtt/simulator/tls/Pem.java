package io.cellmqtt.simulator.tls;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/** PEM reading for the kit itself (independent of the simulator's): PKCS#1, SEC 1 and PKCS#8 keys. */
final class Pem {

    private Pem() {
    }

    static PrivateKey privateKey(byte[] pem) throws IOException {
        try (PEMParser p = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            Object o = p.readObject();
            PrivateKeyInfo info = o instanceof PEMKeyPair kp ? kp.getPrivateKeyInfo() : o instanceof PrivateKeyInfo i ? i : null;
            if (info == null) {
                throw new IOException("no private key in the PEM");
            }
            String alg = info.getPrivateKeyAlgorithm().getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey) ? "EC" : "RSA";
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
            } catch (java.security.GeneralSecurityException e) {
                throw new IOException("unreadable private key", e);
            }
        }
    }
}
