package io.cellmqtt.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellmqtt.simulator.tls.TestPki;
import io.cellmqtt.simulator.tls.TlsChecker;
import io.cellmqtt.simulator.tls.TlsMoquette;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator's TLS test kit reaches this module's tests through the simulator's test-jar: a PKI
 * generated here, a Moquette requiring client certificates, and two checker clients exchanging a
 * message over it.
 */
class TlsKitWiringTest {

    @TempDir
    Path dir;

    @Test
    void theKitIsOnThisModulesTestClasspath() throws Exception {
        TestPki pki = TestPki.generate(dir);
        assertThat(Files.readString(pki.clientKey())).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(pki.secretBodies()).isNotEmpty();
        try (TlsMoquette broker = new TlsMoquette(pki);
                TlsChecker a = new TlsChecker(broker.sslUrl(), pki, "kit-a");
                TlsChecker b = new TlsChecker(broker.sslUrl(), pki, "kit-b")) {
            a.subscribe("kit/t", 1);
            b.publish("kit/t", "over TLS".getBytes(StandardCharsets.US_ASCII), 1);
            TlsChecker.Received r = a.next();
            assertThat(r).isNotNull();
            assertThat(new String(r.payload(), StandardCharsets.US_ASCII)).isEqualTo("over TLS");
        }
    }
}
