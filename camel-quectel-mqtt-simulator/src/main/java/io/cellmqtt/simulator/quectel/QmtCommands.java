package io.cellmqtt.simulator.quectel;

import io.cellmqtt.simulator.at.AtCommand;
import io.cellmqtt.simulator.at.AtInterpreter;
import io.cellmqtt.simulator.at.ConnectionLoss;
import io.cellmqtt.simulator.at.ModemProfile;
import io.cellmqtt.simulator.at.MqttCommandSet;
import io.cellmqtt.simulator.at.PdpContexts;
import io.cellmqtt.simulator.broker.ClientConfig;
import io.cellmqtt.simulator.host.HostInput;
import io.cellmqtt.simulator.host.HostOutput;
import io.cellmqtt.simulator.quectel.QuectelModel.PublishForm;
import io.netty.channel.EventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * The Quectel MQTT command set (AT+QMT*) with the parameter ranges of the BG95 reference; where a
 * model's document differs, its {@link QuectelModel} says how.
 *
 * <p>A lost connection is {@code +QMTSTAT: <idx>,<err_code>} with reference 004's table 2 (section
 * 4.1): 1 "closed or reset by a peer", 2 "sending PINGREQ packet timed out or failed". An open
 * while the client's PDP context is inactive is {@code +QMTOPEN: <idx>,3}, "failed to activate
 * PDP" in 004's result table of AT+QMTOPEN (section 3.2.2).
 */
public final class QmtCommands implements MqttCommandSet {

    static final int MAX_PUBEX_LEN = 560;
    static final int MAX_WILL_LEN = 255;
    private static final int CTRL_Z = 0x1A;
    private static final int ESC = 0x1B;
    private static final String OK = AtInterpreter.OK;
    private static final String ERROR = AtInterpreter.ERROR;

    /** AT+QMTCFG=? ranges per key, after the key and the client index range. */
    private static final Map<String, String> CFG_RANGES = Map.of(
            "version", "(3,4)",
            "pdpcid", "(1-16)",
            "ssl", "(0,1),(0-5)",
            "keepalive", "(0-3600)",
            "session", "(0,1)",
            "timeout", "(1-60),(0-10),(0,1)",
            "will", "(0,1),(0-2),(0,1),\"length\",\"length\"",
            "recv/mode", "(0,1),(0,1)",
            "aliauth", "\"productkey\",\"devicename\",\"devicesecret\"");

    /** AT+QMTOPEN's result when the client's PDP context is not active (reference 004, 3.2.2). */
    static final int OPEN_PDP_FAILED = 3;
    /** +QMTSTAT codes of reference 004, table 2. */
    static final int STAT_PEER_CLOSED = 1;
    static final int STAT_PING_TIMEOUT = 2;

    private final QuectelModel model;
    private final HostOutput out;
    private final PdpContexts pdp;
    private final MqttClientSlot[] slots;

    /** The Quectel client indexes 0–5. */
    static final int CLIENTS = 6;

    /**
     * The command set of a Quectel model, with its six client slots; broker connections run on
     * {@code group}, DNS lookups on {@code blocking}, each broker result {@code latency} late.
     */
    public QmtCommands(ModemProfile profile, HostOutput out, PdpContexts pdp, EventLoopGroup group,
            Executor blocking, Supplier<Duration> latency) {
        this(profile, out, pdp, group, blocking, latency, ctx -> {
            throw new IllegalStateException("no SSL contexts given to this command set");
        });
    }

    /** As above, with {@code tls} making the TLS of a connection on an SSL context (AT+QMTCFG="ssl"). */
    public QmtCommands(ModemProfile profile, HostOutput out, PdpContexts pdp, EventLoopGroup group,
            Executor blocking, Supplier<Duration> latency, java.util.function.IntFunction<io.cellmqtt.simulator.broker.TlsSpec> tls) {
        this.model = QuectelModel.of(profile);
        this.out = out;
        this.pdp = pdp;
        this.slots = new MqttClientSlot[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            slots[i] = new MqttClientSlot(i, out, group, blocking, latency, tls);
            slots[i].receiveFormat(model.receive());
        }
    }

    @Override
    public boolean handles(String name) {
        return name.startsWith("+QMT");
    }

    @Override
    public String resultUrcHead(AtCommand c) {
        if (c.type() != AtCommand.Type.WRITE || c.argCount() < 2) {
            return null;
        }
        return switch (c.name()) {
            case "+QMTOPEN", "+QMTCLOSE", "+QMTCONN", "+QMTDISC" -> c.name() + ": " + c.intArg(0) + ",";
            // QMTPUBEX reports with +QMTPUB, as reference 004's example shows
            case "+QMTPUB", "+QMTPUBEX" -> "+QMTPUB: " + c.intArg(0) + "," + c.intArg(1) + ",";
            case "+QMTSUB", "+QMTUNS" -> c.name() + ": " + c.intArg(0) + "," + c.intArg(1) + ",";
            default -> null;
        };
    }

    @Override
    public boolean loseConnection(int index, ConnectionLoss why) {
        return slots[index].lose(why == ConnectionLoss.PING_TIMEOUT ? STAT_PING_TIMEOUT : STAT_PEER_CLOSED);
    }

    @Override
    public void networkLost(IntPredicate contextDown) {
        for (MqttClientSlot s : slots) {
            if (contextDown.test(s.config().pdpCid)) {
                s.networkLost(STAT_PEER_CLOSED, OPEN_PDP_FAILED);
            }
        }
    }

    @Override
    public void reset() {
        for (MqttClientSlot s : slots) {
            s.reset();
        }
    }

    @Override
    public void shutdown() {
        for (MqttClientSlot s : slots) {
            s.shutdown();
        }
    }

    @Override
    public String execute(AtCommand c, HostInput in) throws IOException {
        return switch (c.name()) {
            case "+QMTCFG" -> cfg(c);
            case "+QMTOPEN" -> open(c);
            case "+QMTCLOSE" -> close(c);
            case "+QMTCONN" -> conn(c);
            case "+QMTDISC" -> disc(c);
            case "+QMTSUB" -> sub(c);
            case "+QMTUNS" -> uns(c);
            case "+QMTPUB" -> pub(c, in);
            case "+QMTPUBEX" -> model.pubex() ? pubex(c) : ERROR;
            // no buffer to read where recv/mode is missing, or refused by an older firmware
            case "+QMTRECV" -> model.hasReceiveBuffer() && !out.firmware().refuses("recv/mode") ? recv(c) : ERROR;
            default -> ERROR;
        };
    }

    private MqttClientSlot slot(AtCommand c) {
        int idx = c.intArg(0);
        if (idx < 0 || idx >= slots.length) {
            throw new IllegalArgumentException("client_idx out of range: " + idx);
        }
        return slots[idx];
    }

    private static void range(int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(v + " not in " + min + "-" + max);
        }
    }

    // ---- AT+QMTCFG -------------------------------------------------------------------------

    private String cfg(AtCommand c) {
        if (c.type() == AtCommand.Type.TEST) {
            out.block(model.configKeys().stream()
                    .filter(k -> !out.firmware().refuses(k))
                    .map(k -> "+QMTCFG: \"" + model.spell(k) + "\",(0-5)," + CFG_RANGES.get(k))
                    .toList());
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() < 2) {
            return ERROR;
        }
        Optional<String> known = model.configKey(c.arg(0).text());
        if (known.isEmpty()) {
            return ERROR; // a key the model lacks, or spelled as the model does not spell it
        }
        String key = known.get();
        if (out.firmware().refuses(key)) {
            return ERROR; // an older firmware without this key (Firmware.withRefusedQmtcfg)
        }
        int idx = c.intArg(1);
        range(idx, 0, slots.length - 1);
        ClientConfig cfg = slots[idx].config();
        boolean query = c.argCount() == 2;
        switch (key) {
            case "version" -> {
                if (query) {
                    out.line(cfgLine("version", cfg.version));
                } else {
                    int v = c.intArg(2);
                    if (v != 3 && v != 4) {
                        return ERROR;
                    }
                    cfg.version = v;
                }
            }
            case "pdpcid" -> {
                if (query) {
                    out.line(cfgLine("pdpcid", cfg.pdpCid));
                } else {
                    int v = c.intArg(2);
                    range(v, 1, 16);
                    cfg.pdpCid = v;
                }
            }
            case "ssl" -> {
                if (query) {
                    out.line(cfgLine("ssl", (cfg.ssl ? 1 : 0) + "," + cfg.sslCtx));
                } else {
                    int en = c.intArg(2);
                    range(en, 0, 1);
                    int ctx = cfg.sslCtx;
                    if (c.argCount() > 3) {
                        ctx = c.intArg(3);
                        range(ctx, 0, 5);
                    }
                    cfg.ssl = en == 1;
                    cfg.sslCtx = ctx;
                }
            }
            case "keepalive" -> {
                if (query) {
                    out.line(cfgLine("keepalive", cfg.keepAlive));
                } else {
                    int v = c.intArg(2);
                    range(v, 0, 3600);
                    cfg.keepAlive = v;
                }
            }
            case "session" -> {
                if (query) {
                    out.line(cfgLine("session", (cfg.cleanSession ? 1 : 0)));
                } else {
                    int v = c.intArg(2);
                    range(v, 0, 1);
                    cfg.cleanSession = v == 1;
                }
            }
            case "timeout" -> {
                if (query) {
                    out.line(cfgLine("timeout", cfg.pktTimeout + "," + cfg.retryTimes + "," + cfg.timeoutNotice));
                } else {
                    int t = c.intArg(2);
                    range(t, 1, 60);
                    int r = cfg.retryTimes;
                    int n = cfg.timeoutNotice;
                    if (c.argCount() > 3) {
                        r = c.intArg(3);
                        range(r, 0, 10);
                    }
                    if (c.argCount() > 4) {
                        n = c.intArg(4);
                        range(n, 0, 1);
                    }
                    cfg.pktTimeout = t;
                    cfg.retryTimes = r;
                    cfg.timeoutNotice = n;
                }
            }
            case "will" -> {
                return will(c, cfg, query);
            }
            case "recv/mode" -> {
                if (query) {
                    out.line(cfgLine("recv/mode", cfg.recvMode + "," + cfg.recvLenEnable));
                } else {
                    int m = c.intArg(2);
                    range(m, 0, 1);
                    int len = cfg.recvLenEnable;
                    if (c.argCount() > 3) {
                        len = c.intArg(3);
                        range(len, 0, 1);
                    }
                    cfg.recvMode = m;
                    cfg.recvLenEnable = len;
                }
            }
            case "aliauth" -> {
                if (query) {
                    if (cfg.aliProductKey != null) {
                        out.line(cfgLine("aliauth", "\"" + cfg.aliProductKey + "\",\"" + cfg.aliDeviceName
                                + "\",\"" + cfg.aliDeviceSecret + "\""));
                    }
                } else {
                    if (c.argCount() != 5) {
                        return ERROR;
                    }
                    cfg.aliProductKey = c.arg(2).text();
                    cfg.aliDeviceName = c.arg(3).text();
                    cfg.aliDeviceSecret = c.arg(4).text();
                }
            }
            default -> {
                return ERROR;
            }
        }
        return OK;
    }

    /** A configuration query's answer line, with or without the key as the model prints it. */
    private String cfgLine(String key, Object values) {
        return model.queryNamesKey() ? "+QMTCFG: \"" + model.spell(key) + "\"," + values : "+QMTCFG: " + values;
    }

    private String will(AtCommand c, ClientConfig cfg, boolean query) {
        if (query) {
            if (cfg.will) {
                out.line(cfgLine("will", "1," + cfg.willQos + "," + (cfg.willRetain ? 1 : 0) + ",\""
                        + new String(cfg.willTopic, StandardCharsets.UTF_8) + "\",\""
                        + new String(cfg.willMessage, StandardCharsets.UTF_8) + "\""));
            } else {
                out.line(cfgLine("will", "0"));
            }
            return OK;
        }
        int fg = c.intArg(2);
        range(fg, 0, 1);
        if (fg == 0) {
            cfg.will = false;
            return OK;
        }
        // with the flag set, all four will parameters must be given (reference note 1)
        if (c.argCount() != 7) {
            return ERROR;
        }
        int qos = c.intArg(3);
        range(qos, 0, 2);
        int retain = c.intArg(4);
        range(retain, 0, 1);
        byte[] topic = c.arg(5).bytes();
        byte[] message = c.arg(6).bytes();
        if (topic.length == 0 || topic.length > MAX_WILL_LEN || message.length > MAX_WILL_LEN) {
            return ERROR;
        }
        cfg.will = true;
        cfg.willQos = qos;
        cfg.willRetain = retain == 1;
        cfg.willTopic = topic;
        cfg.willMessage = message;
        return OK;
    }

    // ---- connection ------------------------------------------------------------------------

    private String open(AtCommand c) {
        switch (c.type()) {
            case TEST -> {
                out.line("+QMTOPEN: (0-5),\"<host_name>\",(0-65535)");
                return OK;
            }
            case READ -> {
                for (MqttClientSlot s : slots) {
                    if (s.state() != MqttClientSlot.State.CLOSED && s.state() != MqttClientSlot.State.OPENING) {
                        out.line("+QMTOPEN: " + s.index + ",\"" + s.host() + "\"," + s.port());
                    }
                }
                return OK;
            }
            case WRITE -> {
                if (c.argCount() != 3) {
                    return ERROR;
                }
                MqttClientSlot s = slot(c);
                String host = c.arg(1).text();
                AtCommand.Arg portArg = c.arg(2);
                // the M95 document writes the port quoted ("8883"); elsewhere a quoted port is an error
                int port = portArg.quoted() && model.quotedPort() ? Integer.parseInt(portArg.text().trim())
                        : portArg.intValue();
                range(port, 0, 65535);
                if (host.isEmpty() || host.getBytes(StandardCharsets.UTF_8).length > 100) {
                    return ERROR;
                }
                if (s.state() == MqttClientSlot.State.CLOSED && !pdp.active(s.config().pdpCid)) {
                    out.urc("+QMTOPEN: " + s.index + "," + OPEN_PDP_FAILED);
                } else if (!s.open(host, port)) {
                    // the reference reports an occupied index asynchronously, after OK
                    out.urc("+QMTOPEN: " + s.index + ",2");
                }
                return OK;
            }
            default -> {
                return ERROR;
            }
        }
    }

    private String close(AtCommand c) {
        if (c.type() == AtCommand.Type.TEST) {
            out.line("+QMTCLOSE: (0-5)");
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() != 1) {
            return ERROR;
        }
        return slot(c).close() ? OK : ERROR;
    }

    private String conn(AtCommand c) {
        switch (c.type()) {
            case TEST -> {
                out.line("+QMTCONN: (0-5),\"<clientID>\",\"<username>\",\"<password>\"");
                return OK;
            }
            case READ -> {
                for (MqttClientSlot s : slots) {
                    int st = switch (s.state()) {
                        case OPEN -> 1;
                        case CONNECTING -> 2;
                        case CONNECTED -> 3;
                        case DISCONNECTING -> 4;
                        default -> 0;
                    };
                    if (st > 0) {
                        out.line("+QMTCONN: " + s.index + "," + st);
                    }
                }
                return OK;
            }
            case WRITE -> {
                if (c.argCount() < 2 || c.argCount() > 4) {
                    return ERROR;
                }
                MqttClientSlot s = slot(c);
                String clientId = c.arg(1).text();
                String user = c.argCount() > 2 ? c.arg(2).text() : null;
                String pass = c.argCount() > 3 ? c.arg(3).text() : null;
                if (clientId.getBytes(StandardCharsets.UTF_8).length > 256
                        || (user != null && user.getBytes(StandardCharsets.UTF_8).length > 512)
                        || (pass != null && pass.getBytes(StandardCharsets.UTF_8).length > 512)) {
                    return ERROR;
                }
                return s.connect(clientId, user, pass) ? OK : ERROR;
            }
            default -> {
                return ERROR;
            }
        }
    }

    private String disc(AtCommand c) {
        if (c.type() == AtCommand.Type.TEST) {
            out.line("+QMTDISC: (0-5)");
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() != 1) {
            return ERROR;
        }
        return slot(c).disconnect() ? OK : ERROR;
    }

    // ---- subscriptions -----------------------------------------------------------------------

    private String sub(AtCommand c) {
        if (c.type() == AtCommand.Type.TEST) {
            out.line("+QMTSUB: (0-5),(1-65535),\"<topic>\",(0-2)");
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() < 4 || c.argCount() % 2 != 0) {
            return ERROR;
        }
        MqttClientSlot s = slot(c);
        int msgId = c.intArg(1);
        range(msgId, 1, 65535);
        List<String> topics = new ArrayList<>();
        List<Integer> qos = new ArrayList<>();
        for (int i = 2; i < c.argCount(); i += 2) {
            String t = c.arg(i).text();
            int q = c.intArg(i + 1);
            range(q, 0, 2);
            if (t.isEmpty()) {
                return ERROR;
            }
            topics.add(t);
            qos.add(q);
        }
        if (!s.isConnected()) {
            return ERROR;
        }
        s.subscribe(msgId, topics, qos);
        return OK;
    }

    private String uns(AtCommand c) {
        if (c.type() == AtCommand.Type.TEST) {
            out.line("+QMTUNS: (0-5),(1-65535),\"<topic>\"");
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() < 3) {
            return ERROR;
        }
        MqttClientSlot s = slot(c);
        int msgId = c.intArg(1);
        range(msgId, 1, 65535);
        List<String> topics = new ArrayList<>();
        for (int i = 2; i < c.argCount(); i++) {
            topics.add(c.arg(i).text());
        }
        if (!s.isConnected()) {
            return ERROR;
        }
        s.unsubscribe(msgId, topics);
        return OK;
    }

    // ---- publishing -----------------------------------------------------------------------------

    /** Checks common to QMTPUB and QMTPUBEX; returns null when the publish may proceed. */
    private String checkPublish(MqttClientSlot s, int msgId, int qos, int retain, String topic) {
        range(msgId, 0, 65535);
        range(qos, 0, 2);
        range(retain, 0, 1);
        if (qos > 0 && msgId == 0) {
            return ERROR; // message id 0 is only for QoS 0
        }
        if (topic.isEmpty() || !s.isConnected()) {
            return ERROR;
        }
        return switch (s.reserve(msgId, qos)) {
            case RESERVED -> null;
            case WINDOW_FULL -> model.inflightFull();
            case ID_IN_FLIGHT -> ERROR;
        };
    }

    private String pub(AtCommand c, HostInput in) throws IOException {
        if (c.type() == AtCommand.Type.TEST) {
            String last = model.publishes(PublishForm.FIXED_LENGTH) ? "(1-" + model.maxPayload() + ")" : "\"<msg>\"";
            out.line("+QMTPUB: (0-5),(0-65535),(0-2),(0,1),\"<topic>\"," + last);
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() < 5 || c.argCount() > 6) {
            return ERROR;
        }
        MqttClientSlot s = slot(c);
        int msgId = c.intArg(1);
        int qos = c.intArg(2);
        int retain = c.intArg(3);
        String topic = c.arg(4).text();
        PublishForm form = c.argCount() == 5 ? PublishForm.CTRL_Z
                : c.arg(5).quoted() ? PublishForm.INLINE_QUOTED : PublishForm.FIXED_LENGTH;
        if (!model.publishes(form)) {
            return ERROR;
        }
        int len = 0;
        byte[] inline = null;
        if (form == PublishForm.FIXED_LENGTH) {
            len = c.intArg(5);
            if (len < 1 || len > model.maxPayload()) {
                return ERROR; // refused before the prompt
            }
        } else if (form == PublishForm.INLINE_QUOTED) {
            inline = c.arg(5).bytes();
            if (inline.length > model.maxPayload()) {
                return ERROR;
            }
        }
        String refused = checkPublish(s, msgId, qos, retain, topic);
        if (refused != null) {
            return refused;
        }
        if (inline != null) {
            s.publish(msgId, qos, retain == 1, topic, inline);
            return OK;
        }
        if (!out.dataPrompt()) {
            s.release(msgId, qos); // the modem lost the command: nothing is reserved, nothing answered
            return null;
        }
        byte[] payload = form == PublishForm.FIXED_LENGTH ? in.readExactly(len)
                : readUntilCtrlZ(in, model.maxPayload());
        if (payload == null) {
            // cancelled with ESC (or the host went away): nothing is sent
            s.release(msgId, qos);
            out.noResultUrc();
            return OK;
        }
        s.publish(msgId, qos, retain == 1, topic, payload);
        return OK;
    }

    private String pubex(AtCommand c) {
        if (c.type() == AtCommand.Type.TEST) {
            out.line("+QMTPUBEX: (0-5),(0-65535),(0-2),(0,1),\"<topic>\",\"<msg>\"");
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() != 6) {
            return ERROR;
        }
        MqttClientSlot s = slot(c);
        int msgId = c.intArg(1);
        int qos = c.intArg(2);
        int retain = c.intArg(3);
        String topic = c.arg(4).text();
        byte[] msg = c.arg(5).bytes();
        if (msg.length > MAX_PUBEX_LEN) {
            return ERROR;
        }
        String refused = checkPublish(s, msgId, qos, retain, topic);
        if (refused != null) {
            return refused;
        }
        s.publish(msgId, qos, retain == 1, topic, msg);
        return OK;
    }


    /** Variable-length data mode: Ctrl+Z sends, ESC cancels; bytes beyond {@code max} are dropped, as the M95 document says. */
    private static byte[] readUntilCtrlZ(HostInput in, int max) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            int v = in.read();
            if (v < 0 || v == ESC) {
                return null;
            }
            if (v == CTRL_Z) {
                return b.toByteArray();
            }
            if (b.size() < max) {
                b.write(v);
            }
        }
    }

    // ---- receive buffer (recv/mode 1) ---------------------------------------------------------

    private String recv(AtCommand c) {
        switch (c.type()) {
            case TEST -> {
                return OK;
            }
            case READ -> {
                for (MqttClientSlot s : slots) {
                    if (s.isConnected()) {
                        out.line(s.storeStatus());
                    }
                }
                return OK;
            }
            case WRITE -> {
                MqttClientSlot s = slot(c);
                Integer id = null;
                if (c.argCount() > 1) {
                    id = c.intArg(1);
                    range(id, 0, MqttClientSlot.RECV_BUFFER_SLOTS - 1);
                }
                if (!s.isConnected()) {
                    return ERROR;
                }
                for (byte[] line : s.takeBuffered(id)) {
                    out.raw(HostOutput.frame(line));
                }
                return OK;
            }
            default -> {
                return ERROR;
            }
        }
    }
}
