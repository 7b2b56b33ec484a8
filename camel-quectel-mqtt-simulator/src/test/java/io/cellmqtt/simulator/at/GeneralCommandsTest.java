package io.cellmqtt.simulator.at;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellmqtt.simulator.FakeHost;
import io.cellmqtt.simulator.SimulatedModem;
import io.cellmqtt.simulator.host.HostInput;
import io.cellmqtt.simulator.host.HostOutput;
import io.cellmqtt.simulator.host.HostSession;
import io.cellmqtt.simulator.secrets.TestSecrets;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The general (non-MQTT) command table of every model. SIM7600 is driven through the interpreter
 * alone, with no MQTT command set behind it: its CMQTT set is another module's part.
 */
class GeneralCommandsTest {

    private static final String OK = "\r\nOK\r\n";
    private static final String ERROR = "\r\nERROR\r\n";

    /** Commands the model has no MQTT set for: none. */
    private static final MqttCommandSet NO_MQTT = new MqttCommandSet() {
        @Override
        public boolean handles(String name) {
            return false;
        }

        @Override
        public String execute(AtCommand c, HostInput in) throws IOException {
            throw new AssertionError("not reached");
        }

        @Override
        public boolean loseConnection(int index, ConnectionLoss why) {
            return false;
        }

        @Override
        public void networkLost(java.util.function.IntPredicate contextDown) {
        }

        @Override
        public void reset() {
        }

        @Override
        public void shutdown() {
        }
    };

    private HostOutput output;
    private Thread reader;
    private SimulatedModem modem;

    private final java.util.concurrent.ScheduledExecutorService timer =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
        if (reader != null) {
            reader.interrupt();
            output.close();
        }
        if (modem != null) {
            modem.close();
        }
    }

    /** An interpreter for the profile on in-memory pipes, as SimulatedModem wires it, without MQTT. */
    private FakeHost interpreterFor(ModemProfile profile) {
        output = new HostOutput(new io.cellmqtt.simulator.host.PortGate(), timer);
        AtInterpreter interpreter = new AtInterpreter(profile, output, NO_MQTT, () -> { });
        FakeHost host = new FakeHost();
        output.attach(host.modemOutput);
        reader = new Thread(new HostSession(host.modemInput, interpreter), "test-host-reader");
        reader.setDaemon(true);
        reader.start();
        host.command("ATE0");
        return host;
    }

    private FakeHost simulated(String name) {
        modem = SimulatedModem.of(name);
        FakeHost host = FakeHost.attachedTo(modem);
        host.command("ATE0");
        return host;
    }

    @ParameterizedTest
    @ValueSource(strings = {"bg95", "bg77", "bg600l", "bg96", "bc26", "m95"})
    void everyQuectelModelNamesItself(String name) {
        FakeHost host = simulated(name);
        ModemProfile p = ModemProfile.byName(name).orElseThrow();
        assertThat(host.command("AT+CGMM")).isEqualTo("\r\n" + p.model() + "\r\n" + OK);
        assertThat(host.command("ATI")).isEqualTo("\r\n" + p.manufacturer() + "\r\n" + p.model() + "\r\nRevision: "
                + p.revision() + "\r\n" + OK);
        assertThat(host.command("AT+GSN")).isEqualTo("\r\n" + p.defaultImei() + "\r\n" + OK);
        assertThat(host.command("AT+CPIN?")).isEqualTo("\r\n+CPIN: READY\r\n" + OK);
        assertThat(host.command("AT+CSQ")).isEqualTo("\r\n+CSQ: 20,99\r\n" + OK);
        assertThat(host.command("AT+CCERTLIST")).isEqualTo(ERROR);
        assertThat(host.command("AT+CSCLK=0")).isEqualTo(ERROR);
        assertThat(host.command("AT+NOPE")).isEqualTo(ERROR);
    }

    @Test
    void perModelDifferences() {
        Map<String, Map<String, String>> expected = Map.of(
                "bg96", Map.of("AT+CEREG?", "\r\n+CEREG: 0,1\r\n" + OK, "AT+CGREG?", "\r\n+CGREG: 0,1\r\n" + OK,
                        "AT+CEDRXS=0", OK, "AT+CPSMS=0", OK, "AT+QEDRXCFG=0", ERROR, "AT+QSECWRITE=\"a\",1", ERROR),
                "bc26", Map.of("AT+CEREG?", "\r\n+CEREG: 0,1\r\n" + OK, "AT+CGREG?", ERROR, "AT+CREG?", ERROR,
                        "AT+CEDRXS=0", ERROR, "AT+QEDRXCFG=0", OK, "AT+QSSLCFG=\"cacert\",0,\"a\"", ERROR,
                        "AT+QCFG=\"band\"", ERROR),
                "m95", Map.of("AT+CEREG?", ERROR, "AT+CGREG?", "\r\n+CGREG: 0,1\r\n" + OK, "AT+CPSMS=0", ERROR,
                        "AT+CEDRXS=0", ERROR, "AT+QSCLK=0", OK, "AT+QICSGP=1,\"apn\",\"user\",\"" + TestSecrets.APN_PASSWORD + "\"", OK,
                        "AT+QSSLCFG=\"cacert\",2,\"RAM:cacert.pem\"", OK));
        expected.forEach((name, answers) -> {
            FakeHost host = simulated(name);
            answers.forEach((cmd, answer) -> assertThat(host.command(cmd)).as(name + " " + cmd).isEqualTo(answer));
            modem.close();
            modem = null;
        });
    }

    @Test
    void sim7600AnswersSimcomCommandsAndNoQuectelOnes() {
        FakeHost host = interpreterFor(ModemProfile.SIM7600);
        assertThat(host.command("ATI")).isEqualTo("\r\nManufacturer: SIMCOM INCORPORATED\r\nModel: SIMCOM_SIM7600E-H\r\n"
                + "Revision: SIM7600M22_V2.0\r\nIMEI: 866425030000007\r\n+GCAP: +CGSM\r\n" + OK);
        assertThat(host.command("AT+CGMM")).isEqualTo("\r\nSIMCOM_SIM7600E-H\r\n" + OK);
        assertThat(host.command("AT+CEREG?")).isEqualTo("\r\n+CEREG: 0,1\r\n" + OK);
        assertThat(host.command("AT+CGREG?")).isEqualTo("\r\n+CGREG: 0,1\r\n" + OK);
        assertThat(host.command("AT+CGDCONT=1,\"IP\",\"internet\"")).isEqualTo(OK);
        assertThat(host.command("AT+CGAUTH=1,1,\"" + TestSecrets.APN_PASSWORD + "\",\"user\"")).isEqualTo(OK);
        assertThat(host.command("AT+CSCLK=0")).isEqualTo(OK);
        assertThat(host.command("AT+CPSMS=0")).isEqualTo(OK);
        assertThat(host.command("AT+CSSLCFG=\"sslversion\",0,4")).isEqualTo(OK);
        assertThat(host.command("AT+CSSLCFG=\"authmode\",0,2")).isEqualTo(OK);
        assertThat(host.command("AT+CSSLCFG=\"cacert\",0,\"cacert.pem\"")).isEqualTo(OK);
        assertThat(host.command("AT+CSSLCFG=\"cacert\",0")).isEqualTo("\r\n+CSSLCFG: \"cacert\",0,\"cacert.pem\"\r\n" + OK);
        assertThat(host.command("AT+CSSLCFG=\"cacert\",10,\"x.pem\"")).isEqualTo(ERROR);
        for (String q : new String[] {"AT+QMTCFG=\"version\",0,4", "AT+QMTOPEN=0,\"h\",1883", "AT+QMTPUBEX=?",
            "AT+QICSGP=1,1,\"internet\",\"\",\"\",0", "AT+QIACT?", "AT+QIACT=1", "AT+QSCLK=0",
            "AT+QSSLCFG=\"cacert\",0,\"a\"", "AT+QFUPL=\"a\",1", "AT+QPOWD", "AT+QEDRXCFG=0", "AT+CEDRXS=0"}) {
            assertThat(host.command(q)).as(q).isEqualTo(ERROR);
        }
    }

    @Test
    void sim7600CertificatesAsReference001ManagesThem() {
        FakeHost host = interpreterFor(ModemProfile.SIM7600);
        assertThat(host.command("AT+CCERTLIST")).isEqualTo(OK);
        byte[] pem = "-----BEGIN CERTIFICATE-----\r\nMIIB\"x\",\r\n-----END CERTIFICATE-----\r\n"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        host.consume();
        host.send("AT+CCERTDOWN=\"clientcert.pem\"," + pem.length + "\r");
        assertThat(host.awaitFresh("> ")).isEqualTo("\r\n> ");
        host.consume();
        host.sendBytes(pem);
        assertThat(host.awaitFresh(OK)).isEqualTo(OK);
        host.consume();
        host.send("AT+CCERTDOWN=\"ca_cert.pem\",3\r");
        host.awaitFresh("> ");
        host.sendBytes(new byte[] {'a', 'b', 'c'});
        host.awaitFresh(OK);
        assertThat(host.command("AT+CCERTLIST"))
                .isEqualTo("\r\n+CCERTLIST: \"ca_cert.pem\"\r\n+CCERTLIST: \"clientcert.pem\"\r\n" + OK);
        assertThat(host.command("AT+CCERTDELE=\"ca_cert.pem\"")).isEqualTo(OK);
        assertThat(host.command("AT+CCERTDELE=\"ca_cert.pem\"")).isEqualTo(ERROR);
        assertThat(host.command("AT+CCERTLIST")).isEqualTo("\r\n+CCERTLIST: \"clientcert.pem\"\r\n" + OK);
        assertThat(host.command("AT+CCERTDOWN=\"big.pem\"," + (ModemFiles.MAX_FILE + 1))).isEqualTo(ERROR);
    }

    @Test
    void everySimulatedModelHasItsTables() {
        for (ModemProfile p : ModemProfile.ALL) {
            assertThat(GeneralCommands.of(p).behaviour("+CGMM")).as(p.name()).isEqualTo(GeneralCommands.Behaviour.MODEL);
        }
    }

    @Test
    void passwordsOfEveryModelAreMaskedInLogs() {
        assertThat(AtInterpreter.maskSecrets("AT+QICSGP=1,1,\"apn\",\"user\",\"" + TestSecrets.APN_PASSWORD + "\",3"))
                .isEqualTo("AT+QICSGP=1,1,\"apn\",\"user\",\"***\",3");
        assertThat(AtInterpreter.maskSecrets("AT+QICSGP=1,\"apn\",\"user\",\"" + TestSecrets.APN_PASSWORD + "\""))
                .isEqualTo("AT+QICSGP=1,\"apn\",\"user\",\"***\"");
        assertThat(AtInterpreter.maskSecrets("AT+CGAUTH=1,1,\"" + TestSecrets.APN_PASSWORD + "\",\"user\""))
                .isEqualTo("AT+CGAUTH=1,1,\"***\",\"***\"");
        assertThat(AtInterpreter.maskSecrets("AT+CMQTTCONNECT=0,\"tcp://h:1883\",60,1,\"u\",\"" + TestSecrets.MQTT_PASSWORD + "\""))
                .isEqualTo("AT+CMQTTCONNECT=0,\"tcp://h:1883\",60,1,\"u\",\"***\"");
        assertThat(AtInterpreter.maskSecrets("AT+QMTCONN=0,\"id\",\"user\",\"" + TestSecrets.PASSWORD_WITH_QUOTE + "\""))
                .doesNotContain("s3cr");
        assertThat(AtInterpreter.maskSecrets("AT+CGDCONT=1,\"IP\",\"apn\"")).isEqualTo("AT+CGDCONT=1,\"IP\",\"apn\"");
    }
}
