package io.cellmqtt.loop;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest {

    @Test
    void doublesUpToTheCapWithoutJitter() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), () -> 0.0);
        assertThat(b.next()).isEqualTo(Duration.ofMillis(100));
        assertThat(b.next()).isEqualTo(Duration.ofMillis(200));
        assertThat(b.next()).isEqualTo(Duration.ofMillis(400));
        assertThat(b.next()).isEqualTo(Duration.ofMillis(800));
        assertThat(b.next()).isEqualTo(Duration.ofMillis(1000));
        assertThat(b.next()).isEqualTo(Duration.ofMillis(1000));
        assertThat(b.failures()).isEqualTo(6);
    }

    @Test
    void jitterShortensByAtMostAFifth() {
        Backoff b = new Backoff(Duration.ofMillis(1000), Duration.ofMillis(1000), () -> 0.999);
        assertThat(b.next()).isBetween(Duration.ofMillis(800), Duration.ofMillis(1000));
        Backoff real = new Backoff(Duration.ofMillis(1000), Duration.ofMillis(1000));
        for (int i = 0; i < 1000; i++) {
            assertThat(real.next()).isBetween(Duration.ofMillis(800), Duration.ofMillis(1000));
        }
    }

    @Test
    void aSuccessStartsOverAndManyFailuresNeverOverflow() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(60), () -> 0.0);
        for (int i = 0; i < 200; i++) {
            assertThat(b.next()).isBetween(Duration.ofMillis(100), Duration.ofSeconds(60));
        }
        b.reset();
        assertThat(b.next()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void aNonsensicalRangeIsRefused() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
