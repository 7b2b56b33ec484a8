package io.cellmqtt.simulator.physics;

import java.time.Duration;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A simulated modem's cellular network: the round trip (and jitter) of its {@link Physics}, applied
 * by a {@link DelayLine} in every broker connection, plus the older fixed result latency of
 * {@code SimulatedModem.setNetworkLatency}, which {@link #get()} still supplies to the client slots
 * and broker connections (each result that much later again).
 *
 * <p>The round trip is split in two one-way halves: what the modem sends reaches the broker half a
 * round trip later (no jitter), what the broker sends reaches the modem the other half later plus
 * jitter drawn uniformly from [0, jitter]; so each request and its answer are one round trip plus
 * up to the jitter apart, and a message the broker publishes arrives half a round trip (plus
 * jitter) after the broker sent it. A TCP connect takes one round trip plus jitter (the SYN and its
 * answer), a TLS handshake one more (as TLS 1.3's does); DNS is not delayed.
 */
public final class Network implements Supplier<Duration> {

    private volatile Duration latency = Duration.ZERO;
    private volatile Physics physics = Physics.NONE;
    private volatile Random random = new Random(0);

    /** From now on (connections opened earlier too): {@code p}'s round trip and jitter. */
    public void physics(Physics p) {
        Physics q = p == null ? Physics.NONE : p;
        random = new Random(q.seed());
        physics = q;
    }

    public Physics physics() {
        return physics;
    }

    /** The fixed delay before each broker result that {@code setNetworkLatency} sets (on top of the round trip). */
    public void latency(Duration d) {
        latency = d == null ? Duration.ZERO : d;
    }

    /** The fixed result latency (not the round trip): what the client slots delay their results by. */
    @Override
    public Duration get() {
        return latency;
    }

    /** True when there is a round trip or jitter to apply. */
    public boolean delays() {
        Physics p = physics;
        return !p.roundTrip().isZero() || !p.jitter().isZero();
    }

    /** A jitter drawn uniformly from [0, jitter], in nanoseconds. */
    long jitterNanos() {
        long j = physics.jitter().toNanos();
        return j <= 0 ? 0 : random.nextLong(j + 1);
    }

    /** How long the modem's bytes take to the broker: half the round trip. */
    long outboundNanos() {
        return physics.roundTrip().toNanos() / 2;
    }

    /** How long the broker's bytes take to the modem: the other half of the round trip, plus jitter. */
    long inboundNanos() {
        long rtt = physics.roundTrip().toNanos();
        return rtt - rtt / 2 + jitterNanos();
    }

    /** A TCP connect's round trip, plus jitter: when the modem learns the connection is up. */
    public long connectNanos() {
        return physics.roundTrip().toNanos() + jitterNanos();
    }

    /** A new delay line for one connection, its delays timed on {@code loop}. */
    public DelayLine delayLine(java.util.concurrent.ScheduledExecutorService loop) {
        return new DelayLine(this, loop);
    }
}
