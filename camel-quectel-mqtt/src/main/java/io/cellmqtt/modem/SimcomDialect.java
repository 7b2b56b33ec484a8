package io.cellmqtt.modem;

import io.cellmqtt.at.AtChannel;
import io.cellmqtt.at.AtCommand;
import io.cellmqtt.at.AtEvent;
import io.cellmqtt.at.PayloadFraming;
import io.cellmqtt.at.SimcomRecvFraming;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * <li>{@code +CMQTTCONNLOST}: everything waiting on that index fails with
 * {@link ConnectionLostException}, and the listener hears of the loss once the operations the
 * index was running have completed (and on another thread), so a result the modem reported
 * before the loss is delivered as that result, not as a loss.</li>
 * </ul>
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
    private final SimcomReceiver receiver = new SimcomReceiver();
    /** START, STOP, ACCQ and REL: one at a time for the whole modem, so a STOP never overtakes an ACCQ. */
    private final OperationLane service = new OperationLane();
    private final Slot[] slots;
    private final Map<String, Deque<CompletableFuture<Integer>>> waiting = new HashMap<>();
    /** Client indexes between open and close: the service stops when the last one closes. */
    private final Set<Integer> users = new HashSet<>();
    private boolean started;
    private volatile DialectListener listener;
    /**
     * Reports losses off the thread that completed the last operation: that may be a caller still
     * inside {@code publish} (holding the client's lock, its result handler not yet attached), and
     * the client must see that result before the loss. One thread, so losses keep their order; it
     * ends when idle.
     */
    private final Executor lossReports = new ThreadPoolExecutor(0, 1, 2, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "cellmqtt-simcom-loss");
                t.setDaemon(true);
                return t;
            });

    /** One client index's state. Fields guarded by the dialect. */
    private static final class Slot {
        final OperationLane publishing = new OperationLane();
        final OperationLane subscribing = new OperationLane();
        MqttClientSettings settings;
        boolean acquired;
        boolean connected;
        /** Bumped whenever the connection ends: a step of an older connection must not go on. */
        long connection;
    }

    SimcomDialect(AtChannel channel, ModemProfile profile) {
        this.channel = channel;
        this.profile = profile;
        this.slots = new Slot[profile.clientIndexes()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot();
        }
    }

    @Override
    public ModemProfile profile() {
        return profile;
    }

    @Override
    public List<PayloadFraming> framings() {
        return List.of(new SimcomRecvFraming());
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
    private void validate(MqttClientSettings s) {
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
        try {
            slot = slot(idx);
            validate(s);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        synchronized (this) {
            slot.settings = s;
            acquired = slot.acquired;
        }
        if (!s.ssl() || acquired) {
            // An acquired index keeps its SSL context (the connection was lost, not the client).
            return CompletableFuture.completedFuture(null);
        }
        return sequence(sslContextCommands(s)).exceptionallyCompose(e -> CompletableFuture.failedFuture(
                new ModemException("configuring the SSL context of MQTT client " + idx + " failed: "
                        + Failures.rootMessage(e), Failures.cause(e))));
    }

    /** In the order of the guide's section 3: version, authentication mode, then the files. */
    private static List<AtCommand> sslContextCommands(MqttClientSettings s) {
        int ctx = s.sslContextId();
        int authmode = s.secLevel() >= 0 ? s.secLevel() : QuectelDialect.derivedSecLevel(s);
        List<AtCommand> c = new ArrayList<>();
        c.add(AtCommand.of("AT+CSSLCFG=\"sslversion\"," + ctx + "," + s.sslVersion()));
        c.add(AtCommand.of("AT+CSSLCFG=\"authmode\"," + ctx + "," + authmode));
        if (s.caCert() != null) {
            c.add(AtCommand.of("AT+CSSLCFG=\"cacert\"," + ctx + "," + AtStrings.quote("caCert", s.caCert())));
        }
        if (s.clientCert() != null) {
            c.add(AtCommand.of("AT+CSSLCFG=\"clientcert\"," + ctx + ","
                    + AtStrings.quote("clientCert", s.clientCert())));
        }
        if (s.clientKey() != null) {
            c.add(AtCommand.of("AT+CSSLCFG=\"clientkey\"," + ctx + "," + AtStrings.quote("clientKey", s.clientKey())));
        }
        return c;
    }

    private CompletableFuture<Void> sequence(List<AtCommand> commands) {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (AtCommand c : commands) {
            chain = chain.thenCompose(v -> channel.submit(c)).thenApply(r -> null);
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
        synchronized (this) {
            users.add(idx);
        }
        return service.submit(this::startService);
    }

    private CompletableFuture<Void> startService() {
        synchronized (this) {
            if (started) {
                return CompletableFuture.completedFuture(null);
            }
        }
        AtCommand c = AtCommand.of("AT+CMQTTSTART").withTimeout(SERVICE_TIMEOUT);
        return run(c, "START", null, true, SERVICE_TIMEOUT).thenApply(code -> {
            if (code != SimcomResults.OK && code != SimcomResults.NETWORK_OPENED) {
                throw failure(c, "START", null, code, SimcomResults::meaning);
            }
            synchronized (this) {
                started = true;
            }
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
            acquire = AtCommand.of("AT+CMQTTACCQ=" + idx + "," + AtStrings.quote("clientId", clientId) + ","
                    + (s.ssl() ? 1 : 0));
            connect = connectCommand(idx, s);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        long[] connection = new long[1];
        return service.submit(() -> acquireClient(idx, slot, acquire, s, true))
                .thenCompose(v -> {
                    synchronized (this) {
                        connection[0] = slot.connection;
                    }
                    return run(connect, "CONNECT", idx, true, CONNECT_TIMEOUT);
                })
                .thenApply(code -> {
                    if (code == SimcomResults.CLIENT_NOT_ACQUIRED) {
                        // The modem lost the client (restarted?): the next attempt acquires it again.
                        synchronized (this) {
                            slot.acquired = false;
                        }
                    }
                    if (code != SimcomResults.OK) {
                        throw failure(connect, "CONNECT", idx, code, SimcomResults::connect);
                    }
                    synchronized (this) {
                        // The connect did succeed; but if +CMQTTCONNLOST came before this result was
                        // handled, the connection is gone already and the loss is being reported.
                        if (slot.connection == connection[0]) {
                            slot.connected = true;
                        }
                    }
                    return null;
                });
    }

    private static AtCommand connectCommand(int idx, MqttClientSettings s) {
        // tcp:// even for TLS: the server type given to ACCQ chooses TLS, as the guide shows.
        String head = "AT+CMQTTCONNECT=" + idx + ",\"tcp://" + s.brokerHost() + ":" + s.brokerPort() + "\","
                + s.keepAliveInterval() + "," + (s.cleanSession() ? 1 : 0);
        return ConnectCommands.withCredentials(head, s).withTimeout(CONNECT_TIMEOUT);
    }

    /** ACCQ, SSL context, will: skipped when the index is still acquired from before a lost connection. */
    private CompletableFuture<Void> acquireClient(int idx, Slot slot, AtCommand acquire, MqttClientSettings s,
            boolean mayRelease) {
        synchronized (this) {
            if (slot.acquired) {
                return CompletableFuture.completedFuture(null);
            }
        }
        return run(acquire, "ACCQ", idx, false, null).thenCompose(code -> {
            if (code == SimcomResults.CLIENT_USED && mayRelease) {
                LOG.info("client {}: index acquired already (left over?): releasing it and acquiring again", idx);
                return release(idx).thenCompose(v -> acquireClient(idx, slot, acquire, s, false));
            }
            if (code != SimcomResults.OK) {
                return CompletableFuture.failedFuture(failure(acquire, "ACCQ", idx, code, SimcomResults::acquire)
                        .getCause());
            }
            synchronized (this) {
                slot.acquired = true;
            }
            return clientSettings(idx, s);
        });
    }

    private CompletableFuture<Void> clientSettings(int idx, MqttClientSettings s) {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        if (s.ssl()) {
            AtCommand c = AtCommand.of("AT+CMQTTSSLCFG=" + idx + "," + s.sslContextId());
            chain = chain.thenCompose(v -> expectOk(c, "SSLCFG", idx));
        }
        if (hasWill(s)) {
            byte[] topic = s.willTopic().getBytes(StandardCharsets.UTF_8);
            byte[] message = s.willPayload().getBytes(StandardCharsets.UTF_8);
            AtCommand t = data("AT+CMQTTWILLTOPIC=" + idx + "," + topic.length, topic);
            AtCommand m = data("AT+CMQTTWILLMSG=" + idx + "," + message.length + "," + s.willQos(), message);
            chain = chain.thenCompose(v -> expectOk(t, "WILLTOPIC", idx)).thenCompose(v -> expectOk(m, "WILLMSG", idx));
        }
        return chain;
    }

    private CompletableFuture<Void> release(int idx) {
        AtCommand c = AtCommand.of("AT+CMQTTREL=" + idx);
        return run(c, "REL", idx, false, null).thenApply(code -> {
            // 20: not acquired (any more) is what releasing wants
            if (code != SimcomResults.OK && code != SimcomResults.CLIENT_NOT_ACQUIRED) {
                throw failure(c, "REL", idx, code, SimcomResults::meaning);
            }
            synchronized (this) {
                slots[idx].acquired = false;
            }
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
            synchronized (this) {
                endConnection(slot);
            }
            AtCommand c = AtCommand.of("AT+CMQTTDISC=" + idx + "," + DISCONNECT_TIMEOUT_S)
                    .withTimeout(Duration.ofSeconds(DISCONNECT_TIMEOUT_S + 10));
            return run(c, "DISC", idx, true, Duration.ofSeconds(DISCONNECT_TIMEOUT_S + 10)).thenApply(code -> {
                if (code != SimcomResults.OK) {
                    throw failure(c, "DISC", idx, code, SimcomResults::meaning);
                }
                return null;
            });
        });
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
            boolean connected;
            boolean acquired;
            synchronized (this) {
                users.remove(idx);
                connected = slot.connected;
                acquired = slot.acquired;
            }
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            if (connected) {
                // A connected client cannot be released; nobody disconnected it (a failed start).
                chain = disconnect(idx).exceptionally(e -> null);
            }
            if (acquired) {
                chain = chain.thenCompose(v -> release(idx));
            }
            return chain.thenCompose(v -> stopServiceIfUnused());
        });
    }

    private CompletableFuture<Void> stopServiceIfUnused() {
        synchronized (this) {
            if (!started || !users.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            for (Slot s : slots) {
                if (s.acquired) {
                    return CompletableFuture.completedFuture(null);
                }
            }
        }
        AtCommand c = AtCommand.of("AT+CMQTTSTOP").withTimeout(SERVICE_TIMEOUT);
        return run(c, "STOP", null, true, SERVICE_TIMEOUT).thenApply(code -> {
            synchronized (this) {
                started = false;
            }
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
                filters.add(data("AT+CMQTTSUBTOPIC=" + idx + "," + f.length + "," + t.qos(), f));
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        // The modem chooses the packet id: messageId is not sent.
        AtCommand sub = AtCommand.of("AT+CMQTTSUB=" + idx).withTimeout(packetDeadline(slot));
        return slot.subscribing.submit(() -> listThenSend(idx, slot, filters, "SUBTOPIC", sub, "SUB"));
    }

    @Override
    public CompletableFuture<Void> unsubscribe(int idx, int messageId, List<String> filters) {
        Slot slot;
        List<AtCommand> commands = new ArrayList<>();
        try {
            slot = slot(idx);
            for (String filter : filters) {
                byte[] f = filterBytes(filter);
                commands.add(data("AT+CMQTTUNSUBTOPIC=" + idx + "," + f.length, f));
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        AtCommand unsub = AtCommand.of("AT+CMQTTUNSUB=" + idx + ",0").withTimeout(packetDeadline(slot));
        return slot.subscribing.submit(() -> listThenSend(idx, slot, commands, "UNSUBTOPIC", unsub, "UNSUB"));
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
                        () -> run(send, sendKind, idx, true, packetDeadline(slot))))
                .thenApply(code -> {
                    if (code != SimcomResults.OK) {
                        throw failure(send, sendKind, idx, code, SimcomResults::meaning);
                    }
                    return null;
                });
    }

    @Override
    public CompletableFuture<Void> publish(int idx, int messageId, OutgoingMessage m) {
        Slot slot;
        try {
            slot = slot(idx);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        // MqttClient validated m before queueing it. The modem chooses the packet id.
        byte[] topic = m.topic().getBytes(StandardCharsets.UTF_8);
        byte[] payload = m.payload();
        int timeout = publishTimeoutSeconds(slot);
        AtCommand t = data("AT+CMQTTTOPIC=" + idx + "," + topic.length, topic);
        AtCommand p = data("AT+CMQTTPAYLOAD=" + idx + "," + payload.length, payload);
        AtCommand pub = AtCommand.of("AT+CMQTTPUB=" + idx + "," + m.qos() + "," + timeout + "," + (m.retained() ? 1 : 0))
                .withTimeout(Duration.ofSeconds(timeout + 10L));
        return slot.publishing.submit(() -> {
            long connection;
            try {
                connection = requireConnected(idx, slot);
            } catch (ConnectionLostException e) {
                return CompletableFuture.failedFuture(e);
            }
            // The topic is set again for every publish: the modem forgets it after PUB (guide, section 5).
            return expectOk(t, "TOPIC", idx)
                    .thenCompose(v -> whileConnected(idx, slot, connection, () -> expectOk(p, "PAYLOAD", idx)))
                    .thenCompose(v -> whileConnected(idx, slot, connection,
                            () -> run(pub, "PUB", idx, true, Duration.ofSeconds(timeout + 10L))))
                    .thenApply(code -> {
                        if (code != SimcomResults.OK) {
                            throw failure(pub, "PUB", idx, code, SimcomResults::publish);
                        }
                        return null;
                    });
        });
    }

    /** AT+CMQTTPUB's pub_timeout (1-180 s): as long as the Quectel packet timeout and retries would take. */
    private synchronized int publishTimeoutSeconds(Slot slot) {
        MqttClientSettings s = slot.settings;
        long seconds = s == null ? 20 : (long) s.packetTimeout() * (s.retryTimes() + 1);
        return (int) Math.max(1, Math.min(180, seconds));
    }

    private synchronized Duration packetDeadline(Slot slot) {
        MqttClientSettings s = slot.settings;
        return Duration.ofSeconds(s == null ? 30 : (long) s.packetTimeout() * (s.retryTimes() + 1) + 10);
    }

    /** The connection generation, or {@link ConnectionLostException} if the index is not connected. */
    private synchronized long requireConnected(int idx, Slot slot) throws ConnectionLostException {
        if (!slot.connected) {
            throw new ConnectionLostException("MQTT client " + idx + " is not connected");
        }
        return slot.connection;
    }

    /** Runs the next step only if the connection the operation started on is still there. */
    private <T> CompletableFuture<T> whileConnected(int idx, Slot slot, long connection,
            Supplier<CompletableFuture<T>> step) {
        synchronized (this) {
            if (!slot.connected || slot.connection != connection) {
                return CompletableFuture.failedFuture(new ConnectionLostException("MQTT client " + idx
                        + ": connection lost during the operation"));
            }
        }
        return step.get();
    }

    /** Holds the lock. */
    private void endConnection(Slot slot) {
        slot.connected = false;
        slot.connection++;
    }

    private static AtCommand data(String text, byte[] bytes) {
        // Prompt, then the bytes at serial speed: a 10 KiB payload takes about a second at 115200 baud.
        return AtCommand.of(text).withData(bytes).withTimeout(AtCommand.DEFAULT_TIMEOUT.plusMillis(bytes.length));
    }

    // ---------------------------------------------------------------- results

    /**
     * Submits {@code command} with a waiter for {@code +CMQTT<kind>: [idx,]<code>} registered first.
     * Completes with the code: the one reported before {@code ERROR}; after {@code OK}, the one
     * that follows if {@code resultFollowsOk}, else 0. {@code ERROR} without a code fails with the
     * command and the error; a lost connection fails the waiter with {@link ConnectionLostException}.
     */
    private CompletableFuture<Integer> run(AtCommand command, String kind, Integer idx, boolean resultFollowsOk,
            Duration resultTimeout) {
        String key = key(kind, idx);
        CompletableFuture<Integer> waiter = new CompletableFuture<>();
        synchronized (this) {
            waiting.computeIfAbsent(key, k -> new ArrayDeque<>()).add(waiter);
        }
        CompletableFuture<Integer> out = new CompletableFuture<>();
        waiter.whenComplete((code, e) -> {
            if (e != null) {
                out.completeExceptionally(e); // lost connection or link: no need to wait for the command
            }
        });
        channel.submit(command).whenComplete((response, error) -> {
            if (error != null) {
                forget(key, waiter);
                Integer reported = waiter.isDone() && !waiter.isCompletedExceptionally() ? waiter.join() : null;
                if (reported != null) {
                    out.complete(reported);
                } else {
                    out.completeExceptionally(new ModemException(Failures.rootMessage(error),
                            Failures.cause(error)));
                }
            } else if (!resultFollowsOk) {
                forget(key, waiter);
                out.complete(SimcomResults.OK);
            } else {
                waiter.copy().orTimeout(resultTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((code, e) -> {
                    if (e == null) {
                        out.complete(code);
                    } else if (Failures.cause(e) instanceof TimeoutException) {
                        forget(key, waiter);
                        out.completeExceptionally(new ModemException(command.logText() + ": no +CMQTT" + kind
                                + " result within " + resultTimeout.toSeconds() + " s"));
                    }
                });
            }
        });
        return out;
    }

    /** A command that succeeds with OK; a code reported before ERROR fails it with its meaning. */
    private CompletableFuture<Void> expectOk(AtCommand command, String kind, int idx) {
        return run(command, kind, idx, false, null).thenApply(code -> {
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

    private synchronized void forget(String key, CompletableFuture<Integer> waiter) {
        Deque<CompletableFuture<Integer>> q = waiting.get(key);
        if (q != null) {
            q.remove(waiter);
        }
    }

    private synchronized CompletableFuture<Integer> take(String key) {
        Deque<CompletableFuture<Integer>> q = waiting.get(key);
        return q == null ? null : q.poll();
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
        CompletableFuture<Integer> w = take(indexed ? key(kind, f[0]) : kind);
        if (w == null) {
            LOG.debug("result nobody waits for: {}", text);
            return;
        }
        w.complete(indexed ? f[1] : f[0]);
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
        lost(idx, f[1], meaning, new ConnectionLostException("MQTT client " + idx + ": " + text + ": " + meaning));
    }

    /** {@code +CMQTTNONET}: the network under the MQTT service closed; every client is gone. */
    private void onNoNetwork() {
        List<Integer> affected = new ArrayList<>();
        synchronized (this) {
            started = false;
            for (int i = 0; i < slots.length; i++) {
                if (slots[i].acquired || slots[i].connected) {
                    affected.add(i);
                }
                // Whether the modem kept the acquired index is not known: 19 on ACCQ will tell.
                slots[i].acquired = false;
            }
        }
        for (int idx : affected) {
            lost(idx, -1, "network closed (+CMQTTNONET)", new ConnectionLostException("MQTT client " + idx
                    + ": +CMQTTNONET: the network closed"));
        }
    }

    private void lost(int idx, int code, String meaning, ConnectionLostException cause) {
        Slot slot = slots[idx];
        List<CompletableFuture<Integer>> failed = new ArrayList<>();
        CompletableFuture<Void> settled;
        synchronized (this) {
            endConnection(slot);
            for (Iterator<Map.Entry<String, Deque<CompletableFuture<Integer>>>> it = waiting.entrySet().iterator();
                    it.hasNext();) {
                Map.Entry<String, Deque<CompletableFuture<Integer>>> e = it.next();
                String[] key = e.getKey().split(" ");
                if (key.length == 2 && Integer.parseInt(key[1]) == idx && !CLIENT_KINDS.contains(key[0])) {
                    failed.addAll(e.getValue());
                    it.remove();
                }
            }
            settled = CompletableFuture.allOf(slot.publishing.idle(), slot.subscribing.idle());
        }
        receiver.reset(idx);
        failed.forEach(w -> w.completeExceptionally(cause));
        settled.whenCompleteAsync((v, e) -> {
            DialectListener l = listener;
            if (l != null) {
                l.onConnectionLost(idx, code, meaning);
            }
        }, lossReports);
    }

    @Override
    public void failEverything(ModemException cause) {
        List<CompletableFuture<Integer>> failed = new ArrayList<>();
        synchronized (this) {
            waiting.values().forEach(failed::addAll);
            waiting.clear();
            // The link is gone: whatever the modem held is unknown from now on.
            started = false;
            for (Slot s : slots) {
                s.acquired = false;
                endConnection(s);
            }
        }
        receiver.resetAll();
        failed.forEach(w -> w.completeExceptionally(cause));
    }

    private void onReceive(AtEvent event) {
        ReceivedMessage m = receiver.accept(event);
        DialectListener l = listener;
        if (m != null && l != null) {
            l.onMessage(m);
        }
    }
}
