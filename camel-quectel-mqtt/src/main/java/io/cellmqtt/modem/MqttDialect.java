package io.cellmqtt.modem;

import io.cellmqtt.at.AtChannel;
import io.cellmqtt.at.PayloadFraming;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Turns MQTT operations on one client index into the model's AT commands, and the model's URCs
 * into events. Every operation completes when the modem reports its (deferred) result, or fails
 * with a {@link ModemException} that carries the command, the result and its meaning; a
 * {@link ConnectionLostException} means the connection dropped first and the operation may be
 * retried after reconnecting.
 */
interface MqttDialect {

    /** The dialect of {@code profile}'s family, speaking over {@code channel}. */
    static MqttDialect create(AtChannel channel, ModemProfile profile, ModemSettings settings) {
        return switch (profile.family()) {
            case QUECTEL -> new QuectelDialect(channel, profile, settings.pdpContextId());
            case SIMCOM -> new SimcomDialect(channel, profile);
        };
    }

    ModemProfile profile();

    /** The length framings the channel must apply for this dialect's receive URCs. */
    List<PayloadFraming> framings();

    /** Starts routing URCs to {@code listener}. */
    void bind(DialectListener listener);

    /** @throws IllegalArgumentException naming the value and the limit */
    void validate(OutgoingMessage message);

    CompletableFuture<Void> configure(int index, MqttClientSettings settings);

    CompletableFuture<Void> open(int index, MqttClientSettings settings);

    CompletableFuture<Void> connect(int index, String clientId, MqttClientSettings settings);

    CompletableFuture<Void> subscribe(int index, int messageId, List<TopicQos> topics);

    CompletableFuture<Void> unsubscribe(int index, int messageId, List<String> filters);

    /** Publishes a message that already passed {@link #validate}. */
    CompletableFuture<Void> publish(int index, int messageId, OutgoingMessage message);

    CompletableFuture<Void> disconnect(int index);

    CompletableFuture<Void> close(int index);

    /** Fails every operation still waiting for a result, e.g. when the link to the modem is gone. */
    void failEverything(ModemException cause);

    /** A topic filter and its QoS, for multi-topic subscribe commands. */
    record TopicQos(String filter, int qos) {
    }

    /** What the dialect reports outside of any operation. Called on the channel's reader thread. */
    interface DialectListener {
        void onMessage(ReceivedMessage message);

        /** The modem closed the MQTT connection of {@code index} (e.g. {@code +QMTSTAT}). */
        void onConnectionLost(int index, int code, String meaning);
    }
}
