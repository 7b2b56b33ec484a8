package io.cellmqtt.modem;

import io.cellmqtt.at.AtCommandLine;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What one modem model can do, in one place: its dialect, command forms and limits. Code asks the
 * profile instead of testing the model name; adding a model is adding a row to {@link #ALL}.
 *
 * @param name             the {@code modem=} option value, e.g. {@code bg95}
 * @param identities       model strings that identify it in {@code ATI} / {@code AT+CGMM}: a
 *                         token of the model string (split at anything but letters and digits)
 *                         starting with one of these, upper case, identifies the model
 * @param family           which AT dialect drives it
 * @param clientIndexes    number of MQTT client indexes (0..n-1)
 * @param maxPayload       largest publish payload in bytes, whichever form carries it
 * @param inlinePublish    the one-line quoted publish form, if any
 * @param maxInlinePayload largest payload the inline form carries (0 if there is none)
 * @param dataPublish      how a payload that can't go inline is sent
 * @param maxTopicLength   largest topic in bytes
 * @param maxWillLength    largest will topic and will message in bytes
 * @param maxInflight      QoS&gt;0 publishes the modem keeps in flight per client
 * @param configKeys       the {@code AT+QMTCFG} keys the model has, by our name (lower case) to
 *                         the model's spelling; a missing key is a setting the model lacks
 * @param receive          how received messages are reported
 * @param ssl              whether MQTT over TLS is available
 * @param certUpload       the command that puts a certificate file on the modem, or null
 * @param powerSavingOff   the commands {@code disablePowerSaving=true} sends, in order
 * @param registration     the registration queries bring-up polls, in order; the first that
 *                         reports home (1) or roaming (5) ends the wait
 * @param pdpSetup         how bring-up sets the APN (and credentials) when {@code apn} is given
 * @param sslSpelling      how {@code AT+QSSLCFG} spells what differs between models
 */
public record ModemProfile(String name, List<String> identities, Family family, int clientIndexes, int maxPayload,
        InlinePublish inlinePublish, int maxInlinePayload, DataPublish dataPublish, int maxTopicLength,
        int maxWillLength, int maxInflight, Map<String, String> configKeys, Receive receive, boolean ssl,
        String certUpload, List<String> powerSavingOff, List<String> registration, PdpSetup pdpSetup,
        SslSpelling sslSpelling) {

    /** The AT command family. */
    public enum Family {
        /** Quectel {@code AT+QMT*}. */
        QUECTEL,
        /** SIMCom {@code AT+CMQTT*}. */
        SIMCOM
    }

    /** A publish in one command line, the payload quoted. */
    public enum InlinePublish {
        NONE,
        /** {@code AT+QMTPUBEX=idx,msgid,qos,retain,"topic","msg"} (BG95 family). */
        QMTPUBEX,
        /** {@code AT+QMTPUB=idx,msgid,qos,retain,"topic","msg"} (BC26). */
        QMTPUB_QUOTED
    }

    /** A publish whose payload follows a {@code >} prompt. */
    public enum DataPublish {
        /** The command carries the length; the modem takes exactly that many bytes of any value. */
        FIXED_LENGTH,
        /** The payload ends at Ctrl+Z (ESC cancels): 0x1A and 0x1B can't be carried. */
        CTRL_Z
    }

    /** How the modem reports a received message. */
    public enum Receive {
        /** {@code +QMTRECV: idx,msgid,"topic",len,"payload"} after {@code recv/mode} 0,1: framed by length. */
        QUECTEL_LENGTH,
        /** {@code +QMTRECV: idx,msgid,"topic","payload"} (quoted or not): one line, no length. */
        QUECTEL_LINE,
        /** {@code +CMQTTRXSTART} ... {@code +CMQTTRXEND}, topic and payload framed by length. */
        SIMCOM_MULTILINE
    }

    /** How bring-up defines the PDP context; the APN is set only when the {@code apn} option is. */
    public enum PdpSetup {
        /**
         * {@code AT+QICSGP=<cid>,1,"apn","user","pass",<auth>}, then {@code AT+QIACT=<cid>} unless
         * {@code AT+QIACT?} already lists the context active (BG95 family, BG96).
         */
        QICSGP_QIACT,
        /**
         * {@code AT+QICSGP=1,"apn","user","pass"}: the GSM form, whose first parameter is the GPRS
         * mode, not a context id (M95). {@code AT+QMTOPEN} activates the context itself.
         */
        QICSGP_GPRS,
        /**
         * {@code AT+CGDCONT=<cid>,"IP","apn"}: the 3GPP definition, no credentials (BC26, whose
         * document has no {@code AT+QICSGP}; NB-IoT activates the context on attach).
         */
        CGDCONT,
        /**
         * {@code AT+CGDCONT=<cid>,"IP","apn"}, and with credentials
         * {@code AT+CGAUTH=<cid>,1,"pass","user"} (PAP; SIMCom puts the password first).
         */
        CGDCONT_CGAUTH
    }

    /**
     * The {@code AT+QSSLCFG} spellings that differ between models.
     *
     * @param ignoreTimeKey     the key that makes certificate checks ignore the modem's clock
     * @param quotedCipherSuite whether the cipher suite is written as a quoted string
     * @param ignoreTimeHasContext whether that key takes the SSL context id (the M95's
     *                          {@code AT+QSSLCFG="ignorertctime",1} does not: reference 003, section 5.2)
     */
    public record SslSpelling(String ignoreTimeKey, boolean quotedCipherSuite, boolean ignoreTimeHasContext) {
    }

    private static final SslSpelling LTE_SSL = new SslSpelling("ignorelocaltime", false, true);
    private static final List<String> LTE_REGISTRATION = List.of("AT+CEREG?", "AT+CGREG?", "AT+CREG?");
    private static final Map<String, String> BG95_KEYS = keys("version", "pdpcid", "ssl", "keepalive", "session",
            "timeout", "will", "recv/mode");
    private static final List<String> LTE_POWER_SAVING_OFF = List.of("AT+CPSMS=0", "AT+CEDRXS=0", "AT+QSCLK=0");

    /** Quectel BG95, from the BG95&amp;BG77&amp;BG600L MQTT application note 1.2 (reference 004). */
    public static final ModemProfile BG95 = bg95Family("bg95", "BG95");
    /** Quectel BG77: the BG95 application note covers it. */
    public static final ModemProfile BG77 = bg95Family("bg77", "BG77");
    /** Quectel BG600L: the BG95 application note covers it. */
    public static final ModemProfile BG600L = bg95Family("bg600l", "BG600L");

    /**
     * Quectel BG96 (reference 000): as the BG95 where the document agrees; the document knows no
     * {@code AT+QMTPUBEX}, so payloads always go in data mode with their length.
     */
    public static final ModemProfile BG96 = new ModemProfile("bg96", List.of("BG96"), Family.QUECTEL, 6, 4096,
            InlinePublish.NONE, 0, DataPublish.FIXED_LENGTH, 255, 255, 5, BG95_KEYS, Receive.QUECTEL_LENGTH, true,
            "AT+QFUPL", LTE_POWER_SAVING_OFF, LTE_REGISTRATION, PdpSetup.QICSGP_QIACT, LTE_SSL);

    /**
     * Quectel BC26 NB-IoT (reference 002): the inline {@code AT+QMTPUB} with a quoted message, else
     * the Ctrl+Z data mode; {@code +QMTRECV} without a length; eDRX off is {@code AT+QEDRXCFG=0}.
     * The document names no {@code AT+QMTCFG} keys beyond the common ones and no TLS for MQTT, and
     * sets no APN: {@code AT+CGDCONT}, the 3GPP command, does. NB-IoT only, so registration is
     * {@code AT+CEREG?}.
     */
    public static final ModemProfile BC26 = new ModemProfile("bc26", List.of("BC26"), Family.QUECTEL, 6, 1024,
            InlinePublish.QMTPUB_QUOTED, 1024, DataPublish.CTRL_Z, 255, 255, 5,
            keys("version", "keepalive", "session", "timeout", "will"), Receive.QUECTEL_LINE, false, null,
            List.of("AT+CPSMS=0", "AT+QEDRXCFG=0", "AT+QSCLK=0"), List.of("AT+CEREG?"), PdpSetup.CGDCONT, LTE_SSL);

    /**
     * Quectel M95 GSM (reference 003): upper-case configuration keys, no {@code version},
     * {@code pdpcid} or {@code recv/mode}; Ctrl+Z data mode of at most 1548 bytes; certificates
     * written with {@code AT+QSECWRITE}; its SSL example quotes the cipher suite and spells
     * {@code "ignorertctime"}. GSM: registration is {@code AT+CGREG?}/{@code AT+CREG?}, the APN
     * goes with the GPRS form of {@code AT+QICSGP}.
     */
    public static final ModemProfile M95 = new ModemProfile("m95", List.of("M95"), Family.QUECTEL, 6, 1548,
            InlinePublish.NONE, 0, DataPublish.CTRL_Z, 255, 255, 5,
            upperKeys("will", "timeout", "session", "keepalive", "ssl"), Receive.QUECTEL_LINE, true, "AT+QSECWRITE",
            List.of("AT+QSCLK=0"), List.of("AT+CGREG?", "AT+CREG?"), PdpSetup.QICSGP_GPRS,
            new SslSpelling("ignorertctime", true, false));

    /**
     * SIMCom SIM7600 (reference 001): the CMQTT dialect. Topic and payload are each sent after a
     * prompt with their exact length; two clients; the publish result carries no message id, so
     * one publish per client is outstanding at a time.
     */
    public static final ModemProfile SIM7600 = new ModemProfile("sim7600", List.of("SIM7600"), Family.SIMCOM, 2,
            10240, InlinePublish.NONE, 0, DataPublish.FIXED_LENGTH, 1024, 1024, 1, Map.of(),
            Receive.SIMCOM_MULTILINE, true, "AT+CCERTDOWN", List.of("AT+CSCLK=0"), LTE_REGISTRATION,
            PdpSetup.CGDCONT_CGAUTH, LTE_SSL);

    /** Every supported model, in the order {@code modem=auto} tries them. */
    public static final List<ModemProfile> ALL = List.of(BG95, BG77, BG600L, BG96, BC26, M95, SIM7600);

    public ModemProfile {
        identities = List.copyOf(identities);
        configKeys = Map.copyOf(configKeys);
        powerSavingOff = List.copyOf(powerSavingOff);
        registration = List.copyOf(registration);
        // Sent as written: each must read as one command line of typed parts (AtCommandLine.parse).
        powerSavingOff.forEach(AtCommandLine::parse);
        registration.forEach(AtCommandLine::parse);
    }

    private static ModemProfile bg95Family(String name, String identity) {
        return new ModemProfile(name, List.of(identity), Family.QUECTEL, 6, 4096, InlinePublish.QMTPUBEX, 560,
                DataPublish.FIXED_LENGTH, 255, 255, 5, BG95_KEYS, Receive.QUECTEL_LENGTH, true, "AT+QFUPL",
                LTE_POWER_SAVING_OFF, LTE_REGISTRATION, PdpSetup.QICSGP_QIACT, LTE_SSL);
    }

    private static Map<String, String> keys(String... names) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String n : names) {
            m.put(n, n);
        }
        return m;
    }

    private static Map<String, String> upperKeys(String... names) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String n : names) {
            m.put(n, n.toUpperCase(Locale.ROOT));
        }
        return m;
    }

    /** The model's spelling of configuration key {@code key}, if the model has it. */
    public Optional<String> configKey(String key) {
        return Optional.ofNullable(configKeys.get(key));
    }

    /**
     * @param ssl true for an {@code ssl://} broker
     * @throws IllegalArgumentException if the model has no MQTT over TLS and {@code ssl} is asked for
     */
    public void requireTransport(boolean ssl) {
        if (ssl && !this.ssl) {
            throw new IllegalArgumentException("ssl:// brokers can't be used with " + name
                    + ": the model has no MQTT over TLS; use a tcp:// broker URL");
        }
    }

    /** True if a payload with these bytes can be published on this model at all. */
    public boolean canCarry(byte b) {
        return dataPublish != DataPublish.CTRL_Z || (b != 0x1A && b != 0x1B);
    }

    /** The profile for a {@code modem=} value other than {@code auto}. */
    public static Optional<ModemProfile> byName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return ALL.stream().filter(p -> p.name.equals(wanted)).findFirst();
    }

    /**
     * The profile a model string ({@code ATI}'s model line or {@code AT+CGMM}) names: one of its
     * tokens starts with one of the profile's identities ({@code Quectel_BC26}, {@code BG95-M3},
     * {@code SIMCOM_SIM7600E-H}).
     */
    public static Optional<ModemProfile> byIdentity(String model) {
        List<String> tokens = Arrays.stream(model.trim().toUpperCase(Locale.ROOT).split("[^A-Z0-9]+"))
                .filter(t -> !t.isEmpty()).toList();
        return ALL.stream()
                .filter(p -> p.identities.stream().anyMatch(id -> tokens.stream().anyMatch(t -> t.startsWith(id))))
                .findFirst();
    }

    public static List<String> supportedNames() {
        return ALL.stream().map(ModemProfile::name).toList();
    }
}
