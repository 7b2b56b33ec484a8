package io.cellmqtt.modem;

import io.cellmqtt.at.AtChannel;
import io.cellmqtt.at.AtCommand;
import io.cellmqtt.at.AtCommandLine;
import io.cellmqtt.at.AtErrorException;
import io.cellmqtt.at.AtEvent;
import io.cellmqtt.at.AtRequest;
import io.cellmqtt.at.AtTimeoutException;
import io.cellmqtt.loop.ModemLoop;
import io.cellmqtt.at.PayloadFraming;
import io.cellmqtt.at.QuectelRecvFraming;
import io.cellmqtt.at.SwitchableFraming;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The Quectel {@code AT+QMT*} dialect of every Quectel model (BG95/BG77/BG600L, BG96, BC26, M95).
 * What differs between the models comes from the {@link ModemProfile}, never from the model's
 * name: the spelling of each {@code AT+QMTCFG} key and whether the model has it, the publish forms
 * (one-line quoted, fixed-length data mode, Ctrl+Z data mode) and their limits, how received
 * messages are reported, and whether MQTT over TLS exists.
 *
 * <p>Deferred results ({@code OK} now, {@code +QMTOPEN: 0,0} later) are matched to a waiter that
 * is registered before the command is submitted, keyed by client index and message id
 * ({@link ResultWaiters}); the longest wait the reference allows starts when the command was sent.
 * Lives on the modem's event loop, like the channel it speaks over.
 */
final class QuectelDialect implements MqttDialect {
    private static final Logger LOG = LoggerFactory.getLogger(QuectelDialect.class);
    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(75);

    private final AtChannel channel;
    private final ModemProfile profile;
    private final int pdpContextId;
    private final ResultWaiters<int[]> waiters;
    private final Map<Integer, Duration> packetDeadline = new HashMap<>();
    /**
     * What the receive framing claims: the length framing of the profile until the firmware refuses
     * {@code recv/mode}, nothing after (the length-less form then comes, and its quotes can't frame).
     */
    private final SwitchableFraming receiveFraming = new SwitchableFraming();
    private final ModemProfile.Receive receive;
    /** Keys this firmware answered ERROR to, which are not sent again (issue 7: older BG96 firmware). */
    private final Set<String> refusedKeys = new HashSet<>();
    private DialectListener listener;
    /** Puts the certificates the clients give as content onto the modem; null on models without an upload. */
    private final CertificateUploader uploader;

    QuectelDialect(AtChannel channel, ModemLoop loop, ModemProfile profile, int pdpContextId) {
        this.channel = channel;
        this.profile = profile;
        this.pdpContextId = pdpContextId;
        this.waiters = new ResultWaiters<>(loop);
        this.receive = profile.receive();
        receiveFraming.use(receiveFramings(profile));
        CertificateStore store = CertificateStore.of(profile, channel);
        this.uploader = store == null ? null : new CertificateUploader(channel.name(), loop, store);
    }

    /**
     * The length framing is installed only on models that report the length: on the others a
     * payload such as {@code a",5,"} would look like a length of 5 and swallow the next bytes.
     */
    static List<PayloadFraming> receiveFramings(ModemProfile profile) {
        return switch (profile.receive()) {
            case QUECTEL_LENGTH -> List.of(new QuectelRecvFraming(profile.maxPayload()));
            case QUECTEL_LINE -> List.of();
            case SIMCOM_MULTILINE -> throw new IllegalArgumentException(profile.name()
                    + " reports received messages in the SIMCom form, not Quectel's");
        };
    }

    @Override
    public ModemProfile profile() {
        return profile;
    }

    @Override
    public List<PayloadFraming> framings() {
        return List.of(receiveFraming);
    }

    @Override
    public void bind(DialectListener l) {
        this.listener = l;
        for (String kind : List.of("OPEN", "CLOSE", "CONN", "DISC")) {
            channel.onUrc("+QMT" + kind + ":", e -> onIndexResult(kind, (AtEvent.Line) e));
        }
        for (String kind : List.of("SUB", "UNS", "PUB")) {
            channel.onUrc("+QMT" + kind + ":", e -> onPacketResult(kind, (AtEvent.Line) e));
        }
        channel.onUrc("+QMTSTAT:", e -> onStat((AtEvent.Line) e));
        channel.onUrc("+QMTRECV:", this::onReceive);
    }

    // ---------------------------------------------------------------- validation

    @Override
    public void validate(MqttClientSettings s) {
        configCommands(0, s);
        connectCommand(0, s.clientId() == null ? "x" : s.clientId(), s);
        requireHost(s);
    }

    private static void requireHost(MqttClientSettings s) {
        AtStrings.requireQuotable("broker host", s.brokerHost());
        if (AtStrings.utf8Length(s.brokerHost()) > 100) {
            throw new IllegalArgumentException("broker host name exceeds the limit of 100 bytes");
        }
    }

    @Override
    public void validate(OutgoingMessage m) {
        requireTopic(m.topic());
        if (m.qos() < 0 || m.qos() > 2) {
            throw new IllegalArgumentException("qos=" + m.qos() + " is out of range 0-2");
        }
        if (m.size() > profile.maxPayload()) {
            throw new IllegalArgumentException("payload of " + m.size() + " bytes exceeds the " + profile.name()
                    + " limit of " + profile.maxPayload() + " bytes");
        }
        byte[] payload = m.payload();
        if (goesInline(payload)) {
            return;
        }
        switch (profile.dataPublish()) {
            case FIXED_LENGTH -> {
                if (payload.length == 0) {
                    // <msglen> is 1-4096: the fixed-length form has no way to say "nothing".
                    throw new IllegalArgumentException("an empty payload can't be published on " + profile.name()
                            + ": its fixed-length AT+QMTPUB takes 1-" + profile.maxPayload() + " bytes");
                }
            }
            case CTRL_Z -> {
                for (int i = 0; i < payload.length; i++) {
                    if (!profile.canCarry(payload[i])) {
                        // 0x1A would end the data early (the rest sent as commands), 0x1B cancel it.
                        throw new IllegalArgumentException(String.format("payload byte 0x%02X at offset %d can't be "
                                + "carried by the %s Ctrl+Z data mode", payload[i], i, profile.name()));
                    }
                }
            }
        }
    }

    /** True if the payload goes in the model's one-line quoted publish command. */
    private boolean goesInline(byte[] payload) {
        return profile.inlinePublish() != ModemProfile.InlinePublish.NONE
                && payload.length <= profile.maxInlinePayload() && AtStrings.inlineable(payload);
    }

    /** Refuses {@code ssl://} on a model without MQTT over TLS, before a byte is sent. */
    private void requireSslSupported(MqttClientSettings s) {
        profile.requireTransport(s.ssl());
        if (s.ssl() && profile.configKey("ssl").isEmpty()) {
            throw new IllegalArgumentException("ssl:// brokers can't be used with " + profile.name()
                    + ": the model has no AT+QMTCFG \"ssl\" setting");
        }
        if (!s.certificates().isEmpty() && uploader == null) {
            throw new IllegalArgumentException(s.certificates().get(0).role() + " can't be uploaded to " + profile.name()
                    + ": the model has no file upload command; store the file on the modem and give its name");
        }
    }

    private void requireTopic(String topic) {
        TopicFilter.requirePublishTopic("topic", topic);
        AtStrings.requireQuotable("topic", topic);
        int length = AtStrings.utf8Length(topic);
        if (length > profile.maxTopicLength()) {
            throw new IllegalArgumentException("topic of " + length + " bytes exceeds the " + profile.name()
                    + " limit of " + profile.maxTopicLength() + " bytes");
        }
    }

    // ---------------------------------------------------------------- operations

    @Override
    public CompletableFuture<Void> configure(int idx, MqttClientSettings s) {
        List<AtCommand> commands;
        try {
            commands = configCommands(idx, s);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        // QMTSUB/QMTPUB take at most pkt_timeout x retry_times (reference 3.2.6-3.2.8).
        packetDeadline.put(idx, Duration.ofSeconds((long) s.packetTimeout() * (s.retryTimes() + 1) + 10));
        CompletableFuture<Void> chain = s.ssl() && !s.certificates().isEmpty()
                ? uploader.ensure(idx, s.certificates()) : CompletableFuture.completedFuture(null);
        for (AtCommand c : commands) {
            String optional = optionalKey(c);
            if (optional != null && refusedKeys.contains(optional)) {
                continue;
            }
            chain = chain.thenCompose(v -> {
                CompletableFuture<Void> sent = channel.submit(c).result().thenApply(r -> null);
                return optional == null ? sent : sent.exceptionallyCompose(e -> refused(optional, c, s, e));
            });
        }
        return chain.exceptionallyCompose(e -> CompletableFuture.failedFuture(new ModemException(
                "configuring MQTT client " + idx + " failed: " + QuectelResults.describe(Failures.cause(e)), Failures.cause(e))));
    }

    /**
     * {@code "recv/mode"} or {@code "version"} for the command that sets it, else null: keys older
     * firmware answers {@code ERROR} to (a BG96 of 2018 knows neither; its document, reference 000,
     * never sets them), which the client can do without.
     */
    private String optionalKey(AtCommand c) {
        for (String key : List.of("recv/mode", "version")) {
            String spelled = profile.configKey(key).orElse(null);
            if (spelled != null && c.text().startsWith("AT+QMTCFG=\"" + spelled + "\",")) {
                return key;
            }
        }
        return null;
    }

    /**
     * The firmware refused an optional key with {@code ERROR} or {@code +CME ERROR}: do without it,
     * say so once, and don't ask again. Any other failure (a timeout, a lost link) stays a failure.
     */
    private CompletableFuture<Void> refused(String key, AtCommand c, MqttClientSettings s, Throwable e) {
        Throwable cause = Failures.cause(e);
        if (!(cause instanceof AtErrorException)) {
            return CompletableFuture.failedFuture(cause);
        }
        if (!refusedKeys.add(key)) {
            return CompletableFuture.completedFuture(null); // another client's configuration heard it first
        }
        if (key.equals("recv/mode")) {
            // Lines from now on, read in reference 000's quoted form "<topic>","<payload>" (not the
            // BC26's, whose payload may be unquoted and so leaves more readings open).
            receiveFraming.use(List.of());
            LOG.warn("{} -> {}: this firmware does not report a received message's length; messages are read in "
                    + "the length-less form +QMTRECV: <idx>,<msgid>,\"<topic>\",\"<payload>\", where a payload ends "
                    + "at the end of its line (a payload holding CR or LF can't be received whole, and a publisher can make "
                    + "the rest of its payload read as modem output: see the model's page). A firmware update brings "
                    + "the length back", c.logText(), ((AtErrorException) cause).result());
        } else {
            LOG.warn("{} -> {}: this firmware does not let the MQTT version be chosen; the modem's default is used "
                    + "instead of {}", c.logText(), ((AtErrorException) cause).result(),
                    s.protocolVersion() == 4 ? "3.1.1 (4)" : "3.1 (3)");
        }
        return CompletableFuture.completedFuture(null);
    }

    /**
     * The {@code AT+QMTCFG} (and {@code AT+QSSLCFG}) commands for {@code idx}, in the order of the
     * BG95 note's key list; a key the model lacks is left out, so its default applies.
     *
     * @throws IllegalArgumentException for a setting the model can't honour, before anything is sent
     */
    private List<AtCommand> configCommands(int idx, MqttClientSettings s) {
        requireSslSupported(s);
        boolean will = s.willTopic() != null && !s.willTopic().isEmpty();
        if (will && profile.configKey("will").isEmpty()) {
            throw new IllegalArgumentException("willTopic can't be used with " + profile.name()
                    + ": the model has no will setting");
        }
        List<AtCommand> c = new ArrayList<>();
        cfg(c, "version", l -> l.integer(idx).integer(s.protocolVersion()));
        cfg(c, "pdpcid", l -> l.integer(idx).integer(pdpContextId));
        cfg(c, "ssl", l -> {
            if (s.ssl()) {
                l.integer(idx).integer(1).integer(s.sslContextId());
            } else {
                l.integer(idx).integer(0);
            }
        });
        cfg(c, "keepalive", l -> l.integer(idx).integer(s.keepAliveInterval()));
        cfg(c, "session", l -> l.integer(idx).integer(s.cleanSession() ? 1 : 0));
        cfg(c, "timeout", l -> l.integer(idx).integer(s.packetTimeout()).integer(s.retryTimes())
                .integer(s.timeoutNotice() ? 1 : 0));
        if (will) {
            requireWill("willTopic", s.willTopic());
            requireWill("willPayload", s.willPayload() == null ? "" : s.willPayload());
        }
        cfg(c, "will", l -> {
            if (will) {
                l.integer(idx).integer(1).integer(s.willQos()).integer(s.willRetained() ? 1 : 0)
                        .quoted("willTopic", s.willTopic())
                        .quoted("willPayload", s.willPayload() == null ? "" : s.willPayload());
            } else {
                l.integer(idx).integer(0);
            }
        });
        // Message in the URC with its length, so payloads are framed by length, never by quotes.
        cfg(c, "recv/mode", l -> l.integer(idx).integer(0).integer(1));
        if (s.ssl()) {
            c.addAll(sslCommands(s));
        }
        return c;
    }

    private void requireWill(String what, String value) {
        AtStrings.requireQuotable(what, value);
        int length = AtStrings.utf8Length(value);
        if (length > profile.maxWillLength()) {
            throw new IllegalArgumentException(what + " of " + length + " bytes exceeds the " + profile.name()
                    + " limit of " + profile.maxWillLength() + " bytes");
        }
    }

    private List<AtCommand> sslCommands(MqttClientSettings s) {
        int ctx = s.sslContextId();
        List<AtCommand> c = new ArrayList<>();
        int level = s.secLevel() >= 0 ? s.secLevel() : derivedSecLevel(s);
        // In the order of the reference's SSL example (5.2): files first, then the policy.
        file(c, s, "cacert", "caCert", s.caCert());
        file(c, s, "clientcert", "clientCert", s.clientCert());
        file(c, s, "clientkey", "clientKey", s.clientKey());
        c.add(ssl("seclevel").integer(ctx).integer(level).command());
        c.add(ssl("sslversion").integer(ctx).integer(s.sslVersion()).command());
        ModemProfile.SslSpelling spelling = profile.sslSpelling();
        AtCommandLine suite = ssl("ciphersuite").integer(ctx);
        if (spelling.quotedCipherSuite()) {
            suite.quoted("cipherSuite", s.cipherSuite());
        } else {
            // Unquoted in the BG95 and BG96 documents: a token, letters and digits only, never a second command.
            suite.token("cipherSuite", s.cipherSuite());
        }
        c.add(suite.command());
        AtCommandLine ignoreTime = ssl(spelling.ignoreTimeKey());
        if (spelling.ignoreTimeHasContext()) {
            ignoreTime.integer(ctx);
        }
        c.add(ignoreTime.integer(s.ignoreLocalTime() ? 1 : 0).command());
        return c;
    }

    /** {@code AT+QSSLCFG="<key>",<ctx>,"<file>"} if {@code name} is given. */
    private void file(List<AtCommand> into, MqttClientSettings s, String key, String role, String name) {
        if (name != null) {
            into.add(ssl(key).integer(s.sslContextId()).quoted(role, fileReference(s, role, name)).command());
        }
    }

    /** How AT+QSSLCFG names the file: as the user named it, or as this model's store names an uploaded one. */
    private String fileReference(MqttClientSettings s, String role, String name) {
        return s.certificate(role) != null && uploader != null ? uploader.reference(name) : name;
    }

    /** No CA: no verification (0); a CA: verify the server (1); a client pair too: mutual (2). */
    static int derivedSecLevel(MqttClientSettings s) {
        if (s.caCert() == null) {
            return 0;
        }
        return s.clientCert() != null && s.clientKey() != null ? 2 : 1;
    }

    /** Adds {@code AT+QMTCFG="<key as the model spells it>",args} if the model has {@code key}. */
    private void cfg(List<AtCommand> into, String key, Consumer<AtCommandLine> args) {
        profile.configKey(key).ifPresent(k -> {
            AtCommandLine line = AtCommandLine.write("+QMTCFG").quoted("AT+QMTCFG key", k);
            args.accept(line);
            into.add(line.command());
        });
    }

    /** {@code AT+QSSLCFG="<key>"}, its parameters to follow. */
    private static AtCommandLine ssl(String key) {
        return AtCommandLine.write("+QSSLCFG").quoted("AT+QSSLCFG key", key);
    }

    @Override
    public CompletableFuture<Void> open(int idx, MqttClientSettings s) {
        try {
            requireSslSupported(s);
            requireHost(s);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        AtCommand c = AtCommandLine.write("+QMTOPEN").integer(idx).quoted("broker host", s.brokerHost())
                .integer(s.brokerPort()).command();
        return run(c, "OPEN " + idx, idx, OPEN_TIMEOUT).result().thenApply(f -> {
            int result = f[1];
            if (result != 0) {
                // Over TLS a failed handshake shows as -1 too (captures bg95-01, bg96-03): say what to look at.
                String tls = s.ssl() && result == -1 ? " (over TLS also a failed handshake: caCert, clientCert and"
                        + " clientKey, secLevel, sslVersion, and with ignoreLocalTime=false the certificates' dates)" : "";
                throw new CompletionException(new ResultException(c.logText() + " -> +QMTOPEN: " + idx + "," + result
                        + ": " + QuectelResults.open(result) + tls, result, QuectelResults.openRecovery(result)));
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> connect(int idx, String clientId, MqttClientSettings s) {
        AtCommand c;
        try {
            c = connectCommand(idx, clientId, s);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return run(c, "CONN " + idx, idx, packetDeadline(idx)).result().thenApply(f -> {
            int result = f[1];
            if (result != 0) {
                throw new CompletionException(new ResultException(c.logText() + " -> +QMTCONN: " + idx + "," + result
                        + ": " + QuectelResults.packet(result), result));
            }
            if (f.length > 2 && f[2] != 0) {
                throw new CompletionException(new ResultException(c.logText() + " -> +QMTCONN: " + idx + ",0," + f[2]
                        + ": " + QuectelResults.connectReturnCode(f[2]), 100 + f[2],
                        QuectelResults.connectRecovery(f[2])));
            }
            return null;
        });
    }

    /**
     * {@code AT+QMTCONN=idx,"clientId"[,"user"[,"password"]]}; its log text, which is all the
     * channel ever logs or puts in an exception, shows the password as {@code "***"}.
     */
    static AtCommand connectCommand(int idx, String clientId, MqttClientSettings s) {
        return ConnectCommands.withCredentials(AtCommandLine.write("+QMTCONN").integer(idx).quoted("clientId", clientId),
                s);
    }

    @Override
    public CompletableFuture<Void> subscribe(int idx, int messageId, List<TopicQos> topics) {
        AtCommandLine line = AtCommandLine.write("+QMTSUB").integer(idx).integer(messageId);
        for (TopicQos t : topics) {
            line.quoted("topic filter", t.filter()).integer(t.qos());
        }
        AtCommand c = line.command();
        return run(c, "SUB " + idx + " " + messageId, idx, packetDeadline(idx)).result().thenApply(f -> {
            if (f[2] != 0) {
                throw new CompletionException(new ResultException(c.logText() + " -> result " + f[2] + ": "
                        + QuectelResults.packet(f[2]), f[2]));
            }
            for (int i = 3; i < f.length; i++) {
                if (f[i] == 128) {
                    throw new CompletionException(new SubscriptionRefusedException(c.logText()
                            + " -> the broker refused topic '" + topics.get(Math.min(i - 3, topics.size() - 1)).filter()
                            + "' (granted QoS 128)", topics.get(Math.min(i - 3, topics.size() - 1)).filter()));
                }
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> unsubscribe(int idx, int messageId, List<String> filters) {
        AtCommandLine line = AtCommandLine.write("+QMTUNS").integer(idx).integer(messageId);
        for (String filter : filters) {
            line.quoted("topic filter", filter);
        }
        AtCommand c = line.command();
        return run(c, "UNS " + idx + " " + messageId, idx, packetDeadline(idx)).result().thenApply(f -> {
            if (f[2] != 0) {
                throw new CompletionException(new ResultException(c.logText() + " -> result " + f[2] + ": "
                        + QuectelResults.packet(f[2]), f[2]));
            }
            return null;
        });
    }

    @Override
    public Sending publish(int idx, int messageId, OutgoingMessage m) {
        // MqttClient validated m before queueing it; re-sends after a reconnect are the same message.
        AtCommand c = publishCommand(idx, messageId, m);
        Deferred d = run(c, "PUB " + idx + " " + messageId, idx, packetDeadline(idx));
        CompletableFuture<Void> result = d.result().thenApply(f -> {
            if (f[2] != 0) {
                throw new CompletionException(new ResultException(c.logText() + " -> +QMTPUB: " + idx + ","
                        + messageId + "," + f[2] + ": " + QuectelResults.packet(f[2]), f[2]));
            }
            return null;
        });
        return new Sending() {
            @Override
            public CompletableFuture<Void> result() {
                return result;
            }

            @Override
            public boolean sent() {
                return d.request().sent();
            }

            @Override
            public boolean withdraw() {
                return d.request().withdraw();
            }
        };
    }

    /** The publish command of the form the payload and the model call for; its log text never shows the payload. */
    private AtCommand publishCommand(int idx, int messageId, OutgoingMessage m) {
        byte[] payload = m.payload();
        if (goesInline(payload)) {
            // One round trip, no prompt: only for short payloads its quoted form can carry.
            String command = switch (profile.inlinePublish()) {
                case QMTPUBEX -> "+QMTPUBEX";
                case QMTPUB_QUOTED -> "+QMTPUB";
                case NONE -> throw new IllegalStateException("no inline publish on " + profile.name());
            };
            return publishHead(command, idx, messageId, m).quotedPayload("payload", payload).command();
        }
        AtCommandLine line = publishHead("+QMTPUB", idx, messageId, m);
        return switch (profile.dataPublish()) {
            // Fixed length: the modem takes exactly this many bytes, so 0x1A, ESC, quotes, CR and
            // LF in the payload are data, never the end of data mode or a new command.
            case FIXED_LENGTH -> line.dataLength(payload).command();
            // Ctrl+Z ends the data: a payload holding 0x1A or ESC is refused (validate() said so first).
            case CTRL_Z -> line.ctrlZData("payload", payload).command();
        };
    }

    /** {@code AT<command>=<idx>,<msgid>,<qos>,<retain>,"<topic>"}. */
    private static AtCommandLine publishHead(String command, int idx, int messageId, OutgoingMessage m) {
        return AtCommandLine.write(command).integer(idx).integer(messageId).integer(m.qos())
                .integer(m.retained() ? 1 : 0).quoted("topic", m.topic());
    }

    @Override
    public CompletableFuture<Void> disconnect(int idx) {
        AtCommand c = AtCommandLine.write("+QMTDISC").integer(idx).command();
        return run(c, "DISC " + idx, idx, packetDeadline(idx)).result().thenApply(f -> {
            if (f[1] != 0) {
                throw new CompletionException(new ResultException(c.logText() + " -> +QMTDISC: " + idx + "," + f[1]
                        + ": failed to send DISCONNECT", f[1]));
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> close(int idx) {
        AtCommand c = AtCommandLine.write("+QMTCLOSE").integer(idx).command();
        return run(c, "CLOSE " + idx, idx, Duration.ofSeconds(10)).result().thenApply(f -> {
            if (f[1] != 0) {
                throw new CompletionException(new ResultException(c.logText() + " -> +QMTCLOSE: " + idx + "," + f[1]
                        + ": failed to close network", f[1]));
            }
            return null;
        });
    }

    private Duration packetDeadline(int idx) {
        return packetDeadline.getOrDefault(idx, Duration.ofSeconds(30));
    }

    // ---------------------------------------------------------------- deferred results

    /** A command in the channel and the waiter for its result URC, whose fields are the URC's integers. */
    private record Deferred(AtRequest request, CompletableFuture<int[]> result) {
    }

    /**
     * Registers the waiter, then submits: the result URC can never arrive before someone waits
     * for it. The longest wait for the result starts once the command is sent.
     */
    private Deferred run(AtCommand command, String key, int idx, Duration resultTimeout) {
        ResultWaiters.Waiter<int[]> w = waiters.expect(key, idx);
        AtRequest request = channel.submit(command, () -> waiters.startDeadline(w, resultTimeout,
                () -> new NoResultException(command.logText() + ": no result within " + resultTimeout.toSeconds()
                        + " s")));
        w.request = request;
        request.result().whenComplete((response, error) -> {
            if (error == null) {
                return;
            }
            Throwable cause = Failures.cause(error);
            if (!(cause instanceof AtTimeoutException && request.sent())) {
                // ERROR, never written, or the link gone: no result URC will come.
                waiters.remove(w);
            } // else the modem took it and may still report: the waiter stays to take that late result
            w.future.completeExceptionally(new ModemException(QuectelResults.describe(cause), cause));
        });
        return new Deferred(request, w.future);
    }

    /** {@code +QMTOPEN: <idx>,<result>} and friends. */
    private void onIndexResult(String kind, AtEvent.Line line) {
        int[] f = UrcFields.ints(line.text());
        if (f.length < 2) {
            LOG.warn("malformed result URC: {}", line.text());
            return;
        }
        if (kind.equals("CONN") && f[1] == 1) {
            LOG.debug("client {}: CONNECT retransmitted", f[0]);
        } else if (!waiters.complete(kind + " " + f[0], f)) {
            LOG.debug("result nobody waits for: {}", line.text());
        }
    }

    /** {@code +QMTPUB: <idx>,<msgid>,<result>[,<value>]} and SUB/UNS. */
    private void onPacketResult(String kind, AtEvent.Line line) {
        int[] f = UrcFields.ints(line.text());
        if (f.length < 3) {
            LOG.warn("malformed result URC: {}", line.text());
            return;
        }
        if (f[2] == 1) {
            // Retransmission notice, not the result: keep waiting.
            LOG.debug("client {}: packet {} retransmitted ({} times)", f[0], f[1], f.length > 3 ? f[3] : "?");
            return;
        }
        if (!waiters.complete(kind + " " + f[0] + " " + f[1], f)) {
            LOG.debug("result nobody waits for: {}", line.text());
        }
    }

    private void onStat(AtEvent.Line line) {
        int[] f = UrcFields.ints(line.text());
        if (f.length < 2) {
            LOG.warn("malformed +QMTSTAT: {}", line.text());
            return;
        }
        int idx = f[0];
        String meaning = QuectelResults.stat(f[1]);
        ConnectionLostException cause = new ConnectionLostException("MQTT client " + idx + ": " + line.text() + ": "
                + meaning, QuectelResults.statRecovery(f[1]));
        // The client first, then what waited on the connection: a failure must find the client
        // knowing that its connection is gone, or it would send again into the gap.
        if (listener != null) {
            listener.onConnectionLost(idx, f[1], cause);
        }
        // QMTCLOSE is about the network connection, which QMTSTAT does not end.
        waiters.failIndex(idx, kind -> !kind.equals("CLOSE"), cause);
    }

    /**
     * {@code AT+QMTCONN?}: {@code +QMTCONN: <idx>,<state>} per index in use, 3 meaning connected
     * (reference 004, 3.2.4). A connect result ({@code +QMTCONN: <idx>,<result>,<ret_code>}) that
     * arrives meanwhile shares the prefix and is taken into the reply: it goes to its waiter from here.
     */
    @Override
    public CompletableFuture<Set<Integer>> connectionsHeld() {
        AtCommand query = AtCommandLine.read("+QMTCONN").command().withReplyPrefix("+QMTCONN:");
        return channel.submit(query).result().thenApply(r -> {
            Set<Integer> held = new HashSet<>();
            for (String line : r.lines()) {
                int[] f = UrcFields.ints(line);
                if (f.length > 2) {
                    onIndexResult("CONN", new AtEvent.Line(line));
                } else if (f.length == 2 && f[1] == 3) {
                    held.add(f[0]);
                }
            }
            return held;
        });
    }

    @Override
    public void connectionGone(int idx, ConnectionLostException cause) {
        // As +QMTSTAT would have it: the client first, then what waited on the connection.
        if (listener != null) {
            listener.onConnectionLost(idx, -1, cause);
        }
        waiters.failIndex(idx, kind -> !kind.equals("CLOSE"), cause);
    }

    @Override
    public void connectionAbandoned(int idx, ConnectionLostException cause) {
        // The QMTCLOSE the client sends next is about the network connection: it is not abandoned.
        waiters.failIndex(idx, kind -> !kind.equals("CLOSE"), cause);
    }

    @Override
    public void reset(ModemException cause) {
        waiters.failAll(cause);
        if (uploader != null) {
            uploader.forget(); // restarted: M95 RAM files are gone, and what else it holds is looked at again
        }
    }

    @Override
    public void connectionsLost(ModemException cause) {
        waiters.failAll(cause);
    }

    @Override
    public void validateFilter(String filter) {
        TopicFilter.requireValidFilter("topic filter", filter);
        AtStrings.requireQuotable("topic filter", filter);
        int length = AtStrings.utf8Length(filter);
        if (length > profile.maxTopicLength()) {
            throw new IllegalArgumentException("topic filter of " + length + " bytes exceeds the " + profile.name()
                    + " limit of " + profile.maxTopicLength() + " bytes");
        }
    }

    private void onReceive(AtEvent event) {
        ReceivedMessage m;
        if (event instanceof AtEvent.Framed framed) {
            m = ReceiveUrc.parseFramed(framed.header(), framed.payload());
        } else {
            byte[] raw = ((AtEvent.Line) event).raw();
            m = oneReading(receive == ModemProfile.Receive.QUECTEL_LINE ? ReceiveUrc.unframedReadings(raw)
                    : ReceiveUrc.lineReadings(raw));
        }
        if (m == null) {
            LOG.debug("+QMTRECV not understood (buffered-mode notice?): {}", event);
            return;
        }
        if (listener != null) {
            listener.onMessage(m);
        }
    }

    /**
     * The message of a received line: its only reading, or the only one a client subscribed to. None
     * wanted: the first, which the client drops as unmatched. Several wanted: the topic and payload
     * cannot be told, so nothing is delivered, and it is counted.
     */
    private ReceivedMessage oneReading(List<ReceivedMessage> readings) {
        if (readings.size() <= 1) {
            return readings.isEmpty() ? null : readings.get(0);
        }
        List<ReceivedMessage> wanted = listener == null ? readings
                : readings.stream().filter(r -> listener.wants(r.clientIndex(), r.topic())).toList();
        if (wanted.size() == 1) {
            return wanted.get(0);
        }
        if (wanted.isEmpty()) {
            return readings.get(0);
        }
        channel.countAmbiguous();
        LOG.warn("{}: a received message for client {} has {} readings its subscriptions match (its topic or payload"
                + " holds \",): dropped", channel.name(), readings.get(0).clientIndex(), wanted.size());
        return null;
    }
}
