package io.cellmqtt.modem;

import org.junit.jupiter.api.AfterEach;

import java.time.Duration;

/** What every transcript test shares: a scripted modem, the modem layer on it, and their teardown. */
abstract class TranscriptTestBase {
    static final Duration WAIT = Duration.ofSeconds(10);

    ScriptedModem script;
    Modem modem;

    @AfterEach
    void closeScriptAndModem() {
        // The script is over: drop the link first so closing the modem does not wait on it.
        if (script != null) {
            script.close();
        }
        if (modem != null) {
            modem.close();
        }
    }

    /** Client 0 with the given broker and client id, reconnecting quickly. */
    static MqttClientSettings settings(String host, int port, String clientId) {
        return MqttClientSettings.of(host, port).withClientId(clientId).withClientIndex(0)
                .withReconnectDelays(Duration.ofMillis(20), Duration.ofMillis(200));
    }
}
