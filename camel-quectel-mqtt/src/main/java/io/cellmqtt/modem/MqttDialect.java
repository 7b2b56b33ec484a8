package io.cellmqtt.modem;

import io.cellmqtt.at.AtChannel;
import io.cellmqtt.at.PayloadFraming;
import io.cellmqtt.loop.ModemLoop;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Turns MQTT operations on one client index into the model's AT commands, and the model's URCs
 * into events. Every operation completes when the modem reports its (deferred) result, or fails
 * with a {@link ModemException} that carries the command, the result and its meaning, and says
 * through {@link ModemException#recovery()} what the reference advises; a
 * {@link ConnectionLostException} means the connection dropped first.
 *
 * <p>A dialect lives on the modem's event loop: every method but the two {@code validate} methods
 * and {@link #profile()} is called there, and every future it returns completes there.
 */
interface MqttDialect {

    /** The dialect of {@code profile}'s family, speaking over {@code channel}. */
    static MqttDialect create(AtChannel channel, ModemLoop loop, ModemProfile profile, ModemSettings settings) {
        return switch (profile.family()) {
            case QUECTEL -> new QuectelDialect(channel, loop, profile, settings.pdpContextId());
            case SIMCOM -> new SimcomDialect(channel, loop, profile);
        };
    }

    ModemProfile profile();

    /** The length framings the channel must apply for this dialect's receive URCs. */
    List<PayloadFraming> framings();

    /** Starts routing URCs to {@code listener}. */
    void bind(DialectListener listener);

    /** Any thread. @throws IllegalArgumentException naming the value and the limit */
    void validate(OutgoingMessage message);

    /**
     * Any thread: refuses, before anything is sent, settings the model's commands cannot carry.
     *
     * @throws IllegalArgumentException naming the setting and why
     */
    void validate(MqttClientSettings settings);

    CompletableFuture<Void> configure(int index, MqttClientSettings settings);

    CompletableFuture<Void> open(int index, MqttClientSettings settings);

    CompletableFuture<Void> connect(int index, String clientId, MqttClientSettings settings);

    CompletableFuture<Void> subscribe(int index, int messageId, List<TopicQos> topics);

    CompletableFuture<Void> unsubscribe(int index, int messageId, List<String> filters);

    /** Publishes a message that already passed {@link #validate}. */
    Sending publish(int index, int messageId, OutgoingMessage message);

    CompletableFuture<Void> disconnect(int index);

    CompletableFuture<Void> close(int index);

    /**
     * The client gave up the connection of {@code index} (a result that never came, a refused
     * publish, a failed connect) and is about to close it: no result of that connection will be
     * reported any more, so every operation of it still waiting fails with {@code cause}, its
     * commands not written yet are withdrawn, and none of its later steps is sent.
     */
    void connectionAbandoned(int index, ConnectionLostException cause);

    /**
     * Asks the modem which client indexes have their MQTT connection up ({@code AT+QMTCONN?},
     * {@code AT+CMQTTCONNECT?}). Fails when the modem would not say.
     */
    CompletableFuture<Set<Integer>> connectionsHeld();

    /**
     * The modem no longer holds the connection of {@code index}, though no loss was heard (its
     * report was lost, e.g. written while the AT port was not answering): the same as if the modem
     * had reported the loss now.
     */
    void connectionGone(int index, ConnectionLostException cause);

    /**
     * Every MQTT connection of the modem is gone (the network went away) but the modem kept its
     * MQTT stack: every operation still waiting fails with {@code cause}.
     */
    void connectionsLost(ModemException cause);

    /**
     * Any thread: refuses, before anything is sent, a topic filter the model's subscribe command
     * cannot carry.
     *
     * @throws IllegalArgumentException naming the filter and the limit
     */
    void validateFilter(String filter);

    /**
     * The modem lost what it held (the link went away, the modem restarted): every operation still
     * waiting fails with {@code cause}, and the dialect forgets whatever it knew of the modem's
     * MQTT state.
     */
    void reset(ModemException cause);

    /** A topic filter and its QoS, for multi-topic subscribe commands. */
    record TopicQos(String filter, int qos) {
    }

    /** What the dialect reports outside of any operation. Called on the event loop. */
    interface DialectListener {
        void onMessage(ReceivedMessage message);

        /**
         * Whether client {@code index} subscribed to a filter matching {@code topic}: of the readings
         * of a received line that the modem's format leaves open, the one a client wants is the message.
         */
        default boolean wants(int index, String topic) {
            return true;
        }

        /**
         * The modem closed the MQTT connection of {@code index} ({@code +QMTSTAT},
         * {@code +CMQTTCONNLOST}). Called before the operations waiting on that connection fail.
         */
        void onConnectionLost(int index, int code, ConnectionLostException cause);
    }
}
