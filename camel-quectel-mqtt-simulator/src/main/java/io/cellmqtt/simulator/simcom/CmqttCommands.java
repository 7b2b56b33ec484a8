package io.cellmqtt.simulator.simcom;

import io.cellmqtt.simulator.at.AtCommand;
import io.cellmqtt.simulator.at.AtInterpreter;
import io.cellmqtt.simulator.at.ConnectionLoss;
import io.cellmqtt.simulator.at.MqttCommandSet;
import io.cellmqtt.simulator.host.HostInput;
import io.cellmqtt.simulator.host.HostOutput;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * The SIM7600 MQTT command set (AT+CMQTT*), as reference 001 uses it and the SIM7500/SIM7600 AT
 * manual defines it where 001 is silent. Parameter errors (bad numbers, lengths or indexes out of
 * range) are a plain {@code ERROR}; a command the client's state forbids answers
 * {@code +CMQTT<cmd>: i,<err>} then {@code ERROR} with the manual's code.
 *
 * <p>Lost connections are reported as the SIM7500/SIM7600/SIM7800 MQTT AT Command Manual's URC
 * table gives them (section 2.3.2.1, e.g. https://www.easymanua.ls/simcom/sim7600-series/manual/752403?p=29):
 * {@code +CMQTTCONNLOST: <client_index>,<cause>} with cause 1 "socket is closed passively", 2 "socket
 * is reset", 3 "network is closed"; and {@code +CMQTTNONET} when the network is gone, after which
 * "you should restart the MQTT service by AT+CMQTTSTART".
 */
public final class CmqttCommands implements MqttCommandSet {

    static final int CLIENTS = 2;
    static final int MAX_TOPIC = 1024;
    static final int MAX_PAYLOAD = 10240;
    static final int MAX_WILL = 1024;
    static final int MAX_CLIENT_ID = 128;
    static final int MAX_SERVER = 256;
    static final int MAX_CREDENTIAL = 256;

    private static final String OK = AtInterpreter.OK;
    private static final String ERROR = AtInterpreter.ERROR;
    /** The MQTT service is not started ("network not opened" in the manual's words). */
    private static final int NOT_STARTED = 9;
    private static final int ALREADY_STARTED = 23;
    private static final int CLIENT_NOT_RELEASED = 21;
    /**
     * CONNLOST cause for a peer that closed the connection; reference 001 (section 5) shows it after a
     * server closed on a publish its policy refused: {@code +CMQTTCONNLOST: 0,1}. The manual has no
     * cause for an unanswered PINGREQ (it names a {@code +CMQTTPING: <client_index>,<err>} URC but no
     * value for it), so a ping timeout is reported with this cause too.
     */
    static final int CAUSE_CLOSED_PASSIVELY = 1;
    /** CONNLOST cause when the network under the service closes. */
    static final int CAUSE_NETWORK_CLOSED = 3;

    /** The modem lost the command at its data prompt: no prompt, no answer. */
    private static final class PromptDropped extends RuntimeException {
        PromptDropped() {
            super(null, null, false, false);
        }
    }

    private final HostOutput out;
    private final CmqttClientSlot[] slots = new CmqttClientSlot[CLIENTS];
    private volatile boolean documentSpelling;
    private volatile boolean started;

    public CmqttCommands(HostOutput out, EventLoopGroup group, Executor blocking, Supplier<Duration> latency) {
        this(out, group, blocking, latency, ctx -> {
            throw new IllegalStateException("no SSL contexts given to this command set");
        });
    }

    /** As above, with {@code tls} making the TLS of a connection on an SSL context (AT+CMQTTSSLCFG). */
    public CmqttCommands(HostOutput out, EventLoopGroup group, Executor blocking, Supplier<Duration> latency,
            java.util.function.IntFunction<io.cellmqtt.simulator.broker.TlsSpec> tls) {
        this.out = out;
        for (int i = 0; i < CLIENTS; i++) {
            slots[i] = new CmqttClientSlot(i, out, group, blocking, latency, () -> documentSpelling, tls);
        }
    }

    /** True: received payloads are announced as {@code +CMQTTRCPAYLOAD:}, as reference 001 prints them. */
    public void documentSpelling(boolean on) {
        documentSpelling = on;
    }

    @Override
    public boolean handles(String name) {
        return name.startsWith("+CMQTT");
    }

    @Override
    public String resultUrcHead(AtCommand c) {
        return switch (c.name()) {
            case "+CMQTTSTART", "+CMQTTSTOP" -> c.type() == AtCommand.Type.EXEC ? c.name() + ": " : null;
            case "+CMQTTCONNECT", "+CMQTTDISC", "+CMQTTSUB", "+CMQTTUNSUB", "+CMQTTPUB" ->
                    c.type() == AtCommand.Type.WRITE && c.argCount() > 0 ? c.name() + ": " + c.intArg(0) + "," : null;
            default -> null;
        };
    }

    @Override
    public boolean loseConnection(int index, ConnectionLoss why) {
        return slots[index].lose(CAUSE_CLOSED_PASSIVELY);
    }

    /**
     * Every connected client reports {@code +CMQTTCONNLOST: i,3}, then {@code +CMQTTNONET}: the service
     * is stopped and no client is held any more (the manual asks for AT+CMQTTSTART again; a stopped
     * service holds no clients, as AT+CMQTTSTOP itself requires; the manual does not say what happens
     * to acquired clients). A SIM7600 AWS test log published on GitHub shows the same order when the
     * module reset under a connected client, {@code +CMQTTCONNLOST: 0,3} then {@code +CMQTTNONET} (found
     * by a code search that did not name its repository, so the manual is the citable source).
     * SIMCom has no PDP contexts here, so every client is concerned.
     */
    @Override
    public void networkLost(IntPredicate contextDown) {
        for (CmqttClientSlot s : slots) {
            s.networkLost(CAUSE_NETWORK_CLOSED);
        }
        if (started) {
            started = false;
            out.urc("+CMQTTNONET");
        }
    }

    @Override
    public void reset() {
        started = false;
        for (CmqttClientSlot s : slots) {
            s.reset();
        }
    }

    @Override
    public void shutdown() {
        started = false;
        for (CmqttClientSlot s : slots) {
            s.shutdown();
        }
    }

    @Override
    public String execute(AtCommand c, HostInput in) throws IOException {
        try {
            return dispatch(c, in);
        } catch (PromptDropped e) {
            return null;
        }
    }

    private String dispatch(AtCommand c, HostInput in) throws IOException {
        return switch (c.name()) {
            case "+CMQTTSTART" -> start(c);
            case "+CMQTTSTOP" -> stop(c);
            case "+CMQTTACCQ" -> accq(c);
            case "+CMQTTREL" -> rel(c);
            case "+CMQTTSSLCFG" -> sslcfg(c);
            case "+CMQTTWILLTOPIC" -> willTopic(c, in);
            case "+CMQTTWILLMSG" -> willMsg(c, in);
            case "+CMQTTCONNECT" -> connect(c);
            case "+CMQTTDISC" -> disc(c);
            case "+CMQTTTOPIC" -> topic(c, in);
            case "+CMQTTPAYLOAD" -> payload(c, in);
            case "+CMQTTPUB" -> pub(c);
            case "+CMQTTSUBTOPIC" -> subTopic(c, in);
            case "+CMQTTSUB" -> sub(c, in);
            case "+CMQTTUNSUBTOPIC" -> unsubTopic(c, in);
            case "+CMQTTUNSUB" -> unsub(c, in);
            default -> ERROR;
        };
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private CmqttClientSlot slot(AtCommand c) {
        int idx = c.intArg(0);
        if (idx < 0 || idx >= CLIENTS) {
            throw new IllegalArgumentException("client_index out of range: " + idx);
        }
        return slots[idx];
    }

    private static int ranged(AtCommand c, int i, int min, int max) {
        int v = c.intArg(i);
        if (v < min || v > max) {
            throw new IllegalArgumentException(v + " not in " + min + "-" + max);
        }
        return v;
    }

    private static boolean write(AtCommand c, int minArgs, int maxArgs) {
        return c.type() == AtCommand.Type.WRITE && c.argCount() >= minArgs && c.argCount() <= maxArgs;
    }

    /** The client-level error shape: {@code +CMQTT<cmd>: i,<err>} then ERROR. */
    private String refuse(String name, CmqttClientSlot s, int code) {
        out.line(name + ": " + s.index + "," + code);
        return ERROR;
    }

    /** OK and the result URC on success, the error shape otherwise. */
    private String result(String name, CmqttClientSlot s, int code) {
        return code == CmqttClientSlot.OK ? OK : refuse(name, s, code);
    }

    /** Prompts, then takes exactly {@code len} bytes, whatever they are; null if the host went away. */
    private byte[] data(HostInput in, int len) throws IOException {
        if (!out.dataPrompt()) {
            throw new PromptDropped();
        }
        return in.readExactly(len);
    }

    // ---- service ---------------------------------------------------------------------------------

    private String start(AtCommand c) {
        if (c.type() != AtCommand.Type.EXEC) {
            return c.type() == AtCommand.Type.TEST ? OK : ERROR;
        }
        if (started) {
            out.line("+CMQTTSTART: " + ALREADY_STARTED);
            return ERROR;
        }
        started = true;
        out.urc("+CMQTTSTART: 0");
        return OK;
    }

    private String stop(AtCommand c) {
        if (c.type() != AtCommand.Type.EXEC) {
            return c.type() == AtCommand.Type.TEST ? OK : ERROR;
        }
        if (!started) {
            out.line("+CMQTTSTOP: " + NOT_STARTED);
            return ERROR;
        }
        for (CmqttClientSlot s : slots) {
            if (s.acquired()) {
                out.line("+CMQTTSTOP: " + CLIENT_NOT_RELEASED);
                return ERROR;
            }
        }
        started = false;
        out.urc("+CMQTTSTOP: 0");
        return OK;
    }

    // ---- clients ---------------------------------------------------------------------------------

    private String accq(AtCommand c) {
        switch (c.type()) {
            case TEST -> {
                out.line("+CMQTTACCQ: (0-1),(1-128),(0-1),(3-4)");
                return OK;
            }
            case READ -> {
                out.block(List.of(slots[0].accqLine(), slots[1].accqLine()));
                return OK;
            }
            case WRITE -> {
                if (c.argCount() < 2 || c.argCount() > 4) {
                    return ERROR;
                }
                CmqttClientSlot s = slot(c);
                // reference 001 writes the client id unquoted (<ThingName>); the manual quotes it
                String clientId = c.arg(1).text();
                int length = clientId.getBytes(StandardCharsets.UTF_8).length;
                if (length < 1 || length > MAX_CLIENT_ID) {
                    return ERROR;
                }
                int serverType = c.argCount() > 2 ? ranged(c, 2, 0, 1) : 0;
                int version = c.argCount() > 3 ? ranged(c, 3, 3, 4) : 4;
                if (!started) {
                    return refuse("+CMQTTACCQ", s, NOT_STARTED);
                }
                return result("+CMQTTACCQ", s, s.acquire(clientId, serverType == 1, version));
            }
            default -> {
                return ERROR;
            }
        }
    }

    private String rel(AtCommand c) {
        if (c.type() == AtCommand.Type.TEST) {
            out.line("+CMQTTREL: (0-1)");
            return OK;
        }
        if (!write(c, 1, 1)) {
            return ERROR;
        }
        CmqttClientSlot s = slot(c);
        return result("+CMQTTREL", s, s.release());
    }

    private String sslcfg(AtCommand c) {
        switch (c.type()) {
            case TEST -> {
                out.line("+CMQTTSSLCFG: (0-1),(0-9)");
                return OK;
            }
            case READ -> {
                out.block(List.of("+CMQTTSSLCFG: 0," + slots[0].sslContext(), "+CMQTTSSLCFG: 1," + slots[1].sslContext()));
                return OK;
            }
            case WRITE -> {
                if (c.argCount() != 2) {
                    return ERROR;
                }
                CmqttClientSlot s = slot(c);
                s.sslContext(ranged(c, 1, 0, 9));
                return OK;
            }
            default -> {
                return ERROR;
            }
        }
    }

    /**
     * {@code AT+CMQTT<X>=i,len}: the client must be acquired (else {@code +CMQTT<X>: i,<err>} and
     * ERROR, no prompt); then the prompt, exactly {@code len} bytes, and {@code store} keeps them.
     */
    private String bufferAfterPrompt(AtCommand c, HostInput in, String urc, int max,
            java.util.function.BiConsumer<CmqttClientSlot, byte[]> store) throws IOException {
        if (!write(c, 2, 2)) {
            return ERROR;
        }
        CmqttClientSlot s = slot(c);
        int len = ranged(c, 1, 1, max);
        int refused = s.checkAcquired();
        if (refused != CmqttClientSlot.OK) {
            return refuse(urc, s, refused);
        }
        byte[] bytes = data(in, len);
        if (bytes == null) {
            return ERROR;
        }
        store.accept(s, bytes);
        return OK;
    }

    private String willTopic(AtCommand c, HostInput in) throws IOException {
        return bufferAfterPrompt(c, in, "+CMQTTWILLTOPIC", MAX_WILL, CmqttClientSlot::willTopic);
    }

    private String willMsg(AtCommand c, HostInput in) throws IOException {
        if (!write(c, 3, 3)) {
            return ERROR;
        }
        CmqttClientSlot s = slot(c);
        int len = ranged(c, 1, 1, MAX_WILL);
        int qos = ranged(c, 2, 0, 2);
        int refused = s.checkAcquired();
        if (refused != CmqttClientSlot.OK) {
            return refuse("+CMQTTWILLMSG", s, refused);
        }
        byte[] m = data(in, len);
        if (m == null) {
            return ERROR;
        }
        s.willMessage(m, qos);
        return OK;
    }

    // ---- connection ------------------------------------------------------------------------------

    private String connect(AtCommand c) {
        switch (c.type()) {
            case TEST -> {
                out.line("+CMQTTCONNECT: (0-1),(9-256),(1-64800),(0-1),(1-256),(1-256)");
                return OK;
            }
            case READ -> {
                for (CmqttClientSlot s : slots) {
                    String line = s.connectLine();
                    if (line != null) {
                        out.line(line);
                    }
                }
                return OK;
            }
            case WRITE -> {
                if (c.argCount() < 4 || c.argCount() > 6) {
                    return ERROR;
                }
                CmqttClientSlot s = slot(c);
                Optional<CmqttClientSlot.ConnectRequest> request = connectRequest(c);
                if (request.isEmpty()) {
                    return ERROR;
                }
                int code = s.connect(request.get());
                return result("+CMQTTCONNECT", s, code);
            }
            default -> {
                return ERROR;
            }
        }
    }

    /** {@code "tcp://host:port",keepalive,clean[,"user"[,"password"]]}; empty when malformed. */
    private static Optional<CmqttClientSlot.ConnectRequest> connectRequest(AtCommand c) {
        String server = c.arg(1).text();
        int keepAlive = ranged(c, 2, 1, 64800);
        int clean = ranged(c, 3, 0, 1);
        String user = c.argCount() > 4 ? c.arg(4).text() : null;
        String password = c.argCount() > 5 ? c.arg(5).text() : null;
        if (server.length() < 9 || server.length() > MAX_SERVER || !server.toLowerCase(Locale.ROOT).startsWith("tcp://")
                || (user != null && user.getBytes(StandardCharsets.UTF_8).length > MAX_CREDENTIAL)
                || (password != null && password.getBytes(StandardCharsets.UTF_8).length > MAX_CREDENTIAL)) {
            return Optional.empty();
        }
        String hostPort = server.substring("tcp://".length());
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            return Optional.empty();
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // an IPv6 literal
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            return Optional.empty();
        }
        return Optional.of(new CmqttClientSlot.ConnectRequest(server, host, port, keepAlive, clean == 1, user, password));
    }

    private String disc(AtCommand c) {
        switch (c.type()) {
            case TEST -> {
                out.line("+CMQTTDISC: (0-1),(0-180)");
                return OK;
            }
            case READ -> {
                // 0 connected, 1 disconnected, as the manual's <disc_state>
                List<String> lines = new ArrayList<>();
                for (CmqttClientSlot s : slots) {
                    lines.add("+CMQTTDISC: " + s.index + "," + (s.state() == CmqttClientSlot.State.CONNECTED ? 0 : 1));
                }
                out.block(lines);
                return OK;
            }
            case WRITE -> {
                if (c.argCount() < 1 || c.argCount() > 2) {
                    return ERROR;
                }
                CmqttClientSlot s = slot(c);
                int timeout = c.argCount() > 1 ? ranged(c, 1, 0, 180) : 0;
                return result("+CMQTTDISC", s, s.disconnect(timeout));
            }
            default -> {
                return ERROR;
            }
        }
    }

    // ---- publish ---------------------------------------------------------------------------------

    private String topic(AtCommand c, HostInput in) throws IOException {
        return bufferAfterPrompt(c, in, "+CMQTTTOPIC", MAX_TOPIC, CmqttClientSlot::topic);
    }

    private String payload(AtCommand c, HostInput in) throws IOException {
        return bufferAfterPrompt(c, in, "+CMQTTPAYLOAD", MAX_PAYLOAD, CmqttClientSlot::payload);
    }

    private String pub(AtCommand c) {
        if (c.type() == AtCommand.Type.TEST) {
            out.line("+CMQTTPUB: (0-1),(0-2),(1-180),(0-1),(0-1)");
            return OK;
        }
        if (!write(c, 3, 5)) {
            return ERROR;
        }
        CmqttClientSlot s = slot(c);
        int qos = ranged(c, 1, 0, 2);
        int timeout = ranged(c, 2, 1, 180);
        int retained = c.argCount() > 3 ? ranged(c, 3, 0, 1) : 0;
        if (c.argCount() > 4) {
            ranged(c, 4, 0, 1); // dup: the modem decides retransmissions itself
        }
        return result("+CMQTTPUB", s, s.publish(qos, timeout, retained == 1));
    }

    // ---- subscriptions ---------------------------------------------------------------------------

    private String subTopic(AtCommand c, HostInput in) throws IOException {
        if (!write(c, 3, 3)) {
            return ERROR;
        }
        CmqttClientSlot s = slot(c);
        int len = ranged(c, 1, 1, MAX_TOPIC);
        int qos = ranged(c, 2, 0, 2);
        int refused = s.checkAcquired();
        if (refused != CmqttClientSlot.OK) {
            return refuse("+CMQTTSUBTOPIC", s, refused);
        }
        byte[] t = data(in, len);
        if (t == null) {
            return ERROR;
        }
        s.addSubTopic(t, qos);
        return OK;
    }

    /** {@code AT+CMQTTSUB=i} subscribes the SUBTOPIC list; {@code AT+CMQTTSUB=i,len,qos[,dup]} one filter after a prompt. */
    private String sub(AtCommand c, HostInput in) throws IOException {
        if (c.type() == AtCommand.Type.TEST) {
            out.line("+CMQTTSUB: (0-1),(1-1024),(0-2),(0-1)");
            return OK;
        }
        if (!write(c, 1, 4) || c.argCount() == 2) {
            return ERROR;
        }
        CmqttClientSlot s = slot(c);
        if (c.argCount() == 1) {
            return result("+CMQTTSUB", s, s.subscribe(null, 0));
        }
        int len = ranged(c, 1, 1, MAX_TOPIC);
        int qos = ranged(c, 2, 0, 2);
        if (c.argCount() > 3) {
            ranged(c, 3, 0, 1);
        }
        int refused = s.checkConnected();
        if (refused != CmqttClientSlot.OK) {
            return refuse("+CMQTTSUB", s, refused);
        }
        byte[] t = data(in, len);
        if (t == null) {
            return ERROR;
        }
        return result("+CMQTTSUB", s, s.subscribe(t, qos));
    }

    private String unsubTopic(AtCommand c, HostInput in) throws IOException {
        return bufferAfterPrompt(c, in, "+CMQTTUNSUBTOPIC", MAX_TOPIC, CmqttClientSlot::addUnsubTopic);
    }

    /** {@code AT+CMQTTUNSUB=i,dup} unsubscribes the UNSUBTOPIC list; {@code AT+CMQTTUNSUB=i,len,dup} one filter after a prompt. */
    private String unsub(AtCommand c, HostInput in) throws IOException {
        if (c.type() == AtCommand.Type.TEST) {
            out.line("+CMQTTUNSUB: (0-1),(1-1024),(0-1)");
            return OK;
        }
        if (!write(c, 2, 3)) {
            return ERROR;
        }
        CmqttClientSlot s = slot(c);
        if (c.argCount() == 2) {
            ranged(c, 1, 0, 1);
            return result("+CMQTTUNSUB", s, s.unsubscribe(null));
        }
        int len = ranged(c, 1, 1, MAX_TOPIC);
        ranged(c, 2, 0, 1);
        int refused = s.checkConnected();
        if (refused != CmqttClientSlot.OK) {
            return refuse("+CMQTTUNSUB", s, refused);
        }
        byte[] t = data(in, len);
        if (t == null) {
            return ERROR;
        }
        return result("+CMQTTUNSUB", s, s.unsubscribe(t));
    }
}
