package io.cellmqtt.secretscan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.cellmqtt.secretscan.SecretScanner.Finding;
import io.cellmqtt.secretscan.SecretScanner.Secret;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scanner finds a planted secret in every form it promises, and nothing in a clean file. */
class SecretScannerTest {

    /**
     * Made now, so no registry of the suite holds it; '@', '/', '+', '&' and '?' change under URL encoding,
     * and eight '?' give a '/' (URL-safe: '_') in its base64 at any alignment, so the two alphabets differ.
     */
    private final String password = "pl@nted/" + UUID.randomUUID() + "+&\"x????????";
    private final String keyBody = randomKeyBody();
    private final SecretScanner scanner = new SecretScanner(List.of(
            new Secret("password of SecretScannerTest", password, false),
            new Secret("key of SecretScannerTest", keyBody, true)));

    @TempDir
    Path dir;

    private static String randomKeyBody() {
        byte[] b = new byte[1190];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    private List<Finding> scan(String name, String... lines) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, List.of(lines), StandardCharsets.UTF_8);
        long[] n = {0};
        List<Finding> found = scanner.scan(f, n);
        assertThat(n[0]).isEqualTo(lines.length);
        return found;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aPlantedPasswordIsFoundAsIsByFileLineAndLabelWithoutBeingShown() throws Exception {
        List<Finding> found = scan("plain-output.txt", "12:00:00.000 [main] INFO a line", "connecting with " + password);
        assertThat(found).singleElement().satisfies(f -> {
            assertThat(f.file()).hasFileName("plain-output.txt");
            assertThat(f.line()).isEqualTo(2);
            assertThat(f.label()).isEqualTo("password of SecretScannerTest");
            assertThat(f.form()).isEqualTo("as is");
            assertThat(f.toString()).endsWith("plain-output.txt:2: password of SecretScannerTest (as is)")
                    .doesNotContain(password);
        });
    }

    @Test
    void aPlantedPasswordIsFoundInBase64AtEveryAlignmentAndInEitherAlphabet() throws Exception {
        // offset 0, 1 and 2 inside a longer base64 text: an HTTP basic authorization header, a dump
        assertThat(scan("b64.txt", "x " + b64(password) + " y", "Authorization: Basic " + b64("dev:" + password),
                "dump " + b64("ab" + password + "tail"),
                "url-safe " + Base64.getUrlEncoder().encodeToString(("dev:" + password).getBytes(StandardCharsets.UTF_8))))
                .extracting(Finding::line, Finding::form)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "base64"),
                        org.assertj.core.groups.Tuple.tuple(2L, "base64 at byte offset 1"),
                        org.assertj.core.groups.Tuple.tuple(3L, "base64 at byte offset 2"),
                        org.assertj.core.groups.Tuple.tuple(4L, "URL-safe base64 at byte offset 1"));
    }

    @Test
    void aPlantedPasswordIsFoundUrlEncodedXmlEscapedAndBackslashEscaped() throws Exception {
        assertThat(scan("forms.xml",
                "cellmqtt:t?password=" + URLEncoder.encode(password, StandardCharsets.UTF_8),
                "<testcase name=\"" + password.replace("&", "&amp;").replace("\"", "&quot;") + "\"/>",
                "expected: \"" + password.replace("\"", "\\\"") + "\""))
                .extracting(Finding::form)
                .containsExactly("URL-encoded", "XML-escaped", "backslash-escaped");
    }

    @Test
    void aPlantedKeyIsFoundByItsPemLinesOrAnyFortyCharactersOfItsBody() throws Exception {
        StringBuilder pem = new StringBuilder("-----BEGIN RSA PRIVATE KEY-----\n");
        for (int i = 0; i < keyBody.length(); i += 64) {
            pem.append(keyBody, i, Math.min(keyBody.length(), i + 64)).append('\n');
        }
        pem.append("-----END RSA PRIVATE KEY-----");
        List<Finding> inPem = scan("pem.txt", pem.toString().split("\n"));
        assertThat(inPem).isNotEmpty().allSatisfy(f -> {
            assertThat(f.label()).isEqualTo("key of SecretScannerTest");
            assertThat(f.form()).isEqualTo("40 characters of the key's base64 body");
        });
        String chunk = keyBody.substring(333, 373);
        assertThat(scan("chunk.txt", "uploading \"" + chunk + "\" to UFS", "key=" + keyBody.substring(500, 539) + ";"))
                .as("40 characters are enough, 39 are not").singleElement()
                .satisfies(f -> assertThat(f.line()).isEqualTo(1));
        assertThat(scan("escaped.txt", "a JSON string: \"" + keyBody.substring(0, 64) + "\\n"
                + keyBody.substring(64, 128) + "\\n\"")).hasSize(1);
    }

    @Test
    void aCleanFileHasNoFinding() throws Exception {
        assertThat(scan("clean-output.txt",
                "12:00:00.000 [cellmqtt-/dev/ttyUSB2] INFO io.cellmqtt.modem.Modem - >> AT+QMTCONN=0,\"gw\",\"dev\",\"***\"",
                "+QMTCONN: 0,0,4: connection refused: bad user name or password",
                "password=xxxxxx " + b64("another secret entirely"),
                "someone else's key " + randomKeyBody(),
                "Authorization: Basic " + b64("dev:" + password.substring(0, 7)))).isEmpty();
    }

    @Test
    void aSecretTooShortToLookForIsRefusedWithoutShowingIt() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new SecretScanner(List.of(new Secret("pw of a test", "s3cr3t", false))))
                .withMessageContaining("secret pw of a test is shorter than 8 characters").withMessageNotContaining("s3cr3t");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new SecretScanner(List.of(new Secret("k", keyBody.substring(0, 39), true))))
                .withMessageNotContaining(keyBody.substring(0, 39));
    }

    @Test
    void theRegistryTheTestsWriteIsRead() throws Exception {
        Path tsv = dir.resolve("secrets-42.tsv");
        Files.writeString(tsv, "plain\tpassword of SecretScannerTest\t" + b64(password) + "\n\nkey\tk of TestPki\t"
                + b64(keyBody) + "\n");
        assertThat(SecretScanner.readRegistry(tsv)).containsExactly(
                new Secret("password of SecretScannerTest", password, false), new Secret("k of TestPki", keyBody, true));
        Files.writeString(tsv, "plain\tno value\n");
        assertThatIllegalArgumentException().isThrownBy(() -> SecretScanner.readRegistry(tsv))
                .withMessageEndingWith("secrets-42.tsv:1: not <plain|key> TAB label TAB base64");
    }
}
