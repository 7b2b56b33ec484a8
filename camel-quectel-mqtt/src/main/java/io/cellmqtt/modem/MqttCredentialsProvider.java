package io.cellmqtt.modem;

/**
 * Credentials that change over time (e.g. a password signed with the connect time), asked for
 * again right before every CONNECT, the first and each reconnect. When a client has a provider,
 * its settings' {@code clientId}, {@code userName} and {@code password} are not used.
 *
 * <p>Implementations should have value equality: endpoints whose settings are equal share a
 * client without a warning.
 */
public interface MqttCredentialsProvider {

    /**
     * A name that stays the same while the credentials change, e.g. the device id; clients are
     * shared by it (see {@link MqttClientSettings#key()}). Not a secret: it is logged.
     */
    String id();

    /**
     * The credentials for the CONNECT about to be sent. Called on a modem thread; must not block.
     *
     * @throws IllegalArgumentException if no valid credentials can be made (the connect fails with it)
     */
    MqttCredentials next();
}
