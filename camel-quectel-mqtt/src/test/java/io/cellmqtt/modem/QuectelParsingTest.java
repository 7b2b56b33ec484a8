package io.cellmqtt.modem;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class QuectelParsingTest {

    @Test
    void resultFields() {
        assertThat(UrcFields.ints("+QMTPUB: 0,12,0")).containsExactly(0, 12, 0);
        assertThat(UrcFields.ints("+QMTOPEN: 3,-1")).containsExactly(3, -1);
        assertThat(UrcFields.ints("+QMTSUB: 0,1,0,2,1")).containsExactly(0, 1, 0, 2, 1);
        assertThat(UrcFields.ints("+QIACT: 1,1,1,\"10.0.0.2\"")).containsExactly(1, 1, 1);
    }

    @Test
    void framedReceiveHeader() {
        ReceivedMessage m = ReceiveUrc.parseFramed("+QMTRECV: 2,9,\"a,b/\"c\",4,\"", "x\"y,".getBytes(StandardCharsets.UTF_8));
        assertThat(m.clientIndex()).isEqualTo(2);
        assertThat(m.messageId()).isEqualTo(9);
        assertThat(m.topic()).isEqualTo("a,b/\"c");
        assertThat(m.payload()).isEqualTo("x\"y,".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void receiveLineFormsOfTheReference() {
        ReceivedMessage plain = ReceiveUrc.parseLine("+QMTRECV: 0,0,\"topic/pub\",\"This is test data, hello MQTT.\"");
        assertThat(plain.topic()).isEqualTo("topic/pub");
        assertThat(new String(plain.payload(), StandardCharsets.UTF_8)).isEqualTo("This is test data, hello MQTT.");
        ReceivedMessage withLength = ReceiveUrc.parseLine("+QMTRECV: 1,5,\"t\",3,\"abc\"");
        assertThat(withLength.clientIndex()).isEqualTo(1);
        assertThat(new String(withLength.payload(), StandardCharsets.UTF_8)).isEqualTo("abc");
        assertThat(ReceiveUrc.parseLine("+QMTRECV: 0,3")).isNull();
    }

    @Test
    void quotedParametersRefuseWhatWouldEndThem() {
        assertThatIllegalArgumentException().isThrownBy(() -> AtStrings.requireQuotable("topic 'x'", "a\r\nAT+QPOWD\r\n"))
                .withMessageContaining("the control character \\r");
        assertThatIllegalArgumentException().isThrownBy(() -> AtStrings.requireQuotable("topic 'x'", "a\"b"))
                .withMessageContaining("a double quote");
        AtStrings.requireQuotable("topic", "plant/7/telemetry, ok");
    }

    @Test
    void onlyPrintableQuoteFreePayloadsGoInline() {
        assertThat(AtStrings.inlineable("temp=21.5, ok".getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(AtStrings.inlineable("a\"b".getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThat(AtStrings.inlineable("a\\b".getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThat(AtStrings.inlineable(new byte[] {'a', 0x1A})).isFalse();
        assertThat(AtStrings.inlineable("é".getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void messageIdsAreUniqueAmongThoseInUseAndWrap() {
        MessageIds ids = new MessageIds();
        assertThat(ids.acquire()).isEqualTo(1);
        assertThat(ids.acquire()).isEqualTo(2);
        ids.release(1);
        for (int i = 3; i <= 65535; i++) {
            assertThat(ids.acquire()).isEqualTo(i);
        }
        // 2..65535 are in use: the only free id is 1.
        assertThat(ids.acquire()).isEqualTo(1);
    }

    @Test
    void resultMeaningsComeFromTheReferenceTables() {
        assertThat(QuectelResults.connectReturnCode(4)).contains("bad user name or password");
        assertThat(QuectelResults.open(3)).isEqualTo("failed to activate PDP");
        assertThat(QuectelResults.stat(2)).contains("PINGREQ");
        assertThat(QuectelResults.packet(2)).isEqualTo("failed to send packet");
    }
}
