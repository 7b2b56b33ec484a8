package io.cellmqtt.modem;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Values that reach the modem layer through its Java API, without the Camel layer's validation in
 * front of it: a value that would end the command line and start another is refused by the code
 * that writes the command, before a byte of it reaches the modem.
 */
class CommandInjectionTest extends TranscriptTestBase {

    @Test
    void aCipherSuiteCarryingACommandIsRefusedBeforeAByteIsWritten() throws Exception {
        // After bring-up the host must write nothing at all until it closes the port.
        script = new ScriptedModem().bringUp().expectClosed().start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClientSettings s = settings("broker.example", 8883, "gw-1")
                .withSsl(2, "cacert.pem", null, null, "0xFFFF\rAT+QPOWD=1");

        Throwable refused = catchThrowable(() -> modem.createClient(s).start().get(5, TimeUnit.SECONDS));

        assertThat(refused).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cipherSuite")
                .hasMessageContaining("\\r at index 6");
        modem.close();
        script.awaitFinished(WAIT);
    }
}
