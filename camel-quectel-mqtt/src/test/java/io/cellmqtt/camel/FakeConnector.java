package io.cellmqtt.camel;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.cellmqtt.loop.ModemThreads;
import io.cellmqtt.modem.MessageListener;
import io.cellmqtt.modem.ModemState;
import io.cellmqtt.modem.PublishTimeoutException;
import io.cellmqtt.modem.Subscription;
import io.cellmqtt.modem.SubscriptionStates;
import io.cellmqtt.modem.ModemSettings;
import io.cellmqtt.modem.MqttClientSettings;
import io.cellmqtt.modem.MqttClientState;
import io.cellmqtt.modem.OutgoingMessage;
import io.cellmqtt.modem.PublishReceipt;
import io.cellmqtt.modem.ReceivedMessage;

/** A modem connector for tests: counts opens, records what the Camel layer asks of the modem. */
final class FakeConnector implements ModemConnector {

    final AtomicInteger opens = new AtomicInteger();
    /** open() calls begun, including ones still waiting on a slow port. */
    final AtomicInteger openCalls = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    final List<ModemSettings> modemSettings = new CopyOnWriteArrayList<>();
    final List<MqttClientSettings> clientSettings = new CopyOnWriteArrayList<>();
    final List<FakeClient> clients = new CopyOnWriteArrayList<>();
    /** Ports whose open() waits until the latch is released (a modem slow to come up). */
    final java.util.Map<String, java.util.concurrent.CountDownLatch> slowOpens = new java.util.concurrent.ConcurrentHashMap<>();
    /** When set, the broker's acknowledgement of every subscription: it completes when this does. */
    volatile CompletableFuture<Void> subscribeAck;
    /** What publish returns; default: done at once with message id 7 on the client's index. */
    volatile Function<OutgoingMessage, CompletableFuture<PublishReceipt>> publishResult;

    @Override
    public ModemHandle open(ModemSettings settings, ModemThreads threads) {
        openCalls.incrementAndGet();
        java.util.concurrent.CountDownLatch slow = slowOpens.get(settings.serialPort());
        if (slow != null) {
            try {
                slow.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        opens.incrementAndGet();
        modemSettings.add(settings);
        return new ModemHandle() {
            @Override
            public ModemClient createClient(MqttClientSettings s) {
                clientSettings.add(s);
                FakeClient c = new FakeClient(s.clientIndex() < 0 ? clients.size() : s.clientIndex());
                clients.add(c);
                return c;
            }

            @Override
            public ModemState state() {
                return ModemState.READY;
            }

            @Override
            public String reason() {
                return "ready";
            }

            @Override
            public void close() {
                closes.incrementAndGet();
            }
        };
    }

    FakeClient client() {
        return clients.get(clients.size() - 1);
    }

    final class FakeClient implements ModemClient {
        final int index;
        volatile MqttClientState state = MqttClientState.STOPPED;
        volatile String reason = "fake";
        final List<OutgoingMessage> published = new CopyOnWriteArrayList<>();
        /** The waitForRoom of each publish, in order. */
        final List<Boolean> waitedForRoom = new CopyOnWriteArrayList<>();
        /** What the bounds refused or dropped, as the stats report it. */
        volatile long rejected;
        volatile long dropped;
        volatile long unmatched;
        volatile int pendingDeliveries;

        @Override
        public io.cellmqtt.modem.ClientStats stats() {
            return new io.cellmqtt.modem.ClientStats(state, java.time.Instant.EPOCH, reason, null, published.size(),
                    published.size(), 0, 0, 0, rejected, dropped, unmatched, pendingDeliveries);
        }
        final List<String> subscribed = new CopyOnWriteArrayList<>();
        final List<String> unsubscribed = new CopyOnWriteArrayList<>();
        final List<MessageListener> listeners = new CopyOnWriteArrayList<>();
        final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
        final AtomicInteger stops = new AtomicInteger();

        FakeClient(int index) {
            this.index = index;
        }

        @Override
        public int clientIndex() {
            return index;
        }

        @Override
        public MqttClientState state() {
            return state;
        }

        @Override
        public String reason() {
            return reason;
        }

        @Override
        public CompletableFuture<Void> start() {
            state = MqttClientState.CONNECTED;
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void validate(OutgoingMessage message) {
            if (message.size() > 4096) {
                throw new IllegalArgumentException("payload of " + message.size() + " bytes is over the limit of 4096");
            }
        }

        @Override
        public CompletableFuture<PublishReceipt> publish(OutgoingMessage message, Duration timeout,
                boolean waitForRoom) {
            waitedForRoom.add(waitForRoom);
            return publish(message, timeout);
        }

        @Override
        public CompletableFuture<PublishReceipt> publish(OutgoingMessage message, Duration timeout) {
            published.add(message);
            Function<OutgoingMessage, CompletableFuture<PublishReceipt>> f = publishResult;
            CompletableFuture<PublishReceipt> result = f != null ? f.apply(message)
                    : CompletableFuture.completedFuture(new PublishReceipt(index, 7, message.qos()));
            // As the real client does: no result within the caller's time is a PublishTimeoutException.
            CompletableFuture<PublishReceipt> deadline = new CompletableFuture<>();
            CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> deadline
                    .completeExceptionally(new PublishTimeoutException("no result within " + timeout.toMillis()
                            + " ms (fake)", false)));
            return result.applyToEither(deadline, r -> r);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(Subscription s) {
            subscribed.add(s.filter() + "@" + s.qos());
            listeners.add(s.listener());
            subscriptions.add(s);
            CompletableFuture<Void> ack = subscribeAck == null ? CompletableFuture.completedFuture(null) : subscribeAck;
            return ack.thenApply(v -> {
                SubscriptionStates.set(s, Subscription.State.ACTIVE, null);
                return s;
            });
        }

        @Override
        public CompletableFuture<Void> unsubscribe(Subscription s) {
            unsubscribed.add(s.filter());
            listeners.remove(s.listener());
            subscriptions.remove(s);
            return CompletableFuture.completedFuture(null);
        }

        void deliver(String topic, int messageId, byte[] payload) {
            listeners.forEach(l -> l.onMessage(new ReceivedMessage(index, messageId, topic, payload)));
        }

        @Override
        public CompletableFuture<Void> close() {
            stops.incrementAndGet();
            state = MqttClientState.STOPPED;
            return CompletableFuture.completedFuture(null);
        }
    }
}
