package io.cellmqtt.simulator;

class Bg600lSimulatorTest extends Bg95FamilyFlow {

    @Override
    String model() {
        return "bg600l";
    }

    @Override
    String modelLine() {
        return "BG600L-M3";
    }
}
