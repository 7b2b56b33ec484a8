package io.cellmqtt.modem;

import io.cellmqtt.loop.Backoff;
import io.cellmqtt.loop.ModemLoop;
import io.cellmqtt.loop.OrderedExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One MQTT client on one modem client index: a state machine over configure, open, connect and
 * resubscribe; its subscriptions; its publishes ({@link ClientPublisher}); and recovery after
 * every kind of loss, with backoff. All of its state lives on the modem's {@link ModemLoop}: the
 * public methods post to the loop and return futures that complete on the modem's completion
 * executor, never on the loop or the reader, so a caller may block or publish again from a
 * completion handler.
 *
 * <p>The states ({@link MqttClientState}) and what moves it between them, in {@link #on}: a start,
 * the modem becoming ready or going down, a connect attempt succeeding or failing, the modem
 * reporting the connection lost, a publish result that never came, the backoff timer, a stop.
 * Each transition is logged once at INFO with its reason, which {@link #reason()} keeps for the
 * health checks.
 */
public final class MqttClient {
    private static final Logger LOG = LoggerFactory.getLogger(MqttClient.class);
    private static final Duration STOP_BOUND = Duration.ofSeconds(30);

    private final Modem modem;
    private final ModemLoop loop;
    private final Executor completions;
    private final int index;
    private final MqttClientSettings settings;
    private final Backoff backoff;
    private final ClientPublisher publisher;
    private final SubscriptionTable subscriptions = new SubscriptionTable();
    /** Received messages waiting for slow listeners: at most {@code maxPendingDeliveries}; more are dropped. */
    private final OrderedExecutor deliveries;
    /**
     * One permit per publish the client may hold unsettled ({@code maxPendingPublishes}), taken on the
     * caller's thread before anything is posted to the loop (whose queue has no bound of its own) and
     * given back on the loop when the publish is settled. Fair: callers that wait for room get it in turn.
     */
    private final Semaphore backlog;
    private final AtomicLong droppedDeliveries = new AtomicLong();
    private final AtomicLong unmatchedMessages = new AtomicLong();
    private final AtomicLong rejectedPublishes = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private volatile java.time.Instant sinceView = java.time.Instant.now();
    private volatile String lastDisconnect;
    private boolean connectedOnce;

    // ------------------------------------------------------------------ loop state
    private MqttClientState state = MqttClientState.STOPPED;
    /** Bumped by every connect attempt and every end of a connection: late steps of an older one are ignored. */
    private long connection;
    private ModemLoop.Timer retryTimer;
    /** What the next retry must do first, when the last failure asked for the network to be seen to. */
    private Recovery pendingRecovery;
    private CompletableFuture<Void> firstConnect;
    private CompletableFuture<Void> stopping;
    private String lastProblem;

    // ------------------------------------------------------------------ what other threads may read
    private volatile MqttClientState stateView = MqttClientState.STOPPED;
    private volatile String reasonView = "not started";
    /** The client id of the latest CONNECT; with a credentials provider it changes on reconnects. */
    private volatile String clientId;

    /** The events that move the state machine. */
    private enum Event { START, MODEM_READY, MODEM_DOWN, CONNECTED, CONNECT_FAILED, CONNECTION_LOST, SUSPECT, RETRY, STOP }

    MqttClient(Modem modem, int index, String clientId, MqttClientSettings settings) {
        this.modem = modem;
        this.loop = modem.loop();
        this.completions = modem.completions();
        this.index = index;
        // With a provider the id is the provider's to give, at the first connect.
        this.clientId = settings.credentialsProvider() == null ? clientId : null;
        this.settings = settings;
        this.backoff = new Backoff(settings.reconnectDelay(), settings.maxReconnectDelay());
        this.publisher = new ClientPublisher(new ClientPublisher.Host() {
            @Override
            public boolean connected() {
                return state == MqttClientState.CONNECTED;
            }

            @Override
            public long connection() {
                return connection;
            }

            @Override
            public MqttDialect dialect() {
                return modem.dialect();
            }

            @Override
            public void connectionSuspect(String why) {
                on(Event.SUSPECT, "no result from the modem: " + why, null);
            }

            @Override
            public void settled() {
                backlog.release();
            }
        }, loop, completions, index, settings, modem.profile().maxInflight());
        this.backlog = new Semaphore(settings.limits().maxPendingPublishes(), true);
        this.deliveries = new OrderedExecutor(completions, settings.limits().maxPendingDeliveries());
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

    /** The state now; any thread. */
    public MqttClientState state() {
        return stateView;
    }

    /** Why the client is in its state (for the health checks); any thread. */
    public String reason() {
        return reasonView;
    }

    /** Received messages dropped because the listeners were too slow ({@code maxPendingDeliveries} waited already). */
    public long droppedDeliveries() {
        return droppedDeliveries.get();
    }

    /** Received messages dropped because their topic matched none of the client's subscriptions. */
    public long unmatchedMessages() {
        return unmatchedMessages.get();
    }

    /** Publishes refused with {@link ModemBackedUpException}: {@code maxPendingPublishes} waited already. */
    public long rejectedPublishes() {
        return rejectedPublishes.get();
    }

    // ------------------------------------------------------------------ the state machine

    /**
     * The one place the state changes. {@code cause} is the failure that came with the event, if any.
     */
    private void on(Event event, String why, Throwable cause) {
        switch (event) {
            case START -> {
                if (modem.ready()) {
                    connect(why);
                } else {
                    moveTo(MqttClientState.WAITING_FOR_MODEM, modem.notReadyReason());
                }
            }
            case MODEM_READY -> {
                if (state == MqttClientState.WAITING_FOR_MODEM) {
                    connect(why);
                }
            }
            case MODEM_DOWN -> {
                if (running()) {
                    endConnection();
                    cancelRetry();
                    moveTo(MqttClientState.WAITING_FOR_MODEM, why);
                }
            }
            case CONNECTED -> {
                backoff.reset();
                lastProblem = null;
                moveTo(MqttClientState.CONNECTED, why);
                settleFirstConnect(null);
                publisher.resendAfterReconnect();
                publisher.pump();
            }
            case CONNECT_FAILED, CONNECTION_LOST, SUSPECT -> {
                if (!connecting() && state != MqttClientState.CONNECTED) {
                    if (state == MqttClientState.WAITING_TO_RETRY && cause instanceof ModemException me) {
                        // Given up already (a result that never came, a refused publish), and now the
                        // modem says why the connection went: its advice (+QMTSTAT: n,2 -> recycle
                        // the PDP context) still decides what the retry does first.
                        pendingRecovery = stronger(pendingRecovery, me.recovery());
                    }
                    return;
                }
                boolean wasConnected = state == MqttClientState.CONNECTED || state == MqttClientState.SUBSCRIBING;
                endConnection();
                Recovery recovery = cause instanceof ModemException me ? me.recovery() : Recovery.RECONNECT;
                report(event, why, recovery);
                settleFirstConnect(cause != null ? cause : new ConnectionLostException(why));
                // Out of CONNECTED first: what fails next must not be handed to this connection again.
                waitToRetry(why, recovery);
                if (event != Event.CONNECTION_LOST || !wasConnected) {
                    // The modem did not end it: the client does. Nothing of it is awaited any more, and
                    // the modem may still hold a half-open or suspect connection: close it before trying again.
                    MqttDialect dialect = modem.dialect();
                    dialect.connectionAbandoned(index, new ConnectionLostException("MQTT client " + index
                            + ": the connection was given up (" + why + ")"));
                    dialect.close(index).exceptionally(e -> null);
                }
            }
            case RETRY -> {
                if (state != MqttClientState.WAITING_TO_RETRY) {
                    return;
                }
                Recovery recovery = pendingRecovery;
                pendingRecovery = null;
                if (recovery == Recovery.RECYCLE_PDP || recovery == Recovery.CHECK_NETWORK) {
                    moveTo(MqttClientState.WAITING_FOR_MODEM, why);
                    modem.recoverNetwork(recovery, reasonView);
                } else if (modem.ready()) {
                    connect(why);
                } else {
                    moveTo(MqttClientState.WAITING_FOR_MODEM, modem.notReadyReason());
                }
            }
            case STOP -> throw new IllegalStateException("stop is handled by stopNow");
        }
    }

    /** The first start's future, if still open, gets this outcome (the client goes on trying after a failure). */
    private void settleFirstConnect(Throwable failure) {
        if (firstConnect != null) {
            relay(firstConnect, failure);
            firstConnect = null;
        }
    }

    private boolean running() {
        return state != MqttClientState.STOPPED && state != MqttClientState.DISCONNECTING;
    }

    private boolean connecting() {
        return state == MqttClientState.CONNECTING || state == MqttClientState.SUBSCRIBING;
    }

    private void moveTo(MqttClientState next, String why) {
        if (state != next) {
            LOG.info("{} client {}: {} -> {} ({})", modem.name(), index, state, next, why);
            if (state == MqttClientState.CONNECTED) {
                lastDisconnect = why;
            }
            if (next == MqttClientState.CONNECTED) {
                if (connectedOnce) {
                    reconnects.incrementAndGet();
                }
                connectedOnce = true;
            }
            state = next;
            stateView = next;
            sinceView = java.time.Instant.now();
        }
        reasonView = why;
    }

    /** What it has done so far; any thread. */
    public ClientStats stats() {
        return new ClientStats(stateView, sinceView, reasonView, lastDisconnect, published.get(), acknowledged.get(),
                failed.get(), received.get(), reconnects.get(), rejectedPublishes.get(), droppedDeliveries.get(),
                unmatchedMessages.get(), deliveries.size());
    }

    /** Says what went wrong: a refusal the user must fix loudly, once per distinct problem; the rest at INFO. */
    private void report(Event event, String why, Recovery recovery) {
        if (recovery == Recovery.REPORT_AND_RETRY && !why.equals(lastProblem)) {
            LOG.error("{} client {}: the broker refused the client: {}; retrying with backoff until it is fixed",
                    modem.name(), index, why);
        } else if (event == Event.CONNECTION_LOST) {
            LOG.debug("{} client {}: connection lost: {}", modem.name(), index, why);
        }
        lastProblem = why;
    }

    /** The recovery that does more of the two: recycling the PDP context checks the network, which reconnects. */
    private static Recovery stronger(Recovery a, Recovery b) {
        return rank(b) > rank(a) ? b : a;
    }

    private static int rank(Recovery r) {
        if (r == null) {
            return -1;
        }
        return switch (r) {
            case RECONNECT, REPORT_AND_RETRY -> 0;
            case CHECK_NETWORK -> 1;
            case RECYCLE_PDP -> 2;
        };
    }

    private void waitToRetry(String why, Recovery recovery) {
        pendingRecovery = recovery;
        Duration delay = backoff.next();
        cancelRetry();
        moveTo(MqttClientState.WAITING_TO_RETRY, why + "; next attempt in " + delay.toMillis() + " ms"
                + (recovery == Recovery.RECYCLE_PDP ? " after reactivating the PDP context"
                        : recovery == Recovery.CHECK_NETWORK ? " after checking the network" : ""));
        retryTimer = loop.schedule(delay, () -> on(Event.RETRY, "retrying after: " + why, null));
    }

    private void cancelRetry() {
        if (retryTimer != null) {
            retryTimer.cancel();
            retryTimer = null;
        }
    }

    /** The connection (or attempt) is over: its late steps and results are recognised as stale. */
    private void endConnection() {
        connection++;
        subscriptions.connectionEnded();
    }

    // ------------------------------------------------------------------ events from the modem and dialect

    /** The modem is (again) up: identified, registered, its PDP context active. On the loop. */
    void modemReady() {
        on(Event.MODEM_READY, "the modem is ready", null);
    }

    /** The modem went down (link lost, restarted, not answering, network recovery). On the loop. */
    void modemDown(String why) {
        on(Event.MODEM_DOWN, why, null);
    }

    /** On the loop: connected (or restoring subscriptions on a connection the broker accepted). */
    boolean believesConnected() {
        return state == MqttClientState.CONNECTED || state == MqttClientState.SUBSCRIBING;
    }

    /** On the loop: the generation of the current connection (or attempt); it changes when it ends. */
    long connectionGeneration() {
        return connection;
    }

    /** The modem reported the connection lost ({@code +QMTSTAT}, {@code +CMQTTCONNLOST}). On the loop. */
    void onConnectionLost(ConnectionLostException cause) {
        if (state == MqttClientState.DISCONNECTING) {
            return; // the DISCONNECT we sent (+QMTSTAT: n,5) or a loss while stopping: nothing to recover
        }
        on(Event.CONNECTION_LOST, cause.getMessage(), cause);
    }

    // ------------------------------------------------------------------ connecting

    private void connect(String why) {
        long attempt = ++connection;
        cancelRetry();
        moveTo(MqttClientState.CONNECTING, why);
        MqttDialect dialect = modem.dialect();
        dialect.configure(index, settings)
                .thenCompose(v -> attempt == connection ? openTolerant(dialect) : stale())
                .thenCompose(v -> attempt == connection ? connectWithCurrentCredentials(dialect) : stale())
                .whenComplete((v, e) -> {
                    if (attempt != connection) {
                        return;
                    }
                    if (e != null) {
                        Throwable c = Failures.cause(e);
                        on(Event.CONNECT_FAILED, "connecting to " + broker() + " failed: " + c.getMessage(), c);
                    } else {
                        resubscribe(attempt);
                    }
                });
    }

    private static CompletableFuture<Void> stale() {
        return CompletableFuture.completedFuture(null);
    }

    private String broker() {
        return settings.brokerHost() + ":" + settings.brokerPort();
    }

    /**
     * A provider's credentials are asked for right before each CONNECT, so one signed with the
     * time is signed with this connect's time; they reach the dialect as if they were fixed.
     */
    private CompletableFuture<Void> connectWithCurrentCredentials(MqttDialect dialect) {
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
    private CompletableFuture<Void> openTolerant(MqttDialect dialect) {
        return dialect.open(index, settings).exceptionallyCompose(e -> {
            Throwable c = Failures.cause(e);
            if (c instanceof ResultException r && r.result() == 2) {
                LOG.info("{} client {}: index occupied, closing the stale connection first", modem.name(), index);
                return dialect.close(index).exceptionally(x -> null).thenCompose(v -> dialect.open(index, settings));
            }
            return CompletableFuture.failedFuture(c);
        });
    }

    /** Connected: every filter is subscribed again, one at a time, before the client counts as connected. */
    private void resubscribe(long attempt) {
        List<SubscriptionTable.Filter> all = subscriptions.all();
        if (all.isEmpty()) {
            on(Event.CONNECTED, "connected to " + broker() + " as " + clientId, null);
            return;
        }
        moveTo(MqttClientState.SUBSCRIBING, "connected to " + broker() + ", subscribing " + all.size() + " filter(s)");
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (SubscriptionTable.Filter f : all) {
            chain = chain.thenCompose(v -> attempt == connection && subscriptions.contains(f)
                    ? subscribeAtBroker(f, attempt) : stale());
        }
        chain.whenComplete((v, e) -> {
            if (attempt != connection) {
                return;
            }
            if (e != null) {
                Throwable c = Failures.cause(e);
                on(Event.CONNECT_FAILED, "subscribing again failed: " + c.getMessage(), c);
            } else {
                on(Event.CONNECTED, "connected to " + broker() + " as " + clientId + ", " + all.size()
                        + " filter(s) subscribed", null);
            }
        });
    }

    /**
     * SUBSCRIBE for one filter. A refusal takes the filter out for good and is not a failure of the
     * connection; any other failure is.
     */
    private CompletableFuture<Void> subscribeAtBroker(SubscriptionTable.Filter f, long attempt) {
        int id = publisher.ids().acquire();
        return modem.dialect().subscribe(index, id, List.of(new MqttDialect.TopicQos(f.filter, f.qos)))
                .handle((v, e) -> {
                    publisher.ids().release(id);
                    if (attempt != connection) {
                        return null;
                    }
                    Throwable c = e == null ? null : Failures.cause(e);
                    if (c == null) {
                        subscriptions.acknowledged(f);
                    } else if (c instanceof SubscriptionRefusedException refused) {
                        LOG.error("{} client {}: {}; it is not asked again", modem.name(), index, refused.getMessage());
                        subscriptions.refused(f, refused);
                    } else if (c instanceof IllegalArgumentException bad) {
                        subscriptions.refused(f, new SubscriptionRefusedException(bad.getMessage(), f.filter));
                    } else {
                        throw new java.util.concurrent.CompletionException(c);
                    }
                    return null;
                });
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Starts: configures the client, opens the network connection and connects as soon as the
     * modem is ready, and keeps reconnecting after every loss until {@link #stop()}. The future
     * completes when connected the first time, or fails with the first attempt's failure (the
     * client goes on trying); a route need not wait for it.
     */
    public CompletableFuture<Void> start() {
        CompletableFuture<Void> first = new CompletableFuture<>();
        post(() -> {
            if (state != MqttClientState.STOPPED) {
                if (state == MqttClientState.CONNECTED) {
                    relay(first, null);
                } else {
                    firstConnect = first;
                }
                return;
            }
            firstConnect = first;
            backoff.reset();
            on(Event.START, "started", null);
        }, first);
        return first;
    }

    /**
     * Disconnects ({@code DISCONNECT}, then closes the network connection) after the publishes on
     * their way got their results (at most {@code packetTimeout}); queued publishes fail, never
     * sent. Subscriptions stay registered, and are subscribed again by the next {@link #start()}.
     */
    public CompletableFuture<Void> stop() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        post(() -> stopNow().whenComplete((v, e) -> relay(done, e)), done);
        return done;
    }

    private CompletableFuture<Void> stopNow() {
        if (state == MqttClientState.STOPPED) {
            return CompletableFuture.completedFuture(null);
        }
        if (stopping != null) {
            return stopping;
        }
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        stopping = stopped;
        cancelRetry();
        IllegalStateException why = new IllegalStateException("MQTT client " + index + " stopped before the publish"
                + " was sent; it will not be sent later");
        publisher.stopping(why);
        settleFirstConnect(new IllegalStateException("MQTT client " + index + " stopped before it connected"));
        boolean wasConnected = state == MqttClientState.CONNECTED;
        boolean mayHoldConnection = modem.ready() && state != MqttClientState.WAITING_FOR_MODEM;
        moveTo(MqttClientState.DISCONNECTING, "stopping");
        long attempt = ++connection;
        MqttDialect dialect = modem.dialect();
        CompletableFuture<Void> steps = !mayHoldConnection ? CompletableFuture.completedFuture(null)
                : bounded(publisher.drained(), Duration.ofSeconds(settings.packetTimeout()))
                        .thenCompose(v -> wasConnected ? quietly(dialect.disconnect(index)) : stale())
                        .thenCompose(v -> quietly(dialect.close(index)));
        bounded(steps, STOP_BOUND).whenComplete((v, e) -> {
            if (connection != attempt) {
                return;
            }
            publisher.stopped(new IllegalStateException("MQTT client " + index + " stopped before the broker "
                    + "acknowledged the publish"));
            subscriptions.connectionEnded();
            stopping = null;
            moveTo(MqttClientState.STOPPED, "stopped");
            stopped.complete(null);
        });
        return stopped;
    }

    /** {@code f}, or completed anyway after {@code max}: stopping must end whatever the modem does. */
    private CompletableFuture<Void> bounded(CompletableFuture<Void> f, Duration max) {
        CompletableFuture<Void> out = new CompletableFuture<>();
        ModemLoop.Timer t = loop.schedule(max, () -> out.complete(null));
        f.whenComplete((v, e) -> {
            t.cancel();
            out.complete(null);
        });
        return out;
    }

    /** Stop is best effort: the modem may already have closed the connection (+QMTSTAT: n,5). */
    private CompletableFuture<Void> quietly(CompletableFuture<Void> step) {
        return step.exceptionally(e -> {
            LOG.debug("client {}: {} (ignored while stopping)", index, Failures.rootMessage(e));
            return null;
        });
    }

    /** Stops and gives the client index back to the modem; the client cannot be started again. */
    public CompletableFuture<Void> close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        post(() -> stopNow().whenComplete((v, e) -> {
            subscriptions.clear(new IllegalStateException("MQTT client " + index + " closed"));
            modem.removeClient(this);
            relay(done, null);
        }), done);
        return done;
    }

    // ------------------------------------------------------------------ publishing

    /**
     * Checks a message against the model's limits (topic, payload length, QoS, characters the
     * command cannot carry) without sending anything. Any thread.
     *
     * @throws IllegalArgumentException naming the value and the limit
     */
    public void validate(OutgoingMessage message) {
        modem.dialect().validate(message);
    }

    /**
     * Publishes: completes when the modem reports the publish done ({@code +QMTPUB: idx,msgid,0}),
     * fails on a failure result with its meaning, or after {@code timeout} with a
     * {@link PublishTimeoutException} that says whether the message may still reach the broker.
     * While the client is not connected the publish waits (within {@code timeout}). Up to
     * {@code inflightWindow} QoS&gt;0 publishes are outstanding at once; later ones wait their turn.
     * Invalid messages fail with {@link IllegalArgumentException} before any byte is sent.
     * Cancelling the future takes the publish back if it has not gone out yet.
     *
     * <p>At most {@code maxPendingPublishes} publishes of any QoS are held unsettled at once. When
     * that many are, this one fails at once with {@link ModemBackedUpException} (the returned future
     * is already done), or with {@code waitForRoom} the calling thread waits for room, within
     * {@code timeout} (the rest of which is then the publish's own), and fails with the same exception
     * if none came. A refused publish never reached the loop and is never sent.
     */
    public CompletableFuture<PublishReceipt> publish(OutgoingMessage message, Duration timeout, boolean waitForRoom) {
        try {
            validate(message);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<PublishReceipt> out = new CompletableFuture<>();
        published.incrementAndGet();
        out.whenComplete((r, e) -> (e == null ? acknowledged : failed).incrementAndGet());
        Duration left;
        try {
            left = takeRoom(message, timeout, waitForRoom);
        } catch (ModemBackedUpException e) {
            rejectedPublishes.incrementAndGet();
            out.completeExceptionally(e);
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.completeExceptionally(e);
            return out;
        }
        try {
            loop.execute(() -> {
                if (state == MqttClientState.STOPPED || state == MqttClientState.DISCONNECTING) {
                    backlog.release();
                    relay(out, null, new IllegalStateException("MQTT client " + index + " is not started"));
                    return;
                }
                publisher.publish(message, left, out);
            });
        } catch (RejectedExecutionException e) {
            backlog.release();
            out.completeExceptionally(new IllegalStateException("the modem on " + modem.name() + " is closed", e));
        }
        return out;
    }

    /** {@link #publish(OutgoingMessage, Duration, boolean)} that fails at once when the client is backed up. */
    public CompletableFuture<PublishReceipt> publish(OutgoingMessage message, Duration timeout) {
        return publish(message, timeout, false);
    }

    /**
     * A place among the client's unsettled publishes, on the caller's thread: at once, or within
     * {@code timeout} if {@code wait}. Returns what is left of {@code timeout}.
     */
    private Duration takeRoom(OutgoingMessage m, Duration timeout, boolean wait)
            throws ModemBackedUpException, InterruptedException {
        if (!wait) {
            if (backlog.tryAcquire()) {
                return timeout;
            }
            throw backedUp(m, null);
        }
        long start = System.nanoTime();
        if (backlog.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            Duration left = timeout.minusNanos(System.nanoTime() - start);
            if (!left.isNegative() && !left.isZero()) {
                return left;
            }
            backlog.release();
        }
        throw backedUp(m, timeout);
    }

    private ModemBackedUpException backedUp(OutgoingMessage m, Duration waited) {
        int limit = settings.limits().maxPendingPublishes();
        int pending = Math.max(0, limit - backlog.availablePermits());
        String why = waited == null
                ? "; the publish to '" + m.topic() + "' is refused and will never be sent. Raise maxPendingPublishes,"
                        + " or set blockWhenFull=true to wait for room within publishTimeout"
                : " and no room came within " + waited.toMillis() + " ms (publishTimeout); the publish to '"
                        + m.topic() + "' is refused and will never be sent. Raise maxPendingPublishes or publishTimeout";
        return new ModemBackedUpException("The modem on " + modem.name() + ", client " + index + " is backed up: "
                + pending + " publishes wait for it (maxPendingPublishes=" + limit + "; the client is " + stateView
                + ")" + why, modem.name(), index, pending, limit);
    }

    /** {@link #publish(OutgoingMessage, Duration)} within 60 s. */
    public CompletableFuture<PublishReceipt> publish(OutgoingMessage message) {
        return publish(message, Duration.ofSeconds(60));
    }

    // ------------------------------------------------------------------ subscriptions

    /**
     * Subscribes {@code filter} ({@code +} and {@code #} allowed) at {@code qos}; messages whose
     * topic matches it go to {@code listener}. The future completes when the broker acknowledged
     * the filter, or fails if it refused it or the modem would not subscribe it (see
     * {@link #subscribe(Subscription)}).
     */
    public CompletableFuture<Subscription> subscribe(String filter, int qos, MessageListener listener) {
        return subscribe(new Subscription(filter, qos, listener));
    }

    /**
     * Subscribes {@code sub}. Several subscriptions may share a client and even a filter; each gets
     * only what matches its own filter. Restored after every reconnect, before the client counts as
     * connected again; one the broker refuses is not asked again ({@link Subscription#state()} says
     * so). The future completes when the broker acknowledged the filter, or fails if it refused it,
     * or with the modem's error if the modem would not subscribe it; then the subscription stays,
     * {@link Subscription.State#PENDING} with that reason, and is asked again after a backoff and
     * after every reconnect.
     */
    public CompletableFuture<Subscription> subscribe(Subscription sub) {
        try {
            modem.dialect().validateFilter(sub.filter());
            if (sub.qos() < 0 || sub.qos() > 2) {
                throw new IllegalArgumentException("qos=" + sub.qos() + " is out of range 0-2");
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Subscription> out = new CompletableFuture<>();
        post(() -> {
            CompletableFuture<Subscription> answer = new CompletableFuture<>();
            answer.whenComplete((s, e) -> relay(out, s, e));
            SubscriptionTable.Added added = subscriptions.add(sub, answer);
            // Not connected: the connect cycle subscribes every filter anyway.
            if (added.subscribeAtBroker() && state == MqttClientState.CONNECTED) {
                subscribeWhileConnected(added.filter(), connection,
                        new Backoff(settings.reconnectDelay(), settings.maxReconnectDelay()));
            }
        }, out);
        return out;
    }

    /**
     * A filter added while connected. If the modem will not subscribe it and the broker did not refuse
     * it (SIM7670G B05 answers {@code AT+CMQTTSUBTOPIC} with a bare {@code ERROR}: LilyGo-Modem-Series
     * issue 197), the subscribers hear of the failure at once, and the filter is asked again after a
     * backoff for as long as this connection lasts (and after every reconnect): the connection itself
     * is fine and is not given up for it.
     */
    private void subscribeWhileConnected(SubscriptionTable.Filter f, long attempt, Backoff retries) {
        subscribeAtBroker(f, attempt).whenComplete((v, e) -> {
            if (e == null || attempt != connection || !subscriptions.contains(f)) {
                return;
            }
            Throwable c = Failures.cause(e);
            if (c instanceof ConnectionLostException) {
                return; // the reconnect subscribes it again
            }
            subscriptions.failed(f, c);
            Duration delay = retries.next();
            LOG.warn("{} client {}: subscribing {} failed: {}; asked again in {} ms", modem.name(), index, f.filter,
                    c.getMessage(), delay.toMillis());
            loop.schedule(delay, () -> {
                if (attempt == connection && state == MqttClientState.CONNECTED && subscriptions.contains(f)
                        && !f.active) {
                    subscribeWhileConnected(f, attempt, retries);
                }
            });
        });
    }

    /** Removes the subscription; unsubscribes the filter at the broker when it was the last one. */
    public CompletableFuture<Void> unsubscribe(Subscription subscription) {
        CompletableFuture<Void> out = new CompletableFuture<>();
        post(() -> {
            SubscriptionTable.Filter f = subscriptions.remove(subscription);
            if (f == null || state != MqttClientState.CONNECTED) {
                relay(out, null);
                return;
            }
            int id = publisher.ids().acquire();
            modem.dialect().unsubscribe(index, id, List.of(f.filter)).whenComplete((v, e) -> {
                publisher.ids().release(id);
                relay(out, e == null ? null : Failures.cause(e));
            });
        }, out);
        return out;
    }

    /** Whether one of this client's filters matches {@code topic}. On the loop. */
    boolean wants(String topic) {
        return !subscriptions.matching(topic).isEmpty();
    }

    /** Routes a received message to every listener whose filter matches, in arrival order. On the loop. */
    void onMessage(ReceivedMessage m) {
        received.incrementAndGet();
        List<Subscription> targets = subscriptions.matching(m.topic());
        if (targets.isEmpty()) {
            // A filter just unsubscribed, a broker that delivers more than was asked: dropped, and counted.
            unmatchedMessages.incrementAndGet();
            LOG.debug("{} client {}: no subscriber for {}; dropped", modem.name(), index, m);
            return;
        }
        boolean queued = deliveries.offer(() -> {
            for (Subscription s : targets) {
                try {
                    s.listener().onMessage(m);
                } catch (RuntimeException e) {
                    LOG.warn("client {}: listener for {} failed on {}", index, s.filter(), m, e);
                }
            }
        });
        if (!queued && droppedDeliveries.getAndIncrement() % 1000 == 0) {
            // The modem acknowledged it to the broker already: nobody will send it again.
            LOG.warn("{} client {}: {} received messages wait for slow routes (maxPendingDeliveries); dropping {}"
                    + " ({} dropped so far)", modem.name(), index, settings.limits().maxPendingDeliveries(), m,
                    droppedDeliveries.get());
        }
    }

    // ------------------------------------------------------------------ plumbing

    /** Runs {@code task} on the loop; if the loop is gone, {@code out} fails instead. */
    private void post(Runnable task, CompletableFuture<?> out) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            out.completeExceptionally(new IllegalStateException("the modem on " + modem.name() + " is closed", e));
        }
    }

    private <T> void relay(CompletableFuture<T> out, T value, Throwable error) {
        completions.execute(() -> {
            if (error != null) {
                out.completeExceptionally(Failures.cause(error));
            } else {
                out.complete(value);
            }
        });
    }

    private void relay(CompletableFuture<Void> out, Throwable error) {
        relay(out, null, error);
    }

    @Override
    public String toString() {
        return "MqttClient[" + index + ", " + clientId + ", " + state() + "]";
    }
}
