package io.cellmqtt.simulator;

class Bg77SimulatorTest extends Bg95FamilyFlow {

    @Override
    String model() {
        return "bg77";
    }

    @Override
    String modelLine() {
        return "BG77";
    }
}
