package io.cellmqtt.modem;

import java.util.concurrent.CompletableFuture;

/**
 * One MQTT client on one modem client index: a state machine over QMTOPEN / QMTCONN, its
 * subscriptions, an in-flight window of QoS&gt;0 publishes, and reconnection with backoff after
 * {@code +QMTSTAT} (reopen, reconnect, resubscribe, resend what was not acknowledged). Thread-safe.
 */
public final class MqttClient {

    public int clientIndex() {
        throw new IllegalStateException("not yet");
    }

    public String clientId() {
        throw new IllegalStateException("not yet");
    }

    public MqttClientState state() {
        throw new IllegalStateException("not yet");
    }

    /**
     * Configures the client (QMTCFG), opens the network connection and connects. Completes when
     * connected the first time, or fails with a {@link ModemException} carrying the meaning of
     * the result (e.g. bad user name or password). Later losses reconnect on their own.
     */
    public CompletableFuture<Void> start() {
        throw new IllegalStateException("not yet");
    }

    /**
     * Checks a message against the model's limits (topic, payload length, QoS, characters the
     * command cannot carry) without sending anything.
     *
     * @throws IllegalArgumentException naming the value and the limit
     */
    public void validate(OutgoingMessage message) {
        throw new IllegalStateException("not yet");
    }

    /**
     * Publishes: completes when the modem reports the publish done ({@code +QMTPUB: idx,id,0};
     * QoS 0 on {@code OK}), fails on result 2 with its meaning. Up to {@code inflightWindow}
     * QoS&gt;0 publishes are outstanding at once; later ones wait their turn. Invalid messages
     * fail with {@link IllegalArgumentException} before any byte is sent.
     */
    public CompletableFuture<PublishReceipt> publish(OutgoingMessage message) {
        throw new IllegalStateException("not yet");
    }

    /**
     * Subscribes {@code filter} ({@code +} and {@code #} allowed) at {@code qos}; messages whose
     * topic matches it go to {@code listener}. Several listeners may share a client and even a
     * filter; each gets only what matches its own filter. Resubscribed after every reconnect.
     */
    public CompletableFuture<Subscription> subscribe(String filter, int qos, MessageListener listener) {
        throw new IllegalStateException("not yet");
    }

    /** Removes the listener; unsubscribes the filter at the broker when it was the last one. */
    public CompletableFuture<Void> unsubscribe(Subscription subscription) {
        throw new IllegalStateException("not yet");
    }

    /** Disconnects (QMTDISC) and closes (QMTCLOSE); pending publishes fail. */
    public CompletableFuture<Void> stop() {
        throw new IllegalStateException("not yet");
    }
}
