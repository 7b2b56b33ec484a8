package io.cellmqtt.e2e;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The independent side of every end-to-end test: a Paho client that records what arrives. */
final class CheckingClient implements AutoCloseable {

    record Received(String topic, byte[] payload, int qos, boolean retained) {
    }

    private final org.eclipse.paho.client.mqttv3.MqttClient paho;
    final List<Received> received = new CopyOnWriteArrayList<>();

    CheckingClient(TestBroker broker, String clientId) throws Exception {
        paho = new org.eclipse.paho.client.mqttv3.MqttClient(broker.url(), clientId, new MemoryPersistence());
        paho.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(new Received(topic, message.getPayload(), message.getQos(), message.isRetained()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setAutomaticReconnect(false);
        paho.connect(o);
    }

    /**
     * Subscribes; if the broker dropped this fresh connection meanwhile (embedded Moquette did, once,
     * on a loaded machine: EOF right after CONNECT), connects again and subscribes once more, before
     * anything the test checks is published.
     */
    CheckingClient subscribe(String filter, int qos) throws Exception {
        try {
            paho.subscribe(filter, qos);
        } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
            if (e.getReasonCode() != org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_CONNECTION_LOST
                    && paho.isConnected()) {
                throw e;
            }
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            paho.connect(o);
            paho.subscribe(filter, qos);
        }
        return this;
    }

    void publish(String topic, byte[] payload, int qos, boolean retained) throws Exception {
        paho.publish(topic, payload, qos, retained);
    }

    List<Received> on(String topic) {
        return received.stream().filter(r -> r.topic().equals(topic)).toList();
    }

    @Override
    public void close() throws Exception {
        if (paho.isConnected()) {
            paho.disconnect();
        }
        paho.close();
    }
}
