package io.cellmqtt.at;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The digester fed streams a hostile publisher and an imperfect UART could make
 * ({@link HostileStreams}): no exception escapes it, it never holds more than its bound, it reads
 * modem output again once the line was quiet, and from adversarial streams (no UART damage) it
 * emits only events the modem really sent, in order: losing some is allowed (a message it cannot
 * tell, what is discarded until quiet), believing a publisher is not.
 *
 * <p>CI runs a few thousand streams. The long run: {@code ./mvnw -B -pl camel-quectel-mqtt test
 * -Dtest=ReceiveFuzzTest -Dfuzz.streams=1000000} (after {@code ./mvnw -B -DskipTests install}),
 * optionally {@code -Dfuzz.seed=<n>} to repeat one; it prints its figures.
 */
class ReceiveFuzzTest {

    /** Line buffer, one record, one SIMCom block: what the digester may hold, whatever arrives. */
    static final long RETAINED_BOUND = AtDigester.MAX_LINE
            + new QuectelRecvRecord(QuectelRecvFraming.MAX_TOPIC, HostileStreams.QUECTEL_MAX_PAYLOAD).capacity()
            + HostileStreams.SIMCOM_MAX_PAYLOAD;

    private static final byte[] END = "\r\nOK-END\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Figures of a run. */
    static final class Figures {
        long streams;
        long bytes;
        long events;
        long realEvents;
        long hostileRecords;
        long framingErrors;
        long ambiguous;
        long discarded;
        long peakRetained;

        @Override
        public String toString() {
            return String.format("streams=%d bytes=%d events=%d (of %d real) hostileRecords=%d framingErrors=%d"
                    + " ambiguous=%d discardedBytes=%d peakRetained=%d (bound %d) escapes=0", streams, bytes, events,
                    realEvents, hostileRecords, framingErrors, ambiguous, discarded, peakRetained, RETAINED_BOUND);
        }
    }

    /** Digests an adversarial stream in random chunks, quiet where the modem was idle, and checks it. */
    static void checkAdversarial(HostileStreams.Stream s, Random chunks, Figures f) {
        AtDigester d = new AtDigester(HostileStreams.framings());
        List<AtEvent> got = new ArrayList<>();
        byte[] data = s.bytes();
        int quietIndex = 0;
        int i = 0;
        while (i < data.length) {
            int limit = quietIndex < s.quietAfter().size() ? s.quietAfter().get(quietIndex) : data.length;
            if (i == limit) {
                got.addAll(d.quiet());
                quietIndex++;
                continue;
            }
            int n = Math.min(limit - i, chunk(chunks));
            got.addAll(d.feed(data, i, n));
            i += n;
            f.peakRetained = Math.max(f.peakRetained, d.retainedBytes());
            assertThat(d.retainedBytes()).isLessThanOrEqualTo(RETAINED_BOUND);
        }
        assertOnlyRealEvents(got, s.real(), s);
        answersAgain(d, got);
        f.streams++;
        f.bytes += data.length;
        f.events += got.size() - 1;
        f.realEvents += s.real().size();
        f.hostileRecords += s.hostileRecords();
        f.framingErrors += d.framingErrors();
        f.ambiguous += d.ambiguousRecords();
        f.discarded += d.discardedBytes();
    }

    /** Digests damaged or random bytes, quiet at random places: no escape, bounded, reads again after quiet. */
    static void checkDamaged(byte[] data, Random chunks, Figures f) {
        AtDigester d = new AtDigester(HostileStreams.framings());
        if (chunks.nextInt(4) == 0) {
            d.expectPrompt();
        }
        List<AtEvent> got = new ArrayList<>();
        int i = 0;
        while (i < data.length) {
            int n = Math.min(data.length - i, chunk(chunks));
            got.addAll(d.feed(data, i, n));
            i += n;
            if (chunks.nextInt(10) == 0) {
                got.addAll(d.quiet());
            }
            f.peakRetained = Math.max(f.peakRetained, d.retainedBytes());
            assertThat(d.retainedBytes()).isLessThanOrEqualTo(RETAINED_BOUND);
        }
        answersAgain(d, got);
        f.streams++;
        f.bytes += data.length;
        f.events += got.size() - 1;
        f.framingErrors += d.framingErrors();
        f.ambiguous += d.ambiguousRecords();
        f.discarded += d.discardedBytes();
    }

    private static int chunk(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> 1;
            case 1 -> 1 + r.nextInt(8);
            case 2 -> 1 + r.nextInt(512);
            default -> Integer.MAX_VALUE;
        };
    }

    /** After the line was quiet, a reply is read as a reply: the channel would answer AT again. */
    private static void answersAgain(AtDigester d, List<AtEvent> got) {
        got.addAll(d.quiet());
        d.cancelPrompt();
        got.addAll(d.feed(END, 0, END.length));
        assertThat(got).isNotEmpty();
        assertThat(got.get(got.size() - 1)).isEqualTo(HostileStreams.line("OK-END"));
        assertThat(d.awaitsQuiet()).isFalse();
    }

    /** Every event emitted is one the modem sent, in the order it sent them (some may be missing). */
    private static void assertOnlyRealEvents(List<AtEvent> got, List<AtEvent> real, HostileStreams.Stream s) {
        int next = 0;
        for (AtEvent e : got) {
            int at = real.subList(next, real.size()).indexOf(e);
            if (at < 0) {
                throw new AssertionError("the digester emitted " + e + ", which the modem never sent (or out of"
                        + " order); real events: " + real + "; stream: "
                        + new String(s.bytes(), StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n"));
            }
            next += at + 1;
        }
    }

    // ------------------------------------------------------------------ properties (shrinking seeds)

    @Property(tries = 1500)
    void adversarialStreamsNeverMakeTheDigesterBelieveAPublisher(@ForAll long seed) {
        Random r = new Random(seed);
        checkAdversarial(HostileStreams.adversarial(r, 12), r, new Figures());
    }

    @Property(tries = 1000)
    void damagedAndRandomStreamsNeitherEscapeNorGrowNorDeafenTheDigester(@ForAll long seed) {
        Random r = new Random(seed);
        byte[] data = r.nextBoolean() ? HostileStreams.mutated(r, HostileStreams.adversarial(r, 8).bytes())
                : HostileStreams.noise(r, r.nextInt(4000));
        checkDamaged(data, r, new Figures());
    }

    /** Pins the figures the issue asks for; {@code -Dfuzz.streams} makes it the long run. */
    @Test
    void fuzzRun() {
        int streams = Integer.getInteger("fuzz.streams", 4000);
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        Random r = new Random(seed);
        Figures adversarial = new Figures();
        Figures damaged = new Figures();
        long peakHeap = 0;
        long started = System.nanoTime();
        for (int i = 0; i < streams; i++) {
            long streamSeed = r.nextLong();
            Random s = new Random(streamSeed);
            try {
                if (i % 2 == 0) {
                    checkAdversarial(HostileStreams.adversarial(s, 16), s, adversarial);
                } else {
                    byte[] data = s.nextBoolean() ? HostileStreams.mutated(s, HostileStreams.adversarial(s, 10).bytes())
                            : HostileStreams.noise(s, s.nextInt(6000));
                    checkDamaged(data, s, damaged);
                }
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("stream " + i + " (run seed " + seed + ", stream seed " + streamSeed + ")", e);
            }
            if ((i & 0xFFFF) == 0xFFFF) {
                System.gc(); // every 65536 streams: the live heap then, not the garbage in between
                peakHeap = Math.max(peakHeap, memory.getHeapMemoryUsage().getUsed());
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.gc();
        long afterGc = memory.getHeapMemoryUsage().getUsed();
        peakHeap = Math.max(peakHeap, afterGc);
        System.out.printf("receive fuzz: seed=%d %.1f s, heap in use after System.gc() (every 65536 streams and at the"
                        + " end): peak %.1f MiB, at the end %.1f MiB%n  adversarial: %s%n  damaged:     %s%n",
                seed, seconds, peakHeap / 1048576.0, afterGc / 1048576.0, adversarial, damaged);
        assertThat(adversarial.streams + damaged.streams).isEqualTo(streams);
        // the suite must exercise what it claims to: hostile records, framing errors, ambiguity
        assertThat(adversarial.hostileRecords).isPositive();
        assertThat(adversarial.framingErrors).isPositive();
        assertThat(adversarial.events).isPositive();
    }
}
