package io.cellmqtt.simulator.at;

/** Why a client's broker connection was cut under it; each dialect reports it in its own words. */
public enum ConnectionLoss {
    /** The peer closed or reset the TCP connection (or the path to it vanished). */
    PEER_CLOSED,
    /** PINGREQ went unanswered: the modem gave up on the connection. */
    PING_TIMEOUT
}
