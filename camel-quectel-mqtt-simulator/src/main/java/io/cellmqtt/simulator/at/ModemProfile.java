package io.cellmqtt.simulator.at;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The identity a simulated modem reports (ATI, AT+CGMM, AT+CGMR), the command family it speaks and
 * what it prints on its own: the lines it boots with and how it reports a lost PDP context; one
 * instance per emulated model. What each Quectel model can and cannot do is decided by the MQTT
 * command set from {@link #name()}.
 *
 * @param name         the component's {@code modem=} name, e.g. {@code bg95}
 * @param family       which MQTT command set the model has
 * @param manufacturer ATI's first line / AT+CGMI
 * @param model        AT+CGMM
 * @param revision     AT+CGMR
 * @param defaultImei  AT+GSN unless {@code SimulatedModem.imei(String)} sets another
 * @param bootLines    the URCs the model prints, each framed CR LF ... CR LF, once it has booted
 * @param pdpDeactUrc  the URC announcing that the network deactivated a PDP context, with {@code %d}
 *                     for the context id; null where the model has none (or none we have a source for)
 */
public record ModemProfile(String name, Family family, String manufacturer, String model, String revision,
        String defaultImei, List<String> bootLines, String pdpDeactUrc) {

    public enum Family { QUECTEL, SIMCOM }

    /**
     * BG95-M3 (firmware BG95M3LAR02A03) and its siblings BG77/BG600L: {@code RDY} when the modem
     * core is up, {@code APP RDY} once the application core accepts AT commands. Sources: Zephyr
     * PR 57110 (https://github.com/zephyrproject-rtos/zephyr/pull/57110: "BG95 replies with RDY
     * when it's not fully initialized ... APP RDY has to be considered instead"), Zephyr PR 93052
     * (https://github.com/zephyrproject-rtos/zephyr/pull/93052: BG95-M3 emits APP RDY when the
     * application core is ready). Neither shows SIM URCs (+CPIN, +QUSIM, +QIND) at boot for the BG95,
     * so none are claimed.
     */
    private static final List<String> BG95_BOOT = List.of("RDY", "APP RDY");

    /**
     * BG96 (BG96MAR02A07M1G, the revision simulated here): {@code RDY} then {@code APP RDY}, as
     * the log in https://forums.quectel.com/t/bg96-memory-set-phone-functionality-failure/38002 shows
     * for that revision; FreeRTOS-Cellular-Interface-Reference-Quectel-BG96 issue 17 quotes the BG96
     * AT manual 2.5, section 21.7: "it is recommended that the AT command be executed after APP RDY".
     */
    private static final List<String> BG96_BOOT = List.of("RDY", "APP RDY");

    /**
     * BC26 and M95: {@code RDY} only. It is the first line every Quectel capture we have starts
     * with (BG96 in https://github.com/vshymanskyy/TinyGSM/issues/157, after AT+CFUN=1,1); we found
     * no boot capture of these two models themselves, so nothing more is claimed for them.
     */
    private static final List<String> QUECTEL_MINIMAL_BOOT = List.of("RDY");

    /**
     * SIM7600: {@code RDY}, {@code +CPIN: READY}, {@code SMS DONE}, {@code PB DONE}, as captured after
     * a power cut in https://github.com/Xinyuan-LilyGO/T-SIM7600X/pull/41; the raw UART bytes in
     * https://github.com/espressif/esp-protocols/issues/789 show each framed CR LF ... CR LF
     * ({@code 0d 0a 52 44 59 0d 0a 0d 0a 2b 43 50 49 4e ...}).
     */
    private static final List<String> SIM7600_BOOT = List.of("RDY", "+CPIN: READY", "SMS DONE", "PB DONE");

    /**
     * {@code +QIURC: "pdpdeact",<contextID>}: the Quectel TCP/IP application notes' URC for a context
     * the network deactivated; captured from a BG96 in https://github.com/vshymanskyy/TinyGSM/issues/157
     * ({@code +QIURC: "pdpdeact",1}).
     */
    private static final String QIURC_PDPDEACT = "+QIURC: \"pdpdeact\",%d";

    public static final ModemProfile BG95 = new ModemProfile("bg95", Family.QUECTEL, "Quectel", "BG95-M3",
            "BG95M3LAR02A03", "866425030000001", BG95_BOOT, QIURC_PDPDEACT);
    public static final ModemProfile BG77 = new ModemProfile("bg77", Family.QUECTEL, "Quectel", "BG77",
            "BG77LAR02A04", "866425030000002", BG95_BOOT, QIURC_PDPDEACT);
    public static final ModemProfile BG600L = new ModemProfile("bg600l", Family.QUECTEL, "Quectel", "BG600L-M3",
            "BG600LM3LAR02A01", "866425030000003", BG95_BOOT, QIURC_PDPDEACT);
    public static final ModemProfile BG96 = new ModemProfile("bg96", Family.QUECTEL, "Quectel", "BG96",
            "BG96MAR02A07M1G", "866425030000004", BG96_BOOT, QIURC_PDPDEACT);
    public static final ModemProfile BC26 = new ModemProfile("bc26", Family.QUECTEL, "Quectel_Ltd", "Quectel_BC26",
            "BC26NBR01A10", "866425030000005", QUECTEL_MINIMAL_BOOT, null);
    public static final ModemProfile M95 = new ModemProfile("m95", Family.QUECTEL, "Quectel_Ltd", "Quectel_M95",
            "M95FAR02A08", "866425030000006", QUECTEL_MINIMAL_BOOT, null);
    public static final ModemProfile SIM7600 = new ModemProfile("sim7600", Family.SIMCOM, "SIMCOM INCORPORATED",
            "SIMCOM_SIM7600E-H", "SIM7600M22_V2.0", "866425030000007", SIM7600_BOOT, null);

    public static final List<ModemProfile> ALL = List.of(BG95, BG77, BG600L, BG96, BC26, M95, SIM7600);

    public ModemProfile {
        bootLines = List.copyOf(bootLines);
    }

    public static Optional<ModemProfile> byName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return ALL.stream().filter(p -> p.name.equals(wanted)).findFirst();
    }

    /** ATI as the model prints it: Quectel's three lines, SIMCom's labelled lines. */
    List<String> atiLines(String imei) {
        if (family == Family.SIMCOM) {
            return List.of("Manufacturer: " + manufacturer, "Model: " + model, "Revision: " + revision,
                    "IMEI: " + imei, "+GCAP: +CGSM");
        }
        return List.of(manufacturer, model, "Revision: " + revision);
    }
}
