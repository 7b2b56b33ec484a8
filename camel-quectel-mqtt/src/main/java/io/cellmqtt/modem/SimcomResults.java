package io.cellmqtt.modem;

/**
 * The meanings of SIMCom CMQTT error codes ({@code +CMQTTCONNECT: 0,6}, {@code +CMQTTPUB: 0,6},
 * ...) from the SIM7500/SIM7600 AT manual's CMQTT table, and of {@code +CMQTTCONNLOST} causes;
 * where the SIM7600 + AWS IoT guide (reference 001) says what a code means in practice, the
 * meaning says what to check.
 */
final class SimcomResults {
    /** Operation succeeded. */
    static final int OK = 0;
    /**
     * "message receive fail": no answer from the broker because the connection closed, for a publish
     * (reference 001, section 5: the server closes the connection on a topic the policy refuses)
     * as for a connect.
     */
    static final int MESSAGE_RECEIVE_FAIL = 6;
    /** {@code AT+CMQTTACCQ} on an index that is acquired already. */
    static final int CLIENT_USED = 19;
    /** An operation on an index that is not acquired. */
    static final int CLIENT_NOT_ACQUIRED = 20;
    /** {@code AT+CMQTTSTART} when the MQTT service runs already. */
    static final int NETWORK_OPENED = 23;

    private static final String[] MEANINGS = {
        "operation succeeded",                                        // 0
        "failed",                                                     // 1
        "bad UTF-8 string",                                           // 2
        "sock connect fail",                                          // 3
        "sock create fail",                                           // 4
        "sock close fail",                                            // 5
        "message receive fail",                                       // 6
        "network open fail",                                          // 7
        "network close fail",                                         // 8
        "network not opened",                                         // 9
        "client index error",                                         // 10
        "no connection",                                              // 11
        "invalid parameter",                                          // 12
        "not supported operation",                                    // 13
        "client is busy",                                             // 14
        "require connection fail",                                    // 15
        "sock sending fail",                                          // 16
        "timeout",                                                    // 17
        "topic is empty",                                             // 18
        "client is used",                                             // 19
        "client not acquired",                                        // 20
        "client not released",                                        // 21
        "length out of range",                                        // 22
        "network is opened",                                          // 23
        "packet fail",                                                // 24
        "DNS error",                                                  // 25
        "socket is closed by server",                                 // 26
        "connection refused: unaccepted protocol version",            // 27
        "connection refused: identifier rejected",                    // 28
        "connection refused: server unavailable",                     // 29
        "connection refused: bad user name or password",              // 30
        "connection refused: not authorized",                         // 31
        "handshake fail",                                             // 32
        "not set certificate",                                        // 33
        "open session failed",                                        // 34
        "disconnect from server failed",                              // 35
    };

    private SimcomResults() {
    }

    /**
     * Codes by which the modem refuses an operation because it has no connection for it: 9 "network
     * not opened", 11 "no connection", 20 "client not acquired" (the client went with a +CMQTTNONET).
     */
    static boolean noConnection(int code) {
        return code == 9 || code == 11 || code == CLIENT_NOT_ACQUIRED;
    }

    /** The manual's meaning of {@code code}. */
    static String meaning(int code) {
        return code >= 0 && code < MEANINGS.length ? MEANINGS[code] : "unknown error " + code;
    }

    /** {@code +CMQTTCONNECT: <idx>,<code>}: the meaning and, for the usual failures, what to check. */
    static String connect(int code) {
        String hint = switch (code) {
            case 6 -> "the broker closed the connection; on AWS IoT: the policy does not allow this client id "
                    + "(it must match the policy, usually the thing name)";
            case 3, 25 -> "check the broker host and port and that the modem has a data connection";
            case 30, 31 -> "check userName/password, or on AWS IoT the certificate and the policy attached to it";
            case 32 -> "TLS handshake failed: check caCert, clientCert, clientKey, the files on the modem, "
                    + "sslVersion and the modem's clock";
            case 33 -> "no certificate configured: upload the files with AT+CCERTDOWN and name them in caCert, "
                    + "clientCert, clientKey";
            default -> null;
        };
        return hint == null ? meaning(code) : meaning(code) + " (" + hint + ")";
    }

    /** {@code +CMQTTPUB: <idx>,<code>}: the meaning and, for the usual failures, what to check. */
    static String publish(int code) {
        if (code == 6) {
            return meaning(code) + " (the broker closed the connection; on AWS IoT: the policy does not allow "
                    + "publishing to this topic)";
        }
        return meaning(code);
    }

    /** {@code +CMQTTACCQ: <idx>,<code>}. */
    static String acquire(int code) {
        return switch (code) {
            case 19 -> meaning(code) + " (the client index is acquired already)";
            case 20 -> meaning(code) + " (acquire the client index first)";
            default -> meaning(code);
        };
    }

    /** What to do after {@code +CMQTTCONNECT: <idx>,<code>} failed. */
    static Recovery connectRecovery(int code) {
        return switch (code) {
            case 3, 7, 9, 25 -> Recovery.CHECK_NETWORK;                   // no socket, no network, DNS
            case 6, 27, 28, 30, 31, 32, 33 -> Recovery.REPORT_AND_RETRY;  // refused: policy, id, credentials, TLS
            default -> Recovery.RECONNECT;
        };
    }

    /** What to do after {@code +CMQTTCONNLOST: <idx>,<cause>}. */
    static Recovery connectionLostRecovery(int cause) {
        return cause == 3 ? Recovery.CHECK_NETWORK : Recovery.RECONNECT;
    }

    /** {@code +CMQTTCONNLOST: <idx>,<cause>}. */
    static String connectionLost(int cause) {
        return switch (cause) {
            case 1 -> "socket closed by the peer";
            case 2 -> "socket reset (e.g. the keep-alive ping timed out)";
            case 3 -> "network closed";
            default -> "unknown cause " + cause;
        };
    }
}
