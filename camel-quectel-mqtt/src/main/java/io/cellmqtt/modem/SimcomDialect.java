package io.cellmqtt.modem;

import io.cellmqtt.at.AtChannel;
import io.cellmqtt.at.AtCommand;
import io.cellmqtt.at.AtCommandLine;
import io.cellmqtt.at.AtEvent;
import io.cellmqtt.at.AtRequest;
import io.cellmqtt.at.AtTimeoutException;
import io.cellmqtt.at.AtWithdrawnException;
import io.cellmqtt.loop.ModemLoop;
import io.cellmqtt.at.PayloadFraming;
import io.cellmqtt.at.SimcomRecvFraming;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The SIMCom {@code AT+CMQTT*} dialect (SIM7600), as the SIM7600 + AWS IoT guide (reference 001)
 * uses it, completed from the SIM7500/SIM7600 AT manual where the guide is silent.
 *
 * <p>How the MQTT operations map onto the modem:
 * <ul>
 * <li>{@link #configure}: the SSL context ({@code AT+CSSLCFG}), only while the index is not
 * acquired. {@link #open}: {@code AT+CMQTTSTART}, once per modem ({@code 23}, already started, is
 * fine). {@link #connect}: {@code AT+CMQTTACCQ} (client id, TCP or SSL), {@code AT+CMQTTSSLCFG},
 * the will, then {@code AT+CMQTTCONNECT}. The acquire is in connect because only connect knows the
 * client id. A lost connection keeps the acquired index, so connecting again after
 * {@code +CMQTTCONNLOST} sends only {@code AT+CMQTTCONNECT}; an index acquired by someone else
 * (result 19, e.g. left over from an earlier run) is released and acquired once more.
 * {@link #close}: {@code AT+CMQTTREL}, and {@code AT+CMQTTSTOP} when no client of this modem is
 * open any more.</li>
 * <li>Topic, payload, filters and the will go after a {@code >} prompt by exact length, so any
 * byte is data and none can end the command or start another.</li>
 * <li>A client index has one topic/payload buffer and one subscribe-topic list: its publishes
 * (and its disconnect) run strictly one after another, as do its subscribes and unsubscribes
 * ({@link OperationLane}). The modem's publish result names no packet, so this is also what
 * tells the results apart.</li>
 * <li>Results: {@code OK} then {@code +CMQTTxxx: idx,0}, or {@code +CMQTTxxx: idx,err} then
 * {@code ERROR}; either order is accepted because the waiter is registered before the command
 * is written. Codes carry their meaning from {@link SimcomResults}.</li>
 * <li>{@code +CMQTTCONNLOST}: the listener hears of the loss first, then everything waiting on that
 * index fails with {@link ConnectionLostException}. Both happen in the event-loop task that read the
 * URC, after every result the modem reported before it, so a result reported before the loss is
 * delivered as that result, and nothing can be sent between the loss and the client knowing it.</li>
 * <li>A publish can be {@linkplain Sending#withdraw() withdrawn} until its {@code AT+CMQTTPUB}
 * is written: a topic or payload already in the modem's buffer is simply never published.</li>
 * </ul>
 * Lives on the modem's event loop.
 */
final class SimcomDialect implements MqttDialect {
    private static final Logger LOG = LoggerFactory.getLogger(SimcomDialect.class);
    private static final Duration SERVICE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(75);
    private static final int DISCONNECT_TIMEOUT_S = 60;
    private static final int MAX_KEEPALIVE = 64800;
    private static final int MAX_SSL_CONTEXT = 9;
    /** Results about the acquired client, not its connection: a lost connection does not fail them. */
    private static final Set<String> CLIENT_KINDS = Set.of("ACCQ", "REL", "SSLCFG", "WILLTOPIC", "WILLMSG");

    private final AtChannel channel;
    private final ModemProfile profile;
    private final SimcomReceiver receiver;
    /** START, STOP, ACCQ and REL: one at a time for the whole modem, so a STOP never overtakes an ACCQ. */
    private final OperationLane service = new OperationLane();
    private final Slot[] slots;
    private final ResultWaiters<Integer> waiters;
    /** Client indexes between open and close: the service stops when the last one closes. */
    private final Set<Integer> users = new HashSet<>();
    private boolean started;
    /** Puts the certificates the clients give as content into the modem's certificate store. */
    private final CertificateUploader uploader;
    private DialectListener listener;

    /** One client index's state. */
    private static final class Slot {
        final OperationLane publishing = new OperationLane();
        final OperationLane subscribing = new OperationLane();
        MqttClientSettings settings;
        boolean acquired;
        boolean connected;
        /** Bumped whenever the connection ends: a step of an older connection must not go on. */
        long connection;
    }

    SimcomDialect(AtChannel channel, ModemLoop loop, ModemProfile profile) {
        this.channel = channel;
        this.profile = profile;
        this.receiver = new SimcomReceiver(profile.maxTopicLength(), profile.maxPayload());
        this.waiters = new ResultWaiters<>(loop);
        this.slots = new Slot[profile.clientIndexes()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot();
        }
        this.uploader = new CertificateUploader(channel.name(), loop, new SimcomCertStore(channel));
    }

    @Override
    public ModemProfile profile() {
        return profile;
    }

    @Override
    public List<PayloadFraming> framings() {
        return List.of(new SimcomRecvFraming(profile.maxTopicLength(), profile.maxPayload()));
    }

    @Override
    public void bind(DialectListener l) {
        this.listener = l;
        for (String kind : List.of("START", "STOP", "ACCQ", "REL", "SSLCFG", "WILLTOPIC", "WILLMSG", "CONNECT",
                "DISC", "TOPIC", "PAYLOAD", "PUB", "SUBTOPIC", "SUB", "UNSUBTOPIC", "UNSUB")) {
            channel.onUrc("+CMQTT" + kind + ":", e -> onResult(kind, e));
        }
        channel.onUrc("+CMQTTCONNLOST:", this::onConnectionLost);
        channel.onUrc("+CMQTTNONET", e -> onNoNetwork());
        for (String prefix : List.of(SimcomReceiver.START, SimcomReceiver.TOPIC, SimcomReceiver.PAYLOAD,
                SimcomReceiver.PAYLOAD_AS_IN_GUIDE, SimcomReceiver.END)) {
            channel.onUrc(prefix, this::onReceive);
        }
    }

    // ---------------------------------------------------------------- validation

    @Override
    public void validate(OutgoingMessage m) {
        TopicFilter.requirePublishTopic("topic", m.topic());
        requireLength("topic", AtStrings.utf8Length(m.topic()), profile.maxTopicLength());
        if (m.qos() < 0 || m.qos() > 2) {
            throw new IllegalArgumentException("qos=" + m.qos() + " is out of range 0-2");
        }
        if (m.size() == 0) {
            throw new IllegalArgumentException("an empty payload cannot be published on " + profile.name()
                    + ": AT+CMQTTPAYLOAD takes 1-" + profile.maxPayload() + " bytes");
        }
        if (m.size() > profile.maxPayload()) {
            throw new IllegalArgumentException("payload of " + m.size() + " bytes exceeds the " + profile.name()
                    + " limit of " + profile.maxPayload() + " bytes");
        }
    }

    private void requireLength(String what, int length, int limit) {
        if (length > limit) {
            throw new IllegalArgumentException(what + " of " + length + " bytes exceeds the " + profile.name()
                    + " limit of " + limit + " bytes");
        }
    }

    /** What the CMQTT commands cannot express, refused before anything is sent. */
    @Override
    public void validate(MqttClientSettings s) {
        if (s.keepAliveInterval() < 1 || s.keepAliveInterval() > MAX_KEEPALIVE) {
            throw new IllegalArgumentException("keepAliveInterval=" + s.keepAliveInterval() + " is not available on "
                    + profile.name() + ": AT+CMQTTCONNECT takes 1-" + MAX_KEEPALIVE + " s");
        }
        if (s.protocolVersion() != 4) {
            throw new IllegalArgumentException("protocolVersion=" + s.protocolVersion() + " is not available on "
                    + profile.name() + ": its CMQTT client is driven with MQTT 3.1.1 (protocolVersion=4)");
        }
        if (s.ssl() && (s.sslContextId() < 0 || s.sslContextId() > MAX_SSL_CONTEXT)) {
            throw new IllegalArgumentException("sslContextId=" + s.sslContextId() + " is out of range 0-"
                    + MAX_SSL_CONTEXT);
        }
        AtStrings.requireQuotable("broker host", s.brokerHost());
        if (s.ssl()) {
            for (String[] file : new String[][] {{"caCert", s.caCert()}, {"clientCert", s.clientCert()},
                    {"clientKey", s.clientKey()}}) {
                if (file[1] != null) {
                    AtStrings.requireQuotable(file[0], file[1]);
                }
            }
        }
        if (hasWill(s)) {
            TopicFilter.requirePublishTopic("willTopic", s.willTopic());
            requireLength("willTopic", AtStrings.utf8Length(s.willTopic()), profile.maxWillLength());
            int payload = s.willPayload() == null ? 0 : AtStrings.utf8Length(s.willPayload());
            if (payload == 0) {
                throw new IllegalArgumentException("willPayload must not be empty on " + profile.name()
                        + ": AT+CMQTTWILLMSG takes 1-" + profile.maxWillLength() + " bytes");
            }
            requireLength("willPayload", payload, profile.maxWillLength());
            if (s.willQos() < 0 || s.willQos() > 2) {
                throw new IllegalArgumentException("willQos=" + s.willQos() + " is out of range 0-2");
            }
            if (s.willRetained()) {
                throw new IllegalArgumentException("willRetained=true is not available on " + profile.name()
                        + ": AT+CMQTTWILLMSG has no retain flag");
            }
        }
    }

    private static boolean hasWill(MqttClientSettings s) {
        return s.willTopic() != null && !s.willTopic().isEmpty();
    }

    private Slot slot(int idx) {
        if (idx < 0 || idx >= slots.length) {
            throw new IllegalArgumentException("client index " + idx + " is out of range 0-" + (slots.length - 1)
                    + " for " + profile.name());
        }
        return slots[idx];
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public CompletableFuture<Void> configure(int idx, MqttClientSettings s) {
        Slot slot;
        boolean acquired;
        List<AtCommand> sslContext;
        try {
            slot = slot(idx);
            validate(s);
            sslContext = s.ssl() ? sslContextCommands(s) : List.of(); // built, so refused, before a file goes out
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        slot.settings = s;
        acquired = slot.acquired;
        if (!s.ssl() || acquired) {
            // An acquired index keeps its SSL context (the connection was lost, not the client).
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> files = s.certificates().isEmpty() ? CompletableFuture.completedFuture(null)
                : uploader.ensure(idx, s.certificates());
        return files.thenCompose(v -> sequence(sslContext))
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(Failures.cause(e) instanceof ModemException m
                        && m.getMessage().startsWith("uploading ") ? m
                        : new ModemException("configuring the SSL context of MQTT client " + idx + " failed: "
                                + Failures.rootMessage(e), Failures.cause(e))));
    }

    /** In the order of the guide's section 3: version, authentication mode, then the files. */
    private static List<AtCommand> sslContextCommands(MqttClientSettings s) {
        int ctx = s.sslContextId();
        int authmode = s.secLevel() >= 0 ? s.secLevel() : QuectelDialect.derivedSecLevel(s);
        List<AtCommand> c = new ArrayList<>();
        c.add(csslcfg("sslversion", ctx).integer(s.sslVersion()).command());
        c.add(csslcfg("authmode", ctx).integer(authmode).command());
        if (s.caCert() != null) {
            c.add(csslcfg("cacert", ctx).quoted("caCert", s.caCert()).command());
        }
        if (s.clientCert() != null) {
            c.add(csslcfg("clientcert", ctx).quoted("clientCert", s.clientCert()).command());
        }
        if (s.clientKey() != null) {
            c.add(csslcfg("clientkey", ctx).quoted("clientKey", s.clientKey()).command());
        }
        return c;
    }

    /** {@code AT+CSSLCFG="<key>",<ctx>}, its value to follow. */
    private static AtCommandLine csslcfg(String key, int ctx) {
        return AtCommandLine.write("+CSSLCFG").quoted("AT+CSSLCFG key", key).integer(ctx);
    }

    private CompletableFuture<Void> sequence(List<AtCommand> commands) {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (AtCommand c : commands) {
            chain = chain.thenCompose(v -> channel.submit(c).result()).thenApply(r -> null);
        }
        return chain;
    }

    /** Starts the modem's MQTT service, unless it runs already. */
    @Override
    public CompletableFuture<Void> open(int idx, MqttClientSettings s) {
        try {
            slot(idx);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        users.add(idx);
        return service.submit(this::startService).result();
    }

    private CompletableFuture<Void> startService() {
        if (started) {
            return CompletableFuture.completedFuture(null);
        }
        AtCommand c = AtCommandLine.execute("+CMQTTSTART").command().withTimeout(SERVICE_TIMEOUT);
        return run(c, "START", null, true, SERVICE_TIMEOUT).code().thenApply(code -> {
            if (code != SimcomResults.OK && code != SimcomResults.NETWORK_OPENED) {
                throw failure(c, "START", null, code, SimcomResults::meaning);
            }
            started = true;
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> connect(int idx, String clientId, MqttClientSettings s) {
        Slot slot;
        AtCommand acquire;
        AtCommand connect;
        try {
            slot = slot(idx);
            validate(s);
            acquire = AtCommandLine.write("+CMQTTACCQ").integer(idx).quoted("clientId", clientId)
                    .integer(s.ssl() ? 1 : 0).command();
            connect = connectCommand(idx, s);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        long[] connection = new long[1];
        return service.submit(() -> acquireClient(idx, slot, acquire, s, true)).result()
                .thenCompose(v -> {
                    connection[0] = slot.connection;
                    return run(connect, "CONNECT", idx, true, CONNECT_TIMEOUT).code();
                })
                .thenApply(code -> {
                    if (code == SimcomResults.CLIENT_NOT_ACQUIRED) {
                        // The modem lost the client (restarted?): the next attempt acquires it again.
                        slot.acquired = false;
                    }
                    if (code != SimcomResults.OK) {
                        throw new CompletionException(new ResultException(connect.logText() + " -> +CMQTTCONNECT: "
                                + idx + "," + code + ": " + SimcomResults.connect(code), code,
                                SimcomResults.connectRecovery(code)));
                    }
                    // The connect did succeed; but if +CMQTTCONNLOST came before this result was
                    // handled, the connection is gone already and the loss was reported.
                    if (slot.connection == connection[0]) {
                        slot.connected = true;
                    }
                    return null;
                });
    }

    private static AtCommand connectCommand(int idx, MqttClientSettings s) {
        // tcp:// even for TLS: the server type given to ACCQ chooses TLS, as the guide shows.
        AtCommandLine head = AtCommandLine.write("+CMQTTCONNECT").integer(idx)
                .quoted("broker host", "tcp://" + s.brokerHost() + ":" + s.brokerPort())
                .integer(s.keepAliveInterval()).integer(s.cleanSession() ? 1 : 0);
        return ConnectCommands.withCredentials(head, s).withTimeout(CONNECT_TIMEOUT);
    }

    /** ACCQ, SSL context, will: skipped when the index is still acquired from before a lost connection. */
    private CompletableFuture<Void> acquireClient(int idx, Slot slot, AtCommand acquire, MqttClientSettings s,
            boolean mayRelease) {
        if (slot.acquired) {
            return CompletableFuture.completedFuture(null);
        }
        return run(acquire, "ACCQ", idx, false, null).code().thenCompose(code -> {
            if (code == SimcomResults.CLIENT_USED && mayRelease) {
                LOG.info("client {}: index acquired already (left over?): releasing it and acquiring again", idx);
                return release(idx).thenCompose(v -> acquireClient(idx, slot, acquire, s, false));
            }
            if (code != SimcomResults.OK) {
                return CompletableFuture.failedFuture(failure(acquire, "ACCQ", idx, code, SimcomResults::acquire)
                        .getCause());
            }
            slot.acquired = true;
            return clientSettings(idx, s);
        });
    }

    private CompletableFuture<Void> clientSettings(int idx, MqttClientSettings s) {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        if (s.ssl()) {
            AtCommand c = AtCommandLine.write("+CMQTTSSLCFG").integer(idx).integer(s.sslContextId()).command();
            chain = chain.thenCompose(v -> expectOk(c, "SSLCFG", idx));
        }
        if (hasWill(s)) {
            byte[] topic = s.willTopic().getBytes(StandardCharsets.UTF_8);
            byte[] message = s.willPayload().getBytes(StandardCharsets.UTF_8);
            AtCommand t = data(AtCommandLine.write("+CMQTTWILLTOPIC").integer(idx).dataLength(topic));
            AtCommand m = data(AtCommandLine.write("+CMQTTWILLMSG").integer(idx).dataLength(message)
                    .integer(s.willQos()));
            chain = chain.thenCompose(v -> expectOk(t, "WILLTOPIC", idx)).thenCompose(v -> expectOk(m, "WILLMSG", idx));
        }
        return chain;
    }

    private CompletableFuture<Void> release(int idx) {
        AtCommand c = AtCommandLine.write("+CMQTTREL").integer(idx).command();
        return run(c, "REL", idx, false, null).code().thenApply(code -> {
            // 20: not acquired (any more) is what releasing wants
            if (code != SimcomResults.OK && code != SimcomResults.CLIENT_NOT_ACQUIRED) {
                throw failure(c, "REL", idx, code, SimcomResults::meaning);
            }
            slots[idx].acquired = false;
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> disconnect(int idx) {
        Slot slot;
        try {
            slot = slot(idx);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        // On the publishing lane: the publishes already handed over go out before the DISCONNECT.
        return slot.publishing.submit(() -> {
            endConnection(slot);
            AtCommand c = AtCommandLine.write("+CMQTTDISC").integer(idx).integer(DISCONNECT_TIMEOUT_S).command()
                    .withTimeout(Duration.ofSeconds(DISCONNECT_TIMEOUT_S + 10));
            return run(c, "DISC", idx, true, Duration.ofSeconds(DISCONNECT_TIMEOUT_S + 10)).code()
                    .<Void>thenApply(code -> {
                        if (code != SimcomResults.OK) {
                            throw failure(c, "DISC", idx, code, SimcomResults::meaning);
                        }
                        return null;
                    });
        }).result();
    }

    /** Releases the index; stops the MQTT service when no client of this modem is open any more. */
    @Override
    public CompletableFuture<Void> close(int idx) {
        Slot slot;
        try {
            slot = slot(idx);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return service.submit(() -> {
            users.remove(idx);
            boolean connected = slot.connected;
            boolean acquired = slot.acquired;
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            if (connected) {
                // A connected client cannot be released; nobody disconnected it (a failed start).
                chain = disconnect(idx).exceptionally(e -> null);
            }
            if (acquired) {
                chain = chain.thenCompose(v -> release(idx));
            }
            return chain.thenCompose(v -> stopServiceIfUnused());
        }).result();
    }

    private CompletableFuture<Void> stopServiceIfUnused() {
        if (!started || !users.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        for (Slot s : slots) {
            if (s.acquired) {
                return CompletableFuture.completedFuture(null);
            }
        }
        AtCommand c = AtCommandLine.execute("+CMQTTSTOP").command().withTimeout(SERVICE_TIMEOUT);
        return run(c, "STOP", null, true, SERVICE_TIMEOUT).code().thenApply(code -> {
            started = false;
            if (code != SimcomResults.OK) {
                throw failure(c, "STOP", null, code, SimcomResults::meaning);
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- subscribe, publish

    @Override
    public CompletableFuture<Void> subscribe(int idx, int messageId, List<TopicQos> topics) {
        Slot slot;
        List<AtCommand> filters = new ArrayList<>();
        try {
            slot = slot(idx);
            for (TopicQos t : topics) {
                byte[] f = filterBytes(t.filter());
                filters.add(data(AtCommandLine.write("+CMQTTSUBTOPIC").integer(idx).dataLength(f).integer(t.qos())));
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        // The modem chooses the packet id: messageId is not sent.
        AtCommand sub = AtCommandLine.write("+CMQTTSUB").integer(idx).command().withTimeout(packetDeadline(slot));
        return slot.subscribing.submit(() -> listThenSend(idx, slot, filters, "SUBTOPIC", sub, "SUB")).result();
    }

    @Override
    public CompletableFuture<Void> unsubscribe(int idx, int messageId, List<String> filters) {
        Slot slot;
        List<AtCommand> commands = new ArrayList<>();
        try {
            slot = slot(idx);
            for (String filter : filters) {
                byte[] f = filterBytes(filter);
                commands.add(data(AtCommandLine.write("+CMQTTUNSUBTOPIC").integer(idx).dataLength(f)));
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        AtCommand unsub = AtCommandLine.write("+CMQTTUNSUB").integer(idx).integer(0).command()
                .withTimeout(packetDeadline(slot));
        return slot.subscribing.submit(() -> listThenSend(idx, slot, commands, "UNSUBTOPIC", unsub, "UNSUB")).result();
    }

    private byte[] filterBytes(String filter) {
        TopicFilter.requireValidFilter("topic filter", filter);
        byte[] f = filter.getBytes(StandardCharsets.UTF_8);
        requireLength("topic filter", f.length, profile.maxTopicLength());
        return f;
    }

    /** SUBTOPIC... then SUB (or the UNSUB pair), all within one connection. */
    private CompletableFuture<Void> listThenSend(int idx, Slot slot, List<AtCommand> list, String listKind,
            AtCommand send, String sendKind) {
        long connection;
        try {
            connection = requireConnected(idx, slot);
        } catch (ConnectionLostException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (AtCommand c : list) {
            chain = chain.thenCompose(v -> whileConnected(idx, slot, connection, () -> expectOk(c, listKind, idx)));
        }
        return chain
                .thenCompose(v -> whileConnected(idx, slot, connection,
                        () -> run(send, sendKind, idx, true, packetDeadline(slot)).code()))
                .thenApply(code -> {
                    if (code != SimcomResults.OK) {
                        throw failure(send, sendKind, idx, code, SimcomResults::meaning);
                    }
                    return null;
                });
    }

    @Override
    public Sending publish(int idx, int messageId, OutgoingMessage m) {
        // MqttClient validated m before queueing it. The modem chooses the packet id.
        Publish p = new Publish(idx, slot(idx), m);
        p.task = p.slot.publishing.submit(p::run);
        return p;
    }

    /**
     * One publish: topic, payload and {@code AT+CMQTTPUB}, on the client's publishing lane. It can
     * be withdrawn until {@code AT+CMQTTPUB} is written: a topic or payload the modem buffered is
     * then simply never published.
     */
    private final class Publish implements Sending {
        final int idx;
        final Slot slot;
        final AtCommand topic;
        final AtCommand payload;
        final AtCommand pub;
        final Duration deadline;
        OperationLane.Task<Void> task;
        AtRequest pubRequest;
        boolean withdrawn;

        Publish(int idx, Slot slot, OutgoingMessage m) {
            this.idx = idx;
            this.slot = slot;
            byte[] t = m.topic().getBytes(StandardCharsets.UTF_8);
            byte[] b = m.payload();
            int timeout = publishTimeoutSeconds(slot);
            this.topic = data(AtCommandLine.write("+CMQTTTOPIC").integer(idx).dataLength(t));
            this.payload = data(AtCommandLine.write("+CMQTTPAYLOAD").integer(idx).dataLength(b));
            this.pub = AtCommandLine.write("+CMQTTPUB").integer(idx).integer(m.qos()).integer(timeout)
                    .integer(m.retained() ? 1 : 0).command()
                    .withTimeout(Duration.ofSeconds(timeout + 10L));
            this.deadline = Duration.ofSeconds(timeout + 10L);
        }

        CompletableFuture<Void> run() {
            long connection;
            try {
                connection = requireConnected(idx, slot);
            } catch (ConnectionLostException e) {
                return CompletableFuture.failedFuture(e);
            }
            // The topic is set again for every publish: the modem forgets it after PUB (guide, section 5).
            return unlessWithdrawn(() -> publishStep(topic, "TOPIC"))
                    .thenCompose(v -> whileConnected(idx, slot, connection,
                            () -> unlessWithdrawn(() -> publishStep(payload, "PAYLOAD"))))
                    .thenCompose(v -> whileConnected(idx, slot, connection, () -> unlessWithdrawn(() -> {
                        Deferred d = SimcomDialect.this.run(pub, "PUB", idx, true, deadline);
                        pubRequest = d.request();
                        return d.code();
                    })))
                    .thenApply(code -> {
                        if (code == SimcomResults.MESSAGE_RECEIVE_FAIL) {
                            throw closedOnPublish(connection, code);
                        }
                        if (SimcomResults.noConnection(code)) {
                            throw notTaken(pub, "PUB", code);
                        }
                        if (code != SimcomResults.OK) {
                            throw failure(pub, "PUB", idx, code, SimcomResults::publish);
                        }
                        return null;
                    });
        }

        /** TOPIC or PAYLOAD: OK, or refused; refused for want of a connection, nothing was taken. */
        private CompletableFuture<Void> publishStep(AtCommand command, String kind) {
            return SimcomDialect.this.run(command, kind, idx, false, null).code().thenApply(code -> {
                if (SimcomResults.noConnection(code)) {
                    throw notTaken(command, kind, code);
                }
                if (code != SimcomResults.OK) {
                    throw failure(command, kind, idx, code, SimcomResults::meaning);
                }
                return null;
            });
        }

        private CompletionException notTaken(AtCommand command, String kind, int code) {
            return new CompletionException(new PublishNotTakenException(command.logText() + " -> +CMQTT" + kind + ": "
                    + idx + "," + code + ": " + SimcomResults.meaning(code), code));
        }

        /**
         * {@code +CMQTTPUB: <idx>,6}: no PUBACK, the broker closed the connection. The loss is the
         * connection's end (the {@code +CMQTTCONNLOST} that follows finds it over already); the
         * publish was on its way, so it fails as interrupted by the loss, carrying the modem's word.
         */
        private CompletionException closedOnPublish(long connection, int code) {
            ResultException verdict = (ResultException) failure(pub, "PUB", idx, code, SimcomResults::publish).getCause();
            String why = "MQTT client " + idx + ": the connection closed before the broker acknowledged the publish ("
                    + verdict.getMessage() + ")";
            if (slot.connected && slot.connection == connection) {
                lost(idx, code, new ConnectionLostException(why, Recovery.RECONNECT));
            }
            return new CompletionException(new ConnectionClosedOnPublishException(why, verdict));
        }

        /** The next step, unless the publish was withdrawn meanwhile. */
        private <T> CompletableFuture<T> unlessWithdrawn(Supplier<CompletableFuture<T>> next) {
            if (withdrawn) {
                return CompletableFuture.failedFuture(new AtWithdrawnException(null, "MQTT client " + idx
                        + ": publish withdrawn before AT+CMQTTPUB was written"));
            }
            return next.get();
        }

        @Override
        public CompletableFuture<Void> result() {
            return task.result();
        }

        @Override
        public boolean sent() {
            return pubRequest != null && pubRequest.sent();
        }

        @Override
        public boolean withdraw() {
            if (pubRequest != null) {
                return pubRequest.withdraw();
            }
            withdrawn = true;
            slot.publishing.remove(task, new AtWithdrawnException(null, "MQTT client " + idx
                    + ": publish withdrawn before it started"));
            return true;
        }
    }

    /** AT+CMQTTPUB's pub_timeout (1-180 s): as long as the Quectel packet timeout and retries would take. */
    private int publishTimeoutSeconds(Slot slot) {
        MqttClientSettings s = slot.settings;
        long seconds = s == null ? 20 : (long) s.packetTimeout() * (s.retryTimes() + 1);
        return (int) Math.max(1, Math.min(180, seconds));
    }

    private Duration packetDeadline(Slot slot) {
        MqttClientSettings s = slot.settings;
        return Duration.ofSeconds(s == null ? 30 : (long) s.packetTimeout() * (s.retryTimes() + 1) + 10);
    }

    /** The connection generation, or {@link ConnectionLostException} if the index is not connected. */
    private long requireConnected(int idx, Slot slot) throws ConnectionLostException {
        if (!slot.connected) {
            throw new ConnectionLostException("MQTT client " + idx + " is not connected");
        }
        return slot.connection;
    }

    /** Runs the next step only if the connection the operation started on is still there. */
    private <T> CompletableFuture<T> whileConnected(int idx, Slot slot, long connection,
            Supplier<CompletableFuture<T>> step) {
        if (!slot.connected || slot.connection != connection) {
            return CompletableFuture.failedFuture(new ConnectionLostException("MQTT client " + idx
                    + ": connection lost during the operation"));
        }
        return step.get();
    }

    private void endConnection(Slot slot) {
        slot.connected = false;
        slot.connection++;
    }

    /** A command whose data, after the prompt, is as long as its line declares ({@link AtCommandLine#dataLength}). */
    private static AtCommand data(AtCommandLine line) {
        AtCommand c = line.command();
        // Prompt, then the bytes at serial speed: a 10 KiB payload takes about a second at 115200 baud.
        return c.withTimeout(AtCommand.DEFAULT_TIMEOUT.plusMillis(c.data().length))
                .withLostPrompt(AtCommand.LostPrompt.FILL_ANNOUNCED_LENGTH);
    }

    // ---------------------------------------------------------------- results

    /** A command in the channel and what its result became: the code of {@code +CMQTT<kind>}. */
    private record Deferred(AtRequest request, CompletableFuture<Integer> code) {
    }

    /**
     * Submits {@code command} with a waiter for {@code +CMQTT<kind>: [idx,]<code>} registered first.
     * Completes with the code: the one reported before {@code ERROR}; after {@code OK}, the one
     * that follows if {@code resultFollowsOk} (waited for at most {@code resultTimeout} from the
     * moment the command was sent), else 0. {@code ERROR} without a code fails with the command and
     * the error; a lost connection fails the waiter with {@link ConnectionLostException}.
     */
    private Deferred run(AtCommand command, String kind, Integer idx, boolean resultFollowsOk,
            Duration resultTimeout) {
        ResultWaiters.Waiter<Integer> w = waiters.expect(key(kind, idx), idx == null ? -1 : idx);
        Runnable onSent = !resultFollowsOk ? null : () -> waiters.startDeadline(w, resultTimeout,
                () -> new NoResultException(command.logText() + ": no +CMQTT" + kind + " result within "
                        + resultTimeout.toSeconds() + " s"));
        AtRequest request = channel.submit(command, onSent);
        w.request = request;
        CompletableFuture<Integer> out = new CompletableFuture<>();
        Runnable settle = () -> settle(w, request, resultFollowsOk, out);
        w.future.whenComplete((code, e) -> settle.run());
        request.result().whenComplete((response, e) -> settle.run());
        return new Deferred(request, out);
    }

    /** Decides {@link #run}'s outcome once the waiter or the final result (or both) are in. */
    private void settle(ResultWaiters.Waiter<Integer> w, AtRequest request, boolean resultFollowsOk,
            CompletableFuture<Integer> out) {
        if (out.isDone()) {
            return;
        }
        if (w.future.isCompletedExceptionally()) {
            // lost connection or link, or no result in time: no need to wait for the command
            w.future.whenComplete((v, e) -> out.completeExceptionally(Failures.cause(e)));
            return;
        }
        if (!request.result().isDone()) {
            return;
        }
        if (w.future.isDone()) {
            out.complete(w.future.join()); // reported before ERROR, or before/after OK
            return;
        }
        if (request.result().isCompletedExceptionally()) {
            request.result().whenComplete((r, error) -> {
                Throwable cause = Failures.cause(error);
                if (!(cause instanceof AtTimeoutException && request.sent())) {
                    waiters.remove(w); // no result URC will come
                }
                out.completeExceptionally(new ModemException(Failures.rootMessage(cause), cause));
            });
        } else if (!resultFollowsOk) {
            waiters.remove(w);
            out.complete(SimcomResults.OK);
        } // else OK came: the waiter's deadline runs until the result does
    }

    /** A command that succeeds with OK; a code reported before ERROR fails it with its meaning. */
    private CompletableFuture<Void> expectOk(AtCommand command, String kind, int idx) {
        return run(command, kind, idx, false, null).code().thenApply(code -> {
            if (code != SimcomResults.OK) {
                throw failure(command, kind, idx, code, SimcomResults::meaning);
            }
            return null;
        });
    }

    private static CompletionException failure(AtCommand command, String kind, Integer idx, int code,
            IntFunction<String> meaning) {
        String urc = "+CMQTT" + kind + ": " + (idx == null ? "" : idx + ",") + code;
        return new CompletionException(new ResultException(command.logText() + " -> " + urc + ": "
                + meaning.apply(code), code));
    }

    private static String key(String kind, Integer idx) {
        return idx == null ? kind : kind + " " + idx;
    }

    /** {@code +CMQTTSTART: <code>}, {@code +CMQTTPUB: <idx>,<code>} and the like. */
    private void onResult(String kind, AtEvent event) {
        String text = event instanceof AtEvent.Line l ? l.text() : ((AtEvent.Framed) event).header();
        int[] f = UrcFields.ints(text);
        boolean indexed = !kind.equals("START") && !kind.equals("STOP");
        if (f.length < (indexed ? 2 : 1)) {
            LOG.warn("malformed result URC: {}", text);
            return;
        }
        if (!waiters.complete(indexed ? key(kind, f[0]) : kind, indexed ? f[1] : f[0])) {
            LOG.debug("result nobody waits for: {}", text);
        }
    }

    private void onConnectionLost(AtEvent event) {
        String text = ((AtEvent.Line) event).text();
        int[] f = UrcFields.ints(text);
        if (f.length < 2 || f[0] < 0 || f[0] >= slots.length) {
            LOG.warn("malformed +CMQTTCONNLOST: {}", text);
            return;
        }
        int idx = f[0];
        String meaning = SimcomResults.connectionLost(f[1]);
        lost(idx, f[1], new ConnectionLostException("MQTT client " + idx + ": " + text + ": " + meaning,
                SimcomResults.connectionLostRecovery(f[1])));
    }

    /** {@code +CMQTTNONET}: the network under the MQTT service closed; every client is gone. */
    private void onNoNetwork() {
        started = false;
        for (int i = 0; i < slots.length; i++) {
            boolean affected = slots[i].acquired || slots[i].connected;
            // Whether the modem kept the acquired index is not known: 19 on ACCQ will tell.
            slots[i].acquired = false;
            if (affected) {
                lost(i, -1, new ConnectionLostException("MQTT client " + i + ": +CMQTTNONET: the network closed",
                        Recovery.CHECK_NETWORK));
            }
        }
    }

    /**
     * The client first, then what waited on its connection: a failure must find the client knowing
     * that the connection is gone, or it would send again into the gap (the SIMCom livelock).
     */
    private void lost(int idx, int code, ConnectionLostException cause) {
        endConnection(slots[idx]);
        receiver.reset(idx);
        if (listener != null) {
            listener.onConnectionLost(idx, code, cause);
        }
        waiters.failIndex(idx, kind -> !CLIENT_KINDS.contains(kind), cause);
    }

    /**
     * {@code AT+CMQTTCONNECT?}: {@code +CMQTTCONNECT: <idx>,"<server>",<keepalive>,<clean>...} for each
     * connected client (SIM7500/SIM7600 MQTT manual). A connect result ({@code +CMQTTCONNECT: <idx>,<err>},
     * no quoted server) that arrives meanwhile shares the prefix and is taken into the reply: it goes to
     * its waiter from here.
     */
    @Override
    public CompletableFuture<Set<Integer>> connectionsHeld() {
        return channel.submit(AtCommandLine.read("+CMQTTCONNECT").command().withReplyPrefix("+CMQTTCONNECT:")).result()
                .thenApply(r -> {
                    Set<Integer> held = new HashSet<>();
                    for (String line : r.lines()) {
                        if (line.contains("\"")) {
                            int[] f = UrcFields.ints(line);
                            if (f.length > 0) {
                                held.add(f[0]);
                            }
                        } else {
                            onResult("CONNECT", new AtEvent.Line(line));
                        }
                    }
                    return held;
                });
    }

    @Override
    public void connectionGone(int idx, ConnectionLostException cause) {
        if (idx >= 0 && idx < slots.length) {
            lost(idx, -1, cause);
        }
    }

    @Override
    public void connectionAbandoned(int idx, ConnectionLostException cause) {
        // Still connected as far as the modem knows (close() disconnects it), but the steps of this
        // connection's operations that are still to come must not go out on it.
        slot(idx).connection++;
        waiters.failIndex(idx, kind -> !CLIENT_KINDS.contains(kind), cause);
    }

    @Override
    public void connectionsLost(ModemException cause) {
        for (Slot s : slots) {
            endConnection(s);
        }
        receiver.resetAll();
        waiters.failAll(cause);
    }

    @Override
    public void validateFilter(String filter) {
        filterBytes(filter);
    }

    @Override
    public void reset(ModemException cause) {
        // The link is gone or the modem restarted: whatever the modem held is unknown from now on.
        started = false;
        uploader.forget();
        for (Slot s : slots) {
            s.acquired = false;
            endConnection(s);
        }
        receiver.resetAll();
        waiters.failAll(cause);
    }

    private void onReceive(AtEvent event) {
        ReceivedMessage m = receiver.accept(event);
        if (m != null && listener != null) {
            listener.onMessage(m);
        }
    }
}
