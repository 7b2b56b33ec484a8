package io.cellmqtt.at;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class SimcomRecvFramingTest {
    private final SimcomRecvFraming framing = new SimcomRecvFraming(1024, 10240);

    private int after(String line) {
        byte[] b = line.getBytes(StandardCharsets.US_ASCII);
        // the digester hands over a larger buffer than the line: only [0, length) counts
        byte[] buffer = new byte[b.length + 8];
        System.arraycopy(b, 0, buffer, 0, b.length);
        buffer[b.length] = '7';
        return framing.payloadAfterLine(buffer, b.length);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "+CMQTTRXTOPIC: 0,8|8",
        "+CMQTTRXPAYLOAD: 1,1024|1024",
        "+CMQTTRCPAYLOAD: 0,19|19",
        "+CMQTTRXPAYLOAD: 0,0|0",
        "+CMQTTRXTOPIC:0,5|5",
        "+CMQTTRXTOPIC: 0, 5|5",
        "+CMQTTRXPAYLOAD: 0,10240|10240",
        "+CMQTTRXTOPIC: 0,1024|1024",
        // more than the modem sends: a framing error, never a line followed by lines
        "+CMQTTRXPAYLOAD: 0,10241|-2",
        "+CMQTTRXTOPIC: 0,1025|-2",
        "+CMQTTRXPAYLOAD: 0,12345678|-2",
        "+CMQTTRXPAYLOAD: 0,123456789|-2",
        "+CMQTTRXPAYLOAD: 0,99999999999999999999|-2"})
    void claimsTheAnnouncedLength(String line, int expected) {
        assertThat(after(line)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "+CMQTTRXSTART: 0,8,19", "+CMQTTRXEND: 0", "+CMQTTRXTOPIC: 0", "+CMQTTRXTOPIC: 0,", "+CMQTTRXTOPIC: ,8",
        "+CMQTTRXTOPIC: 0,8,1", "+CMQTTRXTOPIC: 0,8x", "+CMQTTRXTOPIC: 0,-8",
        "+CMQTTRXTOPICS: 0,8", "+CMQTTPUB: 0,0", "+QMTRECV: 0,1,\"t\",2,\"", "OK", "", "+CMQTTRXTOPIC: 123,4"})
    void leavesEverythingElseALine(String line) {
        assertThat(after(line)).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"+CMQTTRXTOPIC: 0,8", "+CMQTTRXPAYLOAD: 0,1"})
    void neverOpensARecordInsideALine(String line) {
        byte[] b = line.getBytes(StandardCharsets.US_ASCII);
        for (int n = 1; n <= b.length; n++) {
            assertThat(framing.quotedRecord(b, n)).isEqualTo(-1);
        }
    }
}
