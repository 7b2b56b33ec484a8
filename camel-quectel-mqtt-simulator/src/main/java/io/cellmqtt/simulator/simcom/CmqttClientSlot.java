package io.cellmqtt.simulator.simcom;

import io.cellmqtt.simulator.broker.BrokerConnection;
import io.cellmqtt.simulator.broker.BrokerEvents;
import io.cellmqtt.simulator.broker.ClientConfig;
import io.cellmqtt.simulator.broker.InboundMessage;
import io.cellmqtt.simulator.host.HostOutput;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SIM7600 MQTT client index (0–1): what ACCQ, the will and the topic/payload buffers set, the
 * state of its broker connection, and the URCs its broker events become.
 *
 * <p>Every command that needs the broker's answer (CONNECT, PUB, SUB, UNSUB, DISC) is one
 * {@link Pending} operation: the AT reply waits for it, so a success is {@code OK} followed by the
 * {@code +CMQTT<cmd>: i,0} URC (queued by the event before the future completes, hence held until
 * the OK) and a failure is the {@code +CMQTT<cmd>: i,<err>} line followed by {@code ERROR}, the two
 * shapes reference 001 shows. Broker events and the AT thread meet under this object's lock.
 */
final class CmqttClientSlot {

    private static final Logger LOG = LoggerFactory.getLogger(CmqttClientSlot.class);

    enum State { FREE, IDLE, CONNECTING, CONNECTED, DISCONNECTING }

    /** Received payloads are reported in pieces of at most this many bytes. */
    static final int RX_CHUNK = 1024;

    // result codes of the SIM7500/SIM7600 manual's MQTT error table
    static final int OK = 0;
    static final int FAILED = 1;
    static final int SOCK_CONNECT_FAIL = 3;
    static final int MESSAGE_RECEIVE_FAIL = 6;
    static final int NO_CONNECTION = 11;
    static final int NOT_SUPPORTED = 13;
    static final int TIMEOUT = 17;
    static final int TOPIC_EMPTY = 18;
    static final int CLIENT_USED = 19;
    static final int CLIENT_NOT_ACQUIRED = 20;
    static final int DNS_ERROR = 25;
    /** CONNACK return code n (1–5) is reported as 26 + n (27–31). */
    static final int CONNACK_BASE = 26;
    static final int HANDSHAKE_FAIL = 32;
    /** "not set certificate": a file the SSL context needs is not configured, or not on the modem. */
    static final int NOT_SET_CERTIFICATE = 33;
    static final int DISCONNECT_FAIL = 35;

    /** How long CONNECT (after the TCP/TLS connect), SUB and UNSUB wait for the broker. */
    static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(30);

    final int index;
    private final HostOutput out;
    private final EventLoopGroup group;
    private final Executor blocking;
    private final Supplier<Duration> latency;
    private final BooleanSupplier documentSpelling;

    private State state = State.FREE;
    private String clientId;
    private boolean ssl;
    private int mqttVersion = 4;
    private int sslContext;
    private byte[] willTopic;
    private byte[] willMessage;
    private int willQos;
    private byte[] topic;
    private byte[] payload;
    private final List<byte[]> subTopics = new ArrayList<>();
    private final List<Integer> subQos = new ArrayList<>();
    private final List<byte[]> unsubTopics = new ArrayList<>();
    private BrokerConnection connection;
    private ConnectRequest connecting;
    private ConnectRequest connected;
    private Pending pending;
    private int lastPacketId;

    private final java.util.function.IntFunction<io.cellmqtt.simulator.broker.TlsSpec> tls;

    CmqttClientSlot(int index, HostOutput out, EventLoopGroup group, Executor blocking, Supplier<Duration> latency,
            BooleanSupplier documentSpelling, java.util.function.IntFunction<io.cellmqtt.simulator.broker.TlsSpec> tls) {
        this.tls = tls;
        this.index = index;
        this.out = out;
        this.group = group;
        this.blocking = blocking;
        this.latency = latency;
        this.documentSpelling = documentSpelling;
    }

    /** AT+CMQTTCONNECT's parameters; the password never shows in {@link #toString()}. */
    record ConnectRequest(String server, String host, int port, int keepAlive, boolean cleanSession, String user,
            String password) {
        @Override
        public String toString() {
            return server + " keepalive " + keepAlive + " clean " + cleanSession + " user " + user
                    + " password " + (password == null ? "none" : "***");
        }
    }

    private enum Kind { CONNECT, PUB, SUB, UNSUB, DISC }

    /** One operation the AT reply is waiting for; {@code packetId} matches its acknowledgement. */
    private static final class Pending {
        final Kind kind;
        final int packetId;
        final CompletableFuture<Integer> result = new CompletableFuture<>();

        Pending(Kind kind, int packetId) {
            this.kind = kind;
            this.packetId = packetId;
        }
    }

    synchronized State state() {
        return state;
    }

    synchronized boolean acquired() {
        return state != State.FREE;
    }

    /** {@code +CMQTTACCQ: i,"id",type} for AT+CMQTTACCQ?; an unused index shows an empty id. */
    synchronized String accqLine() {
        return "+CMQTTACCQ: " + index + ",\"" + (clientId == null ? "" : clientId) + "\"," + (ssl ? 1 : 0);
    }

    /** {@code +CMQTTCONNECT: i,"server",keepalive,clean} for AT+CMQTTCONNECT?, or null when not connected. */
    synchronized String connectLine() {
        if (state != State.CONNECTED || connected == null) {
            return null;
        }
        return "+CMQTTCONNECT: " + index + ",\"" + connected.server() + "\"," + connected.keepAlive() + ","
                + (connected.cleanSession() ? 1 : 0);
    }

    synchronized int sslContext() {
        return sslContext;
    }

    // ---- commands without the broker -------------------------------------------------------------

    synchronized int acquire(String id, boolean useSsl, int version) {
        if (state != State.FREE) {
            return CLIENT_USED;
        }
        clientId = id;
        ssl = useSsl;
        mqttVersion = version;
        state = State.IDLE;
        return OK;
    }

    /**
     * Frees the index. A client still connected is disconnected first (DISCONNECT, so no will):
     * the host's way out of {@code +CMQTTACCQ: i,19} after it lost track of the modem's state.
     */
    int release() {
        BrokerConnection c;
        boolean wasConnected;
        synchronized (this) {
            if (state == State.FREE) {
                return CLIENT_NOT_ACQUIRED;
            }
            c = connection;
            wasConnected = state == State.CONNECTED;
            connection = null;
            connecting = null;
            connected = null;
            state = State.FREE;
            clientId = null;
            willTopic = null;
            willMessage = null;
            clearBuffers();
        }
        if (c != null && wasConnected) {
            c.disconnect(result -> c.close());
        } else if (c != null) {
            c.close();
        }
        return OK;
    }

    synchronized void sslContext(int ctx) {
        sslContext = ctx;
    }

    /** A check before a data prompt: the client must be acquired to keep what the host sends. */
    synchronized int checkAcquired() {
        return state == State.FREE ? CLIENT_NOT_ACQUIRED : OK;
    }

    synchronized int checkConnected() {
        if (state == State.FREE) {
            return CLIENT_NOT_ACQUIRED;
        }
        return state == State.CONNECTED ? OK : NO_CONNECTION;
    }

    synchronized void willTopic(byte[] t) {
        willTopic = t;
    }

    synchronized void willMessage(byte[] m, int qos) {
        willMessage = m;
        willQos = qos;
    }

    synchronized void topic(byte[] t) {
        topic = t;
    }

    synchronized void payload(byte[] p) {
        payload = p;
    }

    synchronized void addSubTopic(byte[] t, int qos) {
        subTopics.add(t);
        subQos.add(qos);
    }

    synchronized void addUnsubTopic(byte[] t) {
        unsubTopics.add(t);
    }

    private void clearBuffers() {
        topic = null;
        payload = null;
        subTopics.clear();
        subQos.clear();
        unsubTopics.clear();
    }

    // ---- commands answered by the broker ---------------------------------------------------------

    /** TCP (or TLS, as ACCQ chose) connect, then MQTT CONNECT; 0 once CONNACK accepted. */
    int connect(ConnectRequest request) {
        Pending p;
        BrokerConnection c;
        boolean useSsl;
        int sslCtx;
        synchronized (this) {
            if (state == State.FREE) {
                return CLIENT_NOT_ACQUIRED;
            }
            if (state != State.IDLE) {
                return NOT_SUPPORTED; // already connected (or on the way)
            }
            useSsl = ssl;
            sslCtx = sslContext;
            LOG.debug("client {}: connecting {}", index, request);
            Events events = new Events();
            c = new BrokerConnection(index, group, blocking, events, latency);
            events.own = c;
            connection = c;
            connecting = request;
            state = State.CONNECTING;
            p = pending = new Pending(Kind.CONNECT, 0);
        }
        // the SSL context is read now: the files and settings as they are at CMQTTCONNECT
        c.open(request.host(), request.port(), useSsl ? tls.apply(sslCtx) : null);
        return await(p, RESPONSE_TIMEOUT.plusSeconds(10)); // plus the TCP connect timeout
    }

    /** Publishes the buffered topic and payload; both are consumed, as the topic must be set again. */
    int publish(int qos, int timeoutSeconds, boolean retain) {
        Pending p;
        synchronized (this) {
            if (state == State.FREE) {
                return CLIENT_NOT_ACQUIRED;
            }
            byte[] t = topic;
            byte[] body = payload == null ? new byte[0] : payload;
            topic = null;
            payload = null;
            if (t == null) {
                return TOPIC_EMPTY;
            }
            if (state != State.CONNECTED) {
                return NO_CONNECTION;
            }
            p = pending = new Pending(Kind.PUB, nextPacketId());
            connection.publish(p.packetId, qos, retain, new String(t, StandardCharsets.UTF_8), body);
        }
        return await(p, Duration.ofSeconds(timeoutSeconds));
    }

    /** Subscribes the filters given with SUBTOPIC (or {@code single}); the list is consumed. */
    int subscribe(byte[] single, int singleQos) {
        Pending p;
        synchronized (this) {
            if (state == State.FREE) {
                return CLIENT_NOT_ACQUIRED;
            }
            List<String> filters = new ArrayList<>();
            List<Integer> qos = new ArrayList<>();
            if (single != null) {
                filters.add(new String(single, StandardCharsets.UTF_8));
                qos.add(singleQos);
            } else {
                subTopics.forEach(t -> filters.add(new String(t, StandardCharsets.UTF_8)));
                qos.addAll(subQos);
                subTopics.clear();
                subQos.clear();
            }
            if (filters.isEmpty()) {
                return TOPIC_EMPTY;
            }
            if (state != State.CONNECTED) {
                return NO_CONNECTION;
            }
            p = pending = new Pending(Kind.SUB, nextPacketId());
            connection.subscribe(p.packetId, filters, qos);
        }
        return await(p, RESPONSE_TIMEOUT);
    }

    /** Unsubscribes the filters given with UNSUBTOPIC (or {@code single}); the list is consumed. */
    int unsubscribe(byte[] single) {
        Pending p;
        synchronized (this) {
            if (state == State.FREE) {
                return CLIENT_NOT_ACQUIRED;
            }
            List<String> filters = new ArrayList<>();
            if (single != null) {
                filters.add(new String(single, StandardCharsets.UTF_8));
            } else {
                unsubTopics.forEach(t -> filters.add(new String(t, StandardCharsets.UTF_8)));
                unsubTopics.clear();
            }
            if (filters.isEmpty()) {
                return TOPIC_EMPTY;
            }
            if (state != State.CONNECTED) {
                return NO_CONNECTION;
            }
            p = pending = new Pending(Kind.UNSUB, nextPacketId());
            connection.unsubscribe(p.packetId, filters);
        }
        return await(p, RESPONSE_TIMEOUT);
    }

    /** Sends DISCONNECT and closes the connection; the client stays acquired. */
    int disconnect(int timeoutSeconds) {
        Pending p;
        BrokerConnection c;
        synchronized (this) {
            if (state == State.FREE) {
                return CLIENT_NOT_ACQUIRED;
            }
            if (state != State.CONNECTED) {
                return NO_CONNECTION;
            }
            state = State.DISCONNECTING;
            c = connection;
            p = pending = new Pending(Kind.DISC, 0);
        }
        c.disconnect(result -> disconnectSent(c, p, result));
        return await(p, Duration.ofSeconds(Math.max(1, timeoutSeconds)));
    }

    private void disconnectSent(BrokerConnection c, Pending p, int result) {
        synchronized (this) {
            if (connection == c) {
                connection = null;
                connected = null;
                state = State.IDLE;
            }
            if (pending == p) {
                if (result == 0) {
                    succeed("+CMQTTDISC: " + index + ",0");
                } else {
                    fail(DISCONNECT_FAIL);
                }
            }
        }
        // the client closes the network connection after DISCONNECT; the broker may have already
        c.close();
    }

    /**
     * Cuts a connected client's connection without DISCONNECT and reports
     * {@code +CMQTTCONNLOST: <i>,<cause>}; an operation waiting for the broker fails as when the
     * broker closes. False, and nothing happens, when the client is not connected.
     */
    boolean lose(int cause) {
        BrokerConnection c;
        synchronized (this) {
            if (state != State.CONNECTED || connection == null) {
                return false;
            }
            c = connection;
            connection = null;
            connected = null;
            connecting = null;
            state = State.IDLE;
            endPending();
            out.urc("+CMQTTCONNLOST: " + index + "," + cause);
        }
        c.drop();
        return true;
    }

    /**
     * The network under the service closed: a connected client reports {@code +CMQTTCONNLOST: <i>,<cause>},
     * an operation waiting for the broker fails, and the client is released.
     */
    void networkLost(int cause) {
        BrokerConnection c;
        synchronized (this) {
            c = connection;
            if (state == State.CONNECTED) {
                out.urc("+CMQTTCONNLOST: " + index + "," + cause);
            }
            endPending();
            free();
        }
        if (c != null) {
            c.drop();
        }
    }

    /** The modem rebooted: the connection is cut without a word, the client and its settings forgotten. */
    void reset() {
        BrokerConnection c;
        synchronized (this) {
            c = connection;
            if (pending != null) {
                pending.result.complete(FAILED);
                pending = null;
            }
            free();
            sslContext = 0;
        }
        if (c != null) {
            c.drop();
        }
    }

    /** The operation waiting for the broker ends as when the connection closes under it. Under the lock. */
    private void endPending() {
        if (pending == null) {
            return;
        }
        if (pending.kind == Kind.DISC) {
            succeed("+CMQTTDISC: " + index + ",0"); // gone either way
        } else {
            fail(MESSAGE_RECEIVE_FAIL);
        }
    }

    /** Back to an unused index. Under the lock. */
    private void free() {
        connection = null;
        connected = null;
        connecting = null;
        state = State.FREE;
        clientId = null;
        ssl = false;
        mqttVersion = 4;
        willTopic = null;
        willMessage = null;
        willQos = 0;
        clearBuffers();
    }

    /** Power down or simulator close: everything goes, silently. */
    void shutdown() {
        BrokerConnection c;
        synchronized (this) {
            c = connection;
            connection = null;
            connected = null;
            connecting = null;
            if (pending != null) {
                pending.result.complete(FAILED);
                pending = null;
            }
            state = State.FREE;
            clientId = null;
            willTopic = null;
            willMessage = null;
            clearBuffers();
        }
        if (c != null) {
            ChannelFuture f = c.close();
            if (f != null) {
                f.awaitUninterruptibly(1000);
            }
        }
    }

    private int nextPacketId() {
        lastPacketId = lastPacketId % 65535 + 1;
        return lastPacketId;
    }

    private int await(Pending p, Duration timeout) {
        try {
            return p.result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return timedOut(p);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FAILED;
        } catch (ExecutionException e) {
            return FAILED;
        }
    }

    private synchronized int timedOut(Pending p) {
        if (p.result.isDone()) {
            return p.result.join(); // the answer came just in time
        }
        pending = null;
        p.result.complete(TIMEOUT);
        if (p.kind == Kind.CONNECT || p.kind == Kind.DISC) {
            // a connection that never finished (or never said goodbye) is abandoned
            BrokerConnection c = connection;
            connection = null;
            connecting = null;
            connected = null;
            state = State.IDLE;
            if (c != null) {
                c.close();
            }
        }
        return TIMEOUT;
    }

    /** Queues the success URC (held until the reply's OK) and releases the waiting reply. Under the lock. */
    private void succeed(String urc) {
        Pending p = pending;
        pending = null;
        out.urc(urc);
        p.result.complete(OK);
    }

    /** Releases the waiting reply with an error code. Under the lock. */
    private void fail(int code) {
        Pending p = pending;
        pending = null;
        p.result.complete(code);
    }

    private static int openFailure(int result, boolean ssl) {
        return switch (result) {
            case BrokerConnection.OPEN_DNS_FAILED -> DNS_ERROR;
            case BrokerConnection.OPEN_NETWORK_ERROR -> SOCK_CONNECT_FAIL;
            case BrokerConnection.OPEN_TLS_FAILED -> HANDSHAKE_FAIL;
            case BrokerConnection.OPEN_TLS_NO_CERT -> NOT_SET_CERTIFICATE;
            default -> ssl ? HANDSHAKE_FAIL : SOCK_CONNECT_FAIL;
        };
    }

    /**
     * The whole receive report as one URC, so nothing else is written inside it: RXSTART, RXTOPIC
     * and the topic, the payload in pieces of at most {@link #RX_CHUNK} bytes, RXEND.
     */
    static byte[] receiveBlock(int index, String topic, byte[] payload, boolean documentSpelling) {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream b = new ByteArrayOutputStream(t.length + payload.length + 128);
        ascii(b, "+CMQTTRXSTART: " + index + "," + t.length + "," + payload.length + "\r\n");
        ascii(b, "+CMQTTRXTOPIC: " + index + "," + t.length + "\r\n");
        b.writeBytes(t);
        ascii(b, "\r\n");
        String payloadUrc = documentSpelling ? "+CMQTTRCPAYLOAD: " : "+CMQTTRXPAYLOAD: ";
        for (int off = 0; off < payload.length; off += RX_CHUNK) {
            int n = Math.min(RX_CHUNK, payload.length - off);
            ascii(b, payloadUrc + index + "," + n + "\r\n");
            b.write(payload, off, n);
            ascii(b, "\r\n");
        }
        ascii(b, "+CMQTTRXEND: " + index);
        return b.toByteArray();
    }

    private static void ascii(ByteArrayOutputStream b, String s) {
        b.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** One connection's events; those of a connection no longer current change nothing. */
    private final class Events implements BrokerEvents {
        BrokerConnection own;

        private boolean current() {
            return own != null && connection == own;
        }

        private boolean awaiting(Kind kind, int packetId) {
            return pending != null && pending.kind == kind && pending.packetId == packetId;
        }

        @Override
        public void opened(int result) {
            synchronized (CmqttClientSlot.this) {
                if (!current() || state != State.CONNECTING || connecting == null) {
                    return;
                }
                if (result == BrokerConnection.OPEN_OK) {
                    ConnectRequest r = connecting;
                    ClientConfig cfg = new ClientConfig();
                    cfg.version = mqttVersion;
                    cfg.keepAlive = r.keepAlive();
                    cfg.cleanSession = r.cleanSession();
                    if (willTopic != null) {
                        cfg.will = true;
                        cfg.willQos = willQos;
                        cfg.willTopic = willTopic;
                        cfg.willMessage = willMessage == null ? new byte[0] : willMessage;
                    }
                    own.connect(clientId, r.user(), r.password(), cfg);
                    return;
                }
                connection = null;
                connecting = null;
                state = State.IDLE;
                if (awaiting(Kind.CONNECT, 0)) {
                    fail(openFailure(result, ssl));
                }
            }
        }

        @Override
        public void connAck(int returnCode) {
            synchronized (CmqttClientSlot.this) {
                if (!current() || state != State.CONNECTING) {
                    return;
                }
                ConnectRequest r = connecting;
                connecting = null;
                if (returnCode == 0) {
                    state = State.CONNECTED;
                    connected = r;
                    if (awaiting(Kind.CONNECT, 0)) {
                        succeed("+CMQTTCONNECT: " + index + ",0");
                    }
                    return;
                }
                // the broker closes a refused connection; that close is of no interest any more
                connection = null;
                state = State.IDLE;
                own.close();
                if (awaiting(Kind.CONNECT, 0)) {
                    fail(returnCode >= 1 && returnCode <= 5 ? CONNACK_BASE + returnCode : FAILED);
                }
            }
        }

        @Override
        public void subAck(int msgId, List<Integer> granted) {
            synchronized (CmqttClientSlot.this) {
                if (!current() || !awaiting(Kind.SUB, msgId)) {
                    return;
                }
                // 0x80 in SUBACK: the broker refused a filter
                if (granted.stream().allMatch(g -> g >= 0 && g <= 2)) {
                    succeed("+CMQTTSUB: " + index + ",0");
                } else {
                    fail(FAILED);
                }
            }
        }

        @Override
        public void unsubAck(int msgId) {
            synchronized (CmqttClientSlot.this) {
                if (current() && awaiting(Kind.UNSUB, msgId)) {
                    succeed("+CMQTTUNSUB: " + index + ",0");
                }
            }
        }

        @Override
        public void published(int msgId) {
            synchronized (CmqttClientSlot.this) {
                if (current() && awaiting(Kind.PUB, msgId)) {
                    succeed("+CMQTTPUB: " + index + ",0");
                }
            }
        }

        @Override
        public void received(InboundMessage message) {
            synchronized (CmqttClientSlot.this) {
                if (!current()) {
                    return;
                }
                out.urc(receiveBlock(index, message.topic(), message.payload(), documentSpelling.getAsBoolean()));
            }
        }

        @Override
        public void closed(boolean afterDisconnect, boolean expected) {
            synchronized (CmqttClientSlot.this) {
                if (!current()) {
                    return;
                }
                if (expected && state == State.CONNECTING) {
                    return; // a failed TLS handshake closes on purpose; opened() reports it
                }
                boolean wasConnected = state == State.CONNECTED;
                connection = null;
                connecting = null;
                connected = null;
                state = State.IDLE;
                if (pending != null) {
                    if (pending.kind == Kind.DISC) {
                        succeed("+CMQTTDISC: " + index + ",0"); // gone either way
                    } else {
                        // as reference 001 shows for a publish the server answered by closing
                        fail(MESSAGE_RECEIVE_FAIL);
                    }
                }
                if (wasConnected && !afterDisconnect && !expected) {
                    out.urc("+CMQTTCONNLOST: " + index + ",1");
                }
            }
        }
    }
}
