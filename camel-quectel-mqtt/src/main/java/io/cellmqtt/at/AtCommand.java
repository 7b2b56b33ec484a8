package io.cellmqtt.at;

import java.time.Duration;
import java.util.Objects;

/**
 * One AT command as the channel sends it. Immutable. Outside this package a command comes only
 * from {@link AtCommandLine#command()}, which builds the line from typed parts and refuses what it
 * can't carry; the {@code with...} methods add the rest. Whoever makes one, its text must be one
 * line: a control character or an unbalanced quote is refused here too.
 *
 * @param text          the command line without the trailing CR, e.g. {@code AT+QMTOPEN=0,"h",1883}
 * @param logText       what logs and exceptions show instead of {@code text} (secrets masked)
 * @param replyPrefix   information lines starting with this (e.g. {@code +CPIN:}) belong to the
 *                      reply; null if the command has no prefixed reply lines
 * @param bareReply     true if lines not starting with '+' belong to the reply (ATI, AT+GSN)
 * @param data          bytes written after the {@code >} prompt (data phase), or null
 * @param timeout       how long the final result (OK / ERROR / +CME ERROR) may take
 * @param lostPrompt    what the channel writes when the prompt does not come in time, before it
 *                      resynchronises (only for a command with data)
 * @param promptLine    for a command with data: the whole line that asks for the data instead of
 *                      the {@code >} prompt (Quectel's file uploads answer {@code CONNECT}), or null
 */
public record AtCommand(String text, String logText, String replyPrefix, boolean bareReply, byte[] data,
        Duration timeout, LostPrompt lostPrompt, String promptLine) {

    /**
     * When a data command's prompt did not come in time, the modem may still be waiting for the
     * announced bytes (its prompt was lost on the way, or not recognised) or may never have taken the
     * command: what the channel writes must be right in both cases, and must never be bytes the modem
     * could take as data and act on (the resync probe {@code AT+CMEE?} taken as a payload and
     * published).
     */
    public enum LostPrompt {
        /**
         * ESC, the only cancel the documents give a data input: Quectel {@code AT+QMTPUB} "After > is
         * reported, input the data to be sent. Press Ctrl+Z to send the data, or tap Esc to cancel the
         * operation" (MQTT application note, reference 004, section 3.2.8; the BC26 guide, reference
         * 002, and the older QMT note, reference 003, say the same). The note says it of the
         * variable-length form and nothing of the fixed-length one, which the component uses: if a
         * firmware counted ESC as one of the announced bytes there, the resync probes after it would
         * be taken as the rest (docs/at-engine.md lists this). In command mode a lone ESC is ignored.
         */
        CANCEL_WITH_ESC,
        /**
         * The announced number of bytes, each {@link #FILLER}, then CR. SIMCom's fixed-length inputs
         * ({@code AT+CMQTTTOPIC}, {@code PAYLOAD}, {@code SUBTOPIC}, {@code UNSUBTOPIC},
         * {@code WILLTOPIC}, {@code WILLMSG}) take "exactly the previously set number" of bytes
         * (reference 001, section 5) and no document gives them a cancel; ESC would only be one
         * more data byte. A modem still waiting takes the filler as a topic, payload or filter and
         * is never asked to use it: no {@code AT+CMQTTPUB} or {@code AT+CMQTTSUB} follows a failed
         * input, and the next publish sets topic and payload again ({@code #} makes the filler an
         * invalid topic and filter, so a modem or broker that checks refuses it). A modem that never
         * took the command reads a line of {@code #}: no {@code AT} in it, so no command, at most an
         * {@code ERROR}, which the resync discards.
         */
        FILL_ANNOUNCED_LENGTH;

        /** The byte {@link #FILL_ANNOUNCED_LENGTH} writes. */
        public static final byte FILLER = '#';
    }

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    public AtCommand {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(timeout, "timeout");
        AtCommandLine.requireOneLine(text);
        if (lostPrompt == null) {
            lostPrompt = LostPrompt.CANCEL_WITH_ESC;
        }
        if (logText == null) {
            logText = text;
        }
        if (data != null) {
            data = data.clone();
        }
    }

    /** The low-level factory, for {@link AtCommandLine} (and this package's tests): build commands with that. */
    static AtCommand of(String text) {
        return new AtCommand(text, null, null, false, null, DEFAULT_TIMEOUT, LostPrompt.CANCEL_WITH_ESC, null);
    }

    public AtCommand withReplyPrefix(String prefix) {
        return new AtCommand(text, logText, prefix, bareReply, data, timeout, lostPrompt, promptLine);
    }

    public AtCommand withBareReply() {
        return new AtCommand(text, logText, replyPrefix, true, data, timeout, lostPrompt, promptLine);
    }

    public AtCommand withData(byte[] bytes) {
        return new AtCommand(text, logText, replyPrefix, bareReply, bytes, timeout, lostPrompt, promptLine);
    }

    public AtCommand withTimeout(Duration t) {
        return new AtCommand(text, logText, replyPrefix, bareReply, data, t, lostPrompt, promptLine);
    }

    /** What to write when the prompt does not come: see {@link LostPrompt}. */
    public AtCommand withLostPrompt(LostPrompt what) {
        return new AtCommand(text, logText, replyPrefix, bareReply, data, timeout, what, promptLine);
    }

    /** The data is asked for by this whole line (e.g. {@code CONNECT}) instead of the {@code >} prompt. */
    public AtCommand withPromptLine(String line) {
        return new AtCommand(text, logText, replyPrefix, bareReply, data, timeout, lostPrompt, line);
    }

    /** Shows {@code masked} in logs and errors: use for any command carrying a secret. */
    public AtCommand withLogText(String masked) {
        return new AtCommand(text, masked, replyPrefix, bareReply, data, timeout, lostPrompt, promptLine);
    }

    @Override
    public byte[] data() {
        return data == null ? null : data.clone();
    }

    @Override
    public String toString() {
        return logText + (data == null ? "" : " <" + data.length + " bytes>");
    }
}
