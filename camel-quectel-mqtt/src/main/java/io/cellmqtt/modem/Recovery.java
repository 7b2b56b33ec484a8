package io.cellmqtt.modem;

/**
 * What to do about a failure of the MQTT connection, as the reference tables say for the code the
 * modem reported (e.g. {@code +QMTSTAT} table 2 of reference 004).
 */
public enum Recovery {
    /** Reopen the network connection and connect again, after the backoff. */
    RECONNECT,
    /** Deactivate and reactivate the PDP context, then reconnect (+QMTSTAT 2: PINGREQ failed). */
    RECYCLE_PDP,
    /** Check registration and the PDP context (reactivate it if it dropped), then reconnect. */
    CHECK_NETWORK,
    /**
     * The broker refused the client (credentials, client id, authorisation, TLS files): say so
     * loudly, and retry with the backoff, which grows to its cap, never in a tight loop.
     */
    REPORT_AND_RETRY
}
