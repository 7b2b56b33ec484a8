package io.cellmqtt.e2e;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;

import java.net.ServerSocket;
import java.util.Properties;

/** Moquette embedded in the test JVM. */
public final class MoquetteBroker implements TestBroker {
    private final int port;
    private Server server;

    public MoquetteBroker() throws Exception {
        this.port = freePort();
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public String name() {
        return "moquette";
    }

    @Override
    public boolean flagsRetainedDeliveries() {
        return false;
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public synchronized void start() throws Exception {
        Properties p = new Properties();
        p.setProperty("host", host());
        p.setProperty("port", Integer.toString(port));
        p.setProperty("allow_anonymous", "true");
        // Moquette would otherwise report usage to an outside server: never from here.
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("websocket_port", "disabled");
        p.setProperty("netty.mqtt.message_size", "16384");
        server = new Server();
        server.startServer(new MemoryConfig(p));
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.stopServer();
            server = null;
        }
    }
}
