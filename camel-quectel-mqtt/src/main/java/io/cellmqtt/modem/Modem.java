package io.cellmqtt.modem;

/**
 * One modem behind one serial port: the AT channel, bring-up, identity, and the MQTT clients it
 * hosts. Thread-safe. The Camel component keeps one per serial port and reference-counts it.
 */
public final class Modem implements AutoCloseable {

    /**
     * Opens the link, synchronises ({@code AT}), switches echo off, enables verbose errors,
     * reads the identity, checks the SIM, waits for registration and sets up the PDP context.
     *
     * @throws ModemException naming the port and the step that failed (a missing port lists the
     *                        ports that exist)
     */
    public static Modem open(ModemSettings settings) throws ModemException {
        throw new ModemException("not yet");
    }

    public ModemIdentity identity() {
        throw new IllegalStateException("not yet");
    }

    /** The profile's name, e.g. {@code bg95}. */
    public String modelName() {
        throw new IllegalStateException("not yet");
    }

    /** True while the link is up. */
    public boolean isAlive() {
        throw new IllegalStateException("not yet");
    }

    /**
     * Creates (not connects) a client on the requested index, or the lowest free one.
     *
     * @throws ModemException if the index is out of the model's range or taken
     */
    public MqttClient createClient(MqttClientSettings settings) throws ModemException {
        throw new ModemException("not yet");
    }

    /** Closes every client (QMTDISC, QMTCLOSE) and the link. */
    @Override
    public void close() {
    }
}
