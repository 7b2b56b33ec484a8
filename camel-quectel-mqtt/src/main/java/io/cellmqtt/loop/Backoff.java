package io.cellmqtt.loop;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter and a cap: the first delay after a success is {@code first},
 * each further failure doubles it up to {@code max}, and each delay is shortened by up to 20 % at
 * random so that many gateways that lost the same network do not all come back at the same instant.
 * Not thread-safe: it lives on a modem's event loop.
 */
public final class Backoff {
    private final Duration first;
    private final Duration max;
    private final DoubleSupplier random;
    private int failures;

    public Backoff(Duration first, Duration max) {
        this(first, max, () -> ThreadLocalRandom.current().nextDouble());
    }

    Backoff(Duration first, Duration max, DoubleSupplier random) {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("backoff " + first + " up to " + max + ": the first delay must be positive"
                    + " and not above the maximum");
        }
        this.first = first;
        this.max = max;
        this.random = random;
    }

    /** The delay before the next attempt; counts one more failure. */
    public Duration next() {
        long base = first.toMillis() << Math.min(failures, 30);
        if (base <= 0 || base > max.toMillis()) {
            base = max.toMillis();
        }
        failures++;
        long jitter = (long) (base * 0.2 * random.getAsDouble());
        return Duration.ofMillis(Math.max(1, base - jitter));
    }

    /** Failures since the last {@link #reset()}. */
    public int failures() {
        return failures;
    }

    /** After a success: the next delay is {@code first} again. */
    public void reset() {
        failures = 0;
    }
}
