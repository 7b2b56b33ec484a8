package io.cellmqtt.simulator.firmware;

import java.nio.charset.StandardCharsets;

/**
 * How a data command's prompt looks on the wire: the bytes the modem writes once it is ready for the
 * command's data (AT+QMTPUB, AT+CMQTTTOPIC, AT+CMQTTPAYLOAD, AT+CMQTTSUBTOPIC, AT+CMQTTWILLTOPIC,
 * AT+CMQTTWILLMSG, AT+CMQTTUNSUBTOPIC, AT+CMQTTSUB/UNSUB with a length, AT+CCERTDOWN).
 */
public enum Prompt {
    /**
     * {@code CR LF > space}: the form the Quectel documents print ({@code >} then the data on the same
     * line: reference 004 AT+QMTPUB, reference 003 "After ">" is responded, input the data"), and
     * the form this simulator always wrote before firmware variants existed.
     */
    SPACE("\r\n> "),
    /**
     * {@code CR LF >} and nothing after it. Reference 001 (the SIM7600 AWS guide, section 5) only says
     * "the SIM7600 module responds with {@code >}". A SIM7600G-H (LE20B04SIM7600G22) capture in
     * https://github.com/Xinyuan-LilyGO/T-SIM7600X/issues/49 shows {@code AT+CCERTDOWN="ca_cert.pem",1970}
     * answered with {@code >} immediately followed by the echoed certificate ({@code >-----BEGIN
     * CERTIFICATE-----}), so no space follows the {@code >}; host code written against real SIM7600s
     * waits for {@code "\r\n>"} after {@code AT+CMQTTTOPIC} (e.g. an MQTTClientSIM7600 Arduino client:
     * {@code sendCommand("AT+CMQTTTOPIC=0,10\r", 1000, "\r\n>")}).
     */
    BARE("\r\n>"),
    /**
     * {@code CR LF > CR LF}: the prompt framed as a line. Reconstructed: no public capture was found;
     * it is what a firmware that prints the prompt through its ordinary line writer would send, and
     * it tells whether a host treats {@code >} as a line of its own.
     */
    CRLF("\r\n>\r\n");

    private final byte[] bytes;

    Prompt(String s) {
        this.bytes = s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The prompt's bytes (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }
}
