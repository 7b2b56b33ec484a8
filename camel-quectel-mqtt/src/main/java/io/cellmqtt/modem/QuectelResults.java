package io.cellmqtt.modem;

import io.cellmqtt.at.AtErrorException;

/** The meanings of Quectel MQTT result and error codes, from the reference tables. */
final class QuectelResults {
    private QuectelResults() {
    }

    /**
     * The meaning of a {@code +CME ERROR: <err>} code an {@code AT+QMT*} command fails with, from
     * table 5 of the M95 MQTT application note (reference 003), or null for a code outside it.
     * The BG95 note dropped its error table (revision 1.1), so the same codes are read the same
     * way on every Quectel model.
     */
    static String cmeError(int code) {
        return switch (code) {
            case 8503 -> "MQTT link error";
            case 8504 -> "MQTT illegal packet";
            case 8505 -> "MQTT illegal character";
            case 8506 -> "MQTT illegal UTF8";
            case 8507 -> "MQTT invalid parameter";
            case 8508 -> "MQTT packet too large";
            case 8509 -> "MQTT buffer overflow";
            case 8510 -> "MQTT out of memory";
            case 8511 -> "MQTT memory error";
            case 8512 -> "MQTT maximum quantity of transmitting packet greater than that of in-flight windows";
            case 8600 -> "MQTT unknown error";
            default -> null;
        };
    }

    /**
     * {@code error}'s message, followed by the meaning of its {@code +CME ERROR} code when the
     * table knows it: {@code AT+QMTPUB=... failed: +CME ERROR: 8508: MQTT packet too large}.
     */
    static String describe(Throwable error) {
        String message = error.getMessage() == null ? error.toString() : error.getMessage();
        if (error instanceof AtErrorException at && at.result().startsWith("+CME ERROR:")) {
            String meaning = cmeError(at.code());
            if (meaning != null) {
                return message + ": " + meaning;
            }
        }
        return message;
    }

    /** {@code +QMTOPEN: <idx>,<result>} (BG95 note 3.2.2). */
    static String open(int result) {
        return switch (result) {
            case -1 -> "failed to open network";
            case 0 -> "network opened successfully";
            case 1 -> "wrong parameter";
            case 2 -> "MQTT client identifier is occupied";
            case 3 -> "failed to activate PDP";
            case 4 -> "failed to parse domain name";
            case 5 -> "network connection error";
            default -> "unknown result " + result;
        };
    }

    /** What to do after {@code +QMTOPEN: <idx>,<result>} failed. */
    static Recovery openRecovery(int result) {
        return switch (result) {
            // no network under the connection: see to registration and the PDP context first
            case -1, 3 -> Recovery.CHECK_NETWORK;
            default -> Recovery.RECONNECT;
        };
    }

    /** What to do after the broker refused CONNECT with {@code <ret_code>} (CONNACK). */
    static Recovery connectRecovery(int code) {
        return switch (code) {
            case 1, 2, 4, 5 -> Recovery.REPORT_AND_RETRY; // protocol, client id, credentials, authorisation
            default -> Recovery.RECONNECT;                 // 3: server unavailable
        };
    }

    /** What to do after {@code +QMTSTAT: <idx>,<err_code>}, as table 2 of reference 004 says. */
    static Recovery statRecovery(int code) {
        return switch (code) {
            case 2 -> Recovery.RECYCLE_PDP;         // "first deactivate PDP, and then activate PDP and reopen"
            case 3, 4 -> Recovery.REPORT_AND_RETRY; // "check user name and password, client id not used"
            case 7 -> Recovery.CHECK_NETWORK;       // "make sure the link is alive or the server is available"
            default -> Recovery.RECONNECT;          // 1, 6: reopen; 5 is the close we asked for
        };
    }

    /** {@code <result>} of QMTCONN/QMTSUB/QMTUNS/QMTPUB (3.2.4-3.2.8). */
    static String packet(int result) {
        return switch (result) {
            case 0 -> "packet sent successfully and ACK received from server";
            case 1 -> "packet retransmission";
            case 2 -> "failed to send packet";
            default -> "unknown result " + result;
        };
    }

    /** {@code <ret_code>} of {@code +QMTCONN} (3.2.4): the broker's CONNACK code. */
    static String connectReturnCode(int code) {
        return switch (code) {
            case 0 -> "connection accepted";
            case 1 -> "connection refused: unacceptable protocol version";
            case 2 -> "connection refused: identifier rejected";
            case 3 -> "connection refused: server unavailable";
            case 4 -> "connection refused: bad user name or password";
            case 5 -> "connection refused: not authorized";
            default -> "connection refused: unknown return code " + code;
        };
    }

    /** {@code +QMTSTAT: <idx>,<err_code>} (4.1), with what to do. */
    static String stat(int code) {
        return switch (code) {
            case 1 -> "connection closed or reset by peer (reopen the connection)";
            case 2 -> "sending PINGREQ timed out or failed (reactivate PDP, then reopen)";
            case 3 -> "sending CONNECT timed out or failed (check user name, password and that the client id is not in use)";
            case 4 -> "receiving CONNACK timed out or failed (check user name, password and that the client id is not in use)";
            case 5 -> "server closed the connection after DISCONNECT (normal)";
            case 6 -> "client closed the connection after repeated packet sending failures (check data, network congestion)";
            case 7 -> "link not alive or server unavailable";
            default -> "unknown state change " + code;
        };
    }
}
