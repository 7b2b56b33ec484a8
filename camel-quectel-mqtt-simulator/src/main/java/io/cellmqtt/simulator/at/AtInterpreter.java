package io.cellmqtt.simulator.at;

import io.cellmqtt.simulator.host.HostInput;
import io.cellmqtt.simulator.host.HostOutput;
import io.cellmqtt.simulator.host.LineHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one command line at a time. The model's MQTT command set gets the commands it handles;
 * general and network commands are answered here, as far as the model's {@link GeneralCommands}
 * table has them. Commands from several transports are serialised because a real modem has one AT
 * interpreter per port. {@link #reset()} is the modem rebooting: it runs on another thread, without
 * waiting for a command in progress, whose answer the output then drops.
 */
public final class AtInterpreter implements LineHandler {

    private static final Logger LOG = LoggerFactory.getLogger(AtInterpreter.class);
    public static final String OK = "OK";
    public static final String ERROR = "ERROR";

    private final ModemProfile profile;
    private final HostOutput out;
    private final MqttCommandSet mqtt;
    private final GeneralCommands general;
    private final ModemFiles files;
    private final List<String> commandLog = new CopyOnWriteArrayList<>();
    private final SslContexts ssl;
    private final PdpContexts pdp;
    private volatile String imei;
    private volatile boolean echo = true;
    private volatile int cmee;
    private volatile boolean poweredDown;
    private final Runnable onPowerDown;

    public AtInterpreter(ModemProfile profile, HostOutput out, MqttCommandSet mqtt, Runnable onPowerDown) {
        this(profile, out, mqtt, new PdpContexts(), onPowerDown);
    }

    public AtInterpreter(ModemProfile profile, HostOutput out, MqttCommandSet mqtt, PdpContexts pdp,
            Runnable onPowerDown) {
        this(profile, out, mqtt, pdp, new ModemFiles(out), null, onPowerDown);
    }

    /** With the modem's files and SSL contexts, which its MQTT command set reads when it makes a TLS connection. */
    public AtInterpreter(ModemProfile profile, HostOutput out, MqttCommandSet mqtt, PdpContexts pdp,
            ModemFiles files, SslContexts ssl, Runnable onPowerDown) {
        this.profile = profile;
        this.pdp = pdp;
        this.out = out;
        this.mqtt = mqtt;
        this.general = GeneralCommands.of(profile);
        this.files = files;
        this.ssl = ssl != null ? ssl : new SslContexts(profile, files);
        // Quectel's FILE commands report +CME ERROR: <err> with their own codes (407, 418), whatever
        // the verbosity; under AT+CMEE=0 an ME error is a plain ERROR (3GPP TS 27.007 9.1)
        files.errors(code -> cmee == 0 ? ERROR : "+CME ERROR: " + code);
        this.imei = profile.defaultImei();
        this.onPowerDown = onPowerDown;
    }

    public void imei(String imei) {
        this.imei = imei;
    }

    /** The modem's files. */
    public ModemFiles files() {
        return files;
    }

    public List<String> commandLog() {
        return List.copyOf(commandLog);
    }

    boolean poweredDown() {
        return poweredDown;
    }

    /**
     * The modem rebooted: echo on, {@code AT+CMEE} back to 0, every SSL setting and PDP context
     * gone, every MQTT connection cut without a word and every MQTT setting forgotten. Uploaded
     * files stay, as they live in the modem's flash, except the M95's {@code RAM:} files.
     */
    public void reset() {
        mqtt.reset();
        echo = true;
        cmee = 0;
        ssl.reset();
        files.reboot();
        pdp.deactivateAll();
        poweredDown = false;
    }

    /**
     * One line as received, without its terminator; {@code terminator} is echoed with it.
     * {@code in} is where a data phase (QMTPUB) reads its payload from.
     */
    @Override
    public synchronized void onLine(byte[] line, int terminator, HostInput in) throws IOException {
        if (poweredDown) {
            return;
        }
        out.beginReply();
        if (echo) {
            byte[] e = new byte[line.length + 1];
            System.arraycopy(line, 0, e, 0, line.length);
            e[line.length] = (byte) terminator;
            out.raw(e);
        }
        int at = AtLineParser.prefixIndex(line);
        if (at < 0) {
            // not a command (noise, a stray Ctrl+Z): a modem stays silent
            out.endReply();
            return;
        }
        byte[] cmd = java.util.Arrays.copyOfRange(line, at, line.length);
        String text = new String(cmd, StandardCharsets.UTF_8);
        commandLog.add(text);
        if (LOG.isDebugEnabled()) {
            LOG.debug("<< {}", maskSecrets(text));
        }
        Optional<AtCommand> parsed = AtLineParser.parse(java.util.Arrays.copyOfRange(cmd, 2, cmd.length));
        out.commandStarted(parsed.map(this::resultUrcHead).orElse(null));
        String result;
        try {
            result = parsed.isEmpty() ? ERROR : execute(parsed.get(), in);
        } catch (RuntimeException e) {
            // malformed numbers, missing parameters: the modem answers ERROR
            LOG.debug("command failed: {}", e.toString());
            result = ERROR;
        }
        if (result == null) {
            out.endReply(); // the modem lost the command: no answer at all
        } else {
            out.finalResult(result);
        }
        if (poweredDown) {
            out.powerDown("POWERED DOWN");
            onPowerDown.run();
        }
    }

    private String resultUrcHead(AtCommand c) {
        try {
            return mqtt.handles(c.name()) ? mqtt.resultUrcHead(c) : null;
        } catch (RuntimeException e) {
            return null; // malformed: it will be refused
        }
    }

    private String execute(AtCommand c, HostInput in) throws IOException {
        String name = c.name();
        if (mqtt.handles(name)) {
            return mqtt.execute(c, in);
        }
        GeneralCommands.Behaviour behaviour = general.behaviour(name);
        if (behaviour == null) {
            return ERROR; // the model has no such command
        }
        switch (behaviour) {
            case OK -> {
                return OK;
            }
            case ECHO_OFF -> {
                if (!out.firmware().echoLeftOn()) {
                    echo = false; // a firmware whose echo stays on answers OK all the same
                }
                return OK;
            }
            case ECHO_ON -> {
                echo = true;
                return OK;
            }
            case IDENTIFY -> {
                out.block(profile.atiLines(imei));
                return OK;
            }
            case CMEE -> {
                return cmee(c);
            }
            case IMEI -> {
                return info(c, imei);
            }
            case MODEL -> {
                return info(c, profile.model());
            }
            case MANUFACTURER -> {
                return info(c, profile.manufacturer());
            }
            case REVISION -> {
                return info(c, profile.revision());
            }
            case SIM_READY -> {
                if (c.type() == AtCommand.Type.WRITE) {
                    // 3GPP TS 27.007 8.3: a PIN given while none is requested is an error, +CME ERROR
                    return meError(3, "operation not allowed");
                }
                return read(c, "+CPIN: READY");
            }
            case REGISTERED -> {
                return read(c, name + ": 0,1");
            }
            case SIGNAL -> {
                if (c.type() == AtCommand.Type.TEST) {
                    out.line("+CSQ: (0-31,99),(0-7,99)");
                    return OK;
                }
                out.line("+CSQ: 20,99");
                return OK;
            }
            case OPERATOR -> {
                return read(c, "+COPS: 0,0,\"SIMULATED\",8");
            }
            case PDP_CONTEXTS -> {
                return pdpContexts(c);
            }
            case PDP_DEACTIVATE -> {
                return pdpDeactivate(c);
            }
            case GPRS_ACTIVATE -> {
                if (c.type() != AtCommand.Type.EXEC) {
                    return ERROR;
                }
                pdp.activate(1); // the M95 has one GPRS context
                return OK;
            }
            case GPRS_APN -> {
                return gprsApn(c);
            }
            case QUECTEL_SSL_CONFIG, SIMCOM_SSL_CONFIG -> {
                return ssl.command(c, out);
            }
            case POWER_DOWN -> {
                poweredDown = true;
                return OK;
            }
            case FILE_UPLOAD -> {
                return files.qfupl(c, in);
            }
            case FILE_LIST -> {
                return files.qflst(c);
            }
            case FILE_DELETE -> {
                return files.qfdel(c);
            }
            case SEC_WRITE -> {
                return files.qsecwrite(c, in);
            }
            case SEC_READ -> {
                return files.qsecread(c);
            }
            case SEC_DELETE -> {
                return files.qsecdel(c);
            }
            case CERT_DOWNLOAD -> {
                return files.ccertdown(c, in);
            }
            case CERT_LIST -> {
                return files.ccertlist(c);
            }
            case CERT_DELETE -> {
                return files.ccertdele(c);
            }
            default -> throw new IllegalStateException("no implementation for " + behaviour);
        }
    }

    /** {@code AT+QIACT?} lists the active contexts; {@code AT+QIACT=<cid>} activates one. */
    private String pdpContexts(AtCommand c) {
        switch (c.type()) {
            case READ -> {
                for (int cid : pdp.list()) {
                    out.line("+QIACT: " + cid + ",1,1,\"10.0.0." + (cid + 1) + "\"");
                }
                return OK;
            }
            case WRITE -> {
                int cid = c.intArg(0);
                if (cid < 1 || cid > 16) {
                    return ERROR;
                }
                pdp.activate(cid);
                return OK;
            }
            default -> {
                return OK;
            }
        }
    }

    /**
     * {@code AT+QIDEACT=<cid>} (the M95's {@code AT+QIDEACT} has no id: its one context): the context
     * goes, and with it every MQTT connection on it, reported as a lost connection.
     */
    private String pdpDeactivate(AtCommand c) {
        if (c.type() == AtCommand.Type.TEST || c.type() == AtCommand.Type.READ) {
            return OK;
        }
        int cid = c.type() == AtCommand.Type.WRITE ? c.intArg(0) : 1;
        if (cid < 1 || cid > 16) {
            return ERROR;
        }
        if (pdp.deactivate(cid)) {
            mqtt.networkLost(x -> x == cid);
        }
        return OK;
    }

    /**
     * An ME error as 3GPP TS 27.007 section 9.1 reports it under {@code AT+CMEE=<n>}: 0 plain
     * {@code ERROR}, 1 {@code +CME ERROR: <code>}, 2 {@code +CME ERROR: <text>} (section 9.2.1's
     * text); a firmware with {@code Firmware.withNumericErrors} keeps the code under 2.
     */
    private String meError(int code, String text) {
        return switch (cmee) {
            case 0 -> ERROR;
            case 2 -> out.firmware().numericErrors() ? "+CME ERROR: " + code : "+CME ERROR: " + text;
            default -> "+CME ERROR: " + code;
        };
    }

    private String cmee(AtCommand c) {
        if (c.type() == AtCommand.Type.READ) {
            out.line("+CMEE: " + cmee);
            return OK;
        }
        if (c.type() == AtCommand.Type.TEST) {
            out.line("+CMEE: (0-2)");
            return OK;
        }
        int v = c.intArg(0);
        if (v < 0 || v > 2) {
            return ERROR;
        }
        cmee = v;
        return OK;
    }

    /** M95 {@code AT+QICSGP=<mode>,"<apn>"[,"<user>","<password>"]}; mode 1 is GPRS. */
    private String gprsApn(AtCommand c) {
        if (c.type() == AtCommand.Type.TEST || c.type() == AtCommand.Type.READ) {
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() < 2 || c.argCount() > 4 || c.argCount() == 3) {
            return ERROR;
        }
        int mode = c.intArg(0);
        if (mode < 0 || mode > 1) {
            return ERROR;
        }
        for (int i = 1; i < c.argCount(); i++) {
            if (!c.arg(i).quoted()) {
                return ERROR; // e.g. the BG95 form AT+QICSGP=1,1,"apn",...: its second place is a number
            }
        }
        return OK;
    }

    private String info(AtCommand c, String value) {
        if (c.type() == AtCommand.Type.TEST) {
            return OK;
        }
        out.line(value);
        return OK;
    }

    private String read(AtCommand c, String value) {
        if (c.type() == AtCommand.Type.READ) {
            out.line(value);
        }
        return OK;
    }

    /**
     * Passwords never reach the log: QMTCONN's, the AliCloud device secret, the APN password of
     * QICSGP (BG95 and M95 forms) and CGAUTH, and CMQTTCONNECT's. On a line that does not parse the
     * whole argument list is hidden.
     */
    static String maskSecrets(String line) {
        String upper = line.toUpperCase(java.util.Locale.ROOT);
        int eq = line.indexOf('=');
        if (eq < 0) {
            return line;
        }
        String head = upper.substring(0, eq);
        boolean secretBearing = switch (head) {
            case "AT+QMTCONN", "AT+QICSGP", "AT+CGAUTH", "AT+CMQTTCONNECT" -> true;
            default -> upper.startsWith("AT+QMTCFG=\"ALIAUTH\"");
        };
        if (!secretBearing) {
            return line;
        }
        Optional<List<AtCommand.Arg>> parsed = AtLineParser.splitArgs(line.substring(eq + 1));
        if (parsed.isEmpty()) {
            return line.substring(0, eq + 1) + "***";
        }
        List<AtCommand.Arg> a = parsed.get();
        List<Integer> secret = switch (head) {
            case "AT+QMTCONN" -> List.of(3);
            // SIMCom writes the password before the user name, 3GPP after it: hide both
            case "AT+CGAUTH" -> List.of(2, 3);
            // M95 writes the APN second (quoted), the BG95 family a context type there
            case "AT+QICSGP" -> List.of(a.size() > 1 && a.get(1).quoted() ? 3 : 4);
            case "AT+CMQTTCONNECT" -> List.of(5);
            default -> List.of(4);
        };
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            String v = secret.contains(i) ? "***" : a.get(i).raw();
            parts.add(a.get(i).quoted() ? "\"" + v + "\"" : v);
        }
        return line.substring(0, eq + 1) + String.join(",", parts);
    }
}
