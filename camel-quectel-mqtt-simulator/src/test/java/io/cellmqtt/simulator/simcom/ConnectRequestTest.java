package io.cellmqtt.simulator.simcom;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellmqtt.simulator.secrets.TestSecrets;
import org.junit.jupiter.api.Test;

class ConnectRequestTest {

    @Test
    void theConnectPasswordNeverShowsInTheRequestsText() {
        CmqttClientSlot.ConnectRequest r = new CmqttClientSlot.ConnectRequest("tcp://h:1", "h", 1, 60, true, "dev",
                TestSecrets.MQTT_PASSWORD);
        assertThat(r.toString()).contains("dev").contains("***").doesNotContain(TestSecrets.MQTT_PASSWORD);
    }
}
