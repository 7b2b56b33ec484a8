package io.cellmqtt.e2e;

/** A real MQTT broker on loopback that a test can stop and start again on the same port. */
public interface TestBroker extends AutoCloseable {

    String name();

    String host();

    int port();

    default String url() {
        return "tcp://" + host() + ":" + port();
    }

    void start() throws Exception;

    /**
     * Whether the broker sets the RETAIN flag when it hands a stored retained message to a new
     * subscriber (MQTT 3.1.1 section 3.3.1.3 says it must; Moquette 0.17 does not).
     */
    default boolean flagsRetainedDeliveries() {
        return true;
    }

    void stop();

    @Override
    default void close() {
        stop();
    }
}
