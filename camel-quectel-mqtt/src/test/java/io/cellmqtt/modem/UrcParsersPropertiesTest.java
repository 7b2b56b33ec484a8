package io.cellmqtt.modem;

import io.cellmqtt.at.AtEvent;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parsers behind the digester, fed what a publisher and a bad UART can put in a URC: none
 * throws, and what they make of a line is made of that line's bytes (a topic and a payload that
 * are there, in that order, never bytes from elsewhere).
 */
class UrcParsersPropertiesTest {

    private static final String[] PREFIXES = {
        "+QMTRECV: ", "+QMTRECV:", "+QMTPUB: ", "+QMTSTAT: ", "+QMTCONN: ", "+QMTSUB: ", "+CMQTTRXSTART: ",
        "+CMQTTRXTOPIC: ", "+CMQTTRXPAYLOAD: ", "+CMQTTRXEND: ", "+CMQTTPUB: ", "", ":",
    };

    @Provide
    Arbitrary<byte[]> urcLines() {
        return Arbitraries.longs().map(seed -> {
            Random r = new Random(seed);
            StringBuilder sb = new StringBuilder(PREFIXES[r.nextInt(PREFIXES.length)]);
            String alphabet = "0123456789,\" abc/#+-:\u00e9";
            int n = r.nextInt(60);
            for (int i = 0; i < n; i++) {
                sb.append(r.nextInt(8) == 0 ? String.valueOf(r.nextInt(Integer.MAX_VALUE))
                        : String.valueOf(alphabet.charAt(r.nextInt(alphabet.length()))));
            }
            byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
            if (r.nextInt(4) == 0 && b.length > 0) {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256); // a byte the UART got wrong
            }
            return b;
        });
    }

    @Property(tries = 3000)
    void noParserThrowsAndEveryReadingIsMadeOfTheLinesBytes(@ForAll("urcLines") byte[] raw) {
        String text = new String(raw, StandardCharsets.UTF_8);
        UrcFields.ints(text);
        List<ReceivedMessage> readings = new ArrayList<>(ReceiveUrc.lineReadings(raw));
        readings.addAll(ReceiveUrc.unframedReadings(raw));
        ReceiveUrc.parseLine(raw);
        ReceiveUrc.parseUnframedLine(raw);
        ReceiveUrc.parseFramed(text, raw);
        String latin1 = new String(raw, StandardCharsets.ISO_8859_1);
        for (ReceivedMessage m : readings) {
            String topic = new String(m.topic().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            String payload = new String(m.payload(), StandardCharsets.ISO_8859_1);
            int t = latin1.indexOf(topic);
            if (topic.indexOf('\ufffd') < 0 && m.topic().indexOf('\ufffd') < 0) {
                assertThat(t).as("topic of %s in %s", m, latin1).isGreaterThanOrEqualTo(0);
                assertThat(latin1.indexOf(payload, t + topic.length())).as("payload after the topic").isGreaterThanOrEqualTo(0);
            }
        }
    }

    /**
     * SIMCom's receive URCs in any order, with any counts: never an exception, and a message only
     * when it is whole: exactly the announced numbers of topic and payload bytes, within the limits.
     */
    @Property(tries = 2000)
    void theSimcomReceiverDeliversOnlyWholeMessagesWithinItsLimits(@ForAll long seed) {
        Random r = new Random(seed);
        SimcomReceiver receiver = new SimcomReceiver(64, 256);
        int events = 1 + r.nextInt(30);
        for (int i = 0; i < events; i++) {
            int idx = r.nextInt(3) - (r.nextInt(10) == 0 ? 1 : 0);
            int k = r.nextInt(5);
            AtEvent e = switch (k) {
                case 0 -> line("+CMQTTRXSTART: " + idx + "," + r.nextInt(80) + "," + r.nextInt(300));
                case 1 -> new AtEvent.Framed("+CMQTTRXTOPIC: " + idx + "," + r.nextInt(70), bytes(r, r.nextInt(70)));
                case 2 -> new AtEvent.Framed("+CMQTTRXPAYLOAD: " + idx + "," + r.nextInt(300), bytes(r, r.nextInt(300)));
                case 3 -> line("+CMQTTRXEND: " + idx);
                default -> line("+CMQTTRXTOPIC: " + idx + "," + r.nextInt(9)); // a block header not followed by its bytes
            };
            ReceivedMessage m = receiver.accept(e);
            if (m != null) {
                assertThat(m.topic().getBytes(StandardCharsets.UTF_8).length).isBetween(1, 64 * 3);
                assertThat(m.payload().length).isBetween(0, 256);
            }
        }
    }

    private static AtEvent.Line line(String s) {
        return new AtEvent.Line(s, s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }
}
