package io.cellmqtt.modem;

import io.cellmqtt.at.AtEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Puts a SIMCom received message back together from its URCs, per client index:
 * <pre>
 * +CMQTTRXSTART: idx,topic_total,payload_total
 * +CMQTTRXTOPIC: idx,n      + n topic bytes       (one or more)
 * +CMQTTRXPAYLOAD: idx,n    + n payload bytes     (zero or more; or +CMQTTRCPAYLOAD)
 * +CMQTTRXEND: idx
 * </pre>
 * A message is delivered only whole: at {@code +CMQTTRXEND}, with exactly the announced numbers
 * of topic and payload bytes. Anything else (a piece without a start, more bytes than announced,
 * payload before the topic is complete, an end with bytes missing, a piece that was not framed by
 * length) drops the message of that index and is logged; it is never delivered in part. A new
 * {@code +CMQTTRXSTART} drops an unfinished message of the same index. Not thread-safe: fed by
 * the channel's reader thread; {@link #reset} may be called from elsewhere under the caller's lock.
 */
final class SimcomReceiver {
    private static final Logger LOG = LoggerFactory.getLogger(SimcomReceiver.class);
    static final String START = "+CMQTTRXSTART:";
    static final String TOPIC = "+CMQTTRXTOPIC:";
    static final String PAYLOAD = "+CMQTTRXPAYLOAD:";
    static final String PAYLOAD_AS_IN_GUIDE = "+CMQTTRCPAYLOAD:";
    static final String END = "+CMQTTRXEND:";

    private final int maxTopic;
    private final int maxPayload;
    private final Map<Integer, Assembly> assemblies = new HashMap<>();

    /**
     * @param maxTopic   the longest topic a start line may announce (the model's topic limit)
     * @param maxPayload the longest payload a start line may announce (the model's payload limit)
     */
    SimcomReceiver(int maxTopic, int maxPayload) {
        this.maxTopic = maxTopic;
        this.maxPayload = maxPayload;
    }

    private static final class Assembly {
        final int topicTotal;
        final int payloadTotal;
        final ByteArrayOutputStream topic;
        final ByteArrayOutputStream payload;

        Assembly(int topicTotal, int payloadTotal) {
            this.topicTotal = topicTotal;
            this.payloadTotal = payloadTotal;
            this.topic = new ByteArrayOutputStream(Math.min(topicTotal, 1024));
            this.payload = new ByteArrayOutputStream(Math.min(payloadTotal, 16 * 1024));
        }
    }

    /**
     * Feeds one receive URC; returns the message it completed, or null.
     *
     * @param event a line or framed block whose text starts with one of this class's prefixes
     */
    synchronized ReceivedMessage accept(AtEvent event) {
        String text = event instanceof AtEvent.Framed f ? f.header() : ((AtEvent.Line) event).text();
        int[] fields = UrcFields.ints(text);
        if (fields.length < 1 || fields[0] < 0) {
            LOG.warn("receive URC without a client index dropped: {}", text);
            return null;
        }
        int idx = fields[0];
        if (text.startsWith(START)) {
            return start(idx, fields, text);
        }
        if (text.startsWith(END)) {
            return end(idx);
        }
        if (!(event instanceof AtEvent.Framed framed)) {
            return malformed(idx, text + " was not followed by its bytes");
        }
        Assembly a = assemblies.get(idx);
        if (a == null) {
            LOG.warn("client {}: {} without +CMQTTRXSTART dropped", idx, text);
            return null;
        }
        byte[] bytes = framed.payload();
        if (text.startsWith(TOPIC)) {
            if (a.payload.size() > 0 || a.topic.size() + bytes.length > a.topicTotal) {
                return malformed(idx, "topic bytes beyond the " + a.topicTotal + " announced, or after payload");
            }
            a.topic.writeBytes(bytes);
            return null;
        }
        // +CMQTTRXPAYLOAD / +CMQTTRCPAYLOAD
        if (a.topic.size() != a.topicTotal) {
            return malformed(idx, "payload before the whole topic (" + a.topic.size() + " of " + a.topicTotal
                    + " bytes)");
        }
        if (a.payload.size() + bytes.length > a.payloadTotal) {
            return malformed(idx, "payload bytes beyond the " + a.payloadTotal + " announced");
        }
        a.payload.writeBytes(bytes);
        return null;
    }

    private ReceivedMessage start(int idx, int[] fields, String text) {
        if (fields.length < 3 || fields[1] < 1 || fields[1] > maxTopic || fields[2] < 0
                || fields[2] > maxPayload) {
            assemblies.remove(idx);
            LOG.warn("client {}: malformed {} (message dropped)", idx, text);
            return null;
        }
        if (assemblies.containsKey(idx)) {
            LOG.warn("client {}: a new message started before the previous one ended (previous dropped)", idx);
        }
        assemblies.put(idx, new Assembly(fields[1], fields[2]));
        return null;
    }

    private ReceivedMessage end(int idx) {
        Assembly a = assemblies.remove(idx);
        if (a == null) {
            LOG.warn("client {}: +CMQTTRXEND without +CMQTTRXSTART dropped", idx);
            return null;
        }
        if (a.topic.size() != a.topicTotal || a.payload.size() != a.payloadTotal) {
            LOG.warn("client {}: message ended with {} of {} topic bytes and {} of {} payload bytes (dropped)", idx,
                    a.topic.size(), a.topicTotal, a.payload.size(), a.payloadTotal);
            return null;
        }
        // The modem does not report the packet id of a received message.
        return new ReceivedMessage(idx, 0, a.topic.toString(StandardCharsets.UTF_8), a.payload.toByteArray());
    }

    private ReceivedMessage malformed(int idx, String why) {
        assemblies.remove(idx);
        LOG.warn("client {}: malformed received message dropped: {}", idx, why);
        return null;
    }

    /** Drops an unfinished message of {@code idx} (its connection is gone). */
    synchronized void reset(int idx) {
        if (assemblies.remove(idx) != null) {
            LOG.debug("client {}: unfinished received message dropped", idx);
        }
    }

    synchronized void resetAll() {
        assemblies.clear();
    }
}
