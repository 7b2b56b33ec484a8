package io.cellmqtt.simulator.at;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The identity a simulated modem reports (ATI, AT+CGMM, AT+CGMR) and the command family it speaks;
 * one instance per emulated model. What each Quectel model can and cannot do is decided by the
 * MQTT command set from {@link #name()}.
 *
 * @param name         the component's {@code modem=} name, e.g. {@code bg95}
 * @param family       which MQTT command set the model has
 * @param manufacturer ATI's first line / AT+CGMI
 * @param model        AT+CGMM
 * @param revision     AT+CGMR
 * @param defaultImei  AT+GSN unless {@code SimulatedModem.imei(String)} sets another
 */
public record ModemProfile(String name, Family family, String manufacturer, String model, String revision,
        String defaultImei) {

    public enum Family { QUECTEL, SIMCOM }

    public static final ModemProfile BG95 = new ModemProfile("bg95", Family.QUECTEL, "Quectel", "BG95-M3",
            "BG95M3LAR02A03", "866425030000001");
    public static final ModemProfile BG77 = new ModemProfile("bg77", Family.QUECTEL, "Quectel", "BG77",
            "BG77LAR02A04", "866425030000002");
    public static final ModemProfile BG600L = new ModemProfile("bg600l", Family.QUECTEL, "Quectel", "BG600L-M3",
            "BG600LM3LAR02A01", "866425030000003");
    public static final ModemProfile BG96 = new ModemProfile("bg96", Family.QUECTEL, "Quectel", "BG96",
            "BG96MAR02A07M1G", "866425030000004");
    public static final ModemProfile BC26 = new ModemProfile("bc26", Family.QUECTEL, "Quectel_Ltd", "Quectel_BC26",
            "BC26NBR01A10", "866425030000005");
    public static final ModemProfile M95 = new ModemProfile("m95", Family.QUECTEL, "Quectel_Ltd", "Quectel_M95",
            "M95FAR02A08", "866425030000006");
    public static final ModemProfile SIM7600 = new ModemProfile("sim7600", Family.SIMCOM, "SIMCOM INCORPORATED",
            "SIMCOM_SIM7600E-H", "SIM7600M22_V2.0", "866425030000007");

    public static final List<ModemProfile> ALL = List.of(BG95, BG77, BG600L, BG96, BC26, M95, SIM7600);

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
