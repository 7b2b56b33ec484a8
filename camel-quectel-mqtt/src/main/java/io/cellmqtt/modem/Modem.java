package io.cellmqtt.modem;

import io.cellmqtt.at.AtChannel;
import io.cellmqtt.at.AtCommand;
import io.cellmqtt.at.AtCommandLine;
import io.cellmqtt.at.AtErrorException;
import io.cellmqtt.at.AtEvent;
import io.cellmqtt.at.AtResponse;
import io.cellmqtt.at.ChannelListener;
import io.cellmqtt.at.SwitchableFraming;
import io.cellmqtt.link.Link;
import io.cellmqtt.link.LinkException;
import io.cellmqtt.link.LinkListener;
import io.cellmqtt.link.LinkOpener;
import io.cellmqtt.loop.Backoff;
import io.cellmqtt.loop.ModemLoop;
import io.cellmqtt.loop.ModemThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One modem behind one port: the port, bring-up, identity, the MQTT clients it hosts, and the
 * recovery of all of it. Its state lives on its own {@link ModemLoop}; the port is opened and read
 * on one reader thread, which only hands bytes to the loop. Two threads per modem, whatever the
 * number of clients. The Camel component keeps one per port and reference-counts it.
 *
 * <p>The recovery machine ({@link ModemState}, moved by {@link #on}): the port lost is reopened
 * (the same path: a USB modem comes back under the same device name or udev link) with backoff;
 * a modem that restarted ({@code RDY}, {@code APP RDY}, an unsolicited {@code +CPIN: READY}, or
 * echo back on) is brought up again from scratch; one that powered down or stopped answering is
 * probed with {@code AT} with backoff and then brought up; a PDP context the network deactivated
 * ({@code +QIURC: "pdpdeact"}) is activated again; a client that asks for it (after
 * {@code +QMTSTAT} codes 2 and 7, or a failed open) gets its network checked or its PDP context
 * recycled. Whenever the modem leaves {@link ModemState#READY} every client hears of it first, and
 * hears again when the modem is ready. Each transition is logged once at INFO with its reason.
 */
public final class Modem implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Modem.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration FIRST_BRING_UP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(45);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration PDP_TIMEOUT = Duration.ofSeconds(150);
    /** How often {@link #refreshRadio} asks the modem at most. */
    static final Duration RADIO_REFRESH = Duration.ofSeconds(60);
    /** How long a SIM that answers {@code AT+CPIN?} with an error may take to become ready. */
    static final Duration SIM_READY_WAIT = Duration.ofSeconds(20);
    /** Chunks the reader may have handed over and the loop not yet taken: past this, the reader waits. */
    private static final int MAX_PENDING_CHUNKS = 256;

    private final ModemSettings settings;
    private final String name;
    private final LinkOpener opener;
    private final ModemThreads threads;
    private final java.util.concurrent.ScheduledExecutorService loopExecutor;
    private final ExecutorService readerExecutor;
    private final ModemLoop loop;
    private final AtChannel channel;
    private final SwitchableFraming framing = new SwitchableFraming();
    private final Backoff backoff;
    private final Semaphore pendingChunks = new Semaphore(MAX_PENDING_CHUNKS);

    // ------------------------------------------------------------------ loop state
    private ModemState state = ModemState.OPENING_PORT;
    /** Bumped whenever the modem goes down or a new bring-up starts: steps of an older run are ignored. */
    private int run;
    private Link link;
    private ModemProfile profile;
    private ModemIdentity identity;
    private MqttDialect dialect;
    private final Map<Integer, MqttClient> clients = new HashMap<>();
    private ModemLoop.Timer retryTimer;
    private long registrationPolls;
    /** What happens to the PDP context once registered: nothing new at the first start, reactivation later. */
    private PdpAction afterRegistration = PdpAction.INITIAL;
    /** A client asked for the network to be checked and the check runs. */
    private boolean checkingNetwork;
    /** This bring-up's {@code ATE0} was answered OK: an echo from now on is not a boot-time echo. */
    private boolean echoOffAnswered;
    /**
     * The firmware keeps echoing after {@code ATE0} answered OK (issue 7: a port whose echo can't be
     * switched off): echoes are dropped and are no sign of a restart; RDY, {@code +CPIN: READY} and
     * silence still are.
     */
    private boolean echoStaysOn;
    private boolean echoStaysOnLogged;
    private CompletableFuture<Void> closing;
    private final CompletableFuture<Void> identified = new CompletableFuture<>();

    // ------------------------------------------------------------------ what other threads may read
    private volatile ModemState stateView = ModemState.OPENING_PORT;
    private volatile String reasonView = "opening the port";
    private volatile ModemIdentity identityView;
    /** The last registration reply the modem gave ({@code +CEREG: 0,1}), or null. */
    private volatile String registrationView;
    /** The last {@code +CSQ:} and {@code +COPS:} replies ({@link #refreshRadio}), or null. */
    private volatile String signalView;
    private volatile String operatorView;
    private volatile long radioAskedAt = System.nanoTime() - RADIO_REFRESH.toNanos();
    private volatile ModemProfile profileView;
    private volatile MqttDialect dialectView;

    /** What {@link #activatePdp} does about the PDP context. */
    private enum PdpAction {
        /** First start: define it when an APN is given (and activate it on models that need it); else leave it. */
        INITIAL,
        /** After a restart, a deactivation or a network check: activate it if it is not active. */
        REACTIVATE,
        /** {@code +QMTSTAT: n,2}: deactivate it, then activate it. */
        RECYCLE
    }

    private enum Event {
        OPEN, PORT_OPENED, PORT_OPEN_FAILED, PORT_LOST, BROUGHT_UP, BRING_UP_FAILED, REGISTERED, PDP_ACTIVE,
        PDP_FAILED, RESTARTED, POWERED_DOWN, UNRESPONSIVE, PROBE_OK, PROBE_FAILED, PDP_DEACTIVATED, RECYCLE_PDP,
        CHECK_NETWORK, NETWORK_FINE, NOT_REGISTERED, PDP_INACTIVE
    }

    private Modem(ModemSettings settings, LinkOpener opener, ModemThreads threads) {
        this.settings = settings;
        this.name = settings.serialPort();
        this.opener = opener;
        this.threads = threads;
        this.loopExecutor = threads.newLoop(name);
        this.readerExecutor = threads.newReader(name);
        this.loop = new ModemLoop(name, loopExecutor);
        this.channel = new AtChannel(loop, name, List.of(framing));
        this.backoff = new Backoff(settings.recoveryDelay(), settings.maxRecoveryDelay());
        channel.setListener(new ChannelListener() {
            @Override
            public void onResynchronised(boolean echoOn) {
                if (echoOn && !echoStaysOn) {
                    restartSeen("echo is on again");
                } else {
                    verifyConnections();
                }
            }

            @Override
            public void onUnresponsive(String why) {
                on(Event.UNRESPONSIVE, "the modem does not answer: " + why, null);
            }

            @Override
            public void onWriteFailed(Exception cause) {
                on(Event.PORT_LOST, "writing to " + name + " failed: " + cause.getMessage(), cause);
            }

            @Override
            public void onEcho() {
                if (echoStaysOn) {
                    return;
                }
                if (state == ModemState.BRINGING_UP && echoOffAnswered) {
                    echoStaysOn();
                    return;
                }
                restartSeen("a command came back echoed");
            }
        });
        // What a modem prints when it (re)starts or goes down; the reference documents leave them out,
        // the modules' AT manuals and users' captures show them.
        for (String boot : List.of("RDY", "APP RDY")) {
            channel.onUrc(boot, e -> restartSeen(text(e)));
        }
        channel.onUrc("+CPIN:", e -> {
            if (text(e).contains("READY")) {
                restartSeen(text(e));
            }
        });
        for (String down : List.of("POWERED DOWN", "NORMAL POWER DOWN", "UNDER-VOLTAGE POWER DOWN",
                "OVER-VOLTAGE POWER DOWN")) {
            channel.onUrc(down, e -> on(Event.POWERED_DOWN, "the modem powered down (" + text(e) + ")", null));
        }
        channel.onUrc("+QIURC: \"pdpdeact\"", e -> on(Event.PDP_DEACTIVATED, text(e), null));
    }

    private static String text(AtEvent e) {
        return e instanceof AtEvent.Line l ? l.text() : ((AtEvent.Framed) e).header();
    }

    /**
     * Opens the port and brings the modem up on standalone threads; see
     * {@link #open(ModemSettings, LinkOpener, ModemThreads)}.
     */
    public static Modem open(ModemSettings settings) throws ModemException {
        return open(settings, LinkOpener.of(settings.serialPort(), settings.baudRate()), ModemThreads.standalone());
    }

    /** Brings up a modem on a link that is already open (in-memory pipes in tests); it cannot be reopened. */
    public static Modem open(ModemSettings settings, Link link) throws ModemException {
        Link[] once = {link};
        LinkOpener opener = () -> {
            Link l = once[0];
            once[0] = null;
            if (l == null) {
                throw new LinkException(settings.serialPort() + " was given as an open link and cannot be reopened");
            }
            return l;
        };
        return open(settings, opener, ModemThreads.standalone());
    }

    /**
     * Opens the port, synchronises ({@code AT}), switches echo off, enables verbose errors, reads
     * the identity and checks the SIM, and returns: registration and the PDP context follow in the
     * background (the modem is then {@link ModemState#READY}), as does every recovery after.
     *
     * @throws ModemException naming the port and the step that failed (a missing port lists the
     *                        ports that exist); nothing is left open or running then
     */
    public static Modem open(ModemSettings settings, LinkOpener opener, ModemThreads threads) throws ModemException {
        Modem modem = new Modem(settings, opener, threads);
        modem.loop.post(() -> modem.on(Event.OPEN, "starting", null));
        try {
            modem.identified.get(FIRST_BRING_UP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return modem;
        } catch (ExecutionException e) {
            modem.close();
            Throwable c = Failures.cause(e);
            throw c instanceof ModemException me ? me : new ModemException(settings.serialPort() + ": " + c.getMessage(), c);
        } catch (TimeoutException e) {
            modem.close();
            throw new ModemException(settings.serialPort() + ": not brought up within "
                    + FIRST_BRING_UP_TIMEOUT.toSeconds() + " s (" + modem.reasonView + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            modem.close();
            throw new ModemException(settings.serialPort() + ": interrupted while bringing the modem up", e);
        }
    }

    // ------------------------------------------------------------------ the state machine

    /** The one place the modem's state changes. {@code cause} is the failure that came with the event, if any. */
    private void on(Event event, String why, Throwable cause) {
        if (state == ModemState.CLOSING || state == ModemState.CLOSED) {
            return;
        }
        switch (event) {
            case OPEN -> openPort(why);
            case PORT_OPEN_FAILED -> {
                if (!identified.isDone()) {
                    identified.completeExceptionally(cause);
                } else {
                    retryLater(ModemState.PORT_LOST, why, this::openPortAgain);
                }
            }
            case PORT_OPENED -> bringUp(why);
            case PORT_LOST -> portLost(why, cause);
            case BROUGHT_UP -> register(why);
            case BRING_UP_FAILED -> {
                if (!identified.isDone()) {
                    identified.completeExceptionally(cause);
                } else {
                    retryLater(ModemState.UNRESPONSIVE, why, () -> bringUp("trying again"));
                }
            }
            case REGISTERED -> activatePdp(why, afterRegistration);
            case PDP_ACTIVE -> {
                backoff.reset();
                moveTo(ModemState.READY, why);
                new ArrayList<>(clients.values()).forEach(MqttClient::modemReady);
            }
            case PDP_FAILED -> retryLater(ModemState.ACTIVATING_PDP, why,
                    () -> activatePdp("trying again", PdpAction.REACTIVATE));
            case RESTARTED -> {
                goDown(ModemState.BRINGING_UP, why);
                bringUp(why);
            }
            case POWERED_DOWN, UNRESPONSIVE -> {
                if (state != ModemState.PORT_LOST && state != ModemState.UNRESPONSIVE) {
                    goDown(ModemState.UNRESPONSIVE, why);
                    retryLater(ModemState.UNRESPONSIVE, why, this::probe);
                }
            }
            case PROBE_OK -> bringUp(why);
            case PROBE_FAILED -> retryLater(ModemState.UNRESPONSIVE, why, this::probe);
            case PDP_DEACTIVATED -> {
                int[] f = UrcFields.ints(why);
                if (state == ModemState.READY && (f.length == 0 || f[0] == settings.pdpContextId())) {
                    goDown(ModemState.ACTIVATING_PDP, "the network deactivated the PDP context (" + why + ")");
                    activatePdp("reactivating it", PdpAction.REACTIVATE);
                }
            }
            case RECYCLE_PDP -> {
                // Every connection on the context goes with it: all clients wait for the modem.
                if (state == ModemState.READY) {
                    goDown(ModemState.ACTIVATING_PDP, why);
                    activatePdp(why, PdpAction.RECYCLE);
                }
            }
            case CHECK_NETWORK -> {
                // A look, not a restart: the modem stays READY and the other clients keep their connections,
                // unless the look finds the network gone. Once for all clients asking meanwhile.
                if (state == ModemState.READY && !checkingNetwork) {
                    checkingNetwork = true;
                    reasonView = why;
                    checkNetwork(run);
                }
            }
            case NETWORK_FINE -> {
                checkingNetwork = false;
                reasonView = "ready";
                new ArrayList<>(clients.values()).forEach(MqttClient::modemReady);
            }
            case NOT_REGISTERED -> {
                checkingNetwork = false;
                goDown(ModemState.REGISTERING, why);
                register(why);
            }
            case PDP_INACTIVE -> {
                checkingNetwork = false;
                goDown(ModemState.ACTIVATING_PDP, why);
                activatePdp(why, PdpAction.REACTIVATE);
            }
        }
    }

    private void moveTo(ModemState next, String why) {
        if (state != next) {
            LOG.info("{}: {} -> {} ({})", name, state, next, why);
            state = next;
            stateView = next;
        }
        reasonView = why;
    }

    /**
     * Leaves {@link ModemState#READY} (or whatever state): the clients hear it first, then every
     * operation waiting on the modem fails, so none of them is sent into the gap.
     */
    private void goDown(ModemState next, String why) {
        run++;
        checkingNetwork = false;
        cancelRetry();
        moveTo(next, why);
        new ArrayList<>(clients.values()).forEach(c -> c.modemDown(why));
        if (dialect != null) {
            ConnectionLostException cause = new ConnectionLostException(name + ": " + why);
            if (next == ModemState.REGISTERING || next == ModemState.ACTIVATING_PDP) {
                dialect.connectionsLost(cause); // the network went, the modem kept its MQTT stack
            } else {
                dialect.reset(cause); // restarted, or its state unknown
            }
        }
        if (next != ModemState.PORT_LOST) {
            // Commands already queued were meant for the modem as it was (on a lost port, detach does this).
            channel.abandon(new ConnectionLostException(name + ": " + why));
        }
        // Whatever comes up next was restarted or recovered: its PDP context is to be looked at.
        afterRegistration = PdpAction.REACTIVATE;
    }

    private void echoStaysOn() {
        echoStaysOn = true;
        if (!echoStaysOnLogged) {
            echoStaysOnLogged = true;
            LOG.warn("{}: the modem keeps echoing commands after ATE0 was answered OK; echoes are dropped, and an echo "
                    + "is not taken for a restart on this modem (RDY, +CPIN: READY and silence still are)", name);
        }
    }

    private void restartSeen(String line) {
        // Once brought up, echo is off and the SIM is ready: any of these means the modem restarted.
        // During bring-up they are the boot lines of the restart being handled, except RDY / APP RDY,
        // which mean it restarted again.
        boolean broughtUp = state == ModemState.REGISTERING || state == ModemState.ACTIVATING_PDP
                || state == ModemState.READY;
        boolean rebootLine = line.equals("RDY") || line.equals("APP RDY");
        if (broughtUp || (rebootLine && state == ModemState.BRINGING_UP)) {
            on(Event.RESTARTED, "the modem restarted (" + line + ")", null);
        } else if (rebootLine && state == ModemState.UNRESPONSIVE) {
            on(Event.PROBE_OK, "the modem restarted (" + line + ")", null);
        }
    }

    /**
     * The channel had to resynchronise: the modem was silent or answered out of turn, and whatever it
     * reported meanwhile may not have been heard, a connection loss included. Each client that
     * believes it is connected is checked against the connections the modem says it holds; one the
     * modem no longer has is lost, as if the modem had said so. If the modem will not say, nothing is
     * concluded (the next command's fate will tell).
     */
    private void verifyConnections() {
        if (state != ModemState.READY || dialect == null) {
            return;
        }
        Map<Integer, Long> believed = new HashMap<>();
        for (MqttClient c : clients.values()) {
            if (c.believesConnected()) {
                believed.put(c.clientIndex(), c.connectionGeneration());
            }
        }
        if (believed.isEmpty()) {
            return;
        }
        int current = run;
        dialect.connectionsHeld().whenComplete((held, e) -> {
            if (e != null || current != run) {
                return;
            }
            believed.forEach((index, generation) -> {
                MqttClient c = clients.get(index);
                if (!held.contains(index) && c != null && c.believesConnected()
                        && c.connectionGeneration() == generation) {
                    dialect.connectionGone(index, new ConnectionLostException("MQTT client " + index + ": the modem no "
                            + "longer holds the connection; its loss was reported while " + name + " was not heard",
                            Recovery.RECONNECT));
                }
            });
        });
    }

    private void retryLater(ModemState waiting, String why, Runnable attempt) {
        Duration delay = backoff.next();
        cancelRetry();
        moveTo(waiting, why + "; next attempt in " + delay.toMillis() + " ms");
        int current = run;
        retryTimer = loop.schedule(delay, () -> {
            if (current == run) {
                attempt.run();
            }
        });
    }

    private void cancelRetry() {
        if (retryTimer != null) {
            retryTimer.cancel();
            retryTimer = null;
        }
    }

    // ------------------------------------------------------------------ the port

    private void openPort(String why) {
        moveTo(state == ModemState.OPENING_PORT ? ModemState.OPENING_PORT : ModemState.PORT_LOST, why);
        int current = ++run;
        // Opening may block (a TCP connect): on the reader thread, which is idle while there is no port.
        readerExecutor.execute(() -> {
            Link opened;
            try {
                opened = opener.open();
            } catch (LinkException | RuntimeException e) {
                ModemException failure = new ModemException(e.getMessage(), e);
                loop.post(() -> {
                    if (current == run) {
                        on(Event.PORT_OPEN_FAILED, "opening " + name + " failed: " + e.getMessage(), failure);
                    }
                });
                return;
            }
            loop.post(() -> portOpened(opened, current));
            opened.start(listenerFor(opened), readerExecutor);
        });
    }

    private void openPortAgain() {
        openPort("reopening " + name);
    }

    private void portOpened(Link opened, int current) {
        if (current != run || state == ModemState.CLOSING || state == ModemState.CLOSED) {
            opened.close();
            return;
        }
        link = opened;
        channel.attach(opened);
        on(Event.PORT_OPENED, identified.isDone() ? "the port is back" : "port open", null);
    }

    /** Hands the reader's bytes to the loop; waits (bounded, rechecking the link) when the loop is behind. */
    private LinkListener listenerFor(Link own) {
        return new LinkListener() {
            @Override
            public void onBytes(byte[] buffer, int offset, int length) {
                byte[] chunk = java.util.Arrays.copyOfRange(buffer, offset, offset + length);
                try {
                    while (!pendingChunks.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        if (!own.isOpen()) {
                            return;
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                try {
                    loop.execute(() -> {
                        pendingChunks.release();
                        if (link == own) {
                            channel.onBytes(chunk, 0, chunk.length);
                        }
                    });
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    pendingChunks.release(); // the loop is closed: so is the modem, and these bytes are for nobody
                }
            }

            @Override
            public void onClosed(Throwable cause) {
                loop.post(() -> {
                    if (link == own) {
                        on(Event.PORT_LOST, cause == null ? name + " closed" : cause.getMessage(), cause);
                    }
                });
            }
        };
    }

    private void portLost(String why, Throwable cause) {
        Link lost = link;
        link = null;
        goDown(ModemState.PORT_LOST, why);
        channel.detach(cause);
        if (lost != null) {
            lost.close();
        }
        if (cause == null) {
            // Closed, not lost: the JVM is stopping (jSerialComm closed it), or someone closed it on purpose.
            LOG.info("{}: the port was closed; not reopening it", name);
            return;
        }
        retryLater(ModemState.PORT_LOST, why, this::openPortAgain);
    }

    // ------------------------------------------------------------------ bring-up

    private void bringUp(String why) {
        int current = ++run;
        cancelRetry();
        moveTo(ModemState.BRINGING_UP, why);
        echoOffAnswered = false;
        echoStaysOn = false;
        synchronise(current, 1)
                .thenCompose(v -> exec(current, AtCommandLine.execute("E0").command(), "switching echo off"))
                .thenApply(r -> {
                    if (current == run) {
                        echoOffAnswered = true;
                    }
                    return r;
                })
                .thenCompose(v -> exec(current, AtCommandLine.write("+CMEE").integer(2).command(),
                        "enabling verbose errors"))
                .thenCompose(v -> exec(current, AtCommandLine.execute("I").command().withBareReply(),
                        "reading the identity"))
                .thenCompose(r -> identify(current, AtiReply.parse(r.lines())))
                .thenCompose(v -> refuseApnSettingsTheModelCannotTake())
                .thenCompose(v -> checkSim(current, System.nanoTime() + SIM_READY_WAIT.toNanos()))
                .thenCompose(v -> powerSavingOff(current))
                .whenComplete((v, e) -> {
                    if (current != run) {
                        return;
                    }
                    if (e != null) {
                        Throwable c = Failures.cause(e);
                        on(Event.BRING_UP_FAILED, "bringing the modem up failed: " + c.getMessage(), c);
                    } else {
                        if (!identified.isDone()) {
                            identified.complete(null);
                        }
                        registrationPolls = 0;
                        on(Event.BROUGHT_UP, "brought up", null);
                    }
                });
    }

    /** A modem just powered up may miss the first characters: {@code AT} until OK, ten times at most. */
    private CompletableFuture<Void> synchronise(int current, int attempt) {
        if (current != run) {
            return CompletableFuture.failedFuture(new ModemException(name + ": bring-up superseded"));
        }
        return channel.submit(AtCommandLine.at().command().withTimeout(Duration.ofMillis(500))).result()
                .handle((r, e) -> e)
                .thenCompose(e -> {
                    if (e == null) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    if (attempt >= 10 || current != run) {
                        return CompletableFuture.<Void>failedFuture(new ModemException(name + ": no answer to AT (is "
                                + "this the modem's AT port, at " + settings.baudRate() + " baud?): "
                                + Failures.rootMessage(e), Failures.cause(e)));
                    }
                    return synchronise(current, attempt + 1);
                });
    }

    /**
     * {@code AT+CPIN?} until {@code +CPIN: READY}. A SIM that asks for a PIN or PUK fails the bring-up
     * at once: only the user can help. An error is what a SIM still starting says, seen on real
     * modules right after power-up (captures: SIM7600G-H "+CME ERROR: SIM busy", A7670E
     * "+CME ERROR: SIM failure", BC26 a bare "ERROR", each followed by "+CPIN: READY" moments later):
     * asked again every second for {@link #SIM_READY_WAIT}, then it fails the bring-up with the last
     * answer.
     */
    private CompletableFuture<Void> checkSim(int current, long deadline) {
        if (current != run) {
            return CompletableFuture.failedFuture(new ModemException(name + ": checking the SIM superseded"));
        }
        AtCommand cpin = AtCommandLine.read("+CPIN").command().withReplyPrefix("+CPIN:");
        return channel.submit(cpin).result().handle((r, e) -> {
            if (e == null) {
                String pin = r.lines().stream().findFirst().orElse("");
                if (pin.contains("READY")) {
                    return CompletableFuture.<Void>completedFuture(null);
                }
                return CompletableFuture.<Void>failedFuture(new ModemException(name + ": SIM not ready (" + pin
                        + "): insert the SIM or remove its PIN"));
            }
            Throwable c = Failures.cause(e);
            if (!(c instanceof AtErrorException err)) {
                return CompletableFuture.<Void>failedFuture(new ModemException(name + ": checking the SIM failed: "
                        + c.getMessage(), c));
            }
            if (System.nanoTime() - deadline >= 0) {
                return CompletableFuture.<Void>failedFuture(new ModemException(name + ": SIM not ready after "
                        + SIM_READY_WAIT.toSeconds() + " s (AT+CPIN? -> " + err.result()
                        + "): insert the SIM, check its contacts, or remove its PIN", c));
            }
            LOG.debug("{}: AT+CPIN? -> {}: the SIM may still be starting; asking again in 1 s", name, err.result());
            CompletableFuture<Void> again = new CompletableFuture<>();
            loop.schedule(Duration.ofSeconds(1), () -> checkSim(current, deadline).whenComplete((v, x) -> {
                if (x != null) {
                    again.completeExceptionally(Failures.cause(x));
                } else {
                    again.complete(null);
                }
            }));
            return again;
        }).thenCompose(f -> f);
    }

    /** The profile (ATI, AT+CGMM, or {@code modem=}) and the IMEI; the first time, the dialect for that profile. */
    private CompletableFuture<Void> identify(int current, AtiReply ati) {
        return new ModemIdentifier(name, settings.model(), command -> exec(current, command,
                        command.text().equals("AT+GSN") ? "reading the IMEI" : "reading the model"))
                .identify(ati).thenCompose(found -> {
                    if (profile != null && found.profile() != profile) {
                        return CompletableFuture.failedFuture(new ModemException(name + ": the modem is now a "
                                + found.profile().name() + ", not the " + profile.name()
                                + " its clients were started with; restart the routes"));
                    }
                    identity = found.identity();
                    identityView = identity;
                    if (profile == null) {
                        profile = found.profile();
                        profileView = profile;
                        useDialect(MqttDialect.create(channel, loop, profile, settings));
                    }
                    LOG.info("{}: {} {} ({}), IMEI {}, profile {}", name, identity.manufacturer(), identity.model(),
                            identity.revision(), identity.imei(), profile.name());
                    return CompletableFuture.completedFuture(null);
                });
    }

    /**
     * What the AT channel refused to read, since the modem was opened: receive URCs it could not
     * frame, received messages with more than one reading, and bytes discarded until the line was quiet.
     */
    public AtChannel.FramingStats framingStats() {
        return channel.framingStats();
    }

    /** The dialect of the identified profile: its receive framing, and its reports routed to the clients. */
    private void useDialect(MqttDialect d) {
        dialect = d;
        framing.use(d.framings());
        d.bind(new MqttDialect.DialectListener() {
            @Override
            public void onMessage(ReceivedMessage message) {
                MqttClient c = clients.get(message.clientIndex());
                if (c != null) {
                    c.onMessage(message);
                }
            }

            @Override
            public boolean wants(int index, String topic) {
                MqttClient c = clients.get(index);
                return c != null && c.wants(topic);
            }

            @Override
            public void onConnectionLost(int index, int code, ConnectionLostException cause) {
                MqttClient c = clients.get(index);
                if (c != null) {
                    c.onConnectionLost(cause);
                }
            }
        });
        dialectView = d;
    }

    /** APN settings the model's command has no place for fail the start, before a byte of them is sent. */
    private CompletableFuture<Void> refuseApnSettingsTheModelCannotTake() {
        if (settings.apn() != null && !settings.apn().isEmpty()) {
            try {
                PdpCommands.define(profile, settings);
            } catch (IllegalArgumentException e) {
                return CompletableFuture.failedFuture(new ModemException(name + ": " + e.getMessage(), e));
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    /** PSM, eDRX and sleep off when asked: they would make the modem miss incoming messages. */
    private CompletableFuture<Void> powerSavingOff(int current) {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        if (settings.disablePowerSaving()) {
            for (String command : profile.powerSavingOff()) {
                AtCommand c = AtCommandLine.parse(command).command();
                chain = chain.thenCompose(v -> exec(current, c, "switching power saving off")).thenApply(r -> null);
            }
        }
        return chain;
    }

    // ------------------------------------------------------------------ registration and PDP

    /** Polls the registration queries of the profile: every second at first, every ten seconds later. */
    private void register(String why) {
        int current = ++run;
        moveTo(ModemState.REGISTERING, why);
        pollRegistration(current, 0, "");
    }

    private void pollRegistration(int current, int query, String last) {
        if (current != run) {
            return;
        }
        List<String> queries = profile.registration();
        if (query >= queries.size()) {
            registrationPolls++;
            long pollsPerSecond = Math.max(1, settings.registrationTimeout().toSeconds());
            Duration next = registrationPolls < pollsPerSecond ? Duration.ofSeconds(1) : Duration.ofSeconds(10);
            moveTo(ModemState.REGISTERING, "not registered to a network yet" + (last.isEmpty() ? "" : " (" + last + ")"));
            loop.schedule(next, () -> pollRegistration(current, 0, last));
            return;
        }
        String cmd = queries.get(query);
        String prefix = cmd.substring(2, cmd.length() - 1) + ":";
        channel.submit(AtCommandLine.parse(cmd).command().withReplyPrefix(prefix)).result().whenComplete((r, e) -> {
            if (current != run) {
                return;
            }
            if (e != null) {
                Throwable c = Failures.cause(e);
                if (c instanceof AtErrorException) {
                    pollRegistration(current, query + 1, last); // not every model has every query
                } else {
                    on(Event.BRING_UP_FAILED, cmd + " failed: " + c.getMessage(), c);
                }
                return;
            }
            String line = r.lines().stream().findFirst().orElse("");
            int[] f = UrcFields.ints(line);
            int stat = f.length > 1 ? f[1] : -1;
            if (stat == 1 || stat == 5) {
                registrationView = line;
                on(Event.REGISTERED, "registered (" + line + ")", null);
            } else {
                pollRegistration(current, query + 1, line.isEmpty() ? last : line);
            }
        });
    }

    /**
     * Defines the context as the profile says when an APN is given. On the BG95 family and BG96
     * (contexts activated with {@code AT+QIACT}) it is then activated unless {@code AT+QIACT?} lists
     * it active: at the first start only when an APN is given (else the modem's context is left as it
     * is), after any restart or loss always; and recycled first when a client asks
     * ({@code +QMTSTAT: n,2}: "deactivate PDP, then activate PDP").
     */
    private void activatePdp(String why, PdpAction action) {
        int current = ++run;
        moveTo(ModemState.ACTIVATING_PDP, why);
        boolean apn = settings.apn() != null && !settings.apn().isEmpty();
        boolean qiact = profile.pdpSetup() == ModemProfile.PdpSetup.QICSGP_QIACT;
        int cid = settings.pdpContextId();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        if (apn) {
            List<AtCommand> define;
            try {
                define = PdpCommands.define(profile, settings);
            } catch (IllegalArgumentException e) {
                on(Event.PDP_FAILED, "the APN settings: " + e.getMessage(), e);
                return;
            }
            for (AtCommand c : define) {
                chain = chain.thenCompose(v -> exec(current, c, "setting the APN")).thenApply(r -> null);
            }
        }
        if (qiact && action == PdpAction.RECYCLE) {
            chain = chain.thenCompose(v -> exec(current, AtCommandLine.write("+QIDEACT").integer(cid).command()
                    .withTimeout(Duration.ofSeconds(40)), "deactivating PDP context " + cid)).thenApply(r -> null);
        }
        if (qiact && (apn || action != PdpAction.INITIAL)) {
            chain = chain.thenCompose(v -> exec(current,
                    AtCommandLine.read("+QIACT").command().withReplyPrefix("+QIACT:"), "reading PDP contexts")).thenCompose(r -> {
                        boolean active = r.lines().stream().map(UrcFields::ints)
                                .anyMatch(f -> f.length > 1 && f[0] == cid && f[1] == 1);
                        return active ? CompletableFuture.<Void>completedFuture(null)
                                : exec(current,
                                        AtCommandLine.write("+QIACT").integer(cid).command().withTimeout(PDP_TIMEOUT),
                                        "activating PDP context " + cid).thenApply(x -> null);
                    });
        }
        chain.whenComplete((v, e) -> {
            if (current != run) {
                return;
            }
            if (e != null) {
                Throwable c = Failures.cause(e);
                on(Event.PDP_FAILED, "the PDP context: " + c.getMessage(), c);
            } else {
                on(Event.PDP_ACTIVE, "ready", null);
            }
        });
    }

    /** One registration query and, where contexts are activated with AT+QIACT, one look at the context. */
    private void checkNetwork(int current) {
        String cmd = profile.registration().get(0);
        String prefix = cmd.substring(2, cmd.length() - 1) + ":";
        int cid = settings.pdpContextId();
        boolean qiact = profile.pdpSetup() == ModemProfile.PdpSetup.QICSGP_QIACT;
        AtCommand query = AtCommandLine.parse(cmd).command().withReplyPrefix(prefix);
        exec(current, query, "checking registration").whenComplete((r, e) -> {
            if (current != run) {
                return;
            }
            String line = r == null ? "" : r.lines().stream().findFirst().orElse("");
            if (!line.isEmpty()) {
                registrationView = line;
            }
            int[] f = UrcFields.ints(line);
            if (e == null && f.length > 1 && f[1] != 1 && f[1] != 5) {
                on(Event.NOT_REGISTERED, "registration lost (" + line + ")", null);
            } else if (!qiact) {
                on(Event.NETWORK_FINE, "the network is there", null);
            } else {
                exec(current, AtCommandLine.read("+QIACT").command().withReplyPrefix("+QIACT:"), "reading PDP contexts")
                        .whenComplete((q, x) -> {
                            if (current != run) {
                                return;
                            }
                            boolean active = q != null && q.lines().stream().map(UrcFields::ints)
                                    .anyMatch(c -> c.length > 1 && c[0] == cid && c[1] == 1);
                            if (x == null && !active) {
                                on(Event.PDP_INACTIVE, "PDP context " + cid + " is not active", null);
                            } else {
                                on(Event.NETWORK_FINE, "the network is there", null);
                            }
                        });
            }
        });
    }

    // ------------------------------------------------------------------ probing

    private void probe() {
        int current = ++run;
        channel.submit(AtCommandLine.at().command().withTimeout(PROBE_TIMEOUT)).result().whenComplete((r, e) -> {
            if (current != run) {
                return;
            }
            if (e == null) {
                on(Event.PROBE_OK, "the modem answers again", null);
            } else {
                on(Event.PROBE_FAILED, "the modem does not answer: " + Failures.rootMessage(e), e);
            }
        });
    }

    // ------------------------------------------------------------------ helpers

    private CompletableFuture<AtResponse> exec(int current, AtCommand command, String step) {
        if (current != run) {
            return CompletableFuture.failedFuture(new ModemException(name + ": " + step + " superseded"));
        }
        return channel.submit(command).result().exceptionallyCompose(e -> CompletableFuture.failedFuture(
                new ModemException(name + ": " + step + " failed: " + Failures.rootMessage(e), Failures.cause(e))));
    }

    // ------------------------------------------------------------------ what clients and owners use

    ModemLoop loop() {
        return loop;
    }

    Executor completions() {
        return threads.completions();
    }

    MqttDialect dialect() {
        return dialectView;
    }

    /** The port, as the user named it. */
    String name() {
        return name;
    }

    /** On the loop: may clients connect now? */
    boolean ready() {
        return state == ModemState.READY;
    }

    /** On the loop: why not. */
    String notReadyReason() {
        return "the modem is " + state + ": " + reasonView;
    }

    /** On the loop: a client asks for the network to be seen to before it reconnects. */
    void recoverNetwork(Recovery recovery, String why) {
        if (recovery == Recovery.RECYCLE_PDP) {
            on(Event.RECYCLE_PDP, "recycling the PDP context for a client: " + why, null);
        } else {
            on(Event.CHECK_NETWORK, "checking the network for a client: " + why, null);
        }
    }

    void removeClient(MqttClient c) {
        clients.remove(c.clientIndex(), c);
    }

    public ModemIdentity identity() {
        return identityView;
    }

    public ModemProfile profile() {
        return profileView;
    }

    /** The profile's name, e.g. {@code bg95}. */
    public String modelName() {
        return profileView.name();
    }

    public String serialPort() {
        return name;
    }

    /**
     * Any thread, never blocks: asks the modem in the background for its signal ({@code AT+CSQ}) and
     * operator ({@code AT+COPS?}), at most once a minute and only while it is READY; {@link #signal()}
     * and {@link #operator()} then give the answers. For health checks, which are called too often
     * to send AT commands each time.
     */
    public void refreshRadio() {
        long now = System.nanoTime();
        if (stateView != ModemState.READY || now - radioAskedAt < RADIO_REFRESH.toNanos()) {
            return;
        }
        radioAskedAt = now;
        loop.post(() -> {
            if (state != ModemState.READY) {
                return;
            }
            AtCommand csq = AtCommandLine.execute("+CSQ").command().withReplyPrefix("+CSQ:");
            channel.submit(csq).result().whenComplete((r, e) -> {
                if (r != null && !r.lines().isEmpty()) {
                    signalView = r.line();
                }
            });
            AtCommand cops = AtCommandLine.read("+COPS").command().withReplyPrefix("+COPS:");
            channel.submit(cops).result().whenComplete((r, e) -> {
                if (r != null && !r.lines().isEmpty()) {
                    operatorView = r.line();
                }
            });
        });
    }

    /** The last {@code +CSQ:} reply {@link #refreshRadio} got, or null. */
    public String signal() {
        return signalView;
    }

    /** The last {@code +COPS:} reply {@link #refreshRadio} got, or null. */
    public String operator() {
        return operatorView;
    }

    /** The last registration reply the modem gave (e.g. {@code +CEREG: 0,1}), or null before one; any thread. */
    public String registration() {
        return registrationView;
    }

    /** Where the modem stands now; any thread. */
    public ModemState state() {
        return stateView;
    }

    /** Why it is in that state; any thread. */
    public String reason() {
        return reasonView;
    }

    /** Received signal strength as {@code AT+CSQ} reports it ({@code +CSQ: 20,99}). */
    public String signalQuality() throws ModemException {
        try {
            AtCommand csq = AtCommandLine.execute("+CSQ").command().withReplyPrefix("+CSQ:");
            return loop.call(() -> channel.submit(csq).result(),
                    CALL_TIMEOUT).get(10, TimeUnit.SECONDS).line();
        } catch (Exception e) {
            throw new ModemException(name + ": reading signal quality failed: " + Failures.rootMessage(e), e);
        }
    }

    /**
     * Creates (not connects) a client on the requested index, or the lowest free one.
     *
     * @throws ModemException if the index is out of the model's range or taken
     * @throws IllegalArgumentException for settings the model can't honour (e.g. {@code ssl://}
     *                                  on a model without MQTT over TLS), before any byte is sent
     */
    public MqttClient createClient(MqttClientSettings s) throws ModemException {
        try {
            return loop.call(() -> createClientNow(s), CALL_TIMEOUT);
        } catch (ModemException | IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new ModemException(name + ": creating an MQTT client failed: " + e.getMessage(), e);
        }
    }

    private MqttClient createClientNow(MqttClientSettings s) throws ModemException {
        int max = profile.clientIndexes();
        int index = s.clientIndex();
        if (index >= max) {
            throw new ModemException("clientIndex=" + index + " is out of range 0-" + (max - 1) + " for "
                    + profile.name());
        }
        if (index < 0) {
            index = 0;
            while (index < max && clients.containsKey(index)) {
                index++;
            }
            if (index == max) {
                throw new ModemException(name + ": all " + max + " MQTT client indexes of " + profile.name()
                        + " are in use");
            }
        } else if (clients.containsKey(index)) {
            throw new ModemException(name + ": MQTT client index " + index + " is already in use");
        }
        profile.requireTransport(s.ssl());
        String clientId = s.clientId() != null ? s.clientId() : "cellmqtt-" + identity.imei();
        AtStrings.requireQuotable("clientId", clientId);
        requireLength("clientId", clientId, 256);
        if (s.userName() != null) {
            AtStrings.requireQuotableSecret("userName", s.userName());
            requireLength("userName", s.userName(), 512);
        }
        if (s.password() != null) {
            AtStrings.requireQuotableSecret("password", s.password());
            requireLength("password", s.password(), 512);
        }
        dialect.validate(s.clientId() == null && s.credentialsProvider() == null ? s.withClientId(clientId) : s);
        MqttClient client = new MqttClient(this, index, clientId, s);
        clients.put(index, client);
        return client;
    }

    private static void requireLength(String what, String value, int limit) {
        int length = AtStrings.utf8Length(value);
        if (length > limit) {
            throw new IllegalArgumentException(what + " of " + length + " bytes exceeds the limit of " + limit + " bytes");
        }
    }

    // ------------------------------------------------------------------ closing

    /**
     * Stops every client cleanly (DISCONNECT, close) where the modem can still be reached, closes
     * the port and releases the modem's two threads. Bounded: at most 45 s.
     */
    @Override
    public void close() {
        CompletableFuture<Void> done;
        try {
            done = loop.submit(this::closeNow);
        } catch (RuntimeException e) {
            done = CompletableFuture.completedFuture(null);
        }
        try {
            done.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("{}: closing did not finish cleanly: {}", name, e.toString());
        }
        loop.close();
        threads.shutdown(readerExecutor);
        threads.shutdown(loopExecutor);
    }

    private CompletableFuture<Void> closeNow() {
        if (closing != null) {
            return closing;
        }
        closing = new CompletableFuture<>();
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (MqttClient c : new ArrayList<>(clients.values())) {
            stops.add(c.close());
        }
        cancelRetry();
        moveTo(ModemState.CLOSING, "closing");
        if (!identified.isDone()) {
            identified.completeExceptionally(new ModemException(name + ": closed while coming up"));
        }
        CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> loop.post(() -> {
            run++;
            Link l = link;
            link = null;
            if (dialect != null) {
                dialect.reset(new ConnectionLostException(name + ": the modem was closed"));
            }
            channel.detach(null);
            if (l != null) {
                l.close();
            }
            moveTo(ModemState.CLOSED, "closed");
            closing.complete(null);
        }));
        return closing;
    }

    @Override
    public String toString() {
        ModemProfile p = profileView;
        return "Modem[" + name + ", " + (p == null ? "?" : p.name()) + ", " + stateView + "]";
    }
}
