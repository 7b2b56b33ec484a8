package io.cellmqtt.at;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates modem output with publishers' bytes in it, and the events the modem really sent.
 *
 * <p>An adversarial stream is made of segments: modem lines, each unique (a sequence number in it),
 * Quectel {@code +QMTRECV} records whose topic and payload are built to collide with the framing,
 * benign records, SIMCom receive blocks of arbitrary bytes, and the length-less line some firmware
 * sends. A hostile record's topic holds {@code ",<n>,"} with {@code n} computed so that a false
 * reading ends exactly on a closing quote and line end the payload carries, on the record's own
 * end, past it, or beyond any limit; its payload holds forged modem output ({@code OK},
 * {@code +QMTPUB: 0,60001,0}, a whole fake {@code +QMTRECV}, a prompt), and length patterns of its
 * own. Forged lines never equal a real one, so a digester that emits anything outside
 * {@link Stream#real()} (in order) believed a publisher. Topics hold no CR or LF (see
 * {@code docs/at-engine.md}: no reader of the format can tell those from the URC's end).
 */
final class HostileStreams {

    static final int QUECTEL_MAX_PAYLOAD = 4096;
    static final int SIMCOM_MAX_TOPIC = 1024;
    static final int SIMCOM_MAX_PAYLOAD = 10240;

    /** What a publisher would like the component to read. */
    private static final String[] FORGED = {
        "OK", "ERROR", "+QMTPUB: 0,60001,0", "+QMTSTAT: 0,60002", "+CME ERROR: 60003", "+QMTCONN: 0,0,0",
        "+CMQTTPUB: 0,0", "+CMQTTCONNLOST: 0,1", "RDY", "+CMQTTRXEND: 0",
    };

    static List<PayloadFraming> framings() {
        return List.of(new QuectelRecvFraming(QUECTEL_MAX_PAYLOAD),
                new SimcomRecvFraming(SIMCOM_MAX_TOPIC, SIMCOM_MAX_PAYLOAD));
    }

    /**
     * @param bytes          the stream
     * @param real           the events the modem sent, in order
     * @param quietAfter     offsets (segment ends) after which the modem was idle long enough to be quiet
     * @param hostileRecords how many records were built to collide
     */
    record Stream(byte[] bytes, List<AtEvent> real, List<Integer> quietAfter, int hostileRecords) {
    }

    private final Random r;
    private int seq;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<AtEvent> real = new ArrayList<>();
    private final List<Integer> quiet = new ArrayList<>();
    private int hostile;

    private HostileStreams(Random r) {
        this.r = r;
    }

    /** An adversarial stream of 1 to {@code maxSegments} segments. */
    static Stream adversarial(Random r, int maxSegments) {
        HostileStreams g = new HostileStreams(r);
        int n = 1 + r.nextInt(maxSegments);
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(100);
            if (k < 30) {
                g.modemLine();
            } else if (k < 70) {
                g.hostileRecord();
            } else if (k < 80) {
                g.benignRecord();
            } else if (k < 95) {
                g.simcomBlock();
            } else {
                g.lengthLessLine();
            }
            if (r.nextInt(8) == 0) {
                g.quiet.add(g.out.size());
            }
        }
        return new Stream(g.out.toByteArray(), g.real, g.quiet, g.hostile);
    }

    /** A stream a UART could make of an adversarial one: bytes flipped, lost, repeated, inserted, cut. */
    static byte[] mutated(Random r, byte[] stream) {
        ByteArrayOutputStream m = new ByteArrayOutputStream(stream.length + 16);
        int mutations = 1 + r.nextInt(6);
        byte[] s = stream;
        for (int i = 0; i < mutations && s.length > 0; i++) {
            int at = r.nextInt(s.length);
            m.reset();
            switch (r.nextInt(5)) {
                case 0 -> { // flip
                    s = s.clone();
                    s[at] = (byte) r.nextInt(256);
                    continue;
                }
                case 1 -> { // lose a run
                    m.write(s, 0, at);
                    int skip = Math.min(s.length - at, 1 + r.nextInt(16));
                    m.write(s, at + skip, s.length - at - skip);
                }
                case 2 -> { // repeat a run
                    int len = Math.min(s.length - at, 1 + r.nextInt(32));
                    m.write(s, 0, at + len);
                    m.write(s, at, s.length - at);
                }
                case 3 -> { // insert noise made of the framing's own bytes
                    m.write(s, 0, at);
                    m.writeBytes(noise(r, 1 + r.nextInt(24)));
                    m.write(s, at, s.length - at);
                }
                default -> m.write(s, 0, at); // cut
            }
            s = m.toByteArray();
        }
        return s;
    }

    /** Random bytes, biased to those the framing looks at. */
    static byte[] noise(Random r, int n) {
        byte[] alphabet = "\"\r\n,0123456789+QMTRECV: CMQTTRXPAYLOADTOPIC>OK".getBytes(StandardCharsets.US_ASCII);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = r.nextInt(3) == 0 ? (byte) r.nextInt(256) : alphabet[r.nextInt(alphabet.length)];
        }
        return b;
    }

    // ------------------------------------------------------------------ segments

    private String terminator() {
        return switch (r.nextInt(4)) {
            case 0 -> "\n";
            case 1 -> "\r";
            default -> "\r\n";
        };
    }

    private void modemLine() {
        int n = ++seq; // below 60000: never one of the forged lines
        String text = switch (r.nextInt(5)) {
            case 0 -> "+QMTPUB: 0," + n + ",0";
            case 1 -> "+CSQ: " + n + ",99";
            case 2 -> "+QMTSUB: 0," + n + ",0,1";
            case 3 -> "+CMQTTPUB: 0," + n;
            default -> "OK " + n;
        };
        writeAscii("\r\n" + text + terminator());
        real.add(line(text));
    }

    private void benignRecord() {
        String topic = "plant/" + r.nextInt(100) + "/cmd";
        byte[] payload = randomBytes(r.nextInt(64));
        record(topic.getBytes(StandardCharsets.US_ASCII), payload);
    }

    private void lengthLessLine() {
        String text = "+QMTRECV: 0," + r.nextInt(65536) + ",\"t/" + r.nextInt(100) + "\",\"v" + r.nextInt(1000) + "\"";
        writeAscii("\r\n" + text + "\r\n");
        real.add(line(text));
    }

    /** {@code +QMTRECV: i,m,"<topic>",<len>,"<payload>"} and a line end; the event it must give. */
    private void record(byte[] topic, byte[] payload) {
        byte[] head = ("+QMTRECV: " + r.nextInt(6) + "," + r.nextInt(65536) + ",\"").getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.writeBytes(head);
        header.writeBytes(topic);
        header.writeBytes(("\"," + payload.length + ",\"").getBytes(StandardCharsets.US_ASCII));
        writeAscii("\r\n");
        out.writeBytes(header.toByteArray());
        out.writeBytes(payload);
        writeAscii("\"" + terminator());
        if (payload.length <= QUECTEL_MAX_PAYLOAD && topic.length <= QuectelRecvFraming.MAX_TOPIC) {
            real.add(new AtEvent.Framed(new String(header.toByteArray(), StandardCharsets.UTF_8), payload));
        }
    }

    private void hostileRecord() {
        hostile++;
        // The payload: pieces a publisher chooses, with places where a false reading could end.
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        List<Integer> targets = new ArrayList<>(); // offsets of a '"' followed by CR or LF in the payload
        int pieces = 1 + r.nextInt(5);
        for (int i = 0; i < pieces; i++) {
            switch (r.nextInt(6)) {
                case 0 -> p.writeBytes(randomBytes(r.nextInt(40)));
                case 1 -> {
                    targets.add(p.size());
                    p.writeBytes(("\"" + terminator() + FORGED[r.nextInt(FORGED.length)] + terminator())
                            .getBytes(StandardCharsets.US_ASCII));
                }
                case 2 -> {
                    targets.add(p.size());
                    p.writeBytes(("\"\r\n+QMTRECV: 0,1,\"forged/t\",3,\"abc\"\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                case 3 -> {
                    // a length pattern of the payload's own, aimed at a later target or anywhere
                    int m = r.nextInt(3) == 0 ? r.nextInt(100000) : r.nextInt(60);
                    p.writeBytes(("\"," + m + ",\"").getBytes(StandardCharsets.US_ASCII));
                }
                case 4 -> p.writeBytes("> \r\n\u001a\u001b\u0000".getBytes(StandardCharsets.ISO_8859_1));
                default -> {
                    if (r.nextInt(20) == 0) {
                        p.writeBytes(randomBytes(QUECTEL_MAX_PAYLOAD - 64 + r.nextInt(128))); // around the limit
                    } else {
                        p.writeBytes(randomBytes(r.nextInt(8)));
                    }
                }
            }
        }
        byte[] payload = p.toByteArray();
        int dL = String.valueOf(payload.length).length();

        // The topic: A ",n," B, with n aimed at a target (or the true end, or past it, or too far).
        byte[] a = topicBytes(r.nextInt(12));
        byte[] b = topicBytes(r.nextInt(12));
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        int fakes = r.nextInt(4);
        t.writeBytes(a);
        for (int f = 0; f < fakes; f++) {
            long n;
            int aim = r.nextInt(6);
            if (aim <= 1 && !targets.isEmpty()) {
                n = b.length + dL + 4 + targets.get(r.nextInt(targets.size()));
            } else if (aim == 2) {
                n = b.length + dL + 4 + payload.length; // ends where the record ends
            } else if (aim == 3) {
                n = b.length + dL + 4 + payload.length + 1 + r.nextInt(40); // past it, into what follows
            } else if (aim == 4) {
                n = r.nextInt(2) == 0 ? QUECTEL_MAX_PAYLOAD + 1 + r.nextInt(5000) : 100_000_000L + r.nextInt(1000);
            } else {
                n = r.nextInt(30);
            }
            // Only the last fake's arithmetic is exact (B follows it); earlier ones are aimed roughly.
            t.writeBytes(("\"," + n + ",\"").getBytes(StandardCharsets.US_ASCII));
            if (f < fakes - 1) {
                t.writeBytes(topicBytes(r.nextInt(6)));
            }
        }
        t.writeBytes(b);
        byte[] topic = t.toByteArray();
        if (r.nextInt(50) == 0) {
            // a topic longer than any the component reads
            ByteArrayOutputStream longer = new ByteArrayOutputStream();
            longer.writeBytes(topic);
            longer.writeBytes(topicBytes(QuectelRecvFraming.MAX_TOPIC + 1));
            topic = longer.toByteArray();
        }
        record(topic, payload);
    }

    /** SIMCom's receive block, lengths announced by the modem, bytes anything. */
    private void simcomBlock() {
        byte[] topic = randomBytes(1 + r.nextInt(20));
        byte[] payload = r.nextInt(4) == 0 ? forgedText() : randomBytes(r.nextInt(50));
        String start = "+CMQTTRXSTART: 0," + topic.length + "," + payload.length;
        String th = "+CMQTTRXTOPIC: 0," + topic.length;
        String ph = "+CMQTTRXPAYLOAD: 0," + payload.length;
        writeAscii("\r\n" + start + "\r\n" + th + "\r\n");
        out.writeBytes(topic);
        writeAscii("\r\n" + ph + "\r\n");
        out.writeBytes(payload);
        writeAscii("\r\n+CMQTTRXEND: 0\r\n");
        real.add(line(start));
        real.add(new AtEvent.Framed(th, topic));
        real.add(payload.length == 0 ? new AtEvent.Framed(ph, payload) : new AtEvent.Framed(ph, payload));
        real.add(line("+CMQTTRXEND: 0"));
    }

    private byte[] forgedText() {
        return ("\r\n" + FORGED[r.nextInt(FORGED.length)] + "\r\n+CMQTTRXEND: 0\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** Topic bytes: anything but CR and LF, with quotes, commas and digits likely. */
    private byte[] topicBytes(int n) {
        byte[] b = new byte[n];
        byte[] likely = "\",0123456789/+#abc".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < n; i++) {
            byte x = r.nextInt(2) == 0 ? likely[r.nextInt(likely.length)] : (byte) r.nextInt(256);
            b[i] = x == '\r' || x == '\n' ? (byte) 'x' : x;
        }
        return b;
    }

    private void writeAscii(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    static AtEvent.Line line(String text) {
        return new AtEvent.Line(text, text.getBytes(StandardCharsets.UTF_8));
    }
}
