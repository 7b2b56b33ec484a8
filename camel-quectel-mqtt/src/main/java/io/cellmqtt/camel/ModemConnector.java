package io.cellmqtt.camel;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.cellmqtt.link.LinkOpener;
import io.cellmqtt.loop.ModemThreads;
import io.cellmqtt.modem.Modem;
import io.cellmqtt.modem.ModemException;
import io.cellmqtt.modem.ModemSettings;
import io.cellmqtt.modem.ModemState;
import io.cellmqtt.modem.MqttClient;
import io.cellmqtt.modem.MqttClientSettings;
import io.cellmqtt.modem.MqttClientState;
import io.cellmqtt.modem.OutgoingMessage;
import io.cellmqtt.modem.PublishReceipt;
import io.cellmqtt.modem.Subscription;

/**
 * The one place the Camel layer reaches the modem layer: opening a {@link Modem}. Everything the component does
 * before calling {@link #open} (option validation, topic checks) needs no modem. Tests replace it through
 * {@link CellMqttComponent#setModemConnector} to count calls and to put fake clients behind the endpoints.
 */
interface ModemConnector {

    /**
     * Opens the modem behind {@code settings.serialPort()} on {@code threads}: this is where bytes first go on the
     * wire. Returns once the modem is identified; it recovers from every later fault by itself.
     */
    ModemHandle open(ModemSettings settings, ModemThreads threads) throws ModemException;

    /** An open modem. */
    interface ModemHandle {
        ModemClient createClient(MqttClientSettings settings) throws ModemException;

        ModemState state();

        /** Model, IMEI and firmware once identified; empty before. */
        default java.util.Map<String, Object> facts() {
            return java.util.Map.of();
        }

        /** {@code +CSQ: <rssi>,<ber>} now, asked of the modem (blocks up to a few seconds); null if it can't say. */
        default String signalQuality() {
            return null;
        }

        /** Why the modem is in its state. */
        String reason();

        /** Closes the modem (its clients, its port, its threads). */
        void close();
    }

    /** One MQTT client of a modem: the subset of {@link MqttClient} the Camel layer uses. */
    interface ModemClient {
        int clientIndex();

        MqttClientState state();

        /** Why the client is in its state. */
        String reason();

        /** Its counters and recent history; null where a test double has none. */
        default io.cellmqtt.modem.ClientStats stats() {
            return null;
        }

        /** Starts connecting (and reconnecting); the route does not wait for it. */
        CompletableFuture<Void> start();

        void validate(OutgoingMessage message);

        CompletableFuture<PublishReceipt> publish(OutgoingMessage message, Duration timeout);

        /**
         * As {@link #publish(OutgoingMessage, Duration)}; when the client is backed up ({@code maxPendingPublishes}
         * unsettled) it fails at once, or with {@code waitForRoom} the calling thread waits for room within
         * {@code timeout}.
         */
        default CompletableFuture<PublishReceipt> publish(OutgoingMessage message, Duration timeout,
                boolean waitForRoom) {
            return publish(message, timeout);
        }

        /** Completes when the broker holds the subscription, fails if it refuses it. */
        CompletableFuture<Subscription> subscribe(Subscription subscription);

        CompletableFuture<Void> unsubscribe(Subscription subscription);

        /** Stops it and gives its index back to the modem. */
        CompletableFuture<Void> close();
    }

    /** The real thing: {@link Modem#open}. */
    ModemConnector DEFAULT = (settings, threads) -> new RealModem(
            Modem.open(settings, LinkOpener.of(settings.serialPort(), settings.baudRate()), threads));

    final class RealModem implements ModemHandle {
        private final Modem modem;

        RealModem(Modem modem) {
            this.modem = modem;
        }

        @Override
        public ModemClient createClient(MqttClientSettings settings) throws ModemException {
            return new RealClient(modem.createClient(settings));
        }

        @Override
        public ModemState state() {
            return modem.state();
        }

        @Override
        public String reason() {
            return modem.reason();
        }

        @Override
        public java.util.Map<String, Object> facts() {
            io.cellmqtt.modem.ModemIdentity id = modem.identity();
            if (id == null) {
                return java.util.Map.of();
            }
            java.util.Map<String, Object> facts = new java.util.LinkedHashMap<>(java.util.Map.of("model", id.model(),
                    "imei", id.imei(), "firmware", id.revision(), "manufacturer", id.manufacturer()));
            if (modem.registration() != null) {
                facts.put("registration", modem.registration());
            }
            modem.refreshRadio(); // in the background: what it finds shows next time
            if (modem.signal() != null) {
                facts.put("signal", modem.signal() + " (" + CellMqttDevConsole.dbm(modem.signal()) + ")");
            }
            if (modem.operator() != null) {
                facts.put("operator", modem.operator());
            }
            // what the AT engine refused to read (docs/at-engine.md, receive framing and hostile publishers)
            io.cellmqtt.at.AtChannel.FramingStats refused = modem.framingStats();
            facts.put("framingErrors", refused.framingErrors());
            facts.put("ambiguousMessages", refused.ambiguousRecords());
            facts.put("discardedBytes", refused.discardedBytes());
            return facts;
        }

        @Override
        public String signalQuality() {
            try {
                return modem.signalQuality();
            } catch (ModemException e) {
                return null;
            }
        }

        @Override
        public void close() {
            modem.close();
        }
    }

    final class RealClient implements ModemClient {
        private final MqttClient client;

        RealClient(MqttClient client) {
            this.client = client;
        }

        @Override
        public int clientIndex() {
            return client.clientIndex();
        }

        @Override
        public MqttClientState state() {
            return client.state();
        }

        @Override
        public String reason() {
            return client.reason();
        }

        @Override
        public io.cellmqtt.modem.ClientStats stats() {
            return client.stats();
        }

        @Override
        public CompletableFuture<Void> start() {
            return client.start();
        }

        @Override
        public void validate(OutgoingMessage message) {
            client.validate(message);
        }

        @Override
        public CompletableFuture<PublishReceipt> publish(OutgoingMessage message, Duration timeout) {
            return client.publish(message, timeout);
        }

        @Override
        public CompletableFuture<PublishReceipt> publish(OutgoingMessage message, Duration timeout,
                boolean waitForRoom) {
            return client.publish(message, timeout, waitForRoom);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(Subscription subscription) {
            return client.subscribe(subscription);
        }

        @Override
        public CompletableFuture<Void> unsubscribe(Subscription subscription) {
            return client.unsubscribe(subscription);
        }

        @Override
        public CompletableFuture<Void> close() {
            return client.close();
        }
    }
}
