package io.cellmqtt.at;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams generated from events (lines with random terminators and blank lines, prompts, framed
 * payloads of arbitrary bytes inside a line as Quectel sends them, and after a whole line as
 * SIMCom does) digest back to exactly those events, whatever the chunking.
 */
class AtDigesterPropertiesTest {

    /** One generated piece of stream and the event it must give. */
    record Piece(byte[] bytes, AtEvent event) {
        @Override
        public String toString() {
            return event.toString();
        }
    }

    @Provide
    Arbitrary<List<Piece>> streams() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, lines()),
                Tuple.of(1, prompts()),
                Tuple.of(3, framedPieces()),
                Tuple.of(3, blocksAfterLines())).list().ofMaxSize(25);
    }

    private static Arbitrary<String> terminators() {
        return Arbitraries.of("\r\n", "\r", "\n", "\r\n\r\n", "\n\r", "\r\r\n");
    }

    private Arbitrary<Piece> lines() {
        // text without CR/LF, not claimed by the framing, not starting with a space (after a bare
        // prompt, a space is the prompt's); a '>' at its start is text: no prompt is expected there
        Arbitrary<String> text = Arbitraries.strings()
                .withChars("ABCOKERabc+:,\"0123456789 >é日\u001a\u0000")
                .ofMinLength(1).ofMaxLength(40)
                .filter(s -> !s.startsWith(" ") && !s.startsWith("+QMTRECV") && !s.startsWith("+CMQTTR"));
        return Combinators.combine(text, terminators()).as((t, term) ->
                new Piece((t + term).getBytes(StandardCharsets.UTF_8), new AtEvent.Line(t)));
    }

    private Arbitrary<Piece> prompts() {
        // a prompt starts a line: the generator ends every piece with a terminator, except prompts
        // and framed payloads, which leave the digester at a line start too
        // as modules send it: "> " (Quectel documents), ">" alone or ">" CR LF (SIM7600 reference 001, users' logs)
        return Arbitraries.of("> ", ">", ">\r\n", ">\n")
                .map(p -> new Piece(p.getBytes(StandardCharsets.US_ASCII), new AtEvent.Prompt()));
    }

    private Arbitrary<Piece> framedPieces() {
        Arbitrary<String> topic = Arbitraries.strings().withChars("abc/#+xyzé日,").ofMaxLength(20);
        Arbitrary<byte[]> payload = Arbitraries.bytes().array(byte[].class).ofMaxSize(60);
        Arbitrary<Integer> idx = Arbitraries.integers().between(0, 5);
        Arbitrary<Integer> msgId = Arbitraries.integers().between(0, 65535);
        // The payload is quoted: its closing quote and a line end follow it, else the URC was torn
        // and there is no payload (AtDigesterTest and the fuzz suite cover torn and hostile URCs).
        Arbitrary<String> trailer = Arbitraries.of("\"\r\n", "\"\n", "\"\r");
        return Combinators.combine(topic, payload, idx, msgId, trailer).as((t, p, i, m, tr) -> {
            String header = "+QMTRECV: " + i + "," + m + ",\"" + t + "\"," + p.length + ",\"";
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(header.getBytes(StandardCharsets.UTF_8));
            out.writeBytes(p);
            out.writeBytes(tr.getBytes(StandardCharsets.US_ASCII));
            return new Piece(out.toByteArray(), new AtEvent.Framed(header, p));
        });
    }

    /**
     * {@code +CMQTTRXPAYLOAD: idx,n} (or TOPIC, or the guide's RCPAYLOAD) ended by CR LF, LF or CR,
     * n arbitrary bytes, then one or more line ends. A CR-only header end is not followed by a
     * payload starting with LF: that is a CR LF line end (see AtDigester).
     */
    private Arbitrary<Piece> blocksAfterLines() {
        Arbitrary<String> kind = Arbitraries.of("+CMQTTRXTOPIC: ", "+CMQTTRXPAYLOAD: ", "+CMQTTRCPAYLOAD: ");
        Arbitrary<byte[]> payload = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.bytes().array(byte[].class).ofMaxSize(60)),
                Tuple.of(1, Arbitraries.of("\r\n+CMQTTRXEND: 0\r\n", "\r\n", "\n", "> ", "\"a\",\u001a\u0000", "")
                        .map(t -> t.getBytes(StandardCharsets.UTF_8))));
        Arbitrary<Integer> idx = Arbitraries.integers().between(0, 1);
        Arbitrary<String> headerEnd = Arbitraries.of("\r\n", "\n", "\r");
        // the bytes are followed by a line end (reference 001), else the block is a framing error
        Arbitrary<String> trailer = Arbitraries.of("\r\n", "\n", "\r", "\r\n\r\n");
        return Combinators.combine(kind, payload, idx, headerEnd, trailer)
                .filter((k, p, i, end, tr) -> !(end.equals("\r") && p.length > 0 && p[0] == '\n'))
                .as((k, p, i, end, tr) -> {
                    String header = k + i + "," + p.length;
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    out.writeBytes((header + end).getBytes(StandardCharsets.US_ASCII));
                    out.writeBytes(p);
                    out.writeBytes(tr.getBytes(StandardCharsets.US_ASCII));
                    return new Piece(out.toByteArray(), new AtEvent.Framed(header, p));
                });
    }

    private static byte[] stream(List<Piece> pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        pieces.forEach(p -> out.writeBytes(p.bytes()));
        return out.toByteArray();
    }

    private static AtDigester digester() {
        return new AtDigester(List.of(new QuectelRecvFraming(4096), new SimcomRecvFraming(1024, 10240)));
    }

    /**
     * Feeds {@code data} in random chunks of 1..maxChunk bytes (0: as few chunks as possible); a prompt is expected from the offsets
     * in {@code promptsAt} on, as the channel expects one from the moment it wrote the command (no
     * chunk spans such an offset: every byte after it was read after the command was written).
     */
    private static List<AtEvent> chunked(byte[] data, List<Integer> promptsAt, long seed, int maxChunk) {
        Random random = new Random(seed);
        AtDigester d = digester();
        List<AtEvent> events = new ArrayList<>();
        int i = 0;
        int next = 0;
        while (i < data.length) {
            if (next < promptsAt.size() && promptsAt.get(next) == i) {
                d.expectPrompt();
                next++;
                continue;
            }
            int limit = next < promptsAt.size() ? promptsAt.get(next) : data.length;
            int n = maxChunk <= 0 ? limit - i : Math.min(limit - i, 1 + random.nextInt(maxChunk));
            events.addAll(d.feed(data, i, n));
            i += n;
        }
        return events;
    }

    private static List<Integer> promptOffsets(List<Piece> pieces) {
        List<Integer> at = new ArrayList<>();
        int offset = 0;
        for (Piece p : pieces) {
            if (p.event() instanceof AtEvent.Prompt) {
                at.add(offset);
            }
            offset += p.bytes().length;
        }
        return at;
    }

    @Property(tries = 300)
    void anyChunkingGivesTheEventsTheStreamWasMadeOf(@ForAll("streams") List<Piece> pieces,
            @ForAll long seed) {
        byte[] data = stream(pieces);
        List<AtEvent> expected = pieces.stream().map(Piece::event).toList();

        List<Integer> promptsAt = promptOffsets(pieces);
        List<AtEvent> whole = chunked(data, promptsAt, seed, 0);
        assertThat(whole).containsExactlyElementsOf(expected);
        assertThat(chunked(data, promptsAt, seed, 1)).containsExactlyElementsOf(whole);
        assertThat(chunked(data, promptsAt, seed, 7)).containsExactlyElementsOf(whole);
        assertThat(chunked(data, promptsAt, seed, 64)).containsExactlyElementsOf(whole);
    }

    @Property(tries = 200)
    void arbitraryGarbageIsChunkIndependent(@ForAll byte[] garbage, @ForAll long seed) {
        List<AtEvent> whole = digester().feed(garbage, 0, garbage.length);
        assertThat(chunked(garbage, List.of(), seed, 1)).containsExactlyElementsOf(whole);
        assertThat(chunked(garbage, List.of(), seed, 5)).containsExactlyElementsOf(whole);
    }
}
