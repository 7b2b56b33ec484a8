package io.cellmqtt.simulator.host;

import io.cellmqtt.simulator.firmware.Firmware;
import io.cellmqtt.simulator.host.UartTransmitter.Chunk;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The single path from the modem to the host: what to write and in what order. Decisions are taken
 * under one lock (a reply or data phase in progress holds back URCs until its final result); the
 * bytes then go to the {@link UartTransmitter}, whose thread writes them, so a host that stops
 * reading never stalls the Netty threads.
 *
 * <p>What leaves goes through one first-in first-out queue, as through a UART: a byte written late
 * holds back every byte behind it. The faults that act on the way out live here: a reply written
 * late or twice, a prompt that never comes, bytes that are lost while the {@link PortGate} is quiet,
 * and a {@link #reset()} that forgets everything not yet written, as a rebooting modem does. The
 * queue's bound, and what happens past it, are the transmitter's ({@link #MAX_QUEUED_BYTES}).
 */
public final class HostOutput implements AutoCloseable {

    /** The most bytes that wait for the UART ({@link UartTransmitter#MAX_QUEUED_BYTES}); past it output is lost and counted. */
    public static final int MAX_QUEUED_BYTES = UartTransmitter.MAX_QUEUED_BYTES;

    /** What happens to one command's final result and to its result URC. */
    private record Effect(Duration delay, boolean duplicate, String urcHead) {
        boolean any() {
            return delay != null || duplicate;
        }
    }

    /** A final OK held back until its command's result URC was written (firmware variant). */
    private record Parked(String head, List<byte[]> results, long notBefore, ScheduledFuture<?> timeout) {
    }

    private final Object lock = new Object();
    private final List<Chunk> heldUrcs = new ArrayList<>();
    private final List<Effect> pendingUrcEffects = new ArrayList<>();
    /** The generation each reply thread began its reply in; a reply of an older one is never written. */
    private final ThreadLocal<Long> replyGeneration = new ThreadLocal<>();
    private final PortGate gate;
    private final UartTransmitter transmitter;
    private volatile long generation;
    private boolean replyInProgress;
    private boolean poweredDown;
    private String beforeNextOk;
    private Random chunkRandom;
    private int maxChunk;
    private int delaysArmed;
    private Duration armedDelay;
    private boolean duplicateArmed;
    private int promptDropsArmed;
    private Effect current;
    private volatile Firmware firmware = Firmware.DOCUMENTED;
    private Random noiseRandom;
    /** How the current command's result URC begins, or null. */
    private String currentHead;
    /** The current command's result URC was already written (result URC before OK). */
    private boolean headSeen;
    private Parked parked;
    /** The modem's timer (SimulatedModem owns and shuts it down): bounds how long an OK is held back. */
    private final ScheduledExecutorService timer;

    /**
     * @param gate  whether a host is there to write to
     * @param timer the modem's timer, owned and shut down by the caller
     */
    public HostOutput(PortGate gate, ScheduledExecutorService timer) {
        this.gate = gate;
        this.timer = timer;
        transmitter = new UartTransmitter(gate, () -> generation);
    }

    public void attach(OutputStream out) {
        transmitter.attach(out);
    }

    public void detach(OutputStream out) {
        transmitter.detach(out);
    }

    /**
     * Paces what leaves to {@code baud} bits per second, 10 bits a byte, from the next chunk on; 0
     * (the default) writes as fast as the host takes it.
     */
    public void baudRate(int baud) {
        transmitter.baudRate(baud);
    }

    public void setChunking(long seed, int max) {
        synchronized (lock) {
            chunkRandom = max > 0 ? new Random(seed) : null;
            maxChunk = max;
        }
    }

    /** The firmware variant this output writes as; {@link Firmware#DOCUMENTED} unless set. */
    public void firmware(Firmware f) {
        synchronized (lock) {
            firmware = f == null ? Firmware.DOCUMENTED : f;
            noiseRandom = firmware.noise().isEmpty() ? null : new Random(firmware.noiseSeed());
        }
    }

    public Firmware firmware() {
        return firmware;
    }

    public void beforeNextOk(String urcLine) {
        synchronized (lock) {
            beforeNextOk = urcLine;
        }
    }

    // ---- faults armed for the commands to come ---------------------------------------------

    /** The final results of the next {@code count} commands (and their result URCs) go out {@code delay} late. */
    public void armDelays(int count, Duration delay) {
        synchronized (lock) {
            delaysArmed = count;
            armedDelay = delay;
        }
    }

    /** The next command's final result (and its result URC) goes out twice. */
    public void armDuplicate() {
        synchronized (lock) {
            duplicateArmed = true;
        }
    }

    /** The next {@code count} data prompts are never written (see {@link #prompt(byte[])}). */
    public void armPromptDrops(int count) {
        synchronized (lock) {
            promptDropsArmed += count;
        }
    }

    // ---- a reply -----------------------------------------------------------------------------

    /** A command line was received: from now on URCs wait until its final result. */
    public void beginReply() {
        synchronized (lock) {
            if (parked != null) {
                releaseParked(); // a new command line: the held OK goes out now, without its result
            }
            currentHead = null;
            headSeen = false;
            replyGeneration.set(generation);
            replyInProgress = true;
            current = null;
        }
    }

    /**
     * The line is a command: it takes the reply faults armed for it. {@code resultUrcHead} is how
     * the URC carrying its result begins ({@code +QMTOPEN: 0,}), or null if it has none.
     */
    public void commandStarted(String resultUrcHead) {
        synchronized (lock) {
            if (stale()) {
                return;
            }
            currentHead = resultUrcHead;
            headSeen = false;
            Duration delay = null;
            if (delaysArmed > 0) {
                delaysArmed--;
                delay = armedDelay;
            }
            Effect e = new Effect(delay, duplicateArmed, resultUrcHead);
            duplicateArmed = false;
            current = e.any() ? e : null;
            if (current != null && resultUrcHead != null) {
                pendingUrcEffects.add(current);
            }
        }
    }

    /** The current command turned out to have no result URC to come (a publish cancelled with ESC). */
    public void noResultUrc() {
        synchronized (lock) {
            currentHead = null;
        }
    }

    /** Bytes that belong to the current reply (echo, information lines). */
    public void raw(byte[] bytes) {
        synchronized (lock) {
            if (!stale()) {
                enqueue(bytes, 0);
            }
        }
    }

    /**
     * The data prompt of the current reply. False when it was not written because the modem lost
     * the command (a prompt drop was armed): the caller then forgets the command and answers nothing.
     */
    public boolean prompt(byte[] prompt) {
        synchronized (lock) {
            if (stale()) {
                return false;
            }
            if (promptDropsArmed > 0) {
                promptDropsArmed--;
                return false;
            }
            noise(null);
            enqueue(prompt, 0);
            return true;
        }
    }

    /**
     * The data prompt of the current reply in the firmware's form ({@link Firmware#prompt()}); see
     * {@link #prompt(byte[])}.
     */
    public boolean dataPrompt() {
        return prompt(firmware.prompt().bytes());
    }

    /** An information response line, framed as the spec says: CR LF text CR LF. */
    public void line(String text) {
        synchronized (lock) {
            if (stale()) {
                return;
            }
            noise(null);
            enqueue(frame(firmware.spaced(text).getBytes(StandardCharsets.UTF_8)), 0);
        }
    }

    /** Several information lines as one block, the way Quectel prints ATI: CR LF l1 CR LF l2 CR LF. */
    public void block(List<String> lines) {
        synchronized (lock) {
            if (stale()) {
                return;
            }
            noise(null);
            enqueue(("\r\n" + String.join("\r\n", lines.stream().map(firmware::spaced).toList()) + "\r\n")
                    .getBytes(StandardCharsets.UTF_8), 0);
        }
    }

    /** Writes the final result code, ends the reply and releases the URCs held back meanwhile. */
    public void finalResult(String result) {
        synchronized (lock) {
            if (stale()) {
                return; // the modem rebooted while this command ran: its answer died with it
            }
            long notBefore = current != null && current.delay() != null ? deadline(current.delay()) : 0;
            if ("OK".equals(result) && beforeNextOk != null) {
                enqueue(frame(beforeNextOk.getBytes(StandardCharsets.UTF_8)), notBefore);
                beforeNextOk = null;
            }
            noise(null);
            byte[] framed = frame(result.getBytes(StandardCharsets.UTF_8));
            List<byte[]> results = current != null && current.duplicate() ? List.of(framed, framed) : List.of(framed);
            if (current != null && !"OK".equals(result)) {
                pendingUrcEffects.remove(current); // a refused command has no result URC to come
            }
            if ("OK".equals(result) && firmware.resultUrcBeforeOk() && currentHead != null && !headSeen) {
                park(currentHead, results, notBefore);
                return; // the reply stays in progress until the result URC (or the wait's end)
            }
            for (byte[] r : results) {
                enqueue(r, notBefore);
            }
            finishReply();
        }
    }

    /** Ends a reply that produced no final result (a line that was ignored, a command the modem lost). */
    public void endReply() {
        synchronized (lock) {
            if (stale()) {
                return;
            }
            if (current != null) {
                pendingUrcEffects.remove(current);
            }
            finishReply();
        }
    }

    // ---- result URC before OK (firmware variant) ---------------------------------------------

    /** Holds the OK back until the result URC beginning with {@code head}, at most RESULT_WAIT_MILLIS. */
    private void park(String head, List<byte[]> results, long notBefore) {
        Parked[] self = new Parked[1];
        ScheduledFuture<?> timeout = timer.schedule(() -> {
            synchronized (lock) {
                if (parked == self[0]) {
                    releaseParked();
                }
            }
        }, Firmware.RESULT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        self[0] = new Parked(head, results, notBefore, timeout);
        parked = self[0];
    }

    /** Writes the held OK and ends its reply. Under the lock. */
    private void releaseParked() {
        Parked p = parked;
        parked = null;
        p.timeout().cancel(false);
        for (byte[] r : p.results()) {
            enqueue(r, p.notBefore());
        }
        finishReply();
    }

    /** The first characters of a framed line, for matching a result URC's head. */
    private static String head(byte[] framed) {
        int from = framed.length >= 2 && framed[0] == '\r' && framed[1] == '\n' ? 2 : 0;
        return new String(framed, from, Math.min(framed.length - from, 64), StandardCharsets.ISO_8859_1);
    }

    // ---- noise (firmware variant) --------------------------------------------------------------

    /**
     * At a line boundary: maybe one noise line, into {@code held} when given (a URC held back), else
     * onto the wire. Under the lock.
     */
    private void noise(List<Chunk> held) {
        Random r = noiseRandom;
        if (r == null || poweredDown || gate.quiet() || r.nextInt(Firmware.NOISE_ONE_IN) != 0) {
            return;
        }
        List<String> lines = firmware.noise();
        byte[] framed = frame(lines.get(r.nextInt(lines.size())).getBytes(StandardCharsets.UTF_8));
        if (held != null) {
            held.addAll(chunks(framed, 0));
        } else {
            enqueue(framed, 0);
        }
    }

    private void finishReply() {
        replyInProgress = false;
        current = null;
        currentHead = null;
        for (Chunk urc : heldUrcs) {
            queueChunk(urc);
        }
        heldUrcs.clear();
    }

    /** True when the calling thread's reply began before the last {@link #reset()}. */
    private boolean stale() {
        Long g = replyGeneration.get();
        return g != null && g != generation;
    }

    // ---- unsolicited output ------------------------------------------------------------------

    public void urc(String line) {
        urc(firmware.spaced(line).getBytes(StandardCharsets.UTF_8));
    }

    /** A URC as raw bytes (QMTRECV carries binary payloads). Held back while a reply is in progress. */
    public void urc(byte[] line) {
        unsolicited(frame(line), true);
    }

    /** Bytes written between replies exactly as given, without framing: line noise, a torn URC. */
    public void unframed(byte[] bytes) {
        unsolicited(bytes.clone(), false);
    }

    private void unsolicited(byte[] bytes, boolean mayCarryResult) {
        synchronized (lock) {
            if (poweredDown || gate.quiet()) {
                return; // a URC that arises while the port is hung or the modem boots is lost
            }
            long notBefore = 0;
            int copies = 1;
            if (mayCarryResult) {
                Effect e = takeEffectFor(bytes);
                if (e != null) {
                    copies = e.duplicate() ? 2 : 1;
                    notBefore = e.delay() != null ? deadline(e.delay()) : 0;
                }
            }
            // result URC before OK: the current command's result goes out now, ahead of its OK
            boolean ahead = false;
            if (mayCarryResult && firmware.resultUrcBeforeOk() && replyInProgress) {
                String text = head(bytes);
                if (parked != null && text.startsWith(parked.head())) {
                    ahead = true;
                } else if (parked == null && currentHead != null && text.startsWith(currentHead)) {
                    ahead = true;
                    headSeen = true;
                }
            }
            List<Chunk> noiseChunks = new ArrayList<>();
            if (mayCarryResult) {
                noise(noiseChunks); // a line boundary; never before unframed bytes (noise, a torn URC)
            }
            for (Chunk c : noiseChunks) {
                if (replyInProgress && !ahead) {
                    heldUrcs.add(c);
                } else {
                    queueChunk(c);
                }
            }
            for (int i = 0; i < copies; i++) {
                for (Chunk c : chunks(bytes, notBefore)) {
                    if (replyInProgress && !ahead) {
                        heldUrcs.add(c);
                    } else {
                        queueChunk(c);
                    }
                }
            }
            if (ahead && parked != null) {
                releaseParked(); // the OK that waited for this URC, then what was held meanwhile
            }
        }
    }

    /** The armed effect whose command this framed URC reports the result of, removed; or null. */
    private Effect takeEffectFor(byte[] framed) {
        String text = new String(framed, 2, Math.min(framed.length - 2, 64), StandardCharsets.ISO_8859_1);
        for (Iterator<Effect> it = pendingUrcEffects.iterator(); it.hasNext(); ) {
            Effect e = it.next();
            if (text.startsWith(e.urcHead())) {
                it.remove();
                return e;
            }
        }
        return null;
    }

    /** The last words of a modem switched off by AT+QPOWD; nothing is written afterwards. */
    public void powerDown(String lastLine) {
        synchronized (lock) {
            enqueue(frame(lastLine.getBytes(StandardCharsets.UTF_8)), 0);
            poweredDown = true;
            heldUrcs.clear();
        }
    }

    /**
     * The modem went down: everything not yet written is lost, the reply in progress is abandoned
     * (whatever its command still answers is dropped) and URCs are no longer held for it.
     */
    public void reset() {
        synchronized (lock) {
            generation++;
            transmitter.clear();
            heldUrcs.clear();
            pendingUrcEffects.clear();
            replyInProgress = false;
            current = null;
            currentHead = null;
            if (parked != null) {
                parked.timeout().cancel(false);
                parked = null;
            }
            poweredDown = false;
        }
    }

    // ---- the queue ---------------------------------------------------------------------------

    private static long deadline(Duration d) {
        return System.nanoTime() + Math.max(1, d.toNanos());
    }

    private void enqueue(byte[] bytes, long notBefore) {
        if (poweredDown || gate.quiet() || bytes.length == 0) {
            return;
        }
        for (Chunk c : chunks(bytes, notBefore)) {
            queueChunk(c);
        }
    }

    private void queueChunk(Chunk c) {
        if (c.generation() == generation) {
            transmitter.offer(c);
        }
    }

    /** Bytes waiting for the UART now. */
    public long queuedBytes() {
        return transmitter.queuedBytes();
    }

    /** Bytes lost so far because {@link #MAX_QUEUED_BYTES} were already waiting. */
    public long droppedBytes() {
        return transmitter.droppedBytes();
    }

    /** The bytes as the UART will carry them: whole, or in random pieces when chunking is on. */
    private List<Chunk> chunks(byte[] bytes, long notBefore) {
        if (chunkRandom == null) {
            return List.of(new Chunk(bytes, notBefore, generation));
        }
        List<Chunk> out = new ArrayList<>();
        int off = 0;
        while (off < bytes.length) {
            int n = Math.min(bytes.length - off, 1 + chunkRandom.nextInt(maxChunk));
            byte[] piece = new byte[n];
            System.arraycopy(bytes, off, piece, 0, n);
            out.add(new Chunk(piece, notBefore, generation));
            off += n;
        }
        return out;
    }

    public static byte[] frame(byte[] text) {
        byte[] out = new byte[text.length + 4];
        out[0] = '\r';
        out[1] = '\n';
        System.arraycopy(text, 0, out, 2, text.length);
        out[out.length - 2] = '\r';
        out[out.length - 1] = '\n';
        return out;
    }

    /** Waits (bounded) until everything queued so far was handed to the host; used before closing. */
    public void drain(long millis) {
        transmitter.drain(millis);
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (parked != null) {
                parked.timeout().cancel(false);
            }
        }
        transmitter.close();
    }
}
