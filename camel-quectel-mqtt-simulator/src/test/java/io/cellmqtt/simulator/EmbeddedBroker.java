package io.cellmqtt.simulator;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Properties;

/** A Moquette broker on a free loopback port, anonymous, in memory; it can be stopped and started again on the same port. */
final class EmbeddedBroker implements AutoCloseable {

    private final int port;
    private final Properties properties = new Properties();
    private volatile Server server;

    EmbeddedBroker() {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties p = properties;
        p.setProperty("port", Integer.toString(port));
        p.setProperty("host", "127.0.0.1");
        p.setProperty("allow_anonymous", "true");
        // Moquette would otherwise report usage to an outside server: never from here.
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("websocket_port", "disabled");
        try {
            // Moquette writes a UUID file under data_path even without persistence
            p.setProperty("data_path", java.nio.file.Files.createTempDirectory("moquette").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
    }

    /** Starts a new broker on the same port (after {@link #stop()}): a broker restart. */
    void start() {
        Server s = new Server();
        try {
            s.startServer(new MemoryConfig(properties));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = s;
    }

    /** Stops the broker: every client connection is closed by the broker. */
    void stop() {
        server.stopServer();
    }

    int port() {
        return port;
    }

    String url() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        stop();
    }
}
