package io.cellmqtt.e2e;

/** The end-to-end suite against Moquette embedded in the test JVM. */
class MoquetteEndToEndTest extends EndToEndTestBase {
    @Override
    TestBroker newBroker() throws Exception {
        return new MoquetteBroker();
    }
}
