package io.cellmqtt.simulator.at;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The general (non-MQTT) commands each simulated model has, keyed by {@link ModemProfile#name()}:
 * the one place where the models differ outside their MQTT command sets. A command missing from
 * a model's table is answered {@code ERROR}, as the real module answers a command it lacks.
 * {@link AtInterpreter} carries out each {@link Behaviour}.
 */
final class GeneralCommands {

    /** What a command does; the same behaviour may be reached under several names. */
    enum Behaviour {
        /** Accepted and forgotten. */
        OK,
        ECHO_OFF,
        ECHO_ON,
        /** ATI: the model's identity block. */
        IDENTIFY,
        CMEE,
        IMEI,
        MODEL,
        MANUFACTURER,
        REVISION,
        SIM_READY,
        /** A registration query answering {@code <name>: 0,1} (registered, home). */
        REGISTERED,
        SIGNAL,
        OPERATOR,
        /** BG95/BG96 {@code AT+QIACT}: the query lists the active contexts, {@code =<cid>} activates one. */
        PDP_CONTEXTS,
        /** {@code AT+QIDEACT=<cid>} (M95: {@code AT+QIDEACT}): the context goes, and every connection on it. */
        PDP_DEACTIVATE,
        /** M95 {@code AT+QIACT}: only the execution form (GSM context activation) exists. */
        GPRS_ACTIVATE,
        /** M95 {@code AT+QICSGP=<mode>,"apn"[,"user","pass"]}: the APN is quoted in the second place. */
        GPRS_APN,
        /** {@code AT+QSSLCFG="key",ctx[,values]}: stored, and answered when queried; contexts 0–5. */
        QUECTEL_SSL_CONFIG,
        /** {@code AT+CSSLCFG="key",ctx[,values]}: as the Quectel form, contexts 0–9. */
        SIMCOM_SSL_CONFIG,
        POWER_DOWN,
        /** {@code AT+QFUPL="name",size[,timeout[,ackmode]]}: CONNECT, size bytes, size and checksum. */
        FILE_UPLOAD,
        /** {@code AT+QFLST[="pattern"]}: {@code +QFLST: "UFS:name",size} lines. */
        FILE_LIST,
        /** {@code AT+QFDEL="name"|"*"}. */
        FILE_DELETE,
        /** M95 {@code AT+QSECWRITE="RAM:name",size[,timeout]}: CONNECT, size bytes, size and checksum. */
        SEC_WRITE,
        /** M95 {@code AT+QSECREAD="RAM:name"}: {@code +QSECREAD: <good>,<checksum>}. */
        SEC_READ,
        /** M95 {@code AT+QSECDEL="RAM:name"}. */
        SEC_DELETE,
        /** {@code AT+CCERTDOWN="name",size}: prompt, size bytes, OK. */
        CERT_DOWNLOAD,
        CERT_LIST,
        CERT_DELETE
    }

    private static final Map<String, Behaviour> COMMON = commands(
            Behaviour.OK, "", "Z", "&F", "&F0", "V1", "Q0", "&W", "&D0", "&D1", "&D2", "&C0", "&C1", "+CFUN",
            "+IPR", "+CGATT", "+CGDCONT");

    private static final Map<String, Behaviour> IDENTITY = merge(
            commands(Behaviour.ECHO_OFF, "E0", "E"),
            commands(Behaviour.ECHO_ON, "E1"),
            commands(Behaviour.IDENTIFY, "I", "I0"),
            commands(Behaviour.CMEE, "+CMEE"),
            commands(Behaviour.IMEI, "+GSN", "+CGSN"),
            commands(Behaviour.MODEL, "+CGMM", "+GMM"),
            commands(Behaviour.MANUFACTURER, "+CGMI", "+GMI"),
            commands(Behaviour.REVISION, "+CGMR", "+GMR"),
            commands(Behaviour.SIM_READY, "+CPIN"),
            commands(Behaviour.SIGNAL, "+CSQ"),
            commands(Behaviour.OPERATOR, "+COPS"));

    /** BG95, BG77, BG600L (reference 004) and BG96 (reference 000: CGDCONT, QIACT, QSSLCFG, QFUPL; QFLST/QFDEL from the BG96 FILE AT Commands Manual). */
    private static final Map<String, Behaviour> BG = merge(COMMON, IDENTITY,
            commands(Behaviour.REGISTERED, "+CREG", "+CGREG", "+CEREG"),
            commands(Behaviour.PDP_CONTEXTS, "+QIACT"),
            commands(Behaviour.PDP_DEACTIVATE, "+QIDEACT"),
            commands(Behaviour.OK, "+QICSGP", "+CPSMS", "+QSCLK", "+CEDRXS", "+QCFG"),
            commands(Behaviour.QUECTEL_SSL_CONFIG, "+QSSLCFG"),
            commands(Behaviour.FILE_UPLOAD, "+QFUPL"),
            commands(Behaviour.FILE_LIST, "+QFLST"),
            commands(Behaviour.FILE_DELETE, "+QFDEL"),
            commands(Behaviour.POWER_DOWN, "+QPOWD"));

    /**
     * BC26 (reference 002): NB-IoT, so EPS registration only; PSM, eDRX (its own AT+QEDRXCFG) and
     * sleep can be switched off; no TLS. QICSGP/QIACT are kept so a host's PDP set-up passes.
     */
    private static final Map<String, Behaviour> BC26 = merge(COMMON, IDENTITY,
            commands(Behaviour.REGISTERED, "+CEREG"),
            commands(Behaviour.PDP_CONTEXTS, "+QIACT"),
            commands(Behaviour.OK, "+QICSGP", "+CPSMS", "+QEDRXCFG", "+QSCLK"),
            commands(Behaviour.POWER_DOWN, "+QPOWD"));

    /** M95 (reference 003): GSM, so no EPS registration, PSM or eDRX; certificates with QSECWRITE. */
    private static final Map<String, Behaviour> M95 = merge(COMMON, IDENTITY,
            commands(Behaviour.REGISTERED, "+CREG", "+CGREG"),
            commands(Behaviour.GPRS_APN, "+QICSGP"),
            commands(Behaviour.GPRS_ACTIVATE, "+QIACT"),
            commands(Behaviour.PDP_DEACTIVATE, "+QIDEACT"),
            commands(Behaviour.OK, "+QSCLK"),
            commands(Behaviour.QUECTEL_SSL_CONFIG, "+QSSLCFG"),
            commands(Behaviour.SEC_WRITE, "+QSECWRITE"),
            commands(Behaviour.SEC_READ, "+QSECREAD"),
            commands(Behaviour.SEC_DELETE, "+QSECDEL"),
            commands(Behaviour.POWER_DOWN, "+QPOWD"));

    /** SIM7600 (reference 001): SIMCom spellings; no Quectel AT+Q* command exists. */
    private static final Map<String, Behaviour> SIM7600 = merge(COMMON, IDENTITY,
            commands(Behaviour.REGISTERED, "+CREG", "+CGREG", "+CEREG"),
            commands(Behaviour.OK, "+CGAUTH", "+CSCLK", "+CPSMS"),
            commands(Behaviour.SIMCOM_SSL_CONFIG, "+CSSLCFG"),
            commands(Behaviour.CERT_DOWNLOAD, "+CCERTDOWN"),
            commands(Behaviour.CERT_LIST, "+CCERTLIST"),
            commands(Behaviour.CERT_DELETE, "+CCERTDELE"));

    private static final Map<String, Map<String, Behaviour>> BY_MODEL = Map.of(
            "bg95", BG, "bg77", BG, "bg600l", BG, "bg96", BG, "bc26", BC26, "m95", M95, "sim7600", SIM7600);

    private final Map<String, Behaviour> table;

    private GeneralCommands(Map<String, Behaviour> table) {
        this.table = table;
    }

    static GeneralCommands of(ModemProfile profile) {
        Map<String, Behaviour> t = BY_MODEL.get(profile.name());
        if (t == null) {
            throw new IllegalArgumentException("no general command table for " + profile.name());
        }
        return new GeneralCommands(t);
    }

    /** The behaviour of a command name (e.g. {@code +CEREG}, {@code E0}), or null if the model lacks it. */
    Behaviour behaviour(String name) {
        return table.get(name);
    }

    private static Map<String, Behaviour> commands(Behaviour b, String... names) {
        Map<String, Behaviour> m = new HashMap<>();
        for (String n : names) {
            m.put(n, b);
        }
        return m;
    }

    @SafeVarargs
    private static Map<String, Behaviour> merge(Map<String, Behaviour>... parts) {
        Map<String, Behaviour> m = new HashMap<>();
        for (Map<String, Behaviour> p : List.of(parts)) {
            p.forEach((k, v) -> {
                if (m.put(k, v) != null) {
                    throw new IllegalStateException(k + " listed twice");
                }
            });
        }
        return Map.copyOf(m);
    }
}
