package io.cellmqtt.at;

import java.time.Duration;
import java.util.Objects;

/**
 * One AT command as the channel sends it. Immutable; build with {@link #of(String)} and the
 * {@code with...} methods.
 *
 * @param text          the command line without the trailing CR, e.g. {@code AT+QMTOPEN=0,"h",1883}
 * @param logText       what logs and exceptions show instead of {@code text} (secrets masked)
 * @param replyPrefix   information lines starting with this (e.g. {@code +CPIN:}) belong to the
 *                      reply; null if the command has no prefixed reply lines
 * @param bareReply     true if lines not starting with '+' belong to the reply (ATI, AT+GSN)
 * @param data          bytes written after the {@code > } prompt (data phase), or null
 * @param timeout       how long the final result (OK / ERROR / +CME ERROR) may take
 */
public record AtCommand(String text, String logText, String replyPrefix, boolean bareReply, byte[] data,
        Duration timeout) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    public AtCommand {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(timeout, "timeout");
        if (logText == null) {
            logText = text;
        }
        if (data != null) {
            data = data.clone();
        }
    }

    public static AtCommand of(String text) {
        return new AtCommand(text, null, null, false, null, DEFAULT_TIMEOUT);
    }

    public AtCommand withReplyPrefix(String prefix) {
        return new AtCommand(text, logText, prefix, bareReply, data, timeout);
    }

    public AtCommand withBareReply() {
        return new AtCommand(text, logText, replyPrefix, true, data, timeout);
    }

    public AtCommand withData(byte[] bytes) {
        return new AtCommand(text, logText, replyPrefix, bareReply, bytes, timeout);
    }

    public AtCommand withTimeout(Duration t) {
        return new AtCommand(text, logText, replyPrefix, bareReply, data, t);
    }

    /** Shows {@code masked} in logs and errors: use for any command carrying a secret. */
    public AtCommand withLogText(String masked) {
        return new AtCommand(text, masked, replyPrefix, bareReply, data, timeout);
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
