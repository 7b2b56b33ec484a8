package io.cellmqtt.at;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class QuectelRecvFramingTest {
    private final QuectelRecvFraming framing = new QuectelRecvFraming(4096);

    private int claim(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] padded = java.util.Arrays.copyOf(b, b.length + 8); // the digester's buffer is larger than the line
        return framing.quotedRecord(padded, b.length);
    }

    /** The header ends with the quote that opens the topic; the answer is the payload limit. */
    @Test
    void opensARecordAtTheTopicsOpeningQuote() {
        assertThat(claim("+QMTRECV: 0,1,\"")).isEqualTo(4096);
        assertThat(claim("+QMTRECV: 5,65535,\"")).isEqualTo(4096);
        assertThat(new QuectelRecvFraming(1500).quotedRecord(bytes("+QMTRECV: 0,0,\""), 15)).isEqualTo(1500);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "+QMTRECV: 0,1,\"t\",\"payload\"",
        "+QMTRECV: 0,1,\"t\",\"",
        "+QMTRECV: 0,1,\"t\",3,\"",
        "+QMTRECV: 0,3",
        "+QMTRECV: 0,1,\"t\",3,",
        "+QMTRECV: 0,1,\"t\",3",
        "+QMTRECV: 0,1,\"t\",,\"",
        "+QMTRECV: x,1,\"t\",3,\"",
        "+QMTRECV: 0,1,t,3,\"",
        "+QMTRECV: 0,1,\"t\",123456789,\"",
        "+QMTRECV: 0,\"t\",3,\"",
        "+QMTRECV: 0,\"",
        "+QMTRECV: 0,1234567,\"",
        "+QMTSTAT: 0,1,\"t\",3,\"",
        "+QMTRECV:0,1,\"t\",3,\"",
    })
    void doesNotClaim(String line) {
        assertThat(claim(line)).isEqualTo(-1);
    }

    @Test
    void doesNotOpenAtAnyProperPrefixOfAHeader() {
        String header = "+QMTRECV: 0,12,\"";
        for (int i = 0; i < header.length(); i++) {
            assertThat(claim(header.substring(0, i))).as(header.substring(0, i)).isEqualTo(-1);
        }
        assertThat(claim(header)).isEqualTo(4096);
    }
}
