package io.cellmqtt.modem;

import io.cellmqtt.at.AtErrorException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The receive URC of the models that report no length (BC26, M95), the receive framing each
 * model gets, and the {@code +CME ERROR} meanings of the M95 note's table 5.
 */
class QuectelLineReceiveTest {

    private static String payload(String line) {
        return new String(ReceiveUrc.parseUnframedLine(line).payload(), StandardCharsets.UTF_8);
    }

    @Test
    void theDocumentsForms() {
        ReceivedMessage bc26 = ReceiveUrc.parseUnframedLine("+QMTRECV: 0,1,\"value\",\"123\"");
        assertThat(bc26.clientIndex()).isZero();
        assertThat(bc26.messageId()).isEqualTo(1);
        assertThat(bc26.topic()).isEqualTo("value");
        assertThat(new String(bc26.payload(), StandardCharsets.UTF_8)).isEqualTo("123");

        ReceivedMessage quoted = ReceiveUrc.parseUnframedLine(
                "+QMTRECV: 0,0, \"topic/example\", \"This is the payload related to topic\"");
        assertThat(quoted.topic()).isEqualTo("topic/example");
        assertThat(new String(quoted.payload(), StandardCharsets.UTF_8)).isEqualTo("This is the payload related to topic");

        ReceivedMessage bare = ReceiveUrc.parseUnframedLine("+QMTRECV: 0,0, \"topic/pub\",This is test data, hello MQTT.");
        assertThat(bare.topic()).isEqualTo("topic/pub");
        assertThat(new String(bare.payload(), StandardCharsets.UTF_8)).isEqualTo("This is test data, hello MQTT.");
    }

    /** Without a length the payload is the line's own bytes: not UTF-8 is no reason to change them. */
    @Test
    void thePayloadIsTheLinesBytesEvenWhenTheyAreNotUtf8() {
        byte[] head = "+QMTRECV: 0,4,\"t/\u00e9\",\"".getBytes(StandardCharsets.UTF_8);
        byte[] payload = {'a', (byte) 0xC3, '(', (byte) 0xFF, '"', ','};
        byte[] line = new byte[head.length + payload.length + 1];
        System.arraycopy(head, 0, line, 0, head.length);
        System.arraycopy(payload, 0, line, head.length, payload.length);
        line[line.length - 1] = '"';
        ReceivedMessage m = ReceiveUrc.parseUnframedLine(line);
        assertThat(m.topic()).isEqualTo("t/\u00e9");
        assertThat(m.payload()).containsExactly(payload);
        assertThat(ReceiveUrc.parseLine(line).payload()).containsExactly(payload);
    }

    @ParameterizedTest(name = "{0} -> [{1}]")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        // nothing after the topic is a length on these models
        "+QMTRECV: 0,3,\"t\",\"a\",5,\"\"  | a\",5,\"",
        "+QMTRECV: 0,3,\"t\",5,abc         | 5,abc",
        "+QMTRECV: 0,3,\"t\",3,\"abc\"     | 3,\"abc\"",
        // quotes are stripped only as a pair around the whole rest
        "+QMTRECV: 0,3,\"t\",\"abc         | \"abc",
        "+QMTRECV: 0,3,\"t\",abc\"         | abc\"",
        "+QMTRECV: 0,3,\"t\",\"            | \"",
        "+QMTRECV: 0,3,\"t\",\"\"          | ''",
        "+QMTRECV: 0,3,\"t\",              | ''",
        "+QMTRECV: 0,3, \"t\",   x  y      | x  y",
        "+QMTRECV:  1 , 65535 ,\"t\",\"z\" | z",
    })
    void whatFollowsTheTopicIsThePayload(String line, String expected) {
        assertThat(payload(line.stripTrailing())).isEqualTo(expected);
    }

    @Test
    void aTopicHoldingAQuoteEndsAtTheFirstQuoteComma() {
        ReceivedMessage m = ReceiveUrc.parseUnframedLine("+QMTRECV: 0,0,\"a\"b\",\"p\"");
        assertThat(m.topic()).isEqualTo("a\"b");
        assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("p");
    }

    @Test
    void linesThatAreNoMessageGiveNull() {
        assertThat(ReceiveUrc.parseUnframedLine("+QMTRECV: 0,3")).isNull();
        assertThat(ReceiveUrc.parseUnframedLine("+QMTRECV: 0,1,t,p")).isNull();
        assertThat(ReceiveUrc.parseUnframedLine("+QMTRECV: 0,1,\"t\"")).isNull();
        assertThat(ReceiveUrc.parseUnframedLine("+QMTRECV: x,1,\"t\",\"p\"")).isNull();
    }

    @Test
    void theLengthFramingIsInstalledOnlyWhereTheModelReportsALength() {
        for (ModemProfile p : ModemProfile.ALL) {
            if (p.family() != ModemProfile.Family.QUECTEL) {
                continue;
            }
            int expected = p.receive() == ModemProfile.Receive.QUECTEL_LENGTH ? 1 : 0;
            assertThat(QuectelDialect.receiveFramings(p)).as(p.name()).hasSize(expected);
            // The framing is only right if the modem is told to report the length.
            assertThat(p.configKey("recv/mode").isPresent()).as(p.name()).isEqualTo(expected == 1);
        }
        assertThat(QuectelDialect.receiveFramings(ModemProfile.BC26)).isEmpty();
        assertThat(QuectelDialect.receiveFramings(ModemProfile.M95)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "8503 | MQTT link error",
        "8504 | MQTT illegal packet",
        "8505 | MQTT illegal character",
        "8506 | MQTT illegal UTF8",
        "8507 | MQTT invalid parameter",
        "8508 | MQTT packet too large",
        "8509 | MQTT buffer overflow",
        "8510 | MQTT out of memory",
        "8511 | MQTT memory error",
        "8600 | MQTT unknown error",
        "8512 | MQTT maximum quantity of transmitting packet greater than that of in-flight windows",
    })
    void cmeErrorsOfTable5(int code, String meaning) {
        assertThat(QuectelResults.cmeError(code)).isEqualTo(meaning);
        AtErrorException e = new AtErrorException("AT+QMTPUB=0,1,1,0,\"t\"", "+CME ERROR: " + code);
        assertThat(QuectelResults.describe(e)).isEqualTo("AT+QMTPUB=0,1,1,0,\"t\" failed: +CME ERROR: " + code + ": "
                + meaning);
    }

    @Test
    void otherErrorsAreShownAsTheyCame() {
        assertThat(QuectelResults.cmeError(8502)).isNull();
        assertThat(QuectelResults.cmeError(8513)).isNull();
        assertThat(QuectelResults.describe(new AtErrorException("AT+X", "+CME ERROR: 10"))).isEqualTo("AT+X failed: +CME ERROR: 10");
        assertThat(QuectelResults.describe(new AtErrorException("AT+X", "+CMS ERROR: 8508"))).isEqualTo("AT+X failed: +CMS ERROR: 8508");
        assertThat(QuectelResults.describe(new AtErrorException("AT+X", "ERROR"))).isEqualTo("AT+X failed: ERROR");
    }
}
