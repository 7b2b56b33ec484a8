package io.cellmqtt.simulator.quectel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.cellmqtt.simulator.at.ModemProfile;
import org.junit.jupiter.api.Test;

class QuectelModelTest {

    @Test
    void everyQuectelModelHasItsCommandSetTable() {
        for (ModemProfile p : ModemProfile.ALL) {
            if (p.family() == ModemProfile.Family.QUECTEL) {
                assertThat(QuectelModel.of(p).name()).isEqualTo(p.name());
            }
        }
        assertThat(catchThrowable(() -> QuectelModel.of(ModemProfile.SIM7600)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sim7600");
    }
}
