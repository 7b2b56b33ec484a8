package io.cellmqtt.simulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one command line at a time, BG95 style. General and network commands are answered here;
 * the MQTT command set lives in {@link QmtCommands}. Commands from several transports are
 * serialised because a real modem has one AT interpreter per port.
 */
final class AtInterpreter {

    private static final Logger LOG = LoggerFactory.getLogger(AtInterpreter.class);
    static final String OK = "OK";
    static final String ERROR = "ERROR";

    private final ModemProfile profile;
    private final HostOutput out;
    private final MqttCommandSet mqtt;
    private final List<String> commandLog = new CopyOnWriteArrayList<>();
    private final Map<String, String> sslConfig = new HashMap<>();
    private volatile String imei;
    private boolean echo = true;
    private int cmee;
    private volatile boolean poweredDown;
    private final Runnable onPowerDown;

    AtInterpreter(ModemProfile profile, HostOutput out, MqttCommandSet mqtt, Runnable onPowerDown) {
        this.profile = profile;
        this.out = out;
        this.mqtt = mqtt;
        this.imei = profile.defaultImei();
        this.onPowerDown = onPowerDown;
    }

    void imei(String imei) {
        this.imei = imei;
    }

    List<String> commandLog() {
        return List.copyOf(commandLog);
    }

    boolean poweredDown() {
        return poweredDown;
    }

    /**
     * One line as received, without its terminator; {@code terminator} is echoed with it.
     * {@code in} is where a data phase (QMTPUB) reads its payload from.
     */
    synchronized void onLine(byte[] line, int terminator, HostInput in) throws IOException {
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
        String result;
        try {
            Optional<AtCommand> parsed = AtLineParser.parse(java.util.Arrays.copyOfRange(cmd, 2, cmd.length));
            result = parsed.isEmpty() ? ERROR : execute(parsed.get(), in);
        } catch (RuntimeException e) {
            // malformed numbers, missing parameters: the modem answers ERROR
            LOG.debug("command failed: {}", e.toString());
            result = ERROR;
        }
        out.finalResult(result);
        if (poweredDown) {
            out.powerDown("POWERED DOWN");
            onPowerDown.run();
        }
    }

    private String execute(AtCommand c, HostInput in) throws IOException {
        String name = c.name();
        if (mqtt.handles(name)) {
            return mqtt.execute(c, in);
        }
        switch (name) {
            case "", "Z", "&F", "&F0", "V1", "Q0", "&W", "&D0", "&D1", "&D2", "&C0", "&C1" -> {
                return OK;
            }
            case "E0", "E" -> {
                echo = false;
                return OK;
            }
            case "E1" -> {
                echo = true;
                return OK;
            }
            case "I", "I0" -> {
                out.block(profile.atiLines(imei));
                return OK;
            }
            case "+CMEE" -> {
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
            case "+GSN", "+CGSN" -> {
                return info(c, imei);
            }
            case "+CGMM", "+GMM" -> {
                return info(c, profile.model());
            }
            case "+CGMI", "+GMI" -> {
                return info(c, profile.manufacturer());
            }
            case "+CGMR", "+GMR" -> {
                return info(c, profile.revision());
            }
            case "+CPIN" -> {
                return read(c, "+CPIN: READY");
            }
            case "+CREG", "+CGREG", "+CEREG" -> {
                return read(c, name + ": 0,1");
            }
            case "+CSQ" -> {
                if (c.type() == AtCommand.Type.TEST) {
                    out.line("+CSQ: (0-31,99),(0-7,99)");
                    return OK;
                }
                out.line("+CSQ: 20,99");
                return OK;
            }
            case "+COPS" -> {
                return read(c, "+COPS: 0,0,\"SIMULATED\",8");
            }
            case "+QIACT" -> {
                if (c.type() == AtCommand.Type.READ) {
                    out.line("+QIACT: 1,1,1,\"10.0.0.2\"");
                }
                return OK;
            }
            case "+QICSGP", "+CGDCONT", "+QIDEACT", "+CPSMS", "+QSCLK", "+CEDRXS", "+CFUN", "+QCFG", "+IPR", "+CGATT" -> {
                return OK;
            }
            case "+QSSLCFG" -> {
                return sslConfig(c);
            }
            case "+QPOWD" -> {
                poweredDown = true;
                return OK;
            }
            default -> {
                return ERROR;
            }
        }
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

    private String sslConfig(AtCommand c) {
        if (c.type() == AtCommand.Type.TEST) {
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() < 2) {
            return ERROR;
        }
        String key = c.arg(0).lower();
        int ctx = c.intArg(1);
        if (ctx < 0 || ctx > 5) {
            return ERROR;
        }
        String k = key + "," + ctx;
        if (c.argCount() == 2) {
            String v = sslConfig.get(k);
            if (v != null) {
                out.line("+QSSLCFG: \"" + key + "\"," + ctx + "," + v);
            }
            return OK;
        }
        List<String> values = new ArrayList<>();
        for (int i = 2; i < c.argCount(); i++) {
            AtCommand.Arg a = c.arg(i);
            values.add(a.quoted() ? "\"" + a.text() + "\"" : a.raw());
        }
        sslConfig.put(k, String.join(",", values));
        return OK;
    }

    /** The QMTCONN password (and the AliCloud device secret) never reach the log. */
    static String maskSecrets(String line) {
        String upper = line.toUpperCase(java.util.Locale.ROOT);
        boolean conn = upper.startsWith("AT+QMTCONN=");
        boolean ali = upper.startsWith("AT+QMTCFG=\"ALIAUTH\"");
        if (!conn && !ali) {
            return line;
        }
        int eq = line.indexOf('=');
        Optional<List<AtCommand.Arg>> args = AtLineParser.splitArgs(line.substring(eq + 1));
        int secretIndex = conn ? 3 : 4;
        if (args.isEmpty() || args.get().size() <= secretIndex) {
            return line;
        }
        List<String> parts = new ArrayList<>();
        List<AtCommand.Arg> a = args.get();
        for (int i = 0; i < a.size(); i++) {
            String v = i == secretIndex ? "***" : a.get(i).raw();
            parts.add(a.get(i).quoted() ? "\"" + v + "\"" : v);
        }
        return line.substring(0, eq + 1) + String.join(",", parts);
    }
}
