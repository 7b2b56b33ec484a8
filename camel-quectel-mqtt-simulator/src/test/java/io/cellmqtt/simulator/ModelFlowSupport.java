package io.cellmqtt.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * One simulated model on in-memory pipes, an embedded broker, and an independent Paho client on
 * the broker's other side: what a per-model flow test needs.
 */
abstract class ModelFlowSupport {

    /** One broker per test class: starting Moquette costs seconds. Client ids differ per test. */
    static EmbeddedBroker broker;
    SimulatedModem modem;
    FakeHost host;
    MqttClient paho;
    final LinkedBlockingQueue<Received> pahoInbox = new LinkedBlockingQueue<>();

    record Received(String topic, MqttMessage message) {
        String text() {
            return new String(message.getPayload(), StandardCharsets.ISO_8859_1);
        }
    }

    /** The {@link SimulatedModem#of(String)} name of the model under test. */
    abstract String model();

    @BeforeAll
    static void startBroker() {
        broker = new EmbeddedBroker();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @BeforeEach
    void startModem() throws Exception {
        modem = SimulatedModem.of(model());
        host = FakeHost.attachedTo(modem);
        host.command("ATE0");
        paho = new MqttClient(broker.url(), "paho-" + model(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        paho.connect(o);
    }

    @AfterEach
    void stopModem() throws Exception {
        if (paho.isConnected()) {
            paho.disconnect();
        }
        paho.close();
        modem.close();
    }

    void pahoSubscribe(String filter, int qos) throws Exception {
        paho.subscribe(filter, qos, (t, m) -> pahoInbox.add(new Received(t, m)));
    }

    Received pahoNext() throws InterruptedException {
        Received r = pahoInbox.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("message at Paho").isNotNull();
        return r;
    }

    void pahoPublish(String topic, byte[] payload, int qos) throws Exception {
        paho.publish(topic, payload, qos, false);
    }

    void openAndConnect(int idx, String clientId) {
        assertThat(host.command("AT+QMTOPEN=" + idx + ",\"127.0.0.1\"," + broker.port(), "+QMTOPEN: " + idx + ","))
                .isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: " + idx + ",0\r\n");
        assertThat(host.command("AT+QMTCONN=" + idx + ",\"" + clientId + "\"", "+QMTCONN: " + idx + ","))
                .isEqualTo("\r\nOK\r\n\r\n+QMTCONN: " + idx + ",0,0\r\n");
    }

    /** Sends a Ctrl+Z publish command, waits for the prompt, and returns what the modem wrote up to it. */
    String promptFor(String command) {
        host.consume();
        host.send(command + "\r");
        String got = host.awaitFresh("\r\n> ");
        host.consume();
        return got;
    }

    static String error() {
        return "\r\nERROR\r\n";
    }

    static String ok() {
        return "\r\nOK\r\n";
    }

    static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
