package io.cellmqtt.simulator;

import java.util.List;

/** The identity a simulated modem reports (ATI, AT+CGMM, AT+CGMR); one instance per emulated model. */
record ModemProfile(String manufacturer, String model, String revision, String defaultImei) {

    static final ModemProfile BG95 = new ModemProfile("Quectel", "BG95-M3", "BG95M3LAR02A03", "866425030000001");

    List<String> atiLines() {
        return List.of(manufacturer, model, "Revision: " + revision);
    }
}
