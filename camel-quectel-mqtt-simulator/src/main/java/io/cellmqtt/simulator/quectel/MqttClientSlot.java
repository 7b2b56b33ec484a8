package io.cellmqtt.simulator.quectel;

import io.cellmqtt.simulator.broker.BrokerConnection;
import io.cellmqtt.simulator.broker.BrokerEvents;
import io.cellmqtt.simulator.broker.ClientConfig;
import io.cellmqtt.simulator.broker.InboundMessage;
import io.cellmqtt.simulator.host.HostOutput;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The modem's view of one MQTT client index (0–5): its configuration, its state, its in-flight
 * publishes and its receive buffer; turns broker events into the URCs the reference defines.
 */
final class MqttClientSlot {

    enum State { CLOSED, OPENING, OPEN, CONNECTING, CONNECTED, DISCONNECTING }

    /** The BG95 allows at most five QoS>0 publishes awaiting their acknowledgement. */
    static final int INFLIGHT_WINDOW = 5;
    static final int RECV_BUFFER_SLOTS = 5;

    final int index;
    private volatile ClientConfig config = new ClientConfig();
    private final HostOutput out;
    private final EventLoopGroup group;
    private final Executor blocking;
    private final Supplier<Duration> latency;
    private final Set<Integer> inflight = new HashSet<>();
    private final InboundMessage[] recvBuffer = new InboundMessage[RECV_BUFFER_SLOTS];
    private volatile State state = State.CLOSED;
    private volatile BrokerConnection connection;
    private volatile String host;
    private volatile QuectelModel.ReceiveFormat receiveFormat = QuectelModel.ReceiveFormat.QUOTED;
    private volatile int port;

    private final java.util.function.IntFunction<io.cellmqtt.simulator.broker.TlsSpec> tls;

    MqttClientSlot(int index, HostOutput out, EventLoopGroup group, Executor blocking, Supplier<Duration> latency,
            java.util.function.IntFunction<io.cellmqtt.simulator.broker.TlsSpec> tls) {
        this.index = index;
        this.tls = tls;
        this.out = out;
        this.group = group;
        this.blocking = blocking;
        this.latency = latency;
    }

    /** The AT+QMTCFG settings; a new set after a reboot. */
    ClientConfig config() {
        return config;
    }

    /** The model's +QMTRECV shape; set by the command set before the host can connect. */
    void receiveFormat(QuectelModel.ReceiveFormat format) {
        receiveFormat = format;
    }

    State state() {
        return state;
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    /** QMTOPEN: false means the index is occupied (the caller reports result 2). */
    boolean open(String host, int port) {
        synchronized (this) {
            if (state != State.CLOSED) {
                return false;
            }
            state = State.OPENING;
            this.host = host;
            this.port = port;
            Events events = new Events();
            BrokerConnection c = new BrokerConnection(index, group, blocking, events, latency);
            events.own = c;
            connection = c;
            // the SSL context is read now: the files and settings as they are at QMTOPEN
            c.open(host, port, config.ssl ? tls.apply(config.sslCtx) : null);
        }
        return true;
    }

    /**
     * A failed SSL open, whatever failed (a missing or unusable file, the handshake), is
     * {@code +QMTOPEN: <idx>,-1}, "failed to open network": what real BG95 and BG96 modules report
     * for it (captures bg95-01-ssl-open-minus1.txt, https://github.com/zimbora/esp32-BG95/pull/5, and
     * bg96-03-ssl-open-fail.txt, https://github.com/johncobb/catm1_bg96/issues/9); reference 004's
     * result table has no code of its own for TLS.
     */
    static int openResult(int result) {
        return result == BrokerConnection.OPEN_TLS_FAILED || result == BrokerConnection.OPEN_TLS_NO_CERT
                ? BrokerConnection.OPEN_FAILED : result;
    }

    boolean connect(String clientId, String user, String password) {
        synchronized (this) {
            if (state != State.OPEN) {
                return false;
            }
            state = State.CONNECTING;
            connection.connect(clientId, user, password, config);
        }
        return true;
    }

    boolean isConnected() {
        return state == State.CONNECTED;
    }

    void subscribe(int msgId, List<String> topics, List<Integer> qos) {
        connection.subscribe(msgId, topics, qos);
    }

    void unsubscribe(int msgId, List<String> topics) {
        connection.unsubscribe(msgId, topics);
    }

    /** What {@link #reserve} found. */
    enum Reservation { RESERVED, WINDOW_FULL, ID_IN_FLIGHT }

    /** Reserves a place in the in-flight window before the prompt. */
    synchronized Reservation reserve(int msgId, int qos) {
        if (qos == 0) {
            return Reservation.RESERVED;
        }
        if (inflight.size() >= INFLIGHT_WINDOW) {
            return Reservation.WINDOW_FULL;
        }
        if (inflight.contains(msgId)) {
            return Reservation.ID_IN_FLIGHT;
        }
        inflight.add(msgId);
        return Reservation.RESERVED;
    }

    synchronized void release(int msgId, int qos) {
        if (qos > 0) {
            inflight.remove(msgId);
        }
    }

    synchronized int inflightCount() {
        return inflight.size();
    }

    void publish(int msgId, int qos, boolean retain, String topic, byte[] payload) {
        connection.publish(msgId, qos, retain, topic, payload);
    }

    boolean disconnect() {
        BrokerConnection c;
        synchronized (this) {
            if (state != State.CONNECTED && state != State.CONNECTING && state != State.OPEN) {
                return false;
            }
            state = State.DISCONNECTING;
            c = connection;
        }
        c.disconnect(result -> out.urc("+QMTDISC: " + index + "," + result));
        return true;
    }

    boolean close() {
        BrokerConnection c;
        synchronized (this) {
            if (state == State.CLOSED) {
                return false;
            }
            c = connection;
            connection = null;
            state = State.CLOSED;
            inflight.clear();
        }
        ChannelFuture f = c.close();
        if (f == null) {
            later(() -> out.urc("+QMTCLOSE: " + index + ",0"));
        } else {
            f.addListener(x -> later(() -> out.urc("+QMTCLOSE: " + index + ",0")));
        }
        return true;
    }

    /** Closes without any URC (modem shutdown or power-down). */
    void shutdown() {
        BrokerConnection c = connection;
        connection = null;
        state = State.CLOSED;
        if (c != null) {
            ChannelFuture f = c.close();
            if (f != null) {
                f.awaitUninterruptibly(1000);
            }
        }
    }

    /**
     * Cuts a connection that is up (opened, connecting, connected) without DISCONNECT, as a lost
     * network or a silent peer does, and reports {@code +QMTSTAT: <idx>,<code>}. False, and nothing
     * happens, when the index has no connection up.
     */
    boolean lose(int statCode) {
        BrokerConnection c;
        synchronized (this) {
            if (connection == null || state == State.OPENING) {
                return false;
            }
            c = detach();
        }
        out.urc("+QMTSTAT: " + index + "," + statCode);
        c.drop();
        return true;
    }

    /**
     * The PDP context under the client went away: a connection that was up is reported with
     * {@code +QMTSTAT: <idx>,<statCode>}, one still opening with {@code +QMTOPEN: <idx>,<openCode>}.
     */
    void networkLost(int statCode, int openCode) {
        BrokerConnection c;
        State was;
        synchronized (this) {
            if (connection == null) {
                return;
            }
            was = state;
            c = detach();
        }
        out.urc(was == State.OPENING ? "+QMTOPEN: " + index + "," + openCode : "+QMTSTAT: " + index + "," + statCode);
        c.drop();
    }

    /** The modem rebooted: the connection is cut without a word, settings and buffers are forgotten. */
    void reset() {
        BrokerConnection c;
        synchronized (this) {
            c = detach();
            config = new ClientConfig();
            java.util.Arrays.fill(recvBuffer, null);
            host = null;
            port = 0;
        }
        if (c != null) {
            c.drop();
        }
    }

    /** Forgets the connection (its later events change nothing); returns it. Under the lock. */
    private BrokerConnection detach() {
        BrokerConnection c = connection;
        connection = null;
        state = State.CLOSED;
        inflight.clear();
        return c;
    }

    /** AT+QMTRECV? status flags, one per buffer slot. */
    synchronized String storeStatus() {
        StringBuilder sb = new StringBuilder("+QMTRECV: ").append(index);
        for (InboundMessage m : recvBuffer) {
            sb.append(',').append(m == null ? 0 : 1);
        }
        return sb.toString();
    }

    /** AT+QMTRECV=idx[,recv_id]: removes and returns the buffered messages as URC-formatted lines. */
    synchronized List<byte[]> takeBuffered(Integer recvId) {
        List<byte[]> lines = new ArrayList<>();
        for (int i = 0; i < recvBuffer.length; i++) {
            if ((recvId == null || recvId == i) && recvBuffer[i] != null) {
                lines.add(recvLine(recvBuffer[i]));
                recvBuffer[i] = null;
            }
        }
        return lines;
    }

    private byte[] recvLine(InboundMessage m) {
        return receiveFormat.line(index, m, config.recvLenEnable == 1);
    }

    private void later(Runnable r) {
        Duration d = latency.get();
        if (d.isZero() || d.isNegative()) {
            r.run();
        } else {
            group.next().schedule(r, d.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    /** Events of one connection; once it is no longer the slot's, they change and report nothing. */
    private final class Events implements BrokerEvents {
        BrokerConnection own;

        private boolean current() {
            return own != null && connection == own;
        }

        @Override
        public void opened(int result) {
            synchronized (MqttClientSlot.this) {
                if (!current()) {
                    return;
                }
                if (result == BrokerConnection.OPEN_OK) {
                    state = State.OPEN;
                } else {
                    state = State.CLOSED;
                    connection = null;
                }
            }
            out.urc("+QMTOPEN: " + index + "," + openResult(result));
        }

        @Override
        public void connAck(int returnCode) {
            synchronized (MqttClientSlot.this) {
                if (!current()) {
                    return;
                }
                state = returnCode == 0 ? State.CONNECTED : State.OPEN;
            }
            out.urc("+QMTCONN: " + index + ",0," + returnCode);
        }

        @Override
        public void subAck(int msgId, List<Integer> granted) {
            if (!current()) {
                return;
            }
            String list = granted.stream().map(String::valueOf).collect(Collectors.joining(","));
            out.urc("+QMTSUB: " + index + "," + msgId + ",0," + list);
        }

        @Override
        public void unsubAck(int msgId) {
            if (!current()) {
                return;
            }
            out.urc("+QMTUNS: " + index + "," + msgId + ",0");
        }

        @Override
        public void published(int msgId) {
            synchronized (MqttClientSlot.this) {
                if (!current()) {
                    return;
                }
                inflight.remove(msgId);
            }
            out.urc("+QMTPUB: " + index + "," + msgId + ",0");
        }

        @Override
        public void received(InboundMessage message) {
            if (!current()) {
                return;
            }
            if (config.recvMode == 1) {
                int slot = -1;
                synchronized (MqttClientSlot.this) {
                    for (int i = 0; i < recvBuffer.length && slot < 0; i++) {
                        if (recvBuffer[i] == null) {
                            recvBuffer[i] = message;
                            slot = i;
                        }
                    }
                }
                if (slot >= 0) {
                    out.urc("+QMTRECV: " + index + "," + slot);
                }
                // buffer full: the message is lost, as the module has nowhere to keep it
                return;
            }
            out.urc(recvLine(message));
        }

        @Override
        public void closed(boolean afterDisconnect, boolean expected) {
            synchronized (MqttClientSlot.this) {
                if (!current()) {
                    return;
                }
                state = State.CLOSED;
                connection = null;
                inflight.clear();
            }
            if (!expected) {
                out.urc("+QMTSTAT: " + index + "," + (afterDisconnect ? 5 : 1));
            }
        }
    }
}
