package io.cellmqtt.modem;

import io.cellmqtt.at.AtChannel;
import io.cellmqtt.at.AtCommand;
import io.cellmqtt.at.AtErrorException;
import io.cellmqtt.at.AtException;
import io.cellmqtt.at.AtResponse;
import io.cellmqtt.at.SwitchableFraming;
import io.cellmqtt.link.Link;
import io.cellmqtt.link.LinkException;
import io.cellmqtt.link.Links;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One modem behind one serial port: the AT channel, bring-up, identity, and the MQTT clients it
 * hosts. Thread-safe. The Camel component keeps one per serial port and reference-counts it.
 */
public final class Modem implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Modem.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final ModemSettings settings;
    private final AtChannel channel;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService callbacks;
    private final Map<Integer, MqttClient> clients = new ConcurrentHashMap<>();
    private volatile boolean alive = true;
    private ModemIdentity identity;
    private ModemProfile profile;
    private MqttDialect dialect;
    private final SwitchableFraming framing;

    private Modem(ModemSettings settings, AtChannel channel, SwitchableFraming framing) {
        this.settings = settings;
        this.channel = channel;
        this.framing = framing;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "cellmqtt-timer"));
        this.callbacks = Executors.newCachedThreadPool(r -> daemon(r, "cellmqtt-callback"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name + "-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    }

    /**
     * Opens the link, synchronises ({@code AT}), switches echo off, enables verbose errors,
     * reads the identity, checks the SIM, waits for registration and sets up the PDP context.
     *
     * @throws ModemException naming the port and the step that failed (a missing port lists the
     *                        ports that exist)
     */
    public static Modem open(ModemSettings settings) throws ModemException {
        Link link;
        try {
            link = Links.open(settings.serialPort(), settings.baudRate());
        } catch (LinkException e) {
            throw new ModemException(e.getMessage(), e);
        }
        return open(settings, link);
    }

    /** Brings up a modem on a link that is already open (in-memory pipes in tests). */
    public static Modem open(ModemSettings settings, Link link) throws ModemException {
        // The receive framing depends on the model, which is known only after ATI.
        SwitchableFraming framing = new SwitchableFraming();
        AtChannel channel = new AtChannel(link, List.of(framing));
        Modem modem = new Modem(settings, channel, framing);
        channel.onLinkLost(modem::onLinkLost);
        channel.start();
        try {
            modem.bringUp();
            return modem;
        } catch (ModemException | RuntimeException e) {
            modem.close();
            throw e;
        }
    }

    private void bringUp() throws ModemException {
        String port = settings.serialPort();
        synchronise();
        exec("ATE0", "switching echo off");
        exec("AT+CMEE=2", "enabling verbose errors");
        AtiReply ati = AtiReply.parse(exec(AtCommand.of("ATI").withBareReply(), "reading the identity").lines());
        Identified identified = chooseProfile(ati);
        profile = identified.profile();
        String imei = exec(AtCommand.of("AT+GSN").withBareReply(), "reading the IMEI").lines().stream()
                .map(String::trim).filter(l -> l.matches("\\d{14,17}")).findFirst()
                .orElseThrow(() -> new ModemException(port + ": AT+GSN gave no IMEI"));
        identity = new ModemIdentity(ati.manufacturer(), identified.model(), ati.revision(), imei);
        LOG.info("{}: {} {} ({}), IMEI {}, profile {}", port, identity.manufacturer(), identity.model(),
                identity.revision(), imei, profile.name());

        String pin = exec(AtCommand.of("AT+CPIN?").withReplyPrefix("+CPIN:"), "checking the SIM").lines().stream()
                .findFirst().orElse("");
        if (!pin.contains("READY")) {
            throw new ModemException(port + ": SIM not ready (" + pin + "): insert the SIM or remove its PIN");
        }
        if (settings.disablePowerSaving()) {
            // PSM, eDRX and sleep would make the modem miss incoming messages.
            for (String command : profile.powerSavingOff()) {
                exec(command, "switching power saving off");
            }
        }
        awaitRegistration();
        if (settings.apn() != null && !settings.apn().isEmpty()) {
            setUpPdpContext();
        }
        dialect = MqttDialect.create(channel, profile, settings);
        framing.use(dialect.framings());
        dialect.bind(new MqttDialect.DialectListener() {
            @Override
            public void onMessage(ReceivedMessage message) {
                MqttClient c = clients.get(message.clientIndex());
                if (c != null) {
                    c.onMessage(message);
                }
            }

            @Override
            public void onConnectionLost(int index, int code, String meaning) {
                MqttClient c = clients.get(index);
                if (c != null) {
                    c.onConnectionLost(code, meaning);
                }
            }
        });
    }

    /** The profile, and the model string that named it (or ATI's, for an explicit {@code modem=}). */
    private record Identified(ModemProfile profile, String model) {
    }

    /**
     * {@code modem=auto}: the model ATI names ({@code Model:} line, else its second line), else
     * the one {@code AT+CGMM} names; an explicit {@code modem=} wins over both.
     */
    private Identified chooseProfile(AtiReply ati) throws ModemException {
        String port = settings.serialPort();
        if (settings.model() != null && !settings.model().equalsIgnoreCase("auto")) {
            ModemProfile p = ModemProfile.byName(settings.model()).orElseThrow(() -> new ModemException(
                    "modem=" + settings.model() + " is not supported; supported: auto, " + ModemProfile.supportedNames()));
            if (ModemProfile.byIdentity(ati.model()).filter(found -> found != p).isPresent()) {
                LOG.warn("{}: modem={} but the modem says it is '{}'", port, p.name(), ati.model());
            }
            return new Identified(p, ati.model());
        }
        Optional<ModemProfile> fromAti = ModemProfile.byIdentity(ati.model());
        if (fromAti.isPresent()) {
            return new Identified(fromAti.get(), ati.model());
        }
        String cgmm;
        try {
            cgmm = channel.execute(AtCommand.of("AT+CGMM").withBareReply()).lines().stream().map(String::trim)
                    .filter(l -> !l.isEmpty()).findFirst().orElse("");
        } catch (AtErrorException e) {
            cgmm = "";
            LOG.debug("{}: AT+CGMM: {}", port, e.result());
        } catch (AtException e) {
            throw new ModemException(port + ": reading the model failed: " + e.getMessage(), e);
        }
        Optional<ModemProfile> fromCgmm = ModemProfile.byIdentity(cgmm);
        if (fromCgmm.isPresent()) {
            return new Identified(fromCgmm.get(), cgmm);
        }
        throw new ModemException(port + ": modem=auto can't tell which model this is: ATI said "
                + ati.lines().stream().map(AtStrings::printable).toList() + ", AT+CGMM said '"
                + AtStrings.printable(cgmm) + "'; supported models: " + ModemProfile.supportedNames()
                + " (if it is one of them, set modem= to its name)");
    }

    /** A modem just powered up may miss the first characters: try AT until OK. */
    private void synchronise() throws ModemException {
        AtException last = null;
        for (int i = 0; i < 10; i++) {
            try {
                channel.execute(AtCommand.of("AT").withTimeout(Duration.ofMillis(500)));
                return;
            } catch (AtException e) {
                last = e;
            }
        }
        throw new ModemException(settings.serialPort() + ": no answer to AT (is this the modem's AT port, at "
                + settings.baudRate() + " baud?): " + last.getMessage(), last);
    }

    private void awaitRegistration() throws ModemException {
        long deadline = System.nanoTime() + settings.registrationTimeout().toNanos();
        String last = "";
        while (true) {
            for (String cmd : profile.registration()) {
                String prefix = cmd.substring(2, cmd.length() - 1) + ":";
                try {
                    Optional<String> line = channel.execute(AtCommand.of(cmd).withReplyPrefix(prefix)).lines().stream()
                            .findFirst();
                    if (line.isPresent()) {
                        last = line.get();
                        int[] f = UrcFields.ints(last);
                        int stat = f.length > 1 ? f[1] : -1;
                        if (stat == 1 || stat == 5) {
                            return;
                        }
                    }
                } catch (AtErrorException e) {
                    // Not every model has every registration command.
                } catch (AtException e) {
                    throw new ModemException(settings.serialPort() + ": " + cmd + " failed: " + e.getMessage(), e);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new ModemException(settings.serialPort() + ": not registered to a network after "
                        + settings.registrationTimeout().toSeconds() + " s (last: " + last + ")");
            }
            try {
                // Polling the modem: registration has no URC we switched on.
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ModemException(settings.serialPort() + ": interrupted waiting for registration");
            }
        }
    }

    /** Defines the context as the profile says; BG95-family and BG96 contexts are then activated. */
    private void setUpPdpContext() throws ModemException {
        List<AtCommand> define;
        try {
            define = PdpCommands.define(profile, settings);
        } catch (IllegalArgumentException e) {
            throw new ModemException(settings.serialPort() + ": " + e.getMessage(), e);
        }
        for (AtCommand c : define) {
            exec(c, "setting the APN");
        }
        if (profile.pdpSetup() != ModemProfile.PdpSetup.QICSGP_QIACT) {
            return;
        }
        int cid = settings.pdpContextId();
        boolean active = exec(AtCommand.of("AT+QIACT?").withReplyPrefix("+QIACT:"), "reading PDP contexts").lines()
                .stream().map(UrcFields::ints).anyMatch(f -> f.length > 1 && f[0] == cid && f[1] == 1);
        if (!active) {
            exec(AtCommand.of("AT+QIACT=" + cid).withTimeout(Duration.ofSeconds(150)), "activating PDP context " + cid);
        }
    }

    private AtResponse exec(String command, String step) throws ModemException {
        return exec(AtCommand.of(command), step);
    }

    private AtResponse exec(AtCommand command, String step) throws ModemException {
        try {
            return channel.execute(command);
        } catch (AtException e) {
            throw new ModemException(settings.serialPort() + ": " + step + " failed: " + e.getMessage(), e);
        }
    }

    private void onLinkLost(Throwable cause) {
        alive = false;
        LOG.warn("{}: link lost: {}", settings.serialPort(), cause == null ? "closed" : cause.toString());
        if (dialect != null) {
            dialect.failEverything(new ConnectionLostException(settings.serialPort() + ": link to the modem lost"));
        }
        clients.values().forEach(c -> c.onConnectionLost(-1, "link to the modem lost"));
    }

    public ModemIdentity identity() {
        return identity;
    }

    public ModemProfile profile() {
        return profile;
    }

    /** The profile's name, e.g. {@code bg95}. */
    public String modelName() {
        return profile.name();
    }

    public String serialPort() {
        return settings.serialPort();
    }

    /** True while the link is up. */
    public boolean isAlive() {
        return alive && channel.isOpen();
    }

    /** Received signal strength as {@code AT+CSQ} reports it ({@code +CSQ: 20,99}). */
    public String signalQuality() throws ModemException {
        return exec(AtCommand.of("AT+CSQ").withReplyPrefix("+CSQ:"), "reading signal quality").line();
    }

    /**
     * Creates (not connects) a client on the requested index, or the lowest free one.
     *
     * @throws ModemException if the index is out of the model's range or taken
     * @throws IllegalArgumentException for settings the model can't honour (e.g. {@code ssl://}
     *                                  on a model without MQTT over TLS), before any byte is sent
     */
    public synchronized MqttClient createClient(MqttClientSettings s) throws ModemException {
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
                throw new ModemException(settings.serialPort() + ": all " + max + " MQTT client indexes of "
                        + profile.name() + " are in use");
            }
        } else if (clients.containsKey(index)) {
            throw new ModemException(settings.serialPort() + ": MQTT client index " + index + " is already in use");
        }
        profile.requireTransport(s.ssl());
        String clientId = s.clientId() != null ? s.clientId() : "cellmqtt-" + identity.imei();
        AtStrings.requireQuotable("clientId", clientId);
        requireLength("clientId", clientId, 256);
        if (s.userName() != null) {
            AtStrings.requireQuotable("userName", s.userName());
            requireLength("userName", s.userName(), 512);
        }
        if (s.password() != null) {
            AtStrings.requireQuotableSecret("password", s.password());
            requireLength("password", s.password(), 512);
        }
        MqttClient client = new MqttClient(dialect, index, clientId, s, scheduler, callbacks,
                c -> clients.remove(c.clientIndex(), c));
        clients.put(index, client);
        return client;
    }

    private static void requireLength(String what, String value, int limit) {
        int length = AtStrings.utf8Length(value);
        if (length > limit) {
            throw new IllegalArgumentException(what + " of " + length + " bytes exceeds the limit of " + limit + " bytes");
        }
    }

    /** Closes every client (QMTDISC, QMTCLOSE) and the link. */
    @Override
    public void close() {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (MqttClient c : clients.values()) {
            stops.add(c.stop());
        }
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("{}: clients did not stop cleanly: {}", settings.serialPort(), e.toString());
        }
        alive = false;
        channel.close();
        scheduler.shutdownNow();
        callbacks.shutdown();
    }

    @Override
    public String toString() {
        return "Modem[" + settings.serialPort() + ", " + (profile == null ? "?" : profile.name()) + "]";
    }
}
