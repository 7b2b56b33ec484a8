package io.cellmqtt.modem;

import java.time.Instant;

/**
 * What an MQTT client has done since it was created, for health checks and the dev console.
 *
 * @param state              its state now
 * @param since              when it entered that state
 * @param reason             why it is in that state
 * @param lastDisconnect     why its last connection ended, or null if none ended yet
 * @param published          publishes asked of it
 * @param acknowledged       publishes that succeeded (QoS 1/2: the broker acknowledged them)
 * @param failed             publishes that failed (refused, timed out, interrupted, withdrawn, backed up)
 * @param received           messages the modem delivered to it, whether or not a subscriber took them
 * @param reconnects         times it connected again after a connection ended
 * @param rejectedPublishes  publishes refused because {@code maxPendingPublishes} already waited
 *                           ({@link ModemBackedUpException}); counted in {@code failed} too
 * @param droppedDeliveries  received messages dropped because {@code maxPendingDeliveries} already waited
 *                           for slow subscribers
 * @param unmatchedMessages  received messages whose topic matched none of its subscriptions (dropped)
 * @param pendingDeliveries  received messages waiting for slow subscribers now
 */
public record ClientStats(MqttClientState state, Instant since, String reason, String lastDisconnect, long published,
        long acknowledged, long failed, long received, long reconnects, long rejectedPublishes, long droppedDeliveries,
        long unmatchedMessages, int pendingDeliveries) {

    /** Without the bounds' counters (all zero). */
    public ClientStats(MqttClientState state, Instant since, String reason, String lastDisconnect, long published,
            long acknowledged, long failed, long received, long reconnects) {
        this(state, since, reason, lastDisconnect, published, acknowledged, failed, received, reconnects, 0, 0, 0, 0);
    }

    /** Publishes asked of it whose outcome is not known yet. */
    public long inFlight() {
        return Math.max(0, published - acknowledged - failed);
    }
}
