package io.cellmqtt.e2e;

import io.cellmqtt.modem.Modem;
import io.cellmqtt.modem.ModemProfile;
import io.cellmqtt.modem.ModemSettings;
import io.cellmqtt.simulator.SimulatedModem;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every model of the reference documents, end to end: a Camel route with {@code modem=<model>},
 * jSerialComm, a PTY, the simulator profile of that model, embedded Moquette, and an independent
 * Paho client checking what arrived, in both directions. Payloads are chosen from what each model
 * can carry ({@link ModemProfile}): a Ctrl+Z data mode can't carry 0x1A/0x1B, and a receive URC
 * without a length can't carry CR or LF.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EveryModelEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private TestBroker broker;
    private final Map<String, SimulatedModem> modems = new HashMap<>();
    private final Map<String, String> ptys = new HashMap<>();
    private CamelContext camel;
    private ProducerTemplate template;
    private CheckingClient checker;

    static List<String> models() {
        return SimulatedModem.models();
    }

    @BeforeAll
    void startBroker() throws Exception {
        broker = new MoquetteBroker();
        broker.start();
    }

    @AfterAll
    void stopAll() {
        modems.values().forEach(SimulatedModem::close);
        if (broker != null) {
            broker.stop();
        }
    }

    @BeforeEach
    void startCamel() throws Exception {
        camel = new DefaultCamelContext();
        camel.start();
        template = camel.createProducerTemplate();
        checker = new CheckingClient(broker, "checker-" + UUID.randomUUID());
    }

    @AfterEach
    void stopCamel() throws Exception {
        camel.close();
        checker.close();
    }

    private String pty(String model) {
        return ptys.computeIfAbsent(model, m -> {
            SimulatedModem sim = SimulatedModem.of(m);
            modems.put(m, sim);
            return sim.openPty();
        });
    }

    private String uri(String model, String topic, String options) {
        return "cellmqtt:" + topic + "?serialPort=" + pty(model) + "&modem=" + model + "&brokerUrl=" + broker.url()
                + options;
    }

    private List<Exchange> consume(String model, String filter, int qos) throws Exception {
        List<Exchange> got = new CopyOnWriteArrayList<>();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri(model, filter, "&qos=" + qos)).routeId("in-" + filter).process(got::add);
            }
        });
        return got;
    }

    private static ModemProfile profile(String model) {
        return ModemProfile.byName(model).orElseThrow();
    }

    private static byte[] body(Exchange e) {
        return e.getMessage().getBody(byte[].class);
    }

    /** A payload of {@code size} random bytes the model can publish. */
    private static byte[] outgoing(ModemProfile p, int size, long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            byte v;
            do {
                v = (byte) r.nextInt(256);
            } while (!p.canCarry(v));
            b[i] = v;
        }
        return b;
    }

    /** A payload of {@code size} random bytes the model can report in its receive URC. */
    private static byte[] incoming(ModemProfile p, int size, long seed) {
        if (p.receive() != ModemProfile.Receive.QUECTEL_LINE) {
            byte[] b = new byte[size];
            new Random(seed).nextBytes(b);
            return b;
        }
        // One text line: printable ASCII, quotes and commas included.
        Random r = new Random(seed);
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (0x20 + r.nextInt(0x7F - 0x20));
        }
        // A line payload both starting and ending with a quote reads as a quoted one: not random here.
        b[0] = '<';
        b[size - 1] = '>';
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void publishesAndReceivesAtQos0And1(String model) throws Exception {
        String base = "every/" + model + "/" + UUID.randomUUID();
        checker.subscribe(base + "/out/#", 1);
        List<Exchange> in = consume(model, base + "/in/+", 1);
        for (int qos = 0; qos <= 1; qos++) {
            byte[] out = (model + " out qos" + qos).getBytes(StandardCharsets.UTF_8);
            Exchange done = template.request(uri(model, base + "/out/q" + qos, "&qos=" + qos),
                    e -> e.getMessage().setBody(out));
            assertThat(done.getException()).as("publish at QoS %d", qos).isNull();
            String topic = base + "/out/q" + qos;
            await().atMost(WAIT).until(() -> checker.on(topic).size() == 1);
            assertThat(checker.on(topic).get(0).payload()).isEqualTo(out);
            assertThat(checker.on(topic).get(0).qos()).isEqualTo(qos);

            byte[] cmd = (model + " in qos" + qos).getBytes(StandardCharsets.UTF_8);
            int expected = qos + 1;
            checker.publish(base + "/in/q" + qos, cmd, qos, false);
            await().atMost(WAIT).until(() -> in.size() == expected);
            assertThat(body(in.get(qos))).isEqualTo(cmd);
            assertThat(in.get(qos).getMessage().getHeader("CamelCellMqttTopic")).isEqualTo(base + "/in/q" + qos);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void payloadOfTheModelsMaximumSizeArrivesByteExact(String model) throws Exception {
        ModemProfile p = profile(model);
        String base = "every/" + model + "/max/" + UUID.randomUUID();
        checker.subscribe(base + "/out", 1);
        List<Exchange> in = consume(model, base + "/in", 1);

        byte[] out = outgoing(p, p.maxPayload(), 7);
        Exchange done = template.request(uri(model, base + "/out", "&qos=1"), e -> e.getMessage().setBody(out));
        assertThat(done.getException()).isNull();
        await().atMost(WAIT).until(() -> checker.on(base + "/out").size() == 1);
        assertThat(checker.on(base + "/out").get(0).payload()).isEqualTo(out);

        byte[] cmd = incoming(p, p.maxPayload(), 11);
        checker.publish(base + "/in", cmd, 1, false);
        await().atMost(WAIT).until(() -> in.size() == 1);
        assertThat(body(in.get(0))).isEqualTo(cmd);

        // One byte more is refused before anything reaches the modem.
        byte[] tooBig = outgoing(p, p.maxPayload() + 1, 13);
        Exchange refused = template.request(uri(model, base + "/out", "&qos=1"), e -> e.getMessage().setBody(tooBig));
        assertThat(refused.getException()).hasMessageContaining(Integer.toString(p.maxPayload()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void quotesCommasCrAndLfArriveByteExactWhereTheModelCarriesThem(String model) throws Exception {
        ModemProfile p = profile(model);
        String base = "every/" + model + "/nasty/" + UUID.randomUUID();
        checker.subscribe(base + "/out", 1);
        List<Exchange> in = consume(model, base + "/in", 1);

        // Every model publishes these: fixed length, or Ctrl+Z data mode, both carry CR and LF.
        byte[] out = "q\"uote\",comma,,cr\rlf\ncrlf\r\nAT+QPOWD\r\nend".getBytes(StandardCharsets.US_ASCII);
        Exchange done = template.request(uri(model, base + "/out", "&qos=1"), e -> e.getMessage().setBody(out));
        assertThat(done.getException()).isNull();
        await().atMost(WAIT).until(() -> checker.on(base + "/out").size() == 1);
        assertThat(checker.on(base + "/out").get(0).payload()).isEqualTo(out);

        byte[] cmd = p.receive() == ModemProfile.Receive.QUECTEL_LINE
                ? "q\"uote\",comma,,\"end".getBytes(StandardCharsets.US_ASCII)
                : out;
        checker.publish(base + "/in", cmd, 1, false);
        await().atMost(WAIT).until(() -> in.size() == 1);
        assertThat(body(in.get(0))).isEqualTo(cmd);
        assertThat(modems.get(model).commandLog()).noneMatch(c -> c.toUpperCase().contains("QPOWD"));

        if (p.dataPublish() == ModemProfile.DataPublish.CTRL_Z) {
            byte[] ctrlZ = "before\u001aafter".getBytes(StandardCharsets.US_ASCII);
            int commandsBefore = modems.get(model).commandLog().size();
            Exchange refused = template.request(uri(model, base + "/out", "&qos=1"),
                    e -> e.getMessage().setBody(ctrlZ));
            assertThat(refused.getException()).hasMessageContaining("0x1A");
            assertThat(modems.get(model).commandLog()).hasSize(commandsBefore);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void modemAutoPicksTheModelsProfile(String model) throws Exception {
        try (Modem m = Modem.open(ModemSettings.of(pty(model)))) {
            assertThat(m.profile().name()).isEqualTo(model);
        }
    }
}
