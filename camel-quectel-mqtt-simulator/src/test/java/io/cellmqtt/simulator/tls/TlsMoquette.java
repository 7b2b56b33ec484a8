package io.cellmqtt.simulator.tls;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.SSLException;

/**
 * An embedded Moquette 0.17 that speaks MQTT over TLS on a free loopback port and requires a client
 * certificate signed by the test CA ({@link TestPki#ca()}); it also listens in plain MQTT on
 * {@link #plainPort()}. The server presents {@link TestPki#server()} (or the expired one).
 *
 * <p>Moquette's own SSL set-up reads a JKS/PKCS12 keystore ({@code jks_path}); it also takes an
 * {@code ISslContextCreator} in {@code Server.startServer(config, handlers, sslCtxCreator, ...)},
 * which is used here with a Netty context built from the PEM objects directly. With
 * {@code need_client_auth=true} Moquette sets {@code SSLEngine.setNeedClientAuth(true)} on every
 * TLS connection.
 */
public final class TlsMoquette implements TlsBroker {

    private final int port;
    private final int plainPort;
    private final Server server = new Server();

    /** With the valid server certificate. */
    public TlsMoquette(TestPki pki) {
        this(pki, false);
    }

    /** With {@link TestPki#expiredServer()} when {@code expiredServer}. */
    public TlsMoquette(TestPki pki, boolean expiredServer) {
        port = freePort();
        plainPort = freePort();
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", Integer.toString(plainPort));
        p.setProperty("ssl_port", Integer.toString(port));
        p.setProperty("need_client_auth", "true");
        p.setProperty("allow_anonymous", "true");
        // Moquette would otherwise report usage to an outside server: never from here
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("websocket_port", "disabled");
        try {
            p.setProperty("data_path", Files.createTempDirectory("moquette-tls").toString());
            SslContext ctx = serverContext(pki, expiredServer);
            server.startServer(new MemoryConfig(p), List.of(), () -> ctx, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SslContext serverContext(TestPki pki, boolean expired) throws SSLException {
        SslContextBuilder b;
        if (expired) {
            try {
                java.security.cert.X509Certificate cert = (java.security.cert.X509Certificate)
                        java.security.cert.CertificateFactory.getInstance("X.509")
                                .generateCertificate(Files.newInputStream(pki.expiredServer()));
                java.security.PrivateKey key = io.cellmqtt.simulator.tls.Pem.privateKey(TestPki.bytes(pki.expiredServerKey()));
                b = SslContextBuilder.forServer(key, cert);
            } catch (IOException | java.security.GeneralSecurityException e) {
                throw new IllegalStateException("expired server certificate unreadable", e);
            }
        } else {
            b = SslContextBuilder.forServer(pki.serverPrivateKey(), pki.serverCertificate());
        }
        return b.trustManager(pki.caCertificate()).clientAuth(ClientAuth.REQUIRE).protocols("TLSv1.2", "TLSv1.3").build();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The TLS port (client certificate required). */
    @Override
    public int port() {
        return port;
    }

    /** A plain MQTT port of the same broker. */
    public int plainPort() {
        return plainPort;
    }

    /** {@code ssl://127.0.0.1:<port>}, for a TLS checker client. */
    @Override
    public String sslUrl() {
        return "ssl://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        server.stopServer();
    }
}
