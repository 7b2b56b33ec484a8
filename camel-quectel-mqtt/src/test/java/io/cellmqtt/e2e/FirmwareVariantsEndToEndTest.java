package io.cellmqtt.e2e;

import io.cellmqtt.simulator.SimulatedModem;
import io.cellmqtt.simulator.firmware.Firmware;
import io.cellmqtt.simulator.firmware.Prompt;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The firmware variants real modems show ({@link Firmware}), end to end: a Camel route publishing and
 * a route subscribing through {@code cellmqtt:}, jSerialComm, the simulated modem's PTY behaving as
 * that firmware, embedded Moquette, and an independent Paho client ({@link CheckingClient}) that
 * checks the bytes in both directions. Each test uses its own modem, so one firmware per test.
 *
 * <p>Written against the simulator's firmware variants before the component handles all of them:
 * the tests of variants the component does not handle yet fail, on purpose (not disabled).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FirmwareVariantsEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Bytes a quoted AT parameter, a line parser or a prompt detector would choke on; not UTF-8. */
    private static final byte[] NASTY = concat("q\"uote\",comma,,>gt> ,cr\rlf\ncrlf\r\n> \r\nAT+QPOWD\r\n"
            .getBytes(StandardCharsets.ISO_8859_1), new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0x80, 0x00,
                    (byte) 0xFE, '>', '\r', '\n'});

    private TestBroker broker;
    private SimulatedModem modem;
    private String pty;
    private CamelContext camel;
    private ProducerTemplate template;
    private CheckingClient checker;
    private String base;

    @BeforeAll
    void startBroker() throws Exception {
        broker = new MoquetteBroker();
        broker.start();
    }

    @AfterAll
    void stopBroker() {
        if (broker != null) {
            broker.stop();
        }
    }

    @BeforeEach
    void banner(TestInfo test) throws Exception {
        System.out.println("======== " + test.getDisplayName() + " " + test.getTestMethod().map(m -> m.getName()).orElse(""));
        camel = new DefaultCamelContext();
        camel.start();
        template = camel.createProducerTemplate();
        checker = new CheckingClient(broker, "checker-" + UUID.randomUUID());
        base = "fw/" + UUID.randomUUID();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (camel != null) {
            camel.close();
        }
        if (checker != null) {
            checker.close();
        }
        if (modem != null) {
            modem.close();
            modem = null;
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** A payload long enough for the Quectel fixed-length AT+QMTPUB (and its prompt) rather than AT+QMTPUBEX. */
    private static byte[] longNasty() {
        byte[] b = new byte[1200];
        for (int i = 0; i < b.length; i++) {
            b[i] = NASTY[i % NASTY.length];
        }
        return b;
    }

    private void modem(String model, Firmware firmware) {
        modem = SimulatedModem.of(model).firmware(firmware);
        pty = modem.openPty();
    }

    private String uri(String model, String topic, String options) {
        return "cellmqtt:" + topic + "?serialPort=" + pty + "&modem=" + model + "&brokerUrl=" + broker.url() + options;
    }

    /** A consumer route on {@code base/in}, subscribed before this returns. */
    private List<Exchange> consume(String model) throws Exception {
        List<Exchange> got = new CopyOnWriteArrayList<>();
        String routeId = "in-" + base;
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri(model, base + "/in", "&qos=1")).routeId(routeId).process(got::add);
            }
        });
        RouteHealth.awaitSubscribed(camel, routeId, WAIT);
        return got;
    }

    private void publishes(String model, byte[]... payloads) throws Exception {
        checker.subscribe(base + "/out", 1);
        for (int i = 0; i < payloads.length; i++) {
            byte[] p = payloads[i];
            Exchange done = template.request(uri(model, base + "/out", "&qos=1"), e -> e.getMessage().setBody(p));
            assertThat(done.getException()).as("publish %d", i).isNull();
            int n = i + 1;
            await("publish " + i + " at the checker").atMost(WAIT).until(() -> checker.on(base + "/out").size() == n);
            assertThat(checker.on(base + "/out").get(i).payload()).as("publish %d byte-exact", i).isEqualTo(p);
        }
    }

    private void receives(List<Exchange> in, byte[]... payloads) throws Exception {
        for (int i = 0; i < payloads.length; i++) {
            checker.publish(base + "/in", payloads[i], 1, false);
            int n = i + 1;
            await("received " + i + " by the route").atMost(WAIT).until(() -> in.size() >= n);
            assertThat(in.get(i).getMessage().getBody(byte[].class)).as("received %d byte-exact", i).isEqualTo(payloads[i]);
            assertThat(in.get(i).getMessage().getHeader("CamelCellMqttTopic")).isEqualTo(base + "/in");
        }
        // nothing received that was not published, for a while after the last
        await("nothing more received").during(Duration.ofMillis(300)).atMost(WAIT)
                .until(() -> in.size() == payloads.length);
    }

    /** Both directions on {@code model} behaving as {@code firmware}, with bytes every model carries. */
    private void bothDirections(String model, Firmware firmware, byte[] inbound) throws Exception {
        modem(model, firmware);
        List<Exchange> in = consume(model);
        publishes(model, NASTY, longNasty(), "plain".getBytes(StandardCharsets.US_ASCII));
        receives(in, inbound, "second".getBytes(StandardCharsets.US_ASCII));
    }

    // ---------------------------------------------------------------- the bare prompt

    @Test
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void sim7600WithBarePromptPublishesAndReceivesByteExact() throws Exception {
        bothDirections("sim7600", Firmware.DOCUMENTED.withPrompt(Prompt.BARE), NASTY);
    }

    @Test
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void bg95WithBarePromptPublishesAndReceivesByteExact() throws Exception {
        bothDirections("bg95", Firmware.DOCUMENTED.withPrompt(Prompt.BARE), NASTY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void promptFramedAsALine(String model) throws Exception {
        bothDirections(model, Firmware.DOCUMENTED.withPrompt(Prompt.CRLF), NASTY);
    }

    // ---------------------------------------------------------------- the other variants

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void echoLeftOn(String model) throws Exception {
        bothDirections(model, Firmware.DOCUMENTED.withEchoLeftOn(true), NASTY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void numericErrors(String model) throws Exception {
        bothDirections(model, Firmware.DOCUMENTED.withNumericErrors(true), NASTY);
    }

    @Test
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void bg96WithoutRecvModeAndVersionStillReceivesCorrectly() throws Exception {
        // the length-less +QMTRECV line cannot carry CR or LF: quotes, commas, '>' and non-ASCII it can
        byte[] inbound = concat("q\"uote\",comma,,> gt>".getBytes(StandardCharsets.ISO_8859_1),
                new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, 'e', 'n', 'd'});
        bothDirections("bg96", Firmware.DOCUMENTED.withRefusedQmtcfg("recv/mode", "version"), inbound);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void resultUrcBeforeOk(String model) throws Exception {
        bothDirections(model, Firmware.DOCUMENTED.withResultUrcBeforeOk(true), NASTY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void spacesAfterCommas(String model) throws Exception {
        bothDirections(model, Firmware.DOCUMENTED.withSpacesAfterCommas(true), NASTY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "sim7600"})
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void fieldNoise(String model) throws Exception {
        bothDirections(model, Firmware.DOCUMENTED.withFieldNoise(20261201L), NASTY);
    }
}
