package io.cellmqtt.simulator.fault;

import io.cellmqtt.simulator.at.AtInterpreter;
import io.cellmqtt.simulator.at.ConnectionLoss;
import io.cellmqtt.simulator.at.ModemProfile;
import io.cellmqtt.simulator.at.MqttCommandSet;
import io.cellmqtt.simulator.at.PdpContexts;
import io.cellmqtt.simulator.host.HostOutput;
import io.cellmqtt.simulator.host.PortGate;
import io.cellmqtt.simulator.host.UsbPort;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Faults a test injects into a simulated modem, from any thread at any moment (also while a command
 * is being answered or a data phase read). Each call is counted by {@link Kind}, whether or not it
 * found anything to act on, so a chaos test can report what it injected ({@link #counts()}).
 *
 * <p>What the host sees is documented per method, byte for byte, with the source each line rests
 * on: the reference documents in {@code shared/reference} (004 is the BG95 MQTT application note,
 * 001 the SIM7600 AWS guide) or a public capture. Time-taking faults (reboot, USB loss, silence)
 * return at once with a future that completes when the fault is over; their timers run on one
 * thread of the modem's, stopped by {@code SimulatedModem.close()}.
 *
 * <p>Obtain it from {@code SimulatedModem.faults()}.
 */
public final class Faults {

    /** What was injected. */
    public enum Kind {
        DROP_CONNECTION, PING_TIMEOUT, DEACTIVATE_PDP, REBOOT, USB_LOSS, SILENCE, DELAY_REPLIES,
        DUPLICATE_REPLY, GARBAGE, TRUNCATED_URC, DROP_PROMPTS, WRITE_CHUNKING, CORRUPT_UPLOAD
    }

    private static final byte[] CRLF = {'\r', '\n'};

    private final ModemProfile profile;
    private final HostOutput out;
    private final PortGate gate;
    private final AtInterpreter interpreter;
    private final MqttCommandSet mqtt;
    private final PdpContexts pdp;
    private final Supplier<UsbPort> usb;
    private final ScheduledExecutorService timer;
    private final Map<Kind, AtomicLong> counts = new EnumMap<>(Kind.class);
    /** Structural faults (reboot, USB, PDP, drops) happen one at a time. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Timed faults not over yet: failed when the modem closes before they end. */
    private final Set<CompletableFuture<?>> running = ConcurrentHashMap.newKeySet();
    private long boots;

    /**
     * Made by the simulated modem over its own parts; {@code timer} runs the ends of timed faults,
     * {@code usb} gives the USB port once one was opened (else null), and {@code onClose} takes what
     * must run when the modem closes (timed faults still running then fail).
     */
    public Faults(ModemProfile profile, HostOutput out, PortGate gate, AtInterpreter interpreter,
            MqttCommandSet mqtt, PdpContexts pdp, Supplier<UsbPort> usb, ScheduledExecutorService timer,
            Consumer<Runnable> onClose) {
        this.profile = profile;
        this.out = out;
        this.gate = gate;
        this.interpreter = interpreter;
        this.mqtt = mqtt;
        this.pdp = pdp;
        this.usb = usb;
        this.timer = timer;
        for (Kind k : Kind.values()) {
            counts.put(k, new AtomicLong());
        }
        onClose.accept(() -> {
            for (CompletableFuture<?> f : running) {
                f.completeExceptionally(new IllegalStateException("the simulated modem was closed"));
            }
        });
    }

    /** How many faults of each kind were injected so far; every kind is present. */
    public Map<Kind, Long> counts() {
        Map<Kind, Long> m = new EnumMap<>(Kind.class);
        counts.forEach((k, v) -> m.put(k, v.get()));
        return Collections.unmodifiableMap(m);
    }

    private void count(Kind k) {
        counts.get(k).incrementAndGet();
    }

    // ---- files -------------------------------------------------------------------------------------

    /**
     * The next {@code count} file uploads (AT+QFUPL, AT+QSECWRITE, AT+CCERTDOWN) arrive with one bit
     * flipped in their middle byte, as a line error on the serial port would leave them: the modem
     * stores what it received and reports that file's size and checksum ({@code +QFUPL: <size>,<checksum>},
     * the checksum then differing from the host's own). SIMCom's download reports no checksum, so its
     * corruption goes unseen, as on the real module. Counted per call.
     */
    public void corruptUploads(int count) {
        count(Kind.CORRUPT_UPLOAD);
        interpreter.files().corruptNext(count);
    }

    // ---- the broker connection -----------------------------------------------------------------

    /**
     * Client {@code idx}'s broker TCP connection is cut without DISCONNECT (an RST), so the broker
     * publishes the client's will. The host sees, between replies:
     * <ul>
     * <li>Quectel: {@code CR LF +QMTSTAT: <idx>,1 CR LF}: reference 004, section 4.1, table 2, code 1
     * "The connection is closed or reset by a peer"; the index is closed afterwards (QMTOPEN again).</li>
     * <li>SIM7600: {@code CR LF +CMQTTCONNLOST: <idx>,1 CR LF}: cause 1 "socket is closed passively" of
     * the SIM7500/SIM7600 MQTT AT manual's URC table (section 2.3.2.1), as reference 001 section 5
     * shows it after a server closed the connection; the client stays acquired.</li>
     * </ul>
     * Nothing is written, but the call is counted, when the index has no connection up.
     */
    public void dropConnection(int idx) {
        count(Kind.DROP_CONNECTION);
        locked(() -> mqtt.loseConnection(idx, ConnectionLoss.PEER_CLOSED));
    }

    /**
     * As if PINGREQ went unanswered: the modem gives up the connection (cut without DISCONNECT, the
     * broker publishes the will). The host sees:
     * <ul>
     * <li>Quectel: {@code CR LF +QMTSTAT: <idx>,2 CR LF}: reference 004, table 2, code 2 "Sending
     * PINGREQ packet timed out or failed".</li>
     * <li>SIM7600: {@code CR LF +CMQTTCONNLOST: <idx>,1 CR LF}, the same as {@link #dropConnection}: the
     * manual gives no CONNLOST cause for a ping failure (its {@code +CMQTTPING: <idx>,<err>} URC comes
     * without a value we could cite).</li>
     * </ul>
     * Nothing is written, but the call is counted, when the index has no connection up.
     */
    public void pingTimeout(int idx) {
        count(Kind.PING_TIMEOUT);
        locked(() -> mqtt.loseConnection(idx, ConnectionLoss.PING_TIMEOUT));
    }

    /**
     * The network takes the PDP context(s) away. Every connection on them is cut without DISCONNECT
     * (the broker publishes the wills). The host sees, between replies, in this order:
     * <ul>
     * <li>Quectel BG95/BG77/BG600L/BG96: for each client that had a connection up
     * {@code CR LF +QMTSTAT: <idx>,1 CR LF} (no capture shows another code for this case, so the
     * peer-closed code of reference 004 table 2), for a client still opening
     * {@code CR LF +QMTOPEN: <idx>,3 CR LF} ("Failed to activate PDP", 004 section 3.2.2); then for each
     * context that was active {@code CR LF +QIURC: "pdpdeact",<cid> CR LF}, the Quectel TCP/IP URC as
     * a BG96 printed it in https://github.com/vshymanskyy/TinyGSM/issues/157. From then on
     * {@code AT+QIACT?} lists no context and {@code AT+QMTOPEN} answers {@code OK} then
     * {@code +QMTOPEN: <idx>,3} until the host activates the context again with {@code AT+QIACT=<cid>}
     * ({@code AT+QIDEACT=<cid>} is accepted too).</li>
     * <li>BC26, M95: the same {@code +QMTSTAT}/{@code +QMTOPEN} lines, no {@code +QIURC} (we have no
     * source for their PDP URC); the M95 re-activates with {@code AT+QIACT}.</li>
     * <li>SIM7600: {@code CR LF +CMQTTCONNLOST: <idx>,3 CR LF} for each connected client (cause 3
     * "network is closed"), then {@code CR LF +CMQTTNONET CR LF} if the service was started: the
     * service is stopped and every client released, so {@code AT+CMQTTSTART} and
     * {@code AT+CMQTTACCQ} are needed again (manual, section 2.3.2.1).</li>
     * </ul>
     */
    public void deactivatePdp() {
        count(Kind.DEACTIVATE_PDP);
        locked(() -> {
            List<Integer> gone = pdp.deactivateAll();
            if (profile.family() == ModemProfile.Family.SIMCOM) {
                mqtt.networkLost(cid -> true);
                return;
            }
            mqtt.networkLost(gone::contains);
            if (profile.pdpDeactUrc() != null) {
                for (int cid : gone) {
                    out.urc(String.format(profile.pdpDeactUrc(), cid));
                }
            }
        });
    }

    // ---- the modem -----------------------------------------------------------------------------

    /**
     * The modem restarts on its own watchdog. At once: every MQTT connection is cut without
     * DISCONNECT (the broker publishes the wills) and all modem state is lost: echo is on again,
     * {@code AT+CMEE} is 0, every QMTCFG, QSSLCFG/CSSLCFG and will setting is gone, the SIMCom service
     * is stopped and its clients released, no PDP context is active (the host must {@code AT+QIACT}
     * again), received-message buffers are empty; uploaded files stay. Whatever was not yet written
     * to the host is lost, and so is the answer of a command in progress (a data phase being read is
     * abandoned). For {@code bootTime} the modem writes nothing and ignores what the host writes.
     * Then it writes its model's boot lines, each {@code CR LF <line> CR LF}
     * ({@link ModemProfile#bootLines()}, with their sources): BG95/BG77/BG600L/BG96
     * {@code RDY}, {@code APP RDY}; BC26 and M95 {@code RDY}; SIM7600 {@code RDY},
     * {@code +CPIN: READY}, {@code SMS DONE}, {@code PB DONE}. A reboot during a boot starts it over.
     *
     * @return completes when the boot lines were queued for the host
     */
    public CompletableFuture<Void> reboot(Duration bootTime) {
        Objects.requireNonNull(bootTime, "bootTime");
        count(Kind.REBOOT);
        CompletableFuture<Void> done = new CompletableFuture<>();
        lock.lock();
        try {
            long boot = goDown();
            later(bootTime, done, () -> {
                comeUp(boot);
                done.complete(null);
            });
        } finally {
            lock.unlock();
        }
        return done;
    }

    /** Under the lock: the modem is down; returns the number of this boot. */
    private long goDown() {
        gate.bootStart();
        out.reset();
        interpreter.reset();
        return ++boots;
    }

    /** Under the lock: the boot {@code boot} ends, unless a later reboot superseded it. */
    private void comeUp(long boot) {
        if (boot != boots) {
            return;
        }
        gate.bootEnd();
        for (String line : profile.bootLines()) {
            out.urc(line);
        }
    }

    /**
     * The USB modem vanishes and re-enumerates (serve with {@code SimulatedModem.openUsbPort()}
     * first). At once the stable path is removed and the pseudo-terminal behind it closed: the
     * host's open port is hung up, its reads return an error (jSerialComm: {@code readBytes} &lt; 0)
     * and its writes fail. Whatever the modem would write meanwhile is lost. After {@code away} a
     * new pseudo-terminal (never the number it had just before) appears behind the same stable path;
     * the host must open it again. With {@code reboot} the modem also reboots as {@link #reboot}
     * says, its boot lines going to the new port as soon as it exists; without, all modem state
     * (MQTT connections included) is kept, as when only the USB link bounced.
     *
     * @return completes with the new pseudo-terminal's path ({@code /dev/pts/N}) once it is back
     * @throws IllegalStateException when the modem is not served on a USB port
     */
    public CompletableFuture<String> usbLoss(Duration away, boolean reboot) {
        Objects.requireNonNull(away, "away");
        UsbPort port = usb.get();
        if (port == null) {
            throw new IllegalStateException("no USB port: serve one with SimulatedModem.openUsbPort() first");
        }
        count(Kind.USB_LOSS);
        CompletableFuture<String> back = new CompletableFuture<>();
        lock.lock();
        try {
            long boot = reboot ? goDown() : -1;
            port.unplug();
            later(away, back, () -> {
                String path = port.plug();
                if (reboot) {
                    comeUp(boot);
                }
                back.complete(path);
            });
        } finally {
            lock.unlock();
        }
        return back;
    }

    // ---- the AT port -----------------------------------------------------------------------------

    /**
     * The AT port hangs for {@code d}: everything the host writes meanwhile is discarded (a command
     * line half written before is forgotten too), nothing is written to the host, and URCs that
     * arise meanwhile are lost; MQTT connections keep running on the broker side. Afterwards the
     * modem answers normally again. Nestable.
     *
     * @return completes when the port answers again
     */
    public CompletableFuture<Void> silence(Duration d) {
        Objects.requireNonNull(d, "d");
        count(Kind.SILENCE);
        CompletableFuture<Void> over = new CompletableFuture<>();
        gate.silenceStart();
        later(d, over, () -> {
            gate.silenceEnd();
            over.complete(null);
        });
        return over;
    }

    /**
     * The final result lines of the next {@code count} commands, and the URC each of them triggers
     * with its result ({@code +QMTOPEN: <idx>,...}, {@code +QMTPUB: <idx>,<msgid>,...},
     * {@code +CMQTTPUB: <idx>,...}...), are written {@code delay} late; echo and information lines
     * are not. The port stays in order: what comes after a late line waits behind it.
     */
    public void delayReplies(int count, Duration delay) {
        Objects.requireNonNull(delay, "delay");
        count(Kind.DELAY_REPLIES);
        out.armDelays(count, delay);
    }

    /**
     * The next command's final result line is written twice ({@code CR LF OK CR LF CR LF OK CR LF}),
     * and so is the URC that carries its result, if it has one (e.g. {@code +QMTPUB: 0,5,0} after a
     * publish). A command that fails has no result URC: only its final line is doubled.
     */
    public void duplicateNextReply() {
        count(Kind.DUPLICATE_REPLY);
        out.armDuplicate();
    }

    /**
     * These bytes go to the host exactly as given, as soon as no reply is in progress (as URCs
     * wait for the reply in progress to end).
     */
    public void garbage(byte[] bytes) {
        count(Kind.GARBAGE);
        out.unframed(bytes);
    }

    /**
     * A URC torn by a UART glitch: the first {@code keep} bytes of {@code CR LF <urc> CR LF}, then
     * {@code CR LF}; written as URCs are, between replies.
     */
    public void truncatedUrc(String urc, int keep) {
        count(Kind.TRUNCATED_URC);
        byte[] framed = HostOutput.frame(urc.getBytes(StandardCharsets.UTF_8));
        byte[] kept = Arrays.copyOf(framed, Math.max(0, Math.min(keep, framed.length)));
        byte[] torn = Arrays.copyOf(kept, kept.length + CRLF.length);
        System.arraycopy(CRLF, 0, torn, kept.length, CRLF.length);
        out.unframed(torn);
    }

    /**
     * The next {@code count} commands that would answer with the data prompt ({@code CR LF > }) are
     * lost by the modem: no prompt, no result line, nothing reserved or sent. The bytes the host
     * writes next are read as ordinary input: a line without {@code AT} is ignored, one with it
     * answered as a command would be.
     */
    public void dropPrompts(int count) {
        count(Kind.DROP_PROMPTS);
        out.armPromptDrops(count);
    }

    /** Every write to the host is split into random chunks of 1..{@code maxChunk} bytes (1: byte by byte, 0: off). */
    public void setWriteChunking(long seed, int maxChunk) {
        count(Kind.WRITE_CHUNKING);
        out.setChunking(seed, maxChunk);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private void locked(Runnable r) {
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code r} under the lock after {@code d}; if the modem closed meanwhile, {@code f} fails. */
    private void later(Duration d, CompletableFuture<?> f, Runnable r) {
        running.add(f);
        f.whenComplete((x, e) -> running.remove(f));
        try {
            timer.schedule(() -> {
                try {
                    locked(r);
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            }, Math.max(0, d.toNanos()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(new IllegalStateException("the simulated modem is closed", e));
        }
    }
}
