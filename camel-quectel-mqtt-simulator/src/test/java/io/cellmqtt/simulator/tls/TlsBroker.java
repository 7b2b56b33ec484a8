package io.cellmqtt.simulator.tls;

/** A broker that requires TLS with a client certificate of the test CA: {@link TlsMoquette} or {@link TlsMosquitto}. */
public interface TlsBroker extends AutoCloseable {

    /** The TLS port on 127.0.0.1. */
    int port();

    /** {@code ssl://127.0.0.1:<port>}. */
    String sslUrl();

    @Override
    void close();

    /** Starts one: {@code "moquette"} or {@code "mosquitto"}; the expired server certificate when {@code expiredServer}. */
    static TlsBroker start(String kind, TestPki pki, boolean expiredServer) {
        return switch (kind) {
            case "moquette" -> new TlsMoquette(pki, expiredServer);
            case "mosquitto" -> new TlsMosquitto(pki, expiredServer);
            default -> throw new IllegalArgumentException("no TLS broker " + kind);
        };
    }
}
