package io.cellmqtt.simulator.quectel;

import io.cellmqtt.simulator.at.AtInterpreter;
import io.cellmqtt.simulator.at.ModemProfile;
import io.cellmqtt.simulator.broker.InboundMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one Quectel model's {@code AT+QMT*} command set can do, as its reference document shows
 * it: the one place where the simulated models differ. {@link QmtCommands} and
 * {@link MqttClientSlot} ask it instead of testing the model name.
 *
 * @param name            {@link ModemProfile#name()} of the model
 * @param configKeys      the {@code AT+QMTCFG} keys the model has, by our (lower-case) name, in the
 *                        order {@code AT+QMTCFG=?} lists them
 * @param keySpelling     how the model matches a key the host writes
 * @param queryNamesKey   whether a configuration query answers {@code +QMTCFG: "key",values} (BG95)
 *                        or just {@code +QMTCFG: values} (M95 document)
 * @param publishForms    the {@code AT+QMTPUB} forms the model accepts
 * @param pubex           whether {@code AT+QMTPUBEX} exists
 * @param maxPayload      the largest payload of any publish form; a Ctrl+Z data phase drops the
 *                        bytes beyond it
 * @param receive         how a received message is reported
 * @param inflightFull    the answer to a QoS&gt;0 publish while the in-flight window is full
 * @param quotedPort      whether {@code AT+QMTOPEN} takes the port quoted (M95 document 5.2)
 */
record QuectelModel(String name, List<String> configKeys, KeySpelling keySpelling, boolean queryNamesKey,
        Set<PublishForm> publishForms, boolean pubex, int maxPayload, ReceiveFormat receive, String inflightFull,
        boolean quotedPort) {

    /** How the model matches the {@code AT+QMTCFG} key the host writes. */
    enum KeySpelling {
        /** {@code "ssl"}, {@code "SSL"} and {@code "Ssl"} are the same key (BG95; BG96's document writes "SSL"). */
        ANY_CASE {
            @Override
            String spell(String key) {
                return key;
            }

            @Override
            Optional<String> canonical(String written) {
                return Optional.of(written.toLowerCase(Locale.ROOT));
            }
        },
        /** Only the upper-case spelling of the M95 document is a key; {@code "keepalive"} is not. */
        UPPER_EXACT {
            @Override
            String spell(String key) {
                return key.toUpperCase(Locale.ROOT);
            }

            @Override
            Optional<String> canonical(String written) {
                String lower = written.toLowerCase(Locale.ROOT);
                return written.equals(spell(lower)) ? Optional.of(lower) : Optional.empty();
            }
        };

        /** The model's spelling of a key. */
        abstract String spell(String key);

        /** Our name for the key the host wrote, if the spelling can name a key on this model. */
        abstract Optional<String> canonical(String written);
    }

    /** The shapes of {@code AT+QMTPUB}. */
    enum PublishForm {
        /** {@code AT+QMTPUB=idx,msgid,qos,retain,"topic",len}: prompt, exactly len bytes. */
        FIXED_LENGTH,
        /** {@code AT+QMTPUB=idx,msgid,qos,retain,"topic"}: prompt, bytes until Ctrl+Z; ESC cancels. */
        CTRL_Z,
        /** {@code AT+QMTPUB=idx,msgid,qos,retain,"topic","msg"}: the message on the command line (BC26). */
        INLINE_QUOTED
    }

    /** How {@code +QMTRECV} carries a received message. */
    enum ReceiveFormat {
        /**
         * {@code +QMTRECV: idx,msgid,"topic","payload"}, or with {@code recv/mode} 0,1
         * {@code +QMTRECV: idx,msgid,"topic",len,"payload"}: the BG95 application note, and the BC26
         * session of its document (which has no recv/mode, so never a length).
         */
        QUOTED {
            @Override
            byte[] line(int index, InboundMessage m, boolean withLength) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                ascii(b, "+QMTRECV: " + index + "," + m.msgId() + ",\"");
                b.writeBytes(m.topic().getBytes(StandardCharsets.UTF_8));
                ascii(b, "\",");
                if (withLength) {
                    ascii(b, m.payload().length + ",");
                }
                b.write('"');
                b.writeBytes(m.payload());
                b.write('"');
                return b.toByteArray();
            }
        },
        /**
         * {@code +QMTRECV: idx,msgid, "topic",payload}: a space before the quoted topic and the
         * payload unquoted to the end of the line, as the M95 document's example 5.1 prints it.
         */
        SPACED_UNQUOTED {
            @Override
            byte[] line(int index, InboundMessage m, boolean withLength) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                ascii(b, "+QMTRECV: " + index + "," + m.msgId() + ", \"");
                b.writeBytes(m.topic().getBytes(StandardCharsets.UTF_8));
                ascii(b, "\",");
                b.writeBytes(m.payload());
                return b.toByteArray();
            }
        };

        /** The URC line without its CR LF framing. */
        abstract byte[] line(int index, InboundMessage m, boolean withLength);

        private static void ascii(ByteArrayOutputStream b, String s) {
            b.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
        }
    }

    static final String ERROR = AtInterpreter.ERROR;
    /** M95 document table 5: more QoS&gt;0 packets than the in-flight window (5) holds. */
    static final String CME_INFLIGHT_FULL = "+CME ERROR: 8512";

    private static final List<String> BG95_KEYS = List.of("version", "pdpcid", "ssl", "keepalive", "session",
            "timeout", "will", "recv/mode", "aliauth");

    /** BG95, BG77 and BG600L: reference 004. */
    private static QuectelModel bg95Family(String name) {
        return new QuectelModel(name, BG95_KEYS, KeySpelling.ANY_CASE, true,
                EnumSet.of(PublishForm.FIXED_LENGTH, PublishForm.CTRL_Z), true, 4096, ReceiveFormat.QUOTED, ERROR,
                false);
    }

    private static final Map<String, QuectelModel> MODELS = Map.of(
            "bg95", bg95Family("bg95"),
            "bg77", bg95Family("bg77"),
            "bg600l", bg95Family("bg600l"),
            // reference 000: the BG95 set without QMTPUBEX; its document publishes in Ctrl+Z mode
            "bg96", new QuectelModel("bg96", BG95_KEYS, KeySpelling.ANY_CASE, true,
                    EnumSet.of(PublishForm.FIXED_LENGTH, PublishForm.CTRL_Z), false, 4096, ReceiveFormat.QUOTED,
                    ERROR, false),
            // reference 002: inline or Ctrl+Z publish, no TLS, no recv/mode, +QMTRECV without a length
            "bc26", new QuectelModel("bc26", List.of("version", "keepalive", "session", "timeout", "will"),
                    KeySpelling.ANY_CASE, true, EnumSet.of(PublishForm.CTRL_Z, PublishForm.INLINE_QUOTED), false,
                    1024, ReceiveFormat.QUOTED, ERROR, false),
            // reference 003: upper-case keys, Ctrl+Z only (1548 bytes), 8512 for a full window
            "m95", new QuectelModel("m95", List.of("will", "timeout", "session", "keepalive", "ssl"),
                    KeySpelling.UPPER_EXACT, false, EnumSet.of(PublishForm.CTRL_Z), false, 1548,
                    ReceiveFormat.SPACED_UNQUOTED, CME_INFLIGHT_FULL, true));

    QuectelModel {
        configKeys = List.copyOf(configKeys);
        publishForms = Set.copyOf(publishForms);
    }

    /** The Quectel model of a simulated identity. */
    static QuectelModel of(ModemProfile profile) {
        QuectelModel m = MODELS.get(profile.name());
        if (m == null) {
            throw new IllegalArgumentException(profile.name() + " has no Quectel MQTT command set");
        }
        return m;
    }

    /** Our name for the key the host wrote, if this model has that key in that spelling. */
    Optional<String> configKey(String written) {
        return keySpelling.canonical(written).filter(configKeys::contains);
    }

    /** The model's spelling of one of its keys. */
    String spell(String key) {
        return keySpelling.spell(key);
    }

    boolean publishes(PublishForm form) {
        return publishForms.contains(form);
    }

    /** {@code AT+QMTRECV} (reading the receive buffer) exists only where recv/mode can fill it. */
    boolean hasReceiveBuffer() {
        return configKeys.contains("recv/mode");
    }
}
