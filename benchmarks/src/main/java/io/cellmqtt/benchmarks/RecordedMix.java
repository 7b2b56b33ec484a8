package io.cellmqtt.benchmarks;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * What a modem sends while a gateway publishes, polls the signal and receives, as the transcript tests and the
 * field captures show it (CR LF before and after every response line, {@code ATE0}: no echo), built
 * deterministically from a seed. Each round: a publish answered ({@code OK}, then the publish URC), a signal poll
 * ({@code +CSQ: 20,99}, {@code OK}), three 64-byte messages and one 1024-byte message received. Payloads are
 * arbitrary bytes, quotes, CR and LF included; topics are a gateway's, benign.
 */
public final class RecordedMix {

    /** How the received messages are written: the dialect's receive URCs. */
    public enum Dialect { QUECTEL, SIMCOM }

    /** The bytes and the number of events a correct digester makes of them. */
    public record Mix(byte[] bytes, int events, int messages) {
    }

    /** A mix of at least {@code minBytes} bytes, ending at a line end. */
    public static Mix build(Dialect dialect, long seed, int minBytes) {
        Random r = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(minBytes + 8192);
        int events = 0;
        int messages = 0;
        int msgId = 1;
        while (out.size() < minBytes) {
            // the reply to the publish command, then its result URC
            if (dialect == Dialect.QUECTEL) {
                line(out, "OK");
                line(out, "+QMTPUB: 0," + msgId + ",0");
            } else {
                line(out, "OK");
                line(out, "+CMQTTPUB: 0,0");
            }
            events += 2;
            line(out, "+CSQ: " + (15 + r.nextInt(15)) + ",99");
            line(out, "OK");
            events += 2;
            for (int i = 0; i < 4; i++) {
                int size = i < 3 ? 64 : 1024;
                String topic = "devices/gw-" + (r.nextInt(90) + 10) + "/cmd/" + (i < 3 ? "ping" : "config");
                byte[] payload = payload(r, size);
                int id = msgId++ % 65535 + 1;
                if (dialect == Dialect.QUECTEL) {
                    // AT+QMTCFG="recv/mode",0,0,1: the length-carrying form, payload between quotes, unescaped
                    ascii(out, "\r\n+QMTRECV: 0," + id + ",\"" + topic + "\"," + size + ",\"");
                    out.writeBytes(payload);
                    ascii(out, "\"\r\n");
                    events += 1;
                } else {
                    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
                    line(out, "+CMQTTRXSTART: 0," + t.length + "," + size);
                    ascii(out, "+CMQTTRXTOPIC: 0," + t.length + "\r\n");
                    out.writeBytes(t);
                    ascii(out, "\r\n+CMQTTRXPAYLOAD: 0," + size + "\r\n");
                    out.writeBytes(payload);
                    ascii(out, "\r\n+CMQTTRXEND: 0\r\n");
                    events += 4;
                }
                messages++;
            }
        }
        return new Mix(out.toByteArray(), events, messages);
    }

    /** Arbitrary bytes, with the ones that matter to framing (quote, CR, LF, comma, digits) more often than by chance. */
    static byte[] payload(Random r, int size) {
        byte[] p = new byte[size];
        r.nextBytes(p);
        for (int i = 0; i < size / 16; i++) {
            p[r.nextInt(size)] = (byte) "\"\r\n,0123456789".charAt(r.nextInt(14));
        }
        return p;
    }

    private static void line(ByteArrayOutputStream out, String text) {
        ascii(out, "\r\n" + text + "\r\n");
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private RecordedMix() {
    }
}
