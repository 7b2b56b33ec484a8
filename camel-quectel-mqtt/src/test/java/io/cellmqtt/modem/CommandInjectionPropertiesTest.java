package io.cellmqtt.modem;

import io.cellmqtt.at.AtCommand;
import io.cellmqtt.modem.CommandCapture.Outcome;
import io.cellmqtt.modem.StrictAtStream.Bare;
import io.cellmqtt.modem.StrictAtStream.Field;
import io.cellmqtt.modem.StrictAtStream.Len;
import io.cellmqtt.modem.StrictAtStream.Num;
import io.cellmqtt.modem.StrictAtStream.Quoted;
import io.cellmqtt.modem.StrictAtStream.Unit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No value given to the modem layer, whatever its characters or bytes, changes the command stream
 * outside its own field or its length-framed data: for every model and every publish form, and for
 * the client settings, the APN settings and the certificate files. Each operation runs on a real
 * channel whose written bytes {@link StrictAtStream} reads back as a strict modem would; it is
 * either refused with an {@link IllegalArgumentException} before a byte is written, or every line
 * it wrote is one command whose fields are exactly the values given.
 *
 * <p>For the publish, the expected commands are written out per form. For the other operations,
 * the operation is run a second time with each value replaced by a plain placeholder; the commands
 * written with the real values must be those of that run with each placeholder replaced by its
 * value, field for field: a value can only ever be where its placeholder was.
 */
class CommandInjectionPropertiesTest {

    /** What a hostile or careless caller could pass: line ends, ESC, Ctrl+Z, NUL, quotes, separators, non-ASCII, halves of surrogate pairs. */
    private static final String NASTY = "aZ09/#+ ,;:=?>\"\\\r\n\u001a\u001b\u0000\t\u007f\u0085\u2028é日\ud83d\ude00\ud800\udc00";
    private static final List<String> INJECTIONS = List.of("x\"\r\nAT+QPOWD=1\r\n", "0xFFFF\rAT+QPOWD=1", "a\",1,\"b",
            "\u001a", "\u001bAT+QPOWD=1\r", "x\"", "\r", "\n", "AT+QPOWD=1;", "a,b;c", "\"\"", "😀é日", "\ud800", "x\udc00y",
            "0xFFFF,AT", "x\u0000y", "\u2028", "t/\u0085");

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<ModemProfile> models() {
        return Arbitraries.of(ModemProfile.ALL);
    }

    /** The models that store certificate files themselves. */
    @Provide
    Arbitrary<ModemProfile> fileStores() {
        return Arbitraries.of(ModemProfile.ALL.stream().filter(p -> p.certUpload() != null).toList());
    }

    @Provide
    Arbitrary<ModemProfile> qmtpubexModels() {
        return Arbitraries.of(ModemProfile.ALL.stream()
                .filter(p -> p.inlinePublish() == ModemProfile.InlinePublish.QMTPUBEX).toList());
    }

    @Provide
    Arbitrary<ModemProfile> fixedLengthModels() {
        return Arbitraries.of(ModemProfile.ALL.stream().filter(p -> p.family() == ModemProfile.Family.QUECTEL
                && p.dataPublish() == ModemProfile.DataPublish.FIXED_LENGTH).toList());
    }

    @Provide
    Arbitrary<ModemProfile> ctrlZModels() {
        return Arbitraries.of(ModemProfile.ALL.stream()
                .filter(p -> p.dataPublish() == ModemProfile.DataPublish.CTRL_Z).toList());
    }

    @Provide
    Arbitrary<String> values() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.strings().withChars("abcXYZ0129/-_.:").ofMinLength(1).ofMaxLength(12)),
                Tuple.of(5, Arbitraries.strings().withChars(NASTY).ofMaxLength(16)),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(6)),
                Tuple.of(2, Arbitraries.of(INJECTIONS)));
    }

    @Provide
    Arbitrary<String> nullableValues() {
        return values().injectNull(0.25);
    }

    @Provide
    Arbitrary<String> cipherSuites() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of("0xFFFF", "0XFFFF", "0x0035", "0X0035;0X002F", "0xC02F")),
                Tuple.of(4, values()));
    }

    /** Mostly payloads a one-line publish carries; the rest go to the model's data form or are refused. */
    @Provide
    Arbitrary<byte[]> inlinePayloads() {
        Arbitrary<byte[]> printable = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(60)
                .map(str -> str.getBytes(StandardCharsets.US_ASCII));
        return Arbitraries.frequencyOf(Tuple.of(4, printable), Tuple.of(1, payloads()));
    }

    @Provide
    Arbitrary<byte[]> payloads() {
        Arbitrary<byte[]> printable = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40)
                .map(s -> s.getBytes(StandardCharsets.US_ASCII));
        Arbitrary<byte[]> longPrintable = Arbitraries.strings().withCharRange(' ', '~').ofMinLength(555).ofMaxLength(600)
                .map(s -> s.getBytes(StandardCharsets.US_ASCII));
        Arbitrary<byte[]> any = Arbitraries.bytes().array(byte[].class).ofMaxSize(48);
        Arbitrary<byte[]> protocol = Arbitraries.strings().withChars("\r\n\u001a\u001b\">+OK,AT").ofMaxLength(24)
                .map(s -> s.getBytes(StandardCharsets.ISO_8859_1));
        return Arbitraries.frequencyOf(Tuple.of(3, printable), Tuple.of(1, longPrintable), Tuple.of(3, any),
                Tuple.of(3, protocol));
    }

    // ------------------------------------------------------------------ publish: a property per form

    /** Quectel's one-line {@code AT+QMTPUBEX=idx,id,qos,retain,"topic","payload"} of the BG95, BG77 and BG600L. */
    @Property(tries = 300)
    void qmtpubexCarriesTopicAndPayloadOnlyInTheirFields(@ForAll("qmtpubexModels") ModemProfile model,
            @ForAll("values") String topic, @ForAll("inlinePayloads") byte[] payload, @ForAll @IntRange(max = 2) int qos,
            @ForAll boolean retained, @ForAll @IntRange(min = 1, max = 65535) int messageId) {
        checkPublish(model, new OutgoingMessage(topic, payload, qos, retained), messageId);
    }

    /** The BC26's one-line {@code AT+QMTPUB=idx,id,qos,retain,"topic","payload"}. */
    @Property(tries = 200)
    void quotedQmtpubCarriesTopicAndPayloadOnlyInTheirFields(@ForAll("values") String topic,
            @ForAll("inlinePayloads") byte[] payload, @ForAll @IntRange(max = 2) int qos, @ForAll boolean retained,
            @ForAll @IntRange(min = 1, max = 65535) int messageId) {
        checkPublish(ModemProfile.BC26, new OutgoingMessage(topic, payload, qos, retained), messageId);
    }

    /** The fixed-length {@code AT+QMTPUB=idx,id,qos,retain,"topic",len} and its data, of the BG95 family and the BG96. */
    @Property(tries = 300)
    void fixedLengthQmtpubCarriesTopicAndPayloadOnlyInTheirFields(@ForAll("fixedLengthModels") ModemProfile model,
            @ForAll("values") String topic, @ForAll("payloads") byte[] payload, @ForAll @IntRange(max = 2) int qos,
            @ForAll boolean retained, @ForAll @IntRange(min = 1, max = 65535) int messageId) {
        checkPublish(model, new OutgoingMessage(topic, payload, qos, retained), messageId);
    }

    /** {@code AT+QMTPUB=idx,id,qos,retain,"topic"} and its data ended by Ctrl+Z, of the BC26 and the M95. */
    @Property(tries = 300)
    void ctrlZQmtpubCarriesTopicAndPayloadOnlyInTheirFields(@ForAll("ctrlZModels") ModemProfile model,
            @ForAll("values") String topic, @ForAll("payloads") byte[] payload, @ForAll @IntRange(max = 2) int qos,
            @ForAll boolean retained, @ForAll @IntRange(min = 1, max = 65535) int messageId) {
        checkPublish(model, new OutgoingMessage(topic, payload, qos, retained), messageId);
    }

    /** SIMCom's {@code AT+CMQTTTOPIC} and {@code AT+CMQTTPAYLOAD} with their data, then {@code AT+CMQTTPUB}. */
    @Property(tries = 300)
    void cmqttPublishCarriesTopicAndPayloadOnlyInTheirData(@ForAll("values") String topic,
            @ForAll("payloads") byte[] payload, @ForAll @IntRange(max = 2) int qos, @ForAll boolean retained) {
        checkPublish(ModemProfile.SIM7600, new OutgoingMessage(topic, payload, qos, retained), 1);
    }

    /**
     * Publishes {@code m} on {@code model} (SIMCom: on a client connected first) and checks what was
     * written against {@link #expectedPublish}: the form the payload calls for on that model, with
     * exactly the topic and payload given, or a refusal before any byte.
     */
    private static void checkPublish(ModemProfile model, OutgoingMessage m, int messageId) {
        try (CommandCapture c = new CommandCapture()) {
            MqttDialect d = dialect(c, model);
            if (model.family() == ModemProfile.Family.SIMCOM) {
                connectPlainly(c, d);
            }
            Outcome o = c.run(() -> d.publish(0, messageId, m).result());
            List<Unit> expected = expectedPublish(model, messageId, m);
            if (expected == null) {
                assertThat(o.refused()).as("refused: %s", o).isTrue();
                assertThat(o.written()).as("written before the refusal").isEmpty();
            } else {
                List<Unit> written = o.units(); // every line read strictly first: an AssertionError says what is wrong
                assertThat(o.failure()).as("%s", o).isNull();
                assertThat(written).as("%s", o).isEqualTo(expected);
            }
            Statistics.label("model, form").collect(model.name(), expected == null ? "refused"
                    : expected.stream().map(u -> u.name() + (u.data() == null ? "" : "+data")).toList().toString());
        }
    }

    /** The commands a publish must write, read independently of the component; null if it must be refused. */
    private static List<Unit> expectedPublish(ModemProfile model, int messageId, OutgoingMessage m) {
        byte[] p = m.payload();
        Num idx = new Num(0);
        Num qos = new Num(m.qos());
        Num retain = new Num(m.retained() ? 1 : 0);
        if (model.family() == ModemProfile.Family.SIMCOM) {
            byte[] t = m.topic().getBytes(StandardCharsets.UTF_8);
            // pub_timeout: the default packet timeout of 5 s times 3 retries + 1
            return List.of(new Unit("+CMQTTTOPIC", "=", List.of(idx, new Len(t.length)), t),
                    new Unit("+CMQTTPAYLOAD", "=", List.of(idx, new Len(p.length)), p),
                    new Unit("+CMQTTPUB", "=", List.of(idx, qos, new Num(20), retain), null));
        }
        if (!quotable(m.topic())) {
            return null;
        }
        List<Field> head = List.of(idx, new Num(messageId), qos, retain, new Quoted(m.topic()));
        if (model.inlinePublish() != ModemProfile.InlinePublish.NONE && p.length <= model.maxInlinePayload()
                && printableAsciiWithoutQuoteAndBackslash(p)) {
            String name = model.inlinePublish() == ModemProfile.InlinePublish.QMTPUBEX ? "+QMTPUBEX" : "+QMTPUB";
            return List.of(new Unit(name, "=", plus(head, new Quoted(new String(p, StandardCharsets.US_ASCII))), null));
        }
        if (model.dataPublish() == ModemProfile.DataPublish.FIXED_LENGTH) {
            return List.of(new Unit("+QMTPUB", "=", plus(head, new Len(p.length)), p));
        }
        for (byte b : p) {
            if (b == 0x1A || b == 0x1B) {
                return null; // would end or cancel the data early
            }
        }
        return List.of(new Unit("+QMTPUB", "=", head, p));
    }

    // ------------------------------------------------------------------ the client's settings

    /**
     * Client id, user name, password, will topic and message, broker host, certificate file names,
     * cipher suite and a topic filter, through every operation of the model's dialect that writes
     * them: configure ({@code AT+QMTCFG}, {@code AT+QSSLCFG}, {@code AT+CSSLCFG}), open, connect
     * (with SIMCom's acquire, SSL context and will inputs), subscribe and unsubscribe.
     */
    @Property(tries = 400)
    void clientSettingsReachTheModemOnlyInTheirFields(@ForAll("models") ModemProfile model,
            @ForAll("values") String clientId, @ForAll("nullableValues") String userName,
            @ForAll("nullableValues") String password, @ForAll("nullableValues") String willTopic,
            @ForAll("nullableValues") String willPayload, @ForAll("values") String brokerHost, @ForAll boolean ssl,
            @ForAll("nullableValues") String caCert, @ForAll("nullableValues") String clientCert,
            @ForAll("nullableValues") String clientKey, @ForAll("cipherSuites") String cipherSuite,
            @ForAll("values") String filter) {
        Function<Placeholders, MqttClientSettings> settings = v -> new MqttClientSettings(v.of(brokerHost),
                ssl ? 8883 : 1883, ssl, v.of(clientId), v.of(userName), v.of(password), 0, 4, 120, true, 5, 3, false,
                v.of(willTopic), v.of(willPayload), 1, false, 2, v.of(caCert), v.of(clientCert), v.of(clientKey), -1, 4,
                v.of(cipherSuite), true, 5, Duration.ofSeconds(1), Duration.ofSeconds(60), null, List.of());
        Function<Placeholders, String> topicFilter = v -> v.of(filter);
        boolean simcom = model.family() == ModemProfile.Family.SIMCOM;
        Map<String, Operation> operations = new LinkedHashMap<>();
        operations.put("configure", (c, d, v) -> c.run(() -> d.configure(0, settings.apply(v))));
        operations.put("open", (c, d, v) -> c.run(() -> d.open(0, settings.apply(v))));
        operations.put("connect", (c, d, v) -> {
            MqttClientSettings s = settings.apply(v);
            return c.run(() -> d.connect(0, s.clientId(), s));
        });
        operations.put("subscribe", (c, d, v) -> {
            if (simcom) {
                connectPlainly(c, d);
            }
            String f = topicFilter.apply(v);
            return c.run(() -> d.subscribe(0, 1, List.of(new MqttDialect.TopicQos(f, 1))));
        });
        operations.put("unsubscribe", (c, d, v) -> {
            if (simcom) {
                connectPlainly(c, d);
            }
            String f = topicFilter.apply(v);
            return c.run(() -> d.unsubscribe(0, 2, List.of(f)));
        });
        boolean carryable = allQuotable(clientId, userName, password, willTopic, willPayload, brokerHost, caCert,
                clientCert, clientKey, filter)
                && (model.sslSpelling().quotedCipherSuite() ? quotable(cipherSuite) : token(cipherSuite));
        operations.forEach((name, op) -> checkAgainstPlaceholders(name, carryable,
                v -> {
                    try (CommandCapture c = new CommandCapture()) {
                        return op.run(c, dialect(c, model), v);
                    }
                }));
    }

    @FunctionalInterface
    private interface Operation {
        Outcome run(CommandCapture capture, MqttDialect dialect, Placeholders values);
    }

    // ------------------------------------------------------------------ the APN

    /** APN, APN user name and password through the PDP definition of every model. */
    @Property(tries = 400)
    void apnSettingsReachTheModemOnlyInTheirFields(@ForAll("models") ModemProfile model, @ForAll("values") String apn,
            @ForAll("nullableValues") String apnUserName, @ForAll("nullableValues") String apnPassword,
            @ForAll @IntRange(min = 1, max = 16) int pdpContextId) {
        if (apn.isEmpty()) {
            return; // no APN: the modem's context is left as it is, nothing is written
        }
        checkAgainstPlaceholders("the PDP definition", allQuotable(apn, apnUserName, apnPassword), v -> {
            ModemSettings s = new ModemSettings("capture", 115200, model.name(), v.of(apn), v.of(apnUserName),
                    v.of(apnPassword), pdpContextId, false, Duration.ofSeconds(5));
            try (CommandCapture c = new CommandCapture()) {
                return c.run(() -> {
                    CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
                    for (AtCommand command : PdpCommands.define(model, s)) {
                        chain = chain.thenCompose(x -> c.channel.submit(command).result());
                    }
                    return chain;
                });
            }
        });
    }

    // ------------------------------------------------------------------ certificate files

    /** A certificate file's name and content through the model's store: listing, upload, delete. */
    @Property(tries = 400)
    void certificateFilesReachTheModemOnlyInTheirFields(@ForAll("fileStores") ModemProfile model,
            @ForAll("values") String name, @ForAll("payloads") byte[] content) {
        Map<String, Function<Placeholders, Outcome>> operations = new LinkedHashMap<>();
        operations.put("inventory", v -> withStore(model, (c, store) ->
                c.run(() -> store.inventory(List.of(file(v, name, content))))));
        operations.put("upload", v -> withStore(model, (c, store) -> c.run(() -> store.upload(file(v, name, content)))));
        operations.put("delete", v -> withStore(model, (c, store) -> c.run(() -> store.delete(v.of(name)))));
        operations.forEach((op, run) -> checkAgainstPlaceholders(op, quotable(name), run));
    }

    private static CertificateFile file(Placeholders v, String name, byte[] content) {
        return new CertificateFile("caCert", v.of(name), "test", v.of(content));
    }

    private static Outcome withStore(ModemProfile model,
            java.util.function.BiFunction<CommandCapture, CertificateStore, Outcome> op) {
        try (CommandCapture c = new CommandCapture()) {
            return op.apply(c, CertificateStore.of(model, c.channel));
        }
    }

    // ------------------------------------------------------------------ the comparison

    /**
     * Runs {@code operation} with the real values and with placeholders. Refused: nothing written,
     * and, if every value can be carried ({@code carryable}), for a rule that is not about carrying. Not refused:
     * the run with placeholders wasn't either, and what was written reads back as its commands with
     * each placeholder replaced by its value.
     */
    private static void checkAgainstPlaceholders(String what, boolean carryable,
            Function<Placeholders, Outcome> operation) {
        Outcome real = operation.apply(Placeholders.NONE);
        Placeholders placeholders = new Placeholders();
        Outcome plain = operation.apply(placeholders);
        Statistics.label(what).collect(real.refused() ? "refused" : "written");
        if (real.refused()) {
            assertThat(real.written()).as("%s: written before the refusal %s", what, real.failure()).isEmpty();
            if (carryable) {
                assertThat(real.failure().getMessage()).as("%s: values that can be carried were refused", what)
                        .doesNotContain("AT command's quoted string").doesNotContain("unquoted AT parameter");
            }
            return;
        }
        List<Unit> written = real.units(); // every line read strictly first: an AssertionError says what is wrong
        assertThat(real.failure()).as("%s: %s", what, real).isNull();
        assertThat(plain.failure()).as("%s with placeholders: %s", what, plain).isNull();
        List<Unit> expected = plain.units().stream().map(placeholders::replace).toList();
        assertThat(written).as("%s: %s", what, real).isEqualTo(expected);
    }

    /**
     * Placeholders for values: a plain {@code phNph} for each string or bytes given (null and empty
     * stay as they are: they choose the command's shape), and the replacing of them in what a run
     * with placeholders wrote.
     */
    private static final class Placeholders {
        /** No placeholders: the values themselves. */
        static final Placeholders NONE = new Placeholders();

        private final Map<String, String> strings = new HashMap<>();
        private final Map<String, byte[]> bytes = new HashMap<>();

        String of(String value) {
            if (this == NONE || value == null || value.isEmpty()) {
                return value;
            }
            String p = next();
            strings.put(p, value);
            return p;
        }

        byte[] of(byte[] value) {
            if (this == NONE || value.length == 0) {
                return value;
            }
            String p = next();
            bytes.put(p, value);
            return p.getBytes(StandardCharsets.US_ASCII);
        }

        private String next() {
            return "ph" + (strings.size() + bytes.size()) + "ph";
        }

        Unit replace(Unit u) {
            byte[] data = u.data() == null ? null : replace(u.data());
            List<Field> fields = new ArrayList<>();
            for (Field f : u.fields()) {
                if (f instanceof Quoted q) {
                    fields.add(new Quoted(replace(q.value())));
                } else if (f instanceof Bare b) {
                    fields.add(StrictAtStream.unquoted(replace(b.value())));
                } else if (f instanceof Len) {
                    fields.add(new Len(data.length));
                } else {
                    fields.add(f);
                }
            }
            return new Unit(u.name(), u.form(), List.copyOf(fields), data);
        }

        private String replace(String s) {
            for (Map.Entry<String, String> e : strings.entrySet()) {
                s = s.replace(e.getKey(), e.getValue());
            }
            return s;
        }

        private byte[] replace(byte[] data) {
            String text = new String(data, StandardCharsets.US_ASCII);
            if (bytes.containsKey(text)) {
                return bytes.get(text);
            }
            return replace(new String(data, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static MqttDialect dialect(CommandCapture c, ModemProfile model) {
        MqttDialect d = MqttDialect.create(c.channel, c.loop, model, ModemSettings.of("capture"));
        d.bind(new MqttDialect.DialectListener() {
            @Override
            public void onMessage(ReceivedMessage message) {
            }

            @Override
            public void onConnectionLost(int index, int code, ConnectionLostException cause) {
            }
        });
        return d;
    }

    /** Client 0 configured, open and connected with plain settings, for what needs a connection. */
    private static void connectPlainly(CommandCapture c, MqttDialect d) {
        MqttClientSettings s = MqttClientSettings.of("broker", 1883).withClientIndex(0).withClientId("c");
        for (Supplier<CompletableFuture<?>> step : List.<Supplier<CompletableFuture<?>>>of(() -> d.configure(0, s),
                () -> d.open(0, s), () -> d.connect(0, "c", s))) {
            Outcome o = c.run(step);
            assertThat(o.failure()).as("connecting plainly: %s", o).isNull();
        }
    }

    private static List<Field> plus(List<Field> head, Field last) {
        List<Field> f = new ArrayList<>(head);
        f.add(last);
        return List.copyOf(f);
    }

    /** What a quoted AT string carries: no double quote, no control character, no half of a surrogate pair. */
    private static boolean quotable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"' || Character.isISOControl(ch)) {
                return false;
            }
            if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(ch)) {
                return false;
            }
        }
        return true;
    }

    private static boolean allQuotable(String... values) {
        return Arrays.stream(values).allMatch(v -> v == null || quotable(v));
    }

    /** What an unquoted parameter carries. */
    private static boolean token(String s) {
        return s.matches("[0-9A-Za-z;:_.-]+");
    }

    private static boolean printableAsciiWithoutQuoteAndBackslash(byte[] p) {
        for (byte b : p) {
            if (b < 0x20 || b > 0x7E || b == '"' || b == '\\') {
                return false;
            }
        }
        return true;
    }
}
