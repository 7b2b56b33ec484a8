package io.cellmqtt.at;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The one builder of command lines: each form, each kind of part, and each refusal with its message. */
class AtCommandLineTest {

    // ------------------------------------------------------------------ forms

    @Test
    void buildsEveryForm() {
        assertThat(AtCommandLine.at().text()).isEqualTo("AT");
        assertThat(AtCommandLine.execute("I").text()).isEqualTo("ATI");
        assertThat(AtCommandLine.execute("E0").text()).isEqualTo("ATE0");
        assertThat(AtCommandLine.execute("+CMQTTSTART").text()).isEqualTo("AT+CMQTTSTART");
        assertThat(AtCommandLine.read("+QMTCONN").text()).isEqualTo("AT+QMTCONN?");
        assertThat(AtCommandLine.test("+QMTCFG").text()).isEqualTo("AT+QMTCFG=?");
        assertThat(AtCommandLine.write("+CMEE").integer(2).text()).isEqualTo("AT+CMEE=2");
        assertThat(AtCommandLine.execute("&F").text()).isEqualTo("AT&F");
    }

    @Test
    void separatesParametersWithCommas() {
        AtCommandLine l = AtCommandLine.write("+QSSLCFG").quoted("key", "ciphersuite").integer(2).token("cipherSuite",
                "0X0035;0X002F");
        assertThat(l.text()).isEqualTo("AT+QSSLCFG=\"ciphersuite\",2,0X0035;0X002F");
        assertThat(l.logText()).isEqualTo(l.text());
        assertThat(l.command().text()).isEqualTo(l.text());
        assertThat(l.command().logText()).isEqualTo(l.text());
        assertThat(l.command().data()).isNull();
    }

    @Test
    void integersAreDecimal() {
        assertThat(AtCommandLine.write("+X").integer(0).integer(-1).integer(65535).integer(Long.MIN_VALUE).text())
                .isEqualTo("AT+X=0,-1,65535," + Long.MIN_VALUE);
    }

    @Test
    void quotedStringsKeepEveryOtherCharacter() {
        String topic = "a/ü/日本/😀/, ;=\\'x";
        assertThat(AtCommandLine.write("+QMTSUB").quoted("topic", topic).text())
                .isEqualTo("AT+QMTSUB=\"" + topic + "\"");
        assertThat(AtCommandLine.write("+QICSGP").quoted("apn", "").text()).isEqualTo("AT+QICSGP=\"\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"+qmtcfg", "", "QMT CFG", "+QMT\rCFG", "=X", "+QMTCFG=", "+QMTCFG?", "9X", "\"X"})
    void refusesANameThatIsNotOne(String name) {
        assertThatIllegalArgumentException().isThrownBy(() -> AtCommandLine.write(name))
                .withMessageContaining("AT command name")
                .withMessageNotContaining("\r");
        assertThatIllegalArgumentException().isThrownBy(() -> AtCommandLine.execute(name));
        assertThatIllegalArgumentException().isThrownBy(() -> AtCommandLine.read(name));
    }

    @Test
    void onlyTheWriteFormTakesParameters() {
        assertThatIllegalStateException().isThrownBy(() -> AtCommandLine.read("+CSQ").integer(1));
        assertThatIllegalStateException().isThrownBy(() -> AtCommandLine.execute("+CSQ").quoted("x", "y"));
        assertThatIllegalStateException().isThrownBy(() -> AtCommandLine.at().token("x", "y"));
        assertThatIllegalStateException().isThrownBy(() -> AtCommandLine.write("+CSQ").text())
                .withMessageContaining("at least one parameter");
        assertThatIllegalStateException().isThrownBy(() -> AtCommandLine.write("+CSQ").command());
    }

    // ------------------------------------------------------------------ quoted strings

    @Test
    void aQuotedValueWithCrIsRefusedNamingFieldCharacterAndIndex() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> AtCommandLine.write("+QMTPUB").quoted("topic", "a\r\nAT+QPOWD\r\n"))
                .withMessage("topic \"a\\r\\nAT+QPOWD\\r\\n\" contains the control character \\r at index 1: control"
                        + " characters and double quotes cannot be carried in the AT command's quoted string");
    }

    @Test
    void aQuotedValueRefusesEveryControlCharacterAndTheQuote() {
        for (char ch : new char[] {'\n', 0x1B, 0x1A, 0, '\t', 0x7F, 0x85, 0x9F}) {
            assertThatIllegalArgumentException().isThrownBy(() -> AtCommandLine.write("+X").quoted("clientId", "ab" + ch))
                    .withMessageStartingWith("clientId \"ab")
                    .withMessageContaining("the control character \\")
                    .withMessageContaining(" at index 2:");
        }
        assertThatIllegalArgumentException().isThrownBy(() -> AtCommandLine.write("+X").quoted("willTopic", "a\"b"))
                .withMessageStartingWith("willTopic \"a\"b\" contains a double quote at index 1:");
        assertThatIllegalArgumentException().isThrownBy(() -> AtCommandLine.write("+X").quoted("apn", "\u001bx"))
                .withMessageContaining("the control character \\u001b at index 0");
        assertThatIllegalArgumentException().isThrownBy(() -> AtCommandLine.write("+X").quoted("apn", "x\u001a"))
                .withMessageContaining("the control character \\u001a at index 1");
        assertThatIllegalArgumentException().isThrownBy(() -> AtCommandLine.write("+X").quoted("apn", "x\u0000"))
                .withMessageContaining("the control character \\u0000 at index 1");
    }

    @Test
    void anUnpairedSurrogateHasNoUtf8AndIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> AtCommandLine.write("+X").quoted("topic", "ab\ud800c"))
                .withMessage("topic \"ab\\ud800c\" contains the unpaired surrogate \\ud800 at index 2: it has no UTF-8"
                        + " encoding, so the AT command's quoted string cannot carry it");
        assertThatIllegalArgumentException().isThrownBy(() -> AtCommandLine.write("+X").quoted("topic", "\udc00"))
                .withMessageContaining("the unpaired surrogate \\udc00 at index 0");
        assertThatIllegalArgumentException().isThrownBy(() -> AtCommandLine.write("+X").quoted("topic", "a\ud83d"))
                .withMessageContaining("at index 1");
        // a pair is one character, carried as its UTF-8 bytes
        assertThat(AtCommandLine.write("+X").quoted("topic", "\ud83d\ude00").text()).isEqualTo("AT+X=\"😀\"");
    }

    @Test
    void aMissingValueIsRefusedNamingTheField() {
        assertThatIllegalArgumentException().isThrownBy(() -> AtCommandLine.write("+X").quoted("clientId", null))
                .withMessageStartingWith("clientId is missing");
        assertThatIllegalArgumentException().isThrownBy(() -> AtCommandLine.write("+X").token("cipherSuite", null))
                .withMessageStartingWith("cipherSuite is missing");
        assertThatIllegalArgumentException().isThrownBy(() -> AtCommandLine.write("+X").quotedSecret("password", null))
                .withMessageStartingWith("password is missing");
    }

    // ------------------------------------------------------------------ secrets

    @Test
    void aSecretIsMaskedInTheLogTextAndNeverShownInARefusal() {
        AtCommandLine l = AtCommandLine.write("+QMTCONN").integer(0).quoted("clientId", "c")
                .quotedConfidential("userName", "dev-user").quotedSecret("password", "s3cr3t");
        assertThat(l.text()).isEqualTo("AT+QMTCONN=0,\"c\",\"dev-user\",\"s3cr3t\"");
        assertThat(l.logText()).isEqualTo("AT+QMTCONN=0,\"c\",\"dev-user\",\"***\"");
        assertThat(l.toString()).doesNotContain("s3cr3t");
        AtCommand c = l.command();
        assertThat(c.logText()).isEqualTo(l.logText());
        assertThat(c.toString()).doesNotContain("s3cr3t");

        assertThatIllegalArgumentException()
                .isThrownBy(() -> AtCommandLine.write("+X").quotedSecret("password", "s3cr3t\r\nAT+QPOWD=1"))
                .withMessage("password contains the control character \\r at index 6: control characters and double"
                        + " quotes cannot be carried in the AT command's quoted string");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> AtCommandLine.write("+X").quotedConfidential("userName", "dev-user\""))
                .withMessage("userName contains a double quote at index 8: control characters and double quotes"
                        + " cannot be carried in the AT command's quoted string");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> AtCommandLine.write("+X").quotedSecret("apnPassword", "pw\ud800"))
                .withMessageStartingWith("apnPassword contains the unpaired surrogate \\ud800 at index 2")
                .withMessageNotContaining("pw");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> AtCommandLine.write("+X").quotedConfidential("apnUserName", "me\u001a"))
                .withMessageStartingWith("apnUserName contains the control character \\u001a at index 2")
                .withMessageNotContaining("me\\u001a");
    }

    // ------------------------------------------------------------------ tokens

    @Test
    void aTokenTakesLettersDigitsAndAFewSeparators() {
        assertThat(AtCommandLine.write("+X").token("cipherSuite", "0xFFFF").text()).isEqualTo("AT+X=0xFFFF");
        assertThat(AtCommandLine.write("+X").token("cipherSuite", "0X0035;0X002F").text())
                .isEqualTo("AT+X=0X0035;0X002F");
        assertThat(AtCommandLine.write("+X").token("v", "a-b_c.d:e").text()).isEqualTo("AT+X=a-b_c.d:e");
    }

    @Test
    void theCipherSuiteOfTheIssueIsRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> AtCommandLine.write("+QSSLCFG").token("cipherSuite", "0xFFFF\rAT+QPOWD=1"))
                .withMessage("cipherSuite \"0xFFFF\\rAT+QPOWD=1\" contains the control character \\r at index 6: an"
                        + " unquoted AT parameter can hold only letters, digits and ; : _ . -");
    }

    @Test
    void aTokenRefusesEverythingElse() {
        String[][] cases = {{"0xFF,1", "','", "4"}, {"0xFF\"", "a double quote", "4"}, {"a b", "' '", "1"},
                {"0x=1", "'='", "2"}, {"0x+", "'+'", "2"}, {"é", "'é'", "0"}, {"x\u001b", "the control character \\u001b", "1"},
                {"x\u001a", "the control character \\u001a", "1"}, {"\u0000", "the control character \\u0000", "0"},
                {"x\n", "the control character \\n", "1"}, {"x?", "'?'", "1"}, {"x\ud800", "the unpaired surrogate \\ud800", "1"}};
        for (String[] c : cases) {
            assertThatIllegalArgumentException().isThrownBy(() -> AtCommandLine.write("+X").token("cipherSuite", c[0]))
                    .withMessageStartingWith("cipherSuite \"")
                    .withMessageContaining("contains " + c[1] + " at index " + c[2] + ": an unquoted AT parameter");
        }
        assertThatIllegalArgumentException().isThrownBy(() -> AtCommandLine.write("+X").token("cipherSuite", ""))
                .withMessageStartingWith("cipherSuite is empty");
    }

    // ------------------------------------------------------------------ payloads and data

    @Test
    void aQuotedPayloadIsPrintableAsciiWithoutQuoteAndBackslash() {
        byte[] payload = "temp=21.5, ok".getBytes(StandardCharsets.US_ASCII);
        AtCommandLine l = AtCommandLine.write("+QMTPUBEX").integer(0).quoted("topic", "t").quotedPayload("payload", payload);
        assertThat(l.text()).isEqualTo("AT+QMTPUBEX=0,\"t\",\"temp=21.5, ok\"");
        assertThat(l.logText()).isEqualTo("AT+QMTPUBEX=0,\"t\",<13 bytes>");
        for (int b : new int[] {'"', '\\', '\r', '\n', 0x1A, 0x1B, 0, 0x7F, 0x80, 0xFF}) {
            byte[] bad = {'o', 'k', (byte) b};
            assertThatIllegalArgumentException().isThrownBy(() -> AtCommandLine.write("+X").quotedPayload("payload", bad))
                    .withMessage(String.format("payload byte 0x%02X at index 2 can't be carried in the AT command's"
                            + " quoted string: only printable ASCII without \" and \\ can", b));
        }
        assertThat(AtCommandLine.inlineable(payload)).isTrue();
        assertThat(AtCommandLine.inlineable(new byte[] {'a', '\\'})).isFalse();
    }

    @Test
    void theDeclaredLengthIsTheDataLength() {
        byte[] data = {'"', 0x1A, '\r', '\n', 0x1B, 0};
        AtCommand c = AtCommandLine.write("+QMTPUB").integer(0).quoted("topic", "t").dataLength(data).command();
        assertThat(c.text()).isEqualTo("AT+QMTPUB=0,\"t\",6");
        assertThat(c.data()).isEqualTo(data);
        AtCommand willMsg = AtCommandLine.write("+CMQTTWILLMSG").integer(0).dataLength(new byte[3]).integer(1).command();
        assertThat(willMsg.text()).isEqualTo("AT+CMQTTWILLMSG=0,3,1");
        assertThat(willMsg.data()).hasSize(3);
        assertThatIllegalStateException().isThrownBy(() -> AtCommandLine.write("+X").dataLength(data).dataLength(data));
    }

    @Test
    void ctrlZDataEndsWithCtrlZAndHoldsNeitherCtrlZNorEsc() {
        byte[] payload = {'a', '"', '\r', '\n', 0, (byte) 0xFF};
        AtCommand c = AtCommandLine.write("+QMTPUB").integer(0).quoted("topic", "t").ctrlZData("payload", payload)
                .command();
        assertThat(c.text()).isEqualTo("AT+QMTPUB=0,\"t\"");
        assertThat(c.data()).containsExactly('a', '"', '\r', '\n', 0, 0xFF, 0x1A);
        for (int b : new int[] {0x1A, 0x1B}) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> AtCommandLine.write("+X").ctrlZData("payload", new byte[] {'o', 'k', 'a', (byte) b}))
                    .withMessage(String.format("payload byte 0x%02X at index 3 can't be carried by a data input that"
                            + " Ctrl+Z (0x1A) ends and ESC (0x1B) cancels", b));
        }
        assertThatIllegalStateException()
                .isThrownBy(() -> AtCommandLine.write("+X").dataLength(payload).ctrlZData("payload", payload));
    }

    @Test
    void dataGivenLaterCannotChangeWhatWasDeclared() {
        byte[] data = {1, 2, 3};
        AtCommandLine l = AtCommandLine.write("+CMQTTPAYLOAD").integer(0).dataLength(data);
        data[0] = 9;
        assertThat(l.command().data()).containsExactly(1, 2, 3);
    }

    // ------------------------------------------------------------------ constants

    @ParameterizedTest
    @ValueSource(strings = {"AT", "ATI", "ATE0", "AT+CEREG?", "AT+CPSMS=0", "AT+QSCLK=0", "AT+CMEE?", "AT+QMTCFG=?",
            "AT+QFLST=\"*\"", "AT+QMTCFG=\"recv/mode\",0,0,1", "AT+X=-1,0xFFFF"})
    void aConstantReadsBackAsWritten(String line) {
        assertThat(AtCommandLine.parse(line).text()).isEqualTo(line);
        assertThat(AtCommandLine.parse(line).command().text()).isEqualTo(line);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "at", "AT+CEREG?\r", "AT+X=1\rAT+QPOWD=1", "AT+X=\"a", "AT+X=\"a\"b\"", "AT+X=1,,2",
            "AT+X=", "AT+X?1", "AT+X= 1", "AT+x", "AT+X=\u001a", "+CEREG?", "AT+X=\"a\"\"b\""})
    void aConstantThatIsNotOneLineOfTypedPartsIsRefused(String line) {
        assertThatIllegalArgumentException().isThrownBy(() -> AtCommandLine.parse(line));
    }

    // ------------------------------------------------------------------ the last guard

    @Test
    void noCommandHoldsAControlCharacterOrAnOpenQuoteWhoeverMakesIt() {
        for (String text : new String[] {"AT+X=1\rAT+QPOWD=1", "AT\n", "AT\u001b", "AT\u001a", "AT\u0000", "AT+X=\"a"}) {
            assertThatIllegalArgumentException().isThrownBy(() -> AtCommand.of(text))
                    .withMessageContaining("build it with AtCommandLine");
            assertThatIllegalArgumentException().isThrownBy(() -> new AtCommand(text, null, null, false, null,
                    AtCommand.DEFAULT_TIMEOUT, null, null));
        }
    }
}
