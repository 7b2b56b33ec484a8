package io.cellmqtt.simulator.firmware;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * How the simulated modem's firmware differs from what its documents describe: an immutable value,
 * each {@code withX(...)} returning a new one; the variants combine freely.
 * {@link #DOCUMENTED} is the behaviour the reference documents describe, and the default of every
 * {@code SimulatedModem}. Select one per test with {@code SimulatedModem.firmware(Firmware)}.
 *
 * <p>Each variant says where it comes from: a reference document, a public capture, or, where none
 * was found, that it is reconstructed (a behaviour a host must survive, not one seen on a named
 * firmware).
 */
public final class Firmware {

    /**
     * What the documents describe: the prompt {@code CR LF > space}, {@code ATE0} switches echo off,
     * {@code AT+CMEE=2} gives verbose errors, every {@code AT+QMTCFG} key of the model is accepted,
     * a command's result URC comes after its {@code OK}, no space after commas, no unsolicited lines
     * besides the documented ones.
     */
    public static final Firmware DOCUMENTED = new Firmware(Prompt.SPACE, false, false, Set.of(), false, false, 0L,
            List.of());

    /**
     * Unsolicited lines that none of the reference documents mention but that real modems print at
     * any time, each framed CR LF line CR LF:
     * <ul>
     * <li>{@code +CGEV: ME PDN ACT 1}: 3GPP TS 27.007 section 10.1.19's packet-domain event (context 1
     * activated by the ME); SIM7600s print {@code +CGEV} events unprompted and over and over, as
     * https://github.com/Xinyuan-LilyGO/T-SIM7600X/issues/111 shows (there the {@code ME PDN DEACT 1}
     * form; the benign activation form is used here so the noise carries no news about the context);</li>
     * <li>{@code +CPSI: LTE,Online,460-11,0x775C,117004585,237,EUTRAN-BAND1,100,5,5,-84,-822,-549,13}: a
     * SIM7600G-H's system information line as captured in
     * https://github.com/Xinyuan-LilyGO/T-SIM7600X/issues/49 (there as the answer to {@code AT+CPSI?});
     * the SIM7600 AT manual's {@code AT+CPSI=<time>} reports the same line periodically, unprompted;</li>
     * <li>{@code +CSQ: 20,99}: a SIM7600 reporting its signal quality unprompted after
     * {@code AT+AUTOCSQ=1,1}, captured in
     * https://github.com/openvehicles/Open-Vehicle-Monitoring-System-3/issues/720
     * ({@code mux-rx-line #0: +CSQ: 20,99} with no command in flight);</li>
     * <li>{@code +QUSIM: 1}, {@code +QIND: SMS DONE}, {@code +QIND: PB DONE}: a Quectel (EG25-G) printing
     * its SIM and phonebook/SMS readiness unprompted while the host was talking to it, captured in
     * https://github.com/lupyuen/lupyuen.github.io/blob/master/src/lte.md ("LTE Modem replies ...
     * +QUSIM: 1 / +QIND: SMS DONE / +QIND: PB DONE").</li>
     * </ul>
     * {@code +QIURC: "pdpdeact",<cid>} is deliberately absent: it means something (the context is gone)
     * and has its own fault, {@code Faults.deactivatePdp()}.
     */
    public static final List<String> FIELD_NOISE = List.of(
            "+CGEV: ME PDN ACT 1",
            "+CPSI: LTE,Online,460-11,0x775C,117004585,237,EUTRAN-BAND1,100,5,5,-84,-822,-549,13",
            "+CSQ: 20,99",
            "+QUSIM: 1",
            "+QIND: SMS DONE",
            "+QIND: PB DONE");

    /** Of the line boundaries where noise may go, about one in this many gets a line. */
    public static final int NOISE_ONE_IN = 3;

    private final Prompt prompt;
    private final boolean echoLeftOn;
    private final boolean numericErrors;
    private final Set<String> refusedQmtcfg;
    private final boolean resultUrcBeforeOk;
    private final boolean spacesAfterCommas;
    private final long noiseSeed;
    private final List<String> noise;

    private Firmware(Prompt prompt, boolean echoLeftOn, boolean numericErrors, Set<String> refusedQmtcfg,
            boolean resultUrcBeforeOk, boolean spacesAfterCommas, long noiseSeed, List<String> noise) {
        this.prompt = Objects.requireNonNull(prompt, "prompt");
        this.echoLeftOn = echoLeftOn;
        this.numericErrors = numericErrors;
        this.refusedQmtcfg = Set.copyOf(refusedQmtcfg);
        this.resultUrcBeforeOk = resultUrcBeforeOk;
        this.spacesAfterCommas = spacesAfterCommas;
        this.noiseSeed = noiseSeed;
        this.noise = List.copyOf(noise);
    }

    /**
     * The prompt every data command writes (both dialects, and AT+CCERTDOWN). {@link Prompt#BARE}
     * is the SIM7600's, as captured (see {@link Prompt#BARE}).
     */
    public Firmware withPrompt(Prompt p) {
        return new Firmware(p, echoLeftOn, numericErrors, refusedQmtcfg, resultUrcBeforeOk, spacesAfterCommas,
                noiseSeed, noise);
    }

    /**
     * {@code ATE0} is answered {@code OK} but every command line is still echoed. Reconstructed: no
     * public capture of a firmware ignoring ATE0 was found; it is the behaviour of an AT port whose
     * echo cannot be switched off (e.g. a port behind a multiplexer or a terminal server that echoes
     * by itself), which a host must tell apart from a modem that restarted (a restart also brings the
     * echo back, but says {@code RDY} first).
     */
    public Firmware withEchoLeftOn(boolean on) {
        return new Firmware(prompt, on, numericErrors, refusedQmtcfg, resultUrcBeforeOk, spacesAfterCommas,
                noiseSeed, noise);
    }

    /**
     * {@code AT+CMEE=2} is answered {@code OK} (and {@code AT+CMEE?} says 2) but errors stay numeric:
     * {@code +CME ERROR: 3} where 3GPP TS 27.007 section 9.2.1 has the verbose
     * {@code +CME ERROR: operation not allowed}. Quectel MQTT result codes ({@code +QMT...: ...,<result>},
     * {@code +CME ERROR: 85xx}) are numeric anyway and unchanged. Reconstructed: the documents (and
     * the SIM7600G-H capture in https://github.com/Xinyuan-LilyGO/T-SIM7600X/issues/49,
     * {@code +CME ERROR: SIM busy}) show verbose errors; a firmware that keeps them numeric is what a
     * host that parses the text must survive.
     */
    public Firmware withNumericErrors(boolean on) {
        return new Firmware(prompt, echoLeftOn, on, refusedQmtcfg, resultUrcBeforeOk, spacesAfterCommas, noiseSeed,
                noise);
    }

    /**
     * {@code AT+QMTCFG="<key>",...} (set or query) is answered {@code ERROR} for these keys, and
     * {@code AT+QMTCFG=?} does not list them: an older firmware without them. Older BG96 firmware
     * lacks {@code "recv/mode"} and {@code "version"}: reference 000 (the BG96 OceanConnect guide)
     * configures neither, and its receive example is the length-less
     * {@code +QMTRECV: 2,0,"<topic>","<payload>"} (section "Receive"). When {@code "recv/mode"} is
     * refused the modem delivers every message that way (and has no {@code AT+QMTRECV} buffer read).
     * Keys are matched without regard to case.
     */
    public Firmware withRefusedQmtcfg(String... keys) {
        Set<String> k = new TreeSet<>();
        for (String key : keys) {
            k.add(key.toLowerCase(Locale.ROOT));
        }
        return new Firmware(prompt, echoLeftOn, numericErrors, k, resultUrcBeforeOk, spacesAfterCommas, noiseSeed,
                noise);
    }

    /**
     * A command whose outcome comes as a URC ({@code +QMTOPEN:}, {@code +QMTCONN:}, {@code +QMTSUB:},
     * {@code +QMTPUB:}, {@code +CMQTTSTART:}, {@code +CMQTTCONNECT:}, {@code +CMQTTSUB:}, {@code +CMQTTPUB:}
     * ...) has that URC written before its own {@code OK}, as a fast broker on a fast link gives it.
     * Captured on a SIM7600G-H in https://github.com/Xinyuan-LilyGO/T-SIM7600X/issues/49:
     * {@code AT+CMQTTSTART} answered {@code +CMQTTSTART: 0} then {@code OK} (the manual prints OK first).
     * On Quectel models the {@code OK} waits (at most {@link #RESULT_WAIT_MILLIS} ms) for the result.
     */
    public Firmware withResultUrcBeforeOk(boolean on) {
        return new Firmware(prompt, echoLeftOn, numericErrors, refusedQmtcfg, on, spacesAfterCommas, noiseSeed,
                noise);
    }

    /** How long an OK waits for its command's result URC under {@link #withResultUrcBeforeOk}. */
    public static final long RESULT_WAIT_MILLIS = 3000;

    /**
     * Information lines and URCs that begin {@code +NAME:} are written with a space after each comma
     * outside quotes ({@code +QMTPUB: 0, 1, 0}, {@code +CMQTTCONNECT: 0, 0}); lines that carry a received
     * payload ({@code +QMTRECV:} with data, {@code +CMQTTRX...}) are not touched. Sources: the M95
     * document (reference 003, example 5.1) itself prints an MQTT URC with a space after a comma
     * ({@code +QMTRECV: 0,1, "topic",...}); a modem answering {@code +CSQ: 12, 99} is quoted in
     * https://github.com/fildunsky/luci-app-5gmodem/issues/4. Applying it to every result line is
     * reconstructed.
     */
    public Firmware withSpacesAfterCommas(boolean on) {
        return new Firmware(prompt, echoLeftOn, numericErrors, refusedQmtcfg, resultUrcBeforeOk, on, noiseSeed,
                noise);
    }

    /**
     * Unsolicited lines inserted, framed {@code CR LF line CR LF}, at random line boundaries of what the
     * modem writes (about one boundary in {@link #NOISE_ONE_IN}): before an information line, between
     * a reply's information line and its final result, before a data prompt, before a URC (so also
     * between a command's {@code OK} and its result URC). Never inside a line and never inside payload
     * data. {@code seed} makes the choice repeatable; no lines turns noise off. See
     * {@link #FIELD_NOISE} for lines taken from real captures.
     */
    public Firmware withNoise(long seed, String... lines) {
        for (String l : lines) {
            if (l.indexOf('\r') >= 0 || l.indexOf('\n') >= 0 || l.isEmpty()) {
                throw new IllegalArgumentException("a noise line is one non-empty line: " + l);
            }
        }
        return new Firmware(prompt, echoLeftOn, numericErrors, refusedQmtcfg, resultUrcBeforeOk, spacesAfterCommas,
                seed, Arrays.asList(lines));
    }

    /** {@link #withNoise(long, String...)} with {@link #FIELD_NOISE}. */
    public Firmware withFieldNoise(long seed) {
        return withNoise(seed, FIELD_NOISE.toArray(String[]::new));
    }

    public Prompt prompt() {
        return prompt;
    }

    public boolean echoLeftOn() {
        return echoLeftOn;
    }

    public boolean numericErrors() {
        return numericErrors;
    }

    /** The refused AT+QMTCFG keys, lower case. */
    public Set<String> refusedQmtcfg() {
        return refusedQmtcfg;
    }

    /** True if {@code AT+QMTCFG="<key>"} is refused (any case). */
    public boolean refuses(String qmtcfgKey) {
        return refusedQmtcfg.contains(qmtcfgKey.toLowerCase(Locale.ROOT));
    }

    public boolean resultUrcBeforeOk() {
        return resultUrcBeforeOk;
    }

    public boolean spacesAfterCommas() {
        return spacesAfterCommas;
    }

    public long noiseSeed() {
        return noiseSeed;
    }

    public List<String> noise() {
        return noise;
    }

    /**
     * The line as this firmware writes it: with {@link #withSpacesAfterCommas}, a space after each
     * comma outside double quotes of a {@code +NAME:} line that carries no received payload.
     */
    public String spaced(String line) {
        if (!spacesAfterCommas || !line.startsWith("+") || line.startsWith("+QMTRECV:")
                || line.startsWith("+CMQTTRX") || line.indexOf(',') < 0) {
            return line;
        }
        StringBuilder b = new StringBuilder(line.length() + 8);
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            b.append(c);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted && (i + 1 >= line.length() || line.charAt(i + 1) != ' ')) {
                b.append(' ');
            }
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Firmware f && prompt == f.prompt && echoLeftOn == f.echoLeftOn
                && numericErrors == f.numericErrors && refusedQmtcfg.equals(f.refusedQmtcfg)
                && resultUrcBeforeOk == f.resultUrcBeforeOk && spacesAfterCommas == f.spacesAfterCommas
                && noiseSeed == f.noiseSeed && noise.equals(f.noise);
    }

    @Override
    public int hashCode() {
        return Objects.hash(prompt, echoLeftOn, numericErrors, refusedQmtcfg, resultUrcBeforeOk, spacesAfterCommas,
                noiseSeed, noise);
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (prompt != Prompt.SPACE) {
            parts.add("prompt=" + prompt);
        }
        if (echoLeftOn) {
            parts.add("echoLeftOn");
        }
        if (numericErrors) {
            parts.add("numericErrors");
        }
        if (!refusedQmtcfg.isEmpty()) {
            parts.add("refusedQmtcfg=" + refusedQmtcfg);
        }
        if (resultUrcBeforeOk) {
            parts.add("resultUrcBeforeOk");
        }
        if (spacesAfterCommas) {
            parts.add("spacesAfterCommas");
        }
        if (!noise.isEmpty()) {
            parts.add("noise(seed=" + noiseSeed + ", " + noise.size() + " lines)");
        }
        return parts.isEmpty() ? "Firmware.DOCUMENTED" : "Firmware" + parts;
    }
}
