package io.cellmqtt.camel;

import io.cellmqtt.modem.CertificateFile;
import io.cellmqtt.simulator.secrets.TestSecrets;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Issue 8, point 1: where caCert, clientCert and clientKey come from, and what is refused before any byte is sent. */
class CertificateResourcesTest {
    private static final String KEY = "-----BEGIN RSA PRIVATE KEY-----\n" + TestSecrets.FAKE_KEY_BODY
            + "\n-----END RSA PRIVATE KEY-----\n";
    private static final String CERT = "-----BEGIN CERTIFICATE-----\nY2xpZW50\n-----END CERTIFICATE-----\n";

    private final DefaultCamelContext context = new DefaultCamelContext();

    @AfterEach
    void close() {
        context.stop();
    }

    private static CellMqttConfiguration config(String ca, String cert, String key) {
        CellMqttConfiguration c = new CellMqttConfiguration();
        c.setCaCert(ca);
        c.setClientCert(cert);
        c.setClientKey(key);
        return c;
    }

    @Test
    void fileClasspathAndBeansAreReadAndNamedByTheirContent(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("device-private.pem.key");
        Files.writeString(key, KEY);
        context.getRegistry().bind("deviceCert", CERT.getBytes(StandardCharsets.US_ASCII));
        List<CertificateFile> files = CertificateResources.resolve(context,
                config("classpath:tls/test-ca.pem", "#bean:deviceCert", "file:" + key));
        assertThat(files).extracting(CertificateFile::role).containsExactly("caCert", "clientCert", "clientKey");
        assertThat(files).extracting(CertificateFile::origin)
                .containsExactly("classpath:tls/test-ca.pem", "bean deviceCert", "file:" + key);
        assertThat(files.get(2).content()).isEqualTo(KEY.getBytes(StandardCharsets.US_ASCII));
        assertThat(files.get(2).name()).matches("cellmqtt-key-[0-9a-f]{12}\\.pem");
        // a String bean, and the #name form, work the same
        context.getRegistry().bind("ca", new String(Files.readAllBytes(Path.of(getClass()
                .getResource("/tls/test-ca.pem").toURI())), StandardCharsets.US_ASCII));
        assertThat(CertificateResources.resolve(context, config("#ca", null, null)).get(0).name())
                .isEqualTo(files.get(0).name());
    }

    @Test
    void aBareNameOrAStoragePrefixIsAFileAlreadyOnTheModem() {
        assertThat(CertificateResources.resolve(context, config("cacert.pem", "UFS:client.pem", "RAM:key.pem")))
                .isEmpty();
    }

    @Test
    void aMissingFileOrBeanOrSomethingNotPemFailsNamingTheOptionNotTheContent(@TempDir Path dir) throws Exception {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> CertificateResources.resolve(context, config("file:" + dir.resolve("nope.pem"), null, null)))
                .withMessageStartingWith("caCert=file:" + dir.resolve("nope.pem") + " can't be read");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> CertificateResources.resolve(context, config(null, "#bean:missing", null)))
                .withMessage("clientCert=#bean:missing: no bean named missing in the registry");
        Path swapped = dir.resolve("swapped.pem");
        Files.writeString(swapped, KEY);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> CertificateResources.resolve(context, config(null, "file:" + swapped, null)))
                .withMessage("clientCert from file:" + swapped + " is not a PEM certificate (-----BEGIN CERTIFICATE-----)")
                .withMessageNotContaining(TestSecrets.FAKE_KEY_BODY.substring(0, 40));
    }

    @Test
    void aKeyWithoutItsCertificateOrTheOtherWayRoundIsRefused() {
        CellMqttConfiguration c = config(null, null, "file:/etc/gw/key.pem");
        c.setSerialPort("/dev/ttyUSB2");
        c.setBrokerUrl("ssl://broker:8883");
        assertThatIllegalArgumentException().isThrownBy(() -> CellMqttValidation.validate(c))
                .withMessage("clientKey is given without its clientCert: a client authenticates with both, or with neither");
        c.setClientKey(null);
        c.setClientCert("client.pem");
        assertThatIllegalArgumentException().isThrownBy(() -> CellMqttValidation.validate(c))
                .withMessage("clientCert is given without its clientKey: a client authenticates with both, or with neither");
    }
}
