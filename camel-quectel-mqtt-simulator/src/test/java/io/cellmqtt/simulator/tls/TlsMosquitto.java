package io.cellmqtt.simulator.tls;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A Mosquitto broker started from the test with its own configuration file: one TLS listener on a
 * free loopback port that requires a client certificate signed by the test CA
 * ({@code require_certificate true}), presenting {@link TestPki#server()} (or the expired one).
 * {@link #available()} says whether a {@code mosquitto} binary is installed ({@code /usr/sbin/mosquitto}
 * or on the PATH; {@code .ci/run} installs it).
 */
public final class TlsMosquitto implements TlsBroker {

    private final int port;
    private final Process process;
    private final Path log;

    public TlsMosquitto(TestPki pki) {
        this(pki, false);
    }

    public TlsMosquitto(TestPki pki, boolean expiredServer) {
        Path binary = binary().orElseThrow(() -> new IllegalStateException("mosquitto is not installed"));
        port = TlsMoquette.freePort();
        try {
            Path dir = Files.createTempDirectory("mosquitto-tls");
            // mosquitto started as root drops to its own user before it reads the files: let it read them
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path ca = copy(pki.ca(), dir);
            Path cert = copy(expiredServer ? pki.expiredServer() : pki.server(), dir);
            Path key = copy(expiredServer ? pki.expiredServerKey() : pki.serverKey(), dir);
            Path conf = dir.resolve("mosquitto.conf");
            log = dir.resolve("mosquitto.log");
            Files.write(conf, List.of(
                    "per_listener_settings false",
                    "persistence false",
                    "listener " + port + " 127.0.0.1",
                    "cafile " + ca,
                    "certfile " + cert,
                    "keyfile " + key,
                    "require_certificate true",
                    "use_identity_as_username false",
                    "allow_anonymous true"));
            process = new ProcessBuilder(binary.toString(), "-c", conf.toString(), "-v")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("mosquitto exited: " + Files.readString(log));
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    private static Path copy(Path from, Path dir) throws IOException {
        Path to = dir.resolve(from.getFileName());
        Files.copy(from, to);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
        return to;
    }

    /** The mosquitto binary: {@code /usr/sbin/mosquitto}, or {@code mosquitto} on the PATH. */
    static Optional<Path> binary() {
        Path sbin = Paths.get("/usr/sbin/mosquitto");
        if (Files.isExecutable(sbin)) {
            return Optional.of(sbin);
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(java.io.File.pathSeparator))
                .map(d -> Paths.get(d, "mosquitto"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** True when Mosquitto is installed here. */
    public static boolean available() {
        return binary().isPresent();
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String sslUrl() {
        return "ssl://127.0.0.1:" + port;
    }

    /** What mosquitto logged so far (verbose): which client connected, which handshake failed. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
