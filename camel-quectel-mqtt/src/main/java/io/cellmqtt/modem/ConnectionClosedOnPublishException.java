package io.cellmqtt.modem;

/**
 * The modem says the broker's connection closed while it waited for the broker to acknowledge a
 * publish (SIMCom {@code +CMQTTPUB: <idx>,6}, followed by {@code +CMQTTCONNLOST}). Either the
 * connection dropped by chance, and a QoS 1 publish is sent again after the reconnect like any
 * other publish the connection ended under; or the broker closed it because of this publish (AWS
 * IoT does so for a topic the policy does not allow), and sending it again would only close the
 * next connection too. Once is chance: the publish that meets it a second time fails with it.
 */
public final class ConnectionClosedOnPublishException extends ConnectionLostException {
    private final ResultException verdict;

    public ConnectionClosedOnPublishException(String message, ResultException verdict) {
        super(message, verdict);
        this.verdict = verdict;
    }

    /** The modem's result for the publish, with its meaning. */
    public ResultException verdict() {
        return verdict;
    }
}
