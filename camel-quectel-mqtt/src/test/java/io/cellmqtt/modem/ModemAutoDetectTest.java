package io.cellmqtt.modem;

import io.cellmqtt.at.AtCommand;
import io.cellmqtt.simulator.secrets.TestSecrets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code modem=auto}: the model is the one ATI names (its {@code Model:} line, else its second
 * line), else the one {@code AT+CGMM} names; if neither names a supported model, bring-up fails
 * with both answers and the supported names. The ATI replies are those of the simulated models.
 */
class ModemAutoDetectTest extends TranscriptTestBase {
    static Stream<Arguments> identities() {
        return Stream.of(
                Arguments.of(List.of("Quectel", "BG95-M3", "Revision: BG95M3LAR02A03"), "bg95", "BG95-M3"),
                Arguments.of(List.of("Quectel", "BG77", "Revision: BG77LAR02A04"), "bg77", "BG77"),
                Arguments.of(List.of("Quectel", "BG600L-M3", "Revision: BG600LM3LAR02A01"), "bg600l", "BG600L-M3"),
                Arguments.of(List.of("Quectel", "BG96", "Revision: BG96MAR02A07M1G"), "bg96", "BG96"),
                Arguments.of(List.of("Quectel_Ltd", "Quectel_BC26", "Revision: BC26NBR01A10"), "bc26", "Quectel_BC26"),
                Arguments.of(List.of("Quectel_Ltd", "Quectel_M95", "Revision: M95FAR02A08"), "m95", "Quectel_M95"),
                Arguments.of(List.of("Manufacturer: SIMCOM INCORPORATED", "Model: SIMCOM_SIM7600E-H",
                        "Revision: SIM7600M22_V2.0", "IMEI: 866425030000007"), "sim7600", "SIMCOM_SIM7600E-H"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("identities")
    void atiNamesEverySupportedModel(List<String> ati, String profile, String model) {
        AtiReply reply = AtiReply.parse(ati);
        assertThat(reply.model()).isEqualTo(model);
        assertThat(ModemProfile.byIdentity(reply.model())).map(ModemProfile::name).hasValue(profile);
    }

    @Test
    void simcomsLabelledAtiLinesAreReadByLabel() {
        AtiReply reply = AtiReply.parse(List.of("Manufacturer: SIMCOM INCORPORATED", "Model: SIMCOM_SIM7600E-H",
                "Revision: SIM7600M22_V2.0", "IMEI: 866425030000007"));
        assertThat(reply).extracting(AtiReply::manufacturer, AtiReply::model, AtiReply::revision)
                .containsExactly("SIMCOM INCORPORATED", "SIMCOM_SIM7600E-H", "SIM7600M22_V2.0");
    }

    static Stream<Arguments> quectelIdentities() {
        return identities().filter(a -> ModemProfile.byName((String) a.get()[1]).orElseThrow().family()
                == ModemProfile.Family.QUECTEL);
    }

    /**
     * The Quectel models through a whole bring-up, registration read the model's way. (The
     * SIM7600's bring-up ends in the SIMCom dialect, which is tested with it.)
     */
    @ParameterizedTest(name = "{1}")
    @MethodSource("quectelIdentities")
    void bringUpPicksTheProfileAtiNames(List<String> ati, String profile, String model) throws Exception {
        ModemProfile expected = ModemProfile.byName(profile).orElseThrow();
        String registration = expected.registration().get(0);
        String reply = registration.substring(2, registration.length() - 1) + ": 0,1";
        script = new ScriptedModem().identify(ati.toArray(String[]::new)).imeiAndSim()
                .on(registration, reply, "OK").start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        script.awaitFinished(WAIT);
        assertThat(modem.profile()).isSameAs(expected);
        assertThat(modem.identity().model()).isEqualTo(model);
    }

    @Test
    void anInconclusiveAtiIsFollowedByCgmm() throws Exception {
        script = new ScriptedModem().identify("Quectel_Ltd", "Revision: BC26NBR01A10")
                .on("AT+CGMM", "Quectel_BC26", "OK")
                .imeiAndSim().on("AT+CEREG?", "+CEREG: 0,1", "OK").start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        script.awaitFinished(WAIT);
        assertThat(modem.modelName()).isEqualTo("bc26");
        assertThat(modem.identity()).isEqualTo(new ModemIdentity("Quectel_Ltd", "Quectel_BC26", "BC26NBR01A10",
                "866425030000001"));
    }

    @Test
    void anUnknownModelFailsNamingWhatWasReadAndTheSupportedModels() throws Exception {
        script = new ScriptedModem().identify("Quectel", "EC21", "Revision: EC21EFAR06A01M4G")
                .on("AT+CGMM", "EC21", "OK")
                .expectClosed().start();
        assertThatThrownBy(() -> Modem.open(ModemSettings.of("scripted"), script.link()))
                .isInstanceOf(ModemException.class)
                .hasMessage("scripted: modem=auto can't tell which model this is: ATI said [Quectel, EC21, "
                        + "Revision: EC21EFAR06A01M4G], AT+CGMM said 'EC21'; supported models: [bg95, bg77, bg600l, "
                        + "bg96, bc26, m95, sim7600] (if it is one of them, set modem= to its name)");
        script.awaitFinished(WAIT);
    }

    @Test
    void aCgmmErrorIsReportedAsNoAnswer() throws Exception {
        script = new ScriptedModem().identify("Acme")
                .on("AT+CGMM", "ERROR")
                .expectClosed().start();
        assertThatThrownBy(() -> Modem.open(ModemSettings.of("scripted"), script.link()))
                .isInstanceOf(ModemException.class)
                .hasMessageContaining("ATI said [Acme], AT+CGMM said ''")
                .hasMessageContaining("supported models: [bg95, bg77, bg600l, bg96, bc26, m95, sim7600]");
        script.awaitFinished(WAIT);
    }

    @Test
    void anExplicitModelIsTakenWithoutAskingCgmm() throws Exception {
        script = new ScriptedModem().identify("Quectel_Ltd", "Revision: M95FAR02A08").imeiAndSim()
                .on("AT+CGREG?", "+CGREG: 0,1", "OK").start();
        modem = Modem.open(new ModemSettings("scripted", 115200, "M95", null, null, null, 1, false,
                Duration.ofSeconds(5)), script.link());
        script.awaitFinished(WAIT);
        assertThat(modem.modelName()).isEqualTo("m95");
    }

    @Test
    void sim7600DefinesTheContextWithCgdcontAndCgauthAndMasksThePassword() {
        ModemSettings apn = new ModemSettings("p", 115200, "sim7600", "iot.aws", "dev", TestSecrets.APN_PASSWORD, 3, false,
                Duration.ofSeconds(5));
        List<AtCommand> commands = PdpCommands.define(ModemProfile.SIM7600, apn);
        assertThat(commands).extracting(AtCommand::text)
                .containsExactly("AT+CGDCONT=3,\"IP\",\"iot.aws\"", "AT+CGAUTH=3,1,\"" + TestSecrets.APN_PASSWORD + "\",\"dev\"");
        assertThat(commands).extracting(AtCommand::toString)
                .containsExactly("AT+CGDCONT=3,\"IP\",\"iot.aws\"", "AT+CGAUTH=3,1,\"***\",\"dev\"");
        ModemSettings noCredentials = new ModemSettings("p", 115200, "sim7600", "iot.aws", null, null, 1, false,
                Duration.ofSeconds(5));
        assertThat(PdpCommands.define(ModemProfile.SIM7600, noCredentials)).extracting(AtCommand::text)
                .containsExactly("AT+CGDCONT=1,\"IP\",\"iot.aws\"");
    }

    @Test
    void theBg95FamilyAndBg96SetTheApnWithQicsgp() {
        ModemSettings apn = new ModemSettings("p", 115200, "bg95", "internet", "u", TestSecrets.APN_PASSWORD, 2, false,
                Duration.ofSeconds(5));
        for (ModemProfile p : List.of(ModemProfile.BG95, ModemProfile.BG77, ModemProfile.BG600L, ModemProfile.BG96)) {
            assertThat(PdpCommands.define(p, apn)).extracting(AtCommand::text, AtCommand::toString)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(
                            "AT+QICSGP=2,1,\"internet\",\"u\",\"" + TestSecrets.APN_PASSWORD + "\",3", "AT+QICSGP=2,1,\"internet\",\"u\",\"***\",3"));
        }
    }
}
