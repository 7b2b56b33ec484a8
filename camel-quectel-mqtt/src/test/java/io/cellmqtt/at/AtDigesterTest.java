package io.cellmqtt.at;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AtDigesterTest {

    private static AtEvent line(String s) {
        return new AtEvent.Line(s);
    }

    private static AtEvent prompt() {
        return new AtEvent.Prompt();
    }

    private static AtEvent framed(String header, byte[] payload) {
        return new AtEvent.Framed(header, payload);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static List<AtEvent> all(byte[] data) {
        return new AtDigester(List.of(new QuectelRecvFraming(4096))).feed(data, 0, data.length);
    }

    private static List<AtEvent> oneByOne(byte[] data) {
        AtDigester d = new AtDigester(List.of(new QuectelRecvFraming(4096)));
        List<AtEvent> out = new ArrayList<>();
        for (int i = 0; i < data.length; i++) {
            out.addAll(d.feed(data, i, 1));
        }
        return out;
    }

    /** Asserts both feeding styles give {@code expected}. */
    private static void check(byte[] data, AtEvent... expected) {
        assertThat(all(data)).containsExactly(expected);
        assertThat(oneByOne(data)).containsExactly(expected);
    }

    @Test
    void crlfLines() {
        check(bytes("\r\n+CSQ: 20,99\r\n\r\nOK\r\n"), line("+CSQ: 20,99"), line("OK"));
    }

    @Test
    void crOnlyAndLfOnlyLines() {
        check(bytes("AT\rOK\r"), line("AT"), line("OK"));
        check(bytes("RDY\nAPP RDY\n"), line("RDY"), line("APP RDY"));
        check(bytes("A\n\rB\r\r\n\nC\r"), line("A"), line("B"), line("C"));
    }

    @Test
    void emptyInputAndOnlyTerminatorsGiveNothing() {
        check(new byte[0]);
        check(bytes("\r\n\r\n\n\r"));
    }

    @Test
    void unterminatedLineIsPendingUntilItEnds() {
        AtDigester d = new AtDigester(List.of());
        byte[] a = bytes("+QMTSTAT: 0,");
        byte[] b = bytes("1\r\n");
        assertThat(d.feed(a, 0, a.length)).isEmpty();
        assertThat(d.feed(b, 0, b.length)).containsExactly(line("+QMTSTAT: 0,1"));
    }

    @Test
    void feedHonoursOffsetAndLength() {
        byte[] buf = bytes("xxOK\r\nyy");
        assertThat(new AtDigester(List.of()).feed(buf, 2, 4)).containsExactly(line("OK"));
    }

    /** Asserts both feeding styles give {@code expected} from a digester that expects a prompt. */
    private static void checkExpectingPrompt(byte[] data, AtEvent... expected) {
        AtDigester all = new AtDigester(List.of(new QuectelRecvFraming(4096)));
        all.expectPrompt();
        assertThat(all.feed(data, 0, data.length)).containsExactly(expected);
        AtDigester one = new AtDigester(List.of(new QuectelRecvFraming(4096)));
        one.expectPrompt();
        List<AtEvent> out = new ArrayList<>();
        for (int i = 0; i < data.length; i++) {
            out.addAll(one.feed(data, i, 1));
        }
        assertThat(out).containsExactly(expected);
    }

    @Test
    void promptAtLineStart() {
        checkExpectingPrompt(bytes("\r\n> "), prompt());
        checkExpectingPrompt(bytes("AT+QMTPUB=0,1,1,0,\"t\",3\r\r\n> "), line("AT+QMTPUB=0,1,1,0,\"t\",3"), prompt());
    }

    /** SIM7600 reference 001, section 5: the module "responds with {@code >}" and waits for the bytes. */
    @Test
    void barePromptIsEmittedAtOnceWithNothingAfterIt() {
        AtDigester d = new AtDigester(List.of());
        d.expectPrompt();
        byte[] gt = bytes("\r\n>");
        assertThat(d.feed(gt, 0, gt.length)).containsExactly(prompt());
        assertThat(d.promptExpected()).isFalse();
        byte[] next = bytes("\r\nOK\r\n");
        assertThat(d.feed(next, 0, next.length)).containsExactly(line("OK"));
    }

    @Test
    void promptFollowedByCrLfLeavesNoLine() {
        checkExpectingPrompt(bytes("\r\n>\r\n"), prompt());
        checkExpectingPrompt(bytes("\r\n>\r\n\r\nOK\r\n"), prompt(), line("OK"));
    }

    @Test
    void theSpaceAfterThePromptIsItsOwnEvenWhenItComesLater() {
        AtDigester d = new AtDigester(List.of());
        d.expectPrompt();
        byte[] gt = bytes("\r\n>");
        byte[] sp = bytes(" ");
        assertThat(d.feed(gt, 0, gt.length)).containsExactly(prompt());
        assertThat(d.feed(sp, 0, 1)).isEmpty();
        byte[] next = bytes("\r\nOK\r\n");
        assertThat(d.feed(next, 0, next.length)).containsExactly(line("OK"));
    }

    @Test
    void promptFollowedDirectlyByTextStartsAFreshLine() {
        checkExpectingPrompt(bytes("> OK\r\n"), prompt(), line("OK"));
        checkExpectingPrompt(bytes(">OK\r\n"), prompt(), line("OK"));
    }

    @Test
    void onlyOnePromptPerExpectation() {
        checkExpectingPrompt(bytes("\r\n> \r\n> x\r\n"), prompt(), line("> x"));
    }

    @Test
    void aGreaterThanInsideALineIsNeverAPrompt() {
        checkExpectingPrompt(bytes("+CSQ: >\r\n> "), line("+CSQ: >"), prompt());
    }

    @Test
    void withoutAnExpectedPromptALineStartingWithGreaterThanIsALine() {
        check(bytes("> hello\r\n"), line("> hello"));
        check(bytes(">x\r\n"), line(">x"));
        check(bytes(">\r\n"), line(">"));
        check(bytes("> \r\n"), line("> "));
    }

    @Test
    void aCancelledExpectationMakesGreaterThanTextAgain() {
        AtDigester d = new AtDigester(List.of());
        d.expectPrompt();
        d.cancelPrompt();
        byte[] b = bytes("\r\n> x\r\n");
        assertThat(d.feed(b, 0, b.length)).containsExactly(line("> x"));
    }

    @Test
    void greaterThanNotFollowedBySpaceIsAnOrdinaryLineOutsideAPrompt() {
        // after CR LF, a second LF is the payload's first byte
        checkSimcom(bytes("+CMQTTRXPAYLOAD: 0,3\r\n\nab\r\n"), framed("+CMQTTRXPAYLOAD: 0,3", bytes("\nab")));
    }

    @Test
    void echoLinesAreJustLines() {
        check(bytes("ATE0\r\r\nOK\r\n"), line("ATE0"), line("OK"));
    }

    @Test
    void framedPayloadWithHostileBytes() {
        byte[] payload = {'a', '\r', '\n', '"', ',', 0x1A, 0x1B, 0, '>', ' ', 'O', 'K', '\r', '\n', (byte) 0xFF};
        byte[] header = bytes("+QMTRECV: 0,1,\"t/x\"," + payload.length + ",\"");
        byte[] data = concat(bytes("\r\n"), header, payload, bytes("\"\r\n"), bytes("\r\nOK\r\n"));
        check(data, framed("+QMTRECV: 0,1,\"t/x\"," + payload.length + ",\"", payload), line("OK"));
    }

    @Test
    void zeroLengthPayload() {
        check(bytes("+QMTRECV: 1,7,\"empty\",0,\"\"\r\nOK\r\n"),
                framed("+QMTRECV: 1,7,\"empty\",0,\"", new byte[0]), line("OK"));
    }

    @Test
    void framedEventIsEmittedAsSoonAsTheClosingQuoteAndLineEndConfirmThePayload() {
        AtDigester d = new AtDigester(List.of(new QuectelRecvFraming(4096)));
        byte[] data = bytes("+QMTRECV: 0,1,\"t\",2,\"hi");
        assertThat(d.feed(data, 0, data.length)).isEmpty();
        byte[] quote = bytes("\"");
        assertThat(d.feed(quote, 0, 1)).isEmpty();
        byte[] cr = bytes("\r");
        assertThat(d.feed(cr, 0, 1)).containsExactly(framed("+QMTRECV: 0,1,\"t\",2,\"", bytes("hi")));
        byte[] rest = bytes("\n+QMTSTAT: 0,1\r\n");
        assertThat(d.feed(rest, 0, rest.length)).containsExactly(line("+QMTSTAT: 0,1"));
    }

    /** Feeds {@code data}, then tells the digester the line went quiet, then feeds {@code after}. */
    private static List<AtEvent> thenQuietThen(AtDigester d, byte[] data, byte[] after) {
        List<AtEvent> out = new ArrayList<>(d.feed(data, 0, data.length));
        out.addAll(d.quiet());
        out.addAll(d.feed(after, 0, after.length));
        return out;
    }

    /**
     * A receive URC torn by a UART glitch after its header: its length claims bytes the modem wrote
     * after it, and no reading of it is consistent. The modem's own URC always has one (its topic
     * holds no CR or LF), so this one was torn: like a torn line it ends at its first line end, is
     * counted, and what follows is read as usual.
     */
    @Test
    void aTornReceiveUrcIsNoMessageAndEndsAtItsFirstLineEnd() {
        AtDigester d = new AtDigester(List.of(new QuectelRecvFraming(4096)));
        byte[] data = bytes("\r\n+QMTRECV: 1,0,\"t\",5,\"fo\r\n\r\nOK\r\n\r\n+QMTSTAT: 0,1\r\n");
        check(data, line("OK"), line("+QMTSTAT: 0,1"));
        d.feed(data, 0, data.length);
        assertThat(d.framingErrors()).isEqualTo(1);
        assertThat(d.tornRecords()).isEqualTo(1);
        assertThat(d.awaitsQuiet()).isFalse();
    }

    @Test
    void aTornReceiveUrcIsNoMessageBehindTheSwitchableFramingAModemUses() {
        SwitchableFraming switchable = new SwitchableFraming();
        switchable.use(List.of(new QuectelRecvFraming(4096)));
        AtDigester d = new AtDigester(List.of(switchable));
        byte[] data = bytes("\r\n+QMTRECV: 1,0,\"t\",5,\"for\r\n\r\nOK\r\n");
        assertThat(d.feed(data, 0, data.length)).containsExactly(line("OK"));
    }

    /** Torn, but its line ends with a quote: a line, which the dialect finds no message in (see ReceiveUrc). */
    @Test
    void aTornReceiveUrcInsideTheBytesOfAnotherEndsAtItsLineEndToo() {
        byte[] whole = bytes("+QMTRECV: 0,2,\"u\",2,\"ok\"");
        String torn = "+QMTRECV: 0,1,\"t\",9,\"+QMTRECV: 0,1,\"t\",3,\"";
        byte[] data = concat(bytes(torn + "\r\n"), whole, bytes("\r\nOK\r\n"));
        check(data, line(torn), framed("+QMTRECV: 0,2,\"u\",2,\"", bytes("ok")), line("OK"));
    }

    /**
     * Two readings that end at different bytes: where the URC ends is unknown, and the bytes after the
     * shorter one could be a publisher's; nothing is read as modem output until the line was quiet.
     */
    @Test
    void readingsEndingAtDifferentBytesMeanNothingIsReadUntilTheLineWasQuiet() {
        AtDigester d = new AtDigester(List.of(new QuectelRecvFraming(4096)));
        byte[] data = bytes("\r\n+QMTRECV: 0,1,\"cmd/x\",5,\"\",10,\"\r\nOK\r\nXYZW\"\r\n\r\n+QMTSTAT: 0,1\r\n");
        assertThat(d.feed(data, 0, data.length)).isEmpty();
        assertThat(d.awaitsQuiet()).isTrue();
        assertThat(thenQuietThen(d, new byte[0], bytes("\r\nOK\r\n"))).containsExactly(line("OK"));
        assertThat(d.framingErrors()).isEqualTo(1);
        assertThat(d.tornRecords()).isZero();
        assertThat(d.discardedBytes()).isPositive();
    }

    @Test
    void bytesBetweenTheClosingQuoteAndTheLineEndMakeNoMessage() {
        AtDigester d = new AtDigester(List.of(new QuectelRecvFraming(4096)));
        byte[] data = bytes("+QMTRECV: 0,1,\"t\",1,\"x\" junk\r\nOK\r\n");
        assertThat(d.feed(data, 0, data.length)).containsExactly(line("OK"));
        assertThat(d.framingErrors()).isEqualTo(1);
    }

    @Test
    void utf8TopicAndLines() {
        String topic = "capteurs/température/日本";
        byte[] payload = bytes("é");
        check(concat(bytes("+QMTRECV: 0,2,\"" + topic + "\"," + payload.length + ",\""), payload,
                        bytes("\"\r\nCafé ☕\r\n")),
                framed("+QMTRECV: 0,2,\"" + topic + "\"," + payload.length + ",\"", payload), line("Café ☕"));
    }

    @Test
    void bufferNoticesAndReadRepliesWithoutATopicAreLines() {
        check(bytes("+QMTRECV: 0,3\r\n+QMTRECV: 0,1,0,0,0,0\r\n"), line("+QMTRECV: 0,3"), line("+QMTRECV: 0,1,0,0,0,0"));
    }

    /**
     * Firmware that does not report the length although asked to (the documents' examples): no
     * reading, and the line ends with a quote, so it is the length-less line and the dialect reads it.
     */
    @Test
    void withTheLengthFramingALineWithoutALengthIsALine() {
        check(bytes("+QMTRECV: 0,1,\"t\",\"payload\"\r\nOK\r\n"), line("+QMTRECV: 0,1,\"t\",\"payload\""), line("OK"));
    }

    @Test
    void framingsAreConsultedInOrderAndCustomFramingsWork() {
        PayloadFraming hash = new PayloadFraming() {
            @Override
            public int payloadAfterLine(byte[] line, int len) {
                return len == 5 && new String(line, 0, 5, StandardCharsets.US_ASCII).equals("#DAT:") ? 3 : -1;
            }
        };
        AtDigester d = new AtDigester(List.of(hash));
        byte[] data = bytes("#DAT:\r\n\n\r\n\r\nOK\r\n");
        assertThat(d.feed(data, 0, data.length)).containsExactly(framed("#DAT:", bytes("\n\r\n")), line("OK"));
    }

    @Test
    void overLongLineIsDroppedAndCounted() {
        AtDigester d = new AtDigester(List.of());
        byte[] big = new byte[AtDigester.MAX_LINE + 10];
        java.util.Arrays.fill(big, (byte) 'x');
        byte[] data = concat(bytes("OK\r\n"), big, bytes("\r\nERROR\r\n"));
        assertThat(d.feed(data, 0, data.length)).containsExactly(line("OK"), line("ERROR"));
        assertThat(d.droppedLines()).isEqualTo(1);
    }

    @Test
    void lineOfExactlyMaxLengthIsKept() {
        byte[] max = new byte[AtDigester.MAX_LINE];
        java.util.Arrays.fill(max, (byte) 'y');
        List<AtEvent> events = new AtDigester(List.of()).feed(concat(max, bytes("\r\n")), 0, max.length + 2);
        assertThat(events).hasSize(1);
        assertThat(((AtEvent.Line) events.get(0)).text()).hasSize(AtDigester.MAX_LINE);
    }

    // ---------------------------------------------------------------- bytes after a whole line (SIMCom)

    private static List<AtEvent> simcomAll(byte[] data) {
        return new AtDigester(List.of(new SimcomRecvFraming(1024, 10240))).feed(data, 0, data.length);
    }

    private static List<AtEvent> simcomOneByOne(byte[] data) {
        AtDigester d = new AtDigester(List.of(new SimcomRecvFraming(1024, 10240)));
        List<AtEvent> out = new ArrayList<>();
        for (int i = 0; i < data.length; i++) {
            out.addAll(d.feed(data, i, 1));
        }
        return out;
    }

    private static void checkSimcom(byte[] data, AtEvent... expected) {
        assertThat(simcomAll(data)).containsExactly(expected);
        assertThat(simcomOneByOne(data)).containsExactly(expected);
    }

    @Test
    void bytesAfterALineEndedByCrLf() {
        checkSimcom(bytes("\r\n+CMQTTRXSTART: 0,8,19\r\n+CMQTTRXTOPIC: 0,8\r\nPubTopic\r\n"
                        + "+CMQTTRCPAYLOAD: 0,19\r\n{\"message\":\"Hello\"}\r\n+CMQTTRXEND: 0\r\n"),
                line("+CMQTTRXSTART: 0,8,19"), framed("+CMQTTRXTOPIC: 0,8", bytes("PubTopic")),
                framed("+CMQTTRCPAYLOAD: 0,19", bytes("{\"message\":\"Hello\"}")), line("+CMQTTRXEND: 0"));
    }

    @Test
    void bytesAfterALineEndedByLfOnly() {
        checkSimcom(bytes("+CMQTTRXTOPIC: 1,3\nabc\n+CMQTTRXEND: 1\n"),
                framed("+CMQTTRXTOPIC: 1,3", bytes("abc")), line("+CMQTTRXEND: 1"));
    }

    @Test
    void bytesAfterALineEndedByCrOnly() {
        checkSimcom(bytes("+CMQTTRXPAYLOAD: 0,2\rhi\r+CMQTTRXEND: 0\r"),
                framed("+CMQTTRXPAYLOAD: 0,2", bytes("hi")), line("+CMQTTRXEND: 0"));
    }

    @Test
    void crLfInsideAndAroundTheBytesIsData() {
        byte[] payload = bytes("\r\n+CMQTTRXEND: 0\r\n\"a\",b\r\u001a\u0000> \n");
        byte[] data = concat(bytes("+CMQTTRXPAYLOAD: 0," + payload.length + "\r\n"), payload,
                bytes("\r\n+CMQTTRXEND: 0\r\n"));
        checkSimcom(data, framed("+CMQTTRXPAYLOAD: 0," + payload.length, payload), line("+CMQTTRXEND: 0"));
    }

    @Test
    void aPayloadStartingWithLfAfterALfTerminatedLineKeepsIt() {
        checkSimcom(bytes("+CMQTTRXPAYLOAD: 0,3\n\nab\r\n"), framed("+CMQTTRXPAYLOAD: 0,3", bytes("\nab")));
        // after CR LF, a second LF is the payload's first byte
        checkSimcom(bytes("+CMQTTRXPAYLOAD: 0,3\r\n\nab\r\n"), framed("+CMQTTRXPAYLOAD: 0,3", bytes("\nab")));
    }

    @Test
    void zeroBytesAfterALine() {
        checkSimcom(bytes("+CMQTTRXPAYLOAD: 0,0\r\n+CMQTTRXEND: 0\r\n"),
                framed("+CMQTTRXPAYLOAD: 0,0", new byte[0]), line("+CMQTTRXEND: 0"));
        checkSimcom(bytes("+CMQTTRXPAYLOAD: 0,0\r> x\r"), framed("+CMQTTRXPAYLOAD: 0,0", new byte[0]), line("> x"));
    }

    @Test
    void zeroBytesAfterALineIsEmittedAtTheLineEnd() {
        AtDigester d = new AtDigester(List.of(new SimcomRecvFraming(1024, 10240)));
        byte[] data = bytes("+CMQTTRXPAYLOAD: 0,0\r");
        assertThat(d.feed(data, 0, data.length)).containsExactly(framed("+CMQTTRXPAYLOAD: 0,0", new byte[0]));
    }

    @Test
    void blocksBackToBackEachEndedByItsLineEnd() {
        checkSimcom(bytes("+CMQTTRXTOPIC: 0,1\r\nt\r\n+CMQTTRXPAYLOAD: 0,2\r\nxy\n+CMQTTRXPAYLOAD: 0,1\r\nz\r\n"),
                framed("+CMQTTRXTOPIC: 0,1", bytes("t")), framed("+CMQTTRXPAYLOAD: 0,2", bytes("xy")),
                framed("+CMQTTRXPAYLOAD: 0,1", bytes("z")));
    }

    /** Reference 001 puts a line end after the bytes; anything else means the length was not the modem's. */
    @Test
    void bytesNotFollowedByALineEndAreAFramingErrorAndNothingIsReadUntilQuiet() {
        AtDigester d = new AtDigester(List.of(new SimcomRecvFraming(1024, 10240)));
        assertThat(thenQuietThen(d, bytes("+CMQTTRXPAYLOAD: 0,2\r\nok+CMQTTCONNLOST: 0,1\r\n\r\nOK\r\n"),
                bytes("OK\r\n"))).containsExactly(line("OK"));
        assertThat(d.framingErrors()).isEqualTo(1);
    }

    @Test
    void theBytesAreEmittedAsSoonAsTheLineEndAfterThemArrived() {
        AtDigester d = new AtDigester(List.of(new SimcomRecvFraming(1024, 10240)));
        byte[] head = bytes("+CMQTTRXTOPIC: 0,2\r");
        assertThat(d.feed(head, 0, head.length)).isEmpty();
        byte[] lf = bytes("\n");
        assertThat(d.feed(lf, 0, 1)).isEmpty();
        byte[] body = bytes("ab");
        assertThat(d.feed(body, 0, 2)).isEmpty();
        byte[] cr = bytes("\r");
        assertThat(d.feed(cr, 0, 1)).containsExactly(framed("+CMQTTRXTOPIC: 0,2", bytes("ab")));
    }

    @Test
    void linesThatOnlyLookLikeLengthLinesStayLines() {
        checkSimcom(bytes("+CMQTTRXTOPIC: 0\r\n+CMQTTRXTOPIC: 0,x\r\n+CMQTTRXTOPIC: 0,2,3\r\n"
                        + "+CMQTTRXSTART: 0,2,3\r\n+CMQTTRXEND: 0\r\n+CMQTTRXTOPICS: 0,1\r\n"),
                line("+CMQTTRXTOPIC: 0"), line("+CMQTTRXTOPIC: 0,x"), line("+CMQTTRXTOPIC: 0,2,3"),
                line("+CMQTTRXSTART: 0,2,3"), line("+CMQTTRXEND: 0"), line("+CMQTTRXTOPICS: 0,1"));
    }

    /** Before, such a line was read as a line, and the bytes the modem sent after it as lines too. */
    @Test
    void aClaimAboveTheLimitIsAFramingError() {
        for (String claim : List.of("10241", "99999999", "123456789012")) {
            AtDigester d = new AtDigester(List.of(new SimcomRecvFraming(1024, 10240)));
            assertThat(thenQuietThen(d, bytes("+CMQTTRXPAYLOAD: 0," + claim + "\r\nOK\r\n"), bytes("OK\r\n")))
                    .as(claim).containsExactly(line("OK"));
            assertThat(d.framingErrors()).isEqualTo(1);
        }
        AtDigester topic = new AtDigester(List.of(new SimcomRecvFraming(1024, 10240)));
        assertThat(thenQuietThen(topic, bytes("+CMQTTRXTOPIC: 0,1025\r\nOK\r\n"), bytes("OK\r\n")))
                .containsExactly(line("OK"));
    }

    @Test
    void bothKindsOfFramingInOneStream() {
        AtDigester d = new AtDigester(List.of(new QuectelRecvFraming(4096), new SimcomRecvFraming(1024, 10240)));
        byte[] data = bytes("+QMTRECV: 0,1,\"t\",2,\"\r\n\"\r\n+CMQTTRXTOPIC: 0,3\r\n\"\r\n\r\nOK\r\n");
        assertThat(d.feed(data, 0, data.length)).containsExactly(framed("+QMTRECV: 0,1,\"t\",2,\"", bytes("\r\n")),
                framed("+CMQTTRXTOPIC: 0,3", bytes("\"\r\n")), line("OK"));
    }
}
