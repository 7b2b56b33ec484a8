package io.cellmqtt.simulator.simcom;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectRequestTest {

    @Test
    void theConnectPasswordNeverShowsInTheRequestsText() {
        CmqttClientSlot.ConnectRequest r = new CmqttClientSlot.ConnectRequest("tcp://h:1", "h", 1, 60, true, "dev", "pw-42");
        assertThat(r.toString()).contains("dev").contains("***").doesNotContain("pw-42");
    }
}
