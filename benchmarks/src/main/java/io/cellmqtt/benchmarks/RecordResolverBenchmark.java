package io.cellmqtt.benchmarks;

import io.cellmqtt.at.QuectelRecvFraming;
import io.cellmqtt.at.RecordProbe;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Quectel record resolver alone ({@code QuectelRecvRecord}, through {@link RecordProbe}) on one
 * {@code +QMTRECV: 0,1,"<topic>",1024,"<payload>"} record whose topic a hostile publisher filled with
 * {@code falseReadings} sequences {@code ",NNNN,"}: each is a reading the record must keep and check, and each
 * points at a different byte of the payload (none of them a closing quote), so every one is resolved separately,
 * at the latest moment. 450 readings fill the 4096-byte topic limit: the worst case. 0 is a benign record of the
 * same payload. One operation is one record (one event).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RecordResolverBenchmark {

    private static final int PAYLOAD = 1024;
    private static final byte[] HEADER = "+QMTRECV: 0,1,\"".getBytes(StandardCharsets.US_ASCII);

    @Param({"0", "16", "450"})
    public int falseReadings;

    private byte[] body;
    private RecordProbe probe;

    @Setup(Level.Trial)
    public void setUp() {
        Random r = new Random(0x11_0003L + falseReadings);
        byte[] payload = RecordedMix.payload(r, PAYLOAD);
        // the topic: "devices/x" then per false reading `x",NNNN,"` (9 bytes); the real reading follows it
        int segment = 9;
        String prefix = "devices/gw-17/cmd";
        int topicLength = prefix.length() + segment * falseReadings;
        if (topicLength > QuectelRecvFraming.MAX_TOPIC) {
            throw new IllegalArgumentException("a topic of " + topicLength + " bytes is above the limit");
        }
        String realField = "\"," + PAYLOAD + ",\"";
        int payloadStart = HEADER.length + topicLength + realField.length(); // index in the record's buffer
        StringBuilder topic = new StringBuilder(prefix);
        for (int i = 0; i < falseReadings; i++) {
            int quote = HEADER.length + topic.length() + segment - 1;  // the index of this reading's last quote
            // its payload would end at a distinct byte of the real payload, spread over it
            int close = payloadStart + 1 + (int) ((long) (i + 1) * (PAYLOAD - 2) / (falseReadings + 1));
            int n = close - quote - 1;
            payload[close - payloadStart] = 'x'; // not a closing quote: the reading is false
            topic.append(String.format("x\",%04d,\"", n));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(topic.toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(realField.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload);
        out.writeBytes("\"\r\n".getBytes(StandardCharsets.US_ASCII));
        body = out.toByteArray();
        probe = new RecordProbe(QuectelRecvFraming.MAX_TOPIC, DigesterBenchmark.QUECTEL_MAX_PAYLOAD);
        String outcome = probe.resolve(HEADER, body, body.length);
        if (!outcome.equals("MESSAGE") || !Arrays.equals(probe.payload(), payload)) {
            throw new IllegalStateException("the record was not read as its message: " + outcome);
        }
    }

    @Benchmark
    public String resolve(Counters counters) {
        String outcome = probe.resolve(HEADER, body, body.length);
        counters.bytes += HEADER.length + body.length;
        counters.events++;
        return outcome;
    }
}
