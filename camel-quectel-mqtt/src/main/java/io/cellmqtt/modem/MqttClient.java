package io.cellmqtt.modem;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One MQTT client on one modem client index: a state machine over QMTOPEN / QMTCONN, its
 * subscriptions, an in-flight window of QoS&gt;0 publishes, and reconnection with backoff after
 * {@code +QMTSTAT} (reopen, reconnect, resubscribe, resend what was not acknowledged). Thread-safe.
 *
 * <p>Results reach callers on the modem's callback threads, never on the AT reader thread, so a
 * caller may block or publish again from a completion handler.
 */
public final class MqttClient {
    private static final Logger LOG = LoggerFactory.getLogger(MqttClient.class);
    private static final int TOPICS_PER_SUBSCRIBE = 4;

    private final MqttDialect dialect;
    private final int index;
    /** The client id of the latest CONNECT; with a credentials provider it changes on reconnects. */
    private volatile String clientId;
    private final MqttClientSettings settings;
    private final ScheduledExecutorService scheduler;
    private final Executor callbacks;
    private final ExecutorService delivery;
    private final Consumer<MqttClient> onStopped;

    private final Object lock = new Object();
    private MqttClientState state = MqttClientState.CLOSED;
    private boolean running;
    /** Bumped on every connection loss: late results of an older connection are recognised. */
    private long connection;
    private int failedAttempts;
    private CompletableFuture<Void> firstConnect;
    private ScheduledFuture<?> reconnectTask;
    private final Deque<PendingPublish> queue = new ArrayDeque<>();
    /** QoS&gt;0 publishes handed to the modem and not yet acknowledged, by message id, in send order. */
    private final Map<Integer, PendingPublish> inflight = new LinkedHashMap<>();
    private final MessageIds ids = new MessageIds();
    private final SubscriptionTable subscriptions = new SubscriptionTable();
    private CompletableFuture<Void> drained;

    MqttClient(MqttDialect dialect, int index, String clientId, MqttClientSettings settings,
            ScheduledExecutorService scheduler, Executor callbacks, Consumer<MqttClient> onStopped) {
        this.dialect = dialect;
        this.index = index;
        // With a provider the id is the provider's to give, at the first connect.
        this.clientId = settings.credentialsProvider() == null ? clientId : null;
        this.settings = settings;
        this.scheduler = scheduler;
        this.callbacks = callbacks;
        this.onStopped = onStopped;
        this.delivery = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cellmqtt-deliver-" + index);
            t.setDaemon(true);
            return t;
        });
    }

    public int clientIndex() {
        return index;
    }

    /**
     * The client id of the latest connect, or the one that will be used. With a credentials
     * provider, null before the first connect.
     */
    public String clientId() {
        return clientId;
    }

    public MqttClientSettings settings() {
        return settings;
    }

    public MqttClientState state() {
        synchronized (lock) {
            return state;
        }
    }

    /** QoS&gt;0 publishes currently handed to the modem and not yet acknowledged. */
    public int inflightCount() {
        synchronized (lock) {
            return inflight.size();
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Configures the client (QMTCFG), opens the network connection and connects. Completes when
     * connected the first time, or fails with a {@link ModemException} carrying the meaning of
     * the result (e.g. bad user name or password). Later losses reconnect on their own.
     */
    public CompletableFuture<Void> start() {
        synchronized (lock) {
            if (running) {
                return firstConnect;
            }
            running = true;
            firstConnect = new CompletableFuture<>();
            connectCycle();
            return firstConnect.thenApplyAsync(v -> v, callbacks);
        }
    }

    /** Disconnects (QMTDISC) and closes (QMTCLOSE); queued publishes fail, in-flight ones may finish first. */
    public CompletableFuture<Void> stop() {
        MqttClientState was;
        CompletableFuture<Void> waitForInflight;
        List<PendingPublish> dropped;
        synchronized (lock) {
            if (!running) {
                return CompletableFuture.completedFuture(null);
            }
            running = false;
            if (reconnectTask != null) {
                reconnectTask.cancel(false);
            }
            was = state;
            dropped = new ArrayList<>(queue);
            queue.clear();
            drained = inflight.isEmpty() || was != MqttClientState.CONNECTED ? CompletableFuture.completedFuture(null)
                    : new CompletableFuture<>();
            waitForInflight = drained;
        }
        dropped.forEach(p -> fail(p, new IllegalStateException("MQTT client " + index + " stopped before the publish was sent")));
        if (!firstConnect.isDone()) {
            firstConnect.completeExceptionally(new IllegalStateException("MQTT client " + index + " stopped"));
        }
        CompletableFuture<Void> done;
        if (was == MqttClientState.CLOSED) {
            done = CompletableFuture.completedFuture(null);
        } else {
            done = waitForInflight.completeOnTimeout(null, settings.packetTimeout(), TimeUnit.SECONDS)
                    .thenCompose(v -> {
                        setState(MqttClientState.DISCONNECTING);
                        return was == MqttClientState.CONNECTED ? quietly(dialect.disconnect(index)) : done(null);
                    })
                    .thenCompose(v -> quietly(dialect.close(index)));
        }
        return done.whenComplete((v, e) -> {
            List<PendingPublish> left;
            synchronized (lock) {
                state = MqttClientState.CLOSED;
                left = new ArrayList<>(inflight.values());
                inflight.clear();
            }
            left.forEach(p -> fail(p, new IllegalStateException("MQTT client " + index
                    + " stopped before the broker acknowledged the publish")));
            delivery.shutdown();
            onStopped.accept(this);
        });
    }

    private static CompletableFuture<Void> done(Void v) {
        return CompletableFuture.completedFuture(v);
    }

    /** Stop is best effort: the modem may already have closed the connection (+QMTSTAT: n,5). */
    private CompletableFuture<Void> quietly(CompletableFuture<Void> step) {
        return step.exceptionally(e -> {
            LOG.debug("client {}: {} (ignored while stopping)", index, Failures.rootMessage(e));
            return null;
        });
    }

    private void setState(MqttClientState s) {
        synchronized (lock) {
            if (state != s) {
                LOG.debug("client {}: {} -> {}", index, state, s);
                state = s;
            }
        }
    }

    /** Configure, open, connect, resubscribe, resend: one attempt. */
    private void connectCycle() {
        long attempt;
        synchronized (lock) {
            if (!running) {
                return;
            }
            attempt = connection;
            state = MqttClientState.OPENING;
        }
        dialect.configure(index, settings)
                .thenCompose(v -> openTolerant())
                .thenCompose(v -> {
                    setState(MqttClientState.OPEN);
                    setState(MqttClientState.CONNECTING);
                    return connectWithCurrentCredentials();
                })
                .thenCompose(v -> resubscribeAll())
                .whenComplete((v, e) -> {
                    if (e == null) {
                        onConnected(attempt);
                    } else {
                        onConnectFailed(attempt, Failures.cause(e));
                    }
                });
    }

    /**
     * A provider's credentials are asked for right before each CONNECT, so one signed with the
     * time is signed with this connect's time; they reach the dialect as if they were fixed.
     */
    private CompletableFuture<Void> connectWithCurrentCredentials() {
        MqttCredentialsProvider provider = settings.credentialsProvider();
        if (provider == null) {
            return dialect.connect(index, clientId, settings);
        }
        MqttCredentials c;
        try {
            c = provider.next();
            if (c == null) {
                throw new IllegalStateException("credentials provider " + provider.id() + " gave no credentials");
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        clientId = c.clientId();
        LOG.debug("client {}: connecting as {}", index, c);
        return dialect.connect(index, c.clientId(), settings.fixedTo(c));
    }

    /** Result 2 of QMTOPEN (index occupied) means a stale connection: close it and open again. */
    private CompletableFuture<Void> openTolerant() {
        return dialect.open(index, settings).exceptionallyCompose(e -> {
            Throwable c = Failures.cause(e);
            if (c instanceof ResultException r && r.result() == 2) {
                LOG.info("client {}: index occupied, closing the stale connection first", index);
                return quietly(dialect.close(index)).thenCompose(v -> dialect.open(index, settings));
            }
            return CompletableFuture.failedFuture(c);
        });
    }

    private void onConnected(long attempt) {
        List<PendingPublish> resend;
        synchronized (lock) {
            if (!running) {
                return;
            }
            if (attempt != connection) {
                // Lost again right after connecting. A first start still succeeded: report it, and
                // reconnect like after any loss; a later stale attempt was already rescheduled.
                if (!firstConnect.isDone()) {
                    firstConnect.complete(null);
                    scheduleReconnect();
                }
                return;
            }
            // Filters added while connecting missed the resubscription snapshot and did not send
            // themselves; from CONNECTED on, subscribe() sends its own. Deciding both under one
            // lock hold means no filter is subscribed twice or not at all.
            List<SubscriptionTable.Filter> missed = subscriptions.pending();
            state = MqttClientState.CONNECTED;
            failedAttempts = 0;
            resend = new ArrayList<>(inflight.values());
            if (!missed.isEmpty()) {
                subscribeNow(missed);
            }
        }
        LOG.info("client {} ({}) connected to {}:{}", index, clientId, settings.brokerHost(), settings.brokerPort());
        firstConnect.complete(null);
        for (PendingPublish p : resend) {
            LOG.debug("client {}: re-sending unacknowledged publish {}", index, p.messageId);
            send(p, attempt);
        }
        synchronized (lock) {
            pump();
        }
    }

    private void onConnectFailed(long attempt, Throwable e) {
        boolean first;
        synchronized (lock) {
            // A stale attempt after a loss was rescheduled by onConnectionLost, except during the
            // first start, which nobody else will report.
            if (!running || (attempt != connection && firstConnect.isDone())) {
                return;
            }
            first = !firstConnect.isDone();
            state = MqttClientState.CLOSED;
            if (first) {
                running = false;
            }
        }
        quietly(dialect.close(index));
        if (first) {
            LOG.warn("client {}: connecting to {}:{} failed: {}", index, settings.brokerHost(), settings.brokerPort(),
                    e.getMessage());
            firstConnect.completeExceptionally(e);
            delivery.shutdown();
            onStopped.accept(this);
        } else {
            LOG.warn("client {}: reconnecting failed: {}", index, e.getMessage());
            scheduleReconnect();
        }
    }

    /** The modem closed our connection (+QMTSTAT): keep what is in flight and reconnect. */
    void onConnectionLost(int code, String meaning) {
        synchronized (lock) {
            connection++;
            if (!running || state == MqttClientState.DISCONNECTING) {
                state = MqttClientState.CLOSED;
                return;
            }
            state = MqttClientState.CLOSED;
            if (!firstConnect.isDone()) {
                // The first attempt's own failure handling reports it.
                return;
            }
            LOG.warn("client {}: connection lost ({}): {}; reconnecting", index, code, meaning);
            scheduleReconnect();
        }
    }

    private void scheduleReconnect() {
        synchronized (lock) {
            if (!running) {
                return;
            }
            long base = settings.reconnectDelay().toMillis();
            long delay = Math.min(settings.maxReconnectDelay().toMillis(), base << Math.min(failedAttempts, 16));
            failedAttempts++;
            if (reconnectTask != null) {
                reconnectTask.cancel(false);
            }
            reconnectTask = scheduler.schedule(this::connectCycle, delay, TimeUnit.MILLISECONDS);
        }
    }

    // ------------------------------------------------------------------ publishing

    /**
     * Checks a message against the model's limits (topic, payload length, QoS, characters the
     * command cannot carry) without sending anything.
     *
     * @throws IllegalArgumentException naming the value and the limit
     */
    public void validate(OutgoingMessage message) {
        dialect.validate(message);
    }

    /**
     * Publishes: completes when the modem reports the publish done ({@code +QMTPUB: idx,id,0}),
     * fails on result 2 with its meaning. Up to {@code inflightWindow} QoS&gt;0 publishes are
     * outstanding at once; later ones wait their turn. Invalid messages fail with
     * {@link IllegalArgumentException} before any byte is sent. A publish the caller completes
     * (e.g. by a timeout) before it was sent is dropped.
     */
    public CompletableFuture<PublishReceipt> publish(OutgoingMessage message) {
        try {
            dialect.validate(message);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        PendingPublish p = new PendingPublish(message);
        synchronized (lock) {
            if (!running) {
                return CompletableFuture.failedFuture(new IllegalStateException("MQTT client " + index + " is not started"));
            }
            queue.add(p);
            pump();
        }
        return p.future;
    }

    /** Sends what the window allows. Holds the lock. */
    private void pump() {
        while (state == MqttClientState.CONNECTED && !queue.isEmpty()) {
            PendingPublish p = queue.peek();
            if (p.future.isDone()) {
                queue.poll();
                continue;
            }
            if (p.message.qos() > 0) {
                // The model may keep fewer in flight than asked (SIM7600: one, its result has no id).
                if (inflight.size() >= Math.min(settings.inflightWindow(), dialect.profile().maxInflight())) {
                    return;
                }
                p.messageId = ids.acquire();
                inflight.put(p.messageId, p);
            }
            queue.poll();
            long attempt = connection;
            // Submitting never blocks; results come back on other threads.
            send(p, attempt);
        }
    }

    private void send(PendingPublish p, long attempt) {
        dialect.publish(index, p.messageId, p.message).whenComplete((v, e) -> onPublishResult(p, attempt, e));
    }

    private void onPublishResult(PendingPublish p, long attempt, Throwable error) {
        Throwable cause = error == null ? null : Failures.cause(error);
        boolean retry;
        synchronized (lock) {
            retry = cause != null && running && (cause instanceof ConnectionLostException || attempt != connection);
            if (retry) {
                if (p.message.qos() == 0) {
                    queue.addFirst(p);
                }
                // QoS>0 stays in flight with its id and is re-sent after reconnecting.
            } else if (p.message.qos() > 0) {
                inflight.remove(p.messageId);
                ids.release(p.messageId);
            }
            if (!retry) {
                pump();
            }
            if (drained != null && inflight.isEmpty()) {
                drained.complete(null);
            }
        }
        if (retry) {
            LOG.debug("client {}: publish {} interrupted by connection loss; will resend", index, p.messageId);
        } else if (cause == null) {
            PublishReceipt r = new PublishReceipt(index, p.messageId, p.message.qos());
            callbacks.execute(() -> p.future.complete(r));
        } else {
            fail(p, cause);
        }
    }

    private void fail(PendingPublish p, Throwable cause) {
        callbacks.execute(() -> p.future.completeExceptionally(cause));
    }

    private static final class PendingPublish {
        final OutgoingMessage message;
        final CompletableFuture<PublishReceipt> future = new CompletableFuture<>();
        int messageId;

        PendingPublish(OutgoingMessage message) {
            this.message = message;
        }
    }

    // ------------------------------------------------------------------ subscriptions

    /**
     * Subscribes {@code filter} ({@code +} and {@code #} allowed) at {@code qos}; messages whose
     * topic matches it go to {@code listener}. Several listeners may share a client and even a
     * filter; each gets only what matches its own filter. Resubscribed after every reconnect.
     */
    public CompletableFuture<Subscription> subscribe(String filter, int qos, MessageListener listener) {
        try {
            TopicFilter.requireValidFilter("topic filter", filter);
            AtStrings.requireQuotable("topic filter", filter);
            if (qos < 0 || qos > 2) {
                throw new IllegalArgumentException("qos=" + qos + " is out of range 0-2");
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        Subscription sub = new Subscription(filter, qos, listener);
        CompletableFuture<Void> ready;
        synchronized (lock) {
            SubscriptionTable.Added added = subscriptions.add(sub);
            ready = added.filter().subscribed;
            // Not connected: the connect cycle subscribes every filter anyway.
            if (added.subscribeAtBroker() && state == MqttClientState.CONNECTED) {
                subscribeNow(List.of(added.filter()));
            }
        }
        return ready.thenApplyAsync(v -> sub, callbacks);
    }

    /** Removes the listener; unsubscribes the filter at the broker when it was the last one. */
    public CompletableFuture<Void> unsubscribe(Subscription subscription) {
        synchronized (lock) {
            SubscriptionTable.Filter f = subscriptions.remove(subscription);
            if (f == null || state != MqttClientState.CONNECTED) {
                return CompletableFuture.completedFuture(null);
            }
            int id = ids.acquire();
            return dialect.unsubscribe(index, id, List.of(f.filter)).whenComplete((v, e) -> {
                synchronized (lock) {
                    ids.release(id);
                }
            }).thenApplyAsync(v -> v, callbacks);
        }
    }

    /** Subscribes every filter again after (re)connecting, a few per command. */
    private CompletableFuture<Void> resubscribeAll() {
        List<SubscriptionTable.Filter> all;
        synchronized (lock) {
            all = subscriptions.all();
        }
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int i = 0; i < all.size(); i += TOPICS_PER_SUBSCRIBE) {
            List<SubscriptionTable.Filter> batch = all.subList(i, Math.min(all.size(), i + TOPICS_PER_SUBSCRIBE));
            chain = chain.thenCompose(v -> {
                synchronized (lock) {
                    return subscribeNow(batch);
                }
            }).exceptionallyCompose(e -> {
                Throwable c = Failures.cause(e);
                if (c instanceof ConnectionLostException) {
                    return CompletableFuture.failedFuture(c);
                }
                // A filter the broker refuses must not keep the whole client offline.
                LOG.warn("client {}: subscribing {} failed: {}", index, batch.stream().map(f -> f.filter).toList(),
                        c.getMessage());
                return CompletableFuture.completedFuture(null);
            });
        }
        return chain;
    }

    /** Holds the lock. */
    private CompletableFuture<Void> subscribeNow(List<SubscriptionTable.Filter> batch) {
        int id = ids.acquire();
        List<MqttDialect.TopicQos> topics = batch.stream().map(f -> new MqttDialect.TopicQos(f.filter, f.qos)).toList();
        return dialect.subscribe(index, id, topics).whenComplete((v, e) -> {
            synchronized (lock) {
                ids.release(id);
            }
            for (SubscriptionTable.Filter f : batch) {
                if (e == null) {
                    f.subscribed.complete(null);
                } else if (!(Failures.cause(e) instanceof ConnectionLostException)) {
                    f.subscribed.completeExceptionally(Failures.cause(e));
                }
            }
        });
    }

    /** Routes a received message to every listener whose filter matches, in arrival order. */
    void onMessage(ReceivedMessage m) {
        List<Subscription> targets;
        synchronized (lock) {
            targets = subscriptions.matching(m.topic());
        }
        if (targets.isEmpty()) {
            LOG.debug("client {}: no subscriber for {}", index, m);
            return;
        }
        try {
            delivery.execute(() -> {
                for (Subscription s : targets) {
                    try {
                        s.listener().onMessage(m);
                    } catch (RuntimeException e) {
                        LOG.warn("client {}: listener for {} failed on {}", index, s.filter(), m, e);
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("client {}: stopped, dropping {}", index, m);
        }
    }

    @Override
    public String toString() {
        return "MqttClient[" + index + ", " + clientId + ", " + state() + "]";
    }
}
