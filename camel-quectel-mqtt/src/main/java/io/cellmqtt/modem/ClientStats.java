package io.cellmqtt.modem;

import java.time.Instant;

/**
 * What an MQTT client has done since it was created, for health checks and the dev console.
 *
 * @param state          its state now
 * @param since          when it entered that state
 * @param reason         why it is in that state
 * @param lastDisconnect why its last connection ended, or null if none ended yet
 * @param published      publishes asked of it
 * @param acknowledged   publishes that succeeded (QoS 1/2: the broker acknowledged them)
 * @param failed         publishes that failed (refused, timed out, interrupted, withdrawn)
 * @param received       messages it received for its subscribers
 * @param reconnects     times it connected again after a connection ended
 */
public record ClientStats(MqttClientState state, Instant since, String reason, String lastDisconnect, long published,
        long acknowledged, long failed, long received, long reconnects) {

    /** Publishes asked of it whose outcome is not known yet. */
    public long inFlight() {
        return Math.max(0, published - acknowledged - failed);
    }
}
