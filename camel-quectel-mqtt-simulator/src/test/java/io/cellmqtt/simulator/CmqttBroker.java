package io.cellmqtt.simulator;

import io.cellmqtt.simulator.secrets.TestSecrets;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Moquette on loopback with a plain and a TLS port (reference 001 connects over TLS), anonymous
 * clients allowed, and one user whose password is checked: a wrong one gets CONNACK 4.
 */
final class CmqttBroker implements AutoCloseable {

    static final String USER = "dev";
    static final String PASSWORD = TestSecrets.PASSWORD_WITH_COMMA;
    private static final String STORE_PASSWORD = TestSecrets.KEYSTORE_PASSWORD;

    private final Server server = new Server();
    private final int port = freePort();
    private final int sslPort = freePort();

    CmqttBroker() {
        try {
            Path dir = Files.createTempDirectory("moquette-cmqtt");
            Path keystore = dir.resolve("broker.jks");
            selfSignedKeystore(keystore);
            Properties p = new Properties();
            p.setProperty("host", "127.0.0.1");
            p.setProperty("port", Integer.toString(port));
            p.setProperty("ssl_port", Integer.toString(sslPort));
            p.setProperty("jks_path", keystore.toString());
            p.setProperty("key_store_type", "jks");
            p.setProperty("key_store_password", STORE_PASSWORD);
            p.setProperty("key_manager_password", STORE_PASSWORD);
            p.setProperty("allow_anonymous", "true");
            // Moquette would otherwise report usage to an outside server: never from here.
            p.setProperty("telemetry_enabled", "false");
            p.setProperty("persistence_enabled", "false");
            p.setProperty("websocket_port", "disabled");
            p.setProperty("data_path", dir.toString());
            // Moquette's default limit (8092) is below the SIM7600's 10240-byte payload
            p.setProperty("netty.mqtt.message_size", Integer.toString(64 * 1024));
            byte[] password = PASSWORD.getBytes(StandardCharsets.UTF_8);
            server.startServer(new MemoryConfig(p), List.of(), null,
                    (clientId, user, pass) -> USER.equals(user) && Arrays.equals(password, pass), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A throwaway server certificate, made by the JDK's keytool (the broker is trusted blindly anyway). */
    private static void selfSignedKeystore(Path keystore) throws IOException {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "broker", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-validity", "2", "-storetype", "JKS",
                "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD)
                .redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool failed: " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    int sslPort() {
        return sslPort;
    }

    String pahoUrl() {
        return "tcp://127.0.0.1:" + port;
    }

    /** The address as AT+CMQTTCONNECT takes it: tcp:// even for TLS, which ACCQ chooses. */
    String modemUrl(boolean tls) {
        return "tcp://127.0.0.1:" + (tls ? sslPort : port);
    }

    @Override
    public void close() {
        server.stopServer();
    }
}
