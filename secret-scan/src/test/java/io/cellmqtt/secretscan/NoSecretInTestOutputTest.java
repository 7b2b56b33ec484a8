package io.cellmqtt.secretscan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.cellmqtt.secretscan.SecretScanner.Finding;
import io.cellmqtt.secretscan.SecretScanner.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The project's rule, checked over the whole suite: no password, device secret or private key a test
 * used appears in anything a test printed or surefire reported. Runs in the reactor's last module, so
 * after every other module's tests (a serial build runs modules without dependencies between them in
 * the order the root pom lists them).
 *
 * <p>Reads, for every module under the reactor's root that has tests: every file in
 * {@code target/surefire-reports} (each test class's {@code -output.txt}, stdout and stderr with every log
 * line; the XML and text reports, which carry the messages and stack traces of failures) and the
 * secrets its tests recorded in {@code target/test-secrets} (the simulator test-jar's {@code TestSecrets}:
 * its constants, and the private keys {@code TestPki} generated). Fails naming file, line and the
 * secret's label, never the secret.
 *
 * <p>So that it cannot pass by reading nothing: every module with tests must have reports and a registry,
 * and at least {@code secretscan.minFiles} files and {@code secretscan.minLines} lines must be read
 * (system properties; the defaults are about half of what the whole suite writes: some 210 files and
 * 26,000 lines, most of them from the component's end-to-end tests).
 */
class NoSecretInTestOutputTest {

    static final Path ROOT = Path.of(System.getProperty("secretscan.root", "..")).toAbsolutePath().normalize();
    static final Path SELF = Path.of("").toAbsolutePath().normalize();
    static final int MIN_FILES = Integer.getInteger("secretscan.minFiles", 100);
    static final long MIN_LINES = Long.getLong("secretscan.minLines", 12_000);

    @Test
    void noSecretTheTestsUsedAppearsInWhatTheyPrintedOrWhatSurefireReported() throws IOException {
        List<Path> modules = modulesWithTests();
        assertThat(modules).as("modules with tests under " + ROOT).isNotEmpty();

        List<String> missing = new ArrayList<>();
        Map<Path, List<Path>> reportsOf = new LinkedHashMap<>();
        Map<Path, Set<Secret>> secretsOf = new LinkedHashMap<>();
        Set<Secret> secrets = new LinkedHashSet<>();
        for (Path m : modules) {
            List<Path> reports = list(m.resolve("target/surefire-reports"));
            List<Path> registries = list(m.resolve("target/test-secrets")).stream()
                    .filter(p -> p.getFileName().toString().endsWith(".tsv")).toList();
            if (reports.stream().noneMatch(p -> p.getFileName().toString().endsWith(".xml"))) {
                missing.add(ROOT.relativize(m) + " has no test reports in target/surefire-reports");
            }
            if (registries.isEmpty()) {
                missing.add(ROOT.relativize(m) + " recorded no secrets in target/test-secrets (is the simulator's"
                        + " test-jar a test dependency, and JUnit's extension auto-detection on?)");
            }
            Set<Secret> recorded = new LinkedHashSet<>();
            for (Path r : registries) {
                recorded.addAll(SecretScanner.readRegistry(r));
            }
            reportsOf.put(m, reports);
            secretsOf.put(m, recorded);
            secrets.addAll(recorded);
        }

        // every module's output is checked for every secret of every module
        SecretScanner scanner = new SecretScanner(secrets);
        List<Finding> findings = new ArrayList<>();
        int files = 0;
        long lines = 0;
        int outputs = 0;
        int xml = 0;
        for (Path m : modules) {
            long[] n = {0};
            for (Path f : reportsOf.get(m)) {
                String name = f.getFileName().toString();
                outputs += name.endsWith("-output.txt") ? 1 : 0;
                xml += name.endsWith(".xml") ? 1 : 0;
                findings.addAll(scanner.scan(f, n));
            }
            System.out.printf("secret scan: %-34s %4d files %9d lines %4d secrets recorded%n", ROOT.relativize(m),
                    reportsOf.get(m).size(), n[0], secretsOf.get(m).size());
            files += reportsOf.get(m).size();
            lines += n[0];
        }
        long keys = secrets.stream().filter(Secret::key).count();
        System.out.printf("secret scan of %s: %d modules, %d files (%d test outputs, %d XML reports, %d others),"
                        + " %d lines; %d secrets (%d passwords and device secrets in %d forms, %d private keys in %d"
                        + " chunks of %d characters): %s%n",
                ROOT, modules.size(), files, outputs, xml, files - outputs - xml, lines,
                secrets.size(), secrets.size() - keys, scanner.needles(), keys, scanner.keyChunks(),
                SecretScanner.KEY_CHUNK, findings.isEmpty() ? "none found" : findings.size() + " FOUND");

        if (!findings.isEmpty()) {
            fail(findings.size() + " places in the tests' output or reports show a secret (file:line: which secret,"
                    + " in which form; the secret itself is never printed):\n" + findings.stream().limit(200)
                    .map(f -> new Finding(ROOT.relativize(f.file()), f.line(), f.label(), f.form()).toString())
                    .collect(Collectors.joining("\n")));
        }
        assertThat(missing).as("every module's tests ran and recorded their secrets before this scan:"
                + " run the whole reactor (./mvnw -B verify) first").isEmpty();
        assertThat(files).as("files read").isGreaterThanOrEqualTo(MIN_FILES);
        assertThat(lines).as("lines read").isGreaterThanOrEqualTo(MIN_LINES);
        assertThat(keys).as("private keys recorded by TestPki").isPositive();
        assertThat(secrets.size() - keys).as("passwords and device secrets recorded by TestSecrets").isGreaterThan(10);
    }

    /** Directories one or two levels under the root with a pom.xml and test sources, this module excepted. */
    static List<Path> modulesWithTests() throws IOException {
        try (Stream<Path> s = Files.walk(ROOT, 2)) {
            return s.filter(Files::isDirectory)
                    .filter(d -> !d.equals(ROOT) && !d.equals(SELF))
                    .filter(d -> !ROOT.relativize(d).toString().startsWith("."))
                    .filter(d -> Files.isRegularFile(d.resolve("pom.xml")) && Files.isDirectory(d.resolve("src/test/java")))
                    .sorted().toList();
        }
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
