package io.cellmqtt.camel;

import java.util.concurrent.CompletableFuture;

import io.cellmqtt.modem.MessageListener;
import io.cellmqtt.modem.Modem;
import io.cellmqtt.modem.ModemException;
import io.cellmqtt.modem.ModemSettings;
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

    /** Opens the modem behind {@code settings.serialPort()}: this is where bytes first go on the wire. */
    ModemHandle open(ModemSettings settings) throws ModemException;

    /** An open modem. */
    interface ModemHandle {
        ModemClient createClient(MqttClientSettings settings) throws ModemException;

        boolean isAlive();

        void close();
    }

    /** One MQTT client of a modem: the subset of {@link MqttClient} the Camel layer uses. */
    interface ModemClient {
        int clientIndex();

        MqttClientState state();

        CompletableFuture<Void> start();

        void validate(OutgoingMessage message);

        CompletableFuture<PublishReceipt> publish(OutgoingMessage message);

        CompletableFuture<SubscriptionHandle> subscribe(String filter, int qos, MessageListener listener);

        CompletableFuture<Void> stop();
    }

    /** A subscription that can be undone. */
    interface SubscriptionHandle {
        CompletableFuture<Void> unsubscribe();
    }

    /** The real thing: {@link Modem#open}. */
    ModemConnector DEFAULT = settings -> new RealModem(Modem.open(settings));

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
        public boolean isAlive() {
            return modem.isAlive();
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
        public CompletableFuture<Void> start() {
            return client.start();
        }

        @Override
        public void validate(OutgoingMessage message) {
            client.validate(message);
        }

        @Override
        public CompletableFuture<PublishReceipt> publish(OutgoingMessage message) {
            return client.publish(message);
        }

        @Override
        public CompletableFuture<SubscriptionHandle> subscribe(String filter, int qos, MessageListener listener) {
            return client.subscribe(filter, qos, listener).thenApply(this::handle);
        }

        private SubscriptionHandle handle(Subscription subscription) {
            return () -> client.unsubscribe(subscription);
        }

        @Override
        public CompletableFuture<Void> stop() {
            return client.stop();
        }
    }
}
