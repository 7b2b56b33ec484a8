package io.cellmqtt.simulator.physics;

import java.time.Duration;

/**
 * The physical path of a simulated modem: the serial link to the host and the cellular network to
 * the broker. Off ({@link #NONE}) by default, for functional tests; benchmarks turn it on.
 *
 * @param baudRate  the UART's rate in bits per second, 10 bits per byte (start, 8 data, stop), in
 *                  both directions; 0 for no pacing (a USB CDC port, as fast as the host takes it)
 * @param roundTrip the network round trip each broker operation waits for: open, connect,
 *                  subscribe, a publish's acknowledgement (and a received message's delivery, one way
 *                  of it); zero for none
 * @param jitter    up to this much more, drawn uniformly per operation from {@code seed}
 * @param seed      the jitter's random seed
 */
public record Physics(int baudRate, Duration roundTrip, Duration jitter, long seed) {

    /** No pacing, no network delay: what functional tests use. */
    public static final Physics NONE = new Physics(0, Duration.ZERO, Duration.ZERO, 0);

    public Physics {
        if (baudRate < 0) {
            throw new IllegalArgumentException("baudRate must be 0 (no pacing) or positive: " + baudRate);
        }
        roundTrip = roundTrip == null ? Duration.ZERO : roundTrip;
        jitter = jitter == null ? Duration.ZERO : jitter;
        if (roundTrip.isNegative() || jitter.isNegative()) {
            throw new IllegalArgumentException("roundTrip and jitter must not be negative");
        }
    }

    /** A UART at {@code baudRate} and a network of {@code roundTrip}, without jitter. */
    public static Physics uart(int baudRate, Duration roundTrip) {
        return new Physics(baudRate, roundTrip, Duration.ZERO, 0);
    }

    /** A USB CDC port (no pacing) and a network of {@code roundTrip}, without jitter. */
    public static Physics usb(Duration roundTrip) {
        return new Physics(0, roundTrip, Duration.ZERO, 0);
    }

    public Physics withJitter(Duration upTo, long seed) {
        return new Physics(baudRate, roundTrip, upTo, seed);
    }

    /** Nanoseconds {@code bytes} take on the UART (10 bits each); 0 without pacing. */
    public long wireNanos(long bytes) {
        return baudRate == 0 ? 0 : bytes * 10L * 1_000_000_000L / baudRate;
    }
}
