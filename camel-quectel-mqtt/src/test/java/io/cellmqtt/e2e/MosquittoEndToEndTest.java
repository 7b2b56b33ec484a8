package io.cellmqtt.e2e;

import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The same end-to-end suite against Mosquitto, where the machine has it ({@code .ci/run}
 * installs it, so CI always runs this).
 */
@EnabledIf(value = "io.cellmqtt.e2e.MosquittoBroker#available", disabledReason = "mosquitto is not installed")
class MosquittoEndToEndTest extends EndToEndTestBase {
    @Override
    TestBroker newBroker() throws Exception {
        return new MosquittoBroker();
    }
}
