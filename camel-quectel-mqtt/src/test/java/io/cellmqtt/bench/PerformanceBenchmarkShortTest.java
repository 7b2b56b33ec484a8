package io.cellmqtt.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark's short form ({@code benchmarks/run.sh -Dbench.short=true}): a few messages per case,
 * USB with a 5 ms round trip and one quick 115200-baud case. It checks only that every case completes
 * with nothing lost and no exchange failed; the figures are the full run's business, on a quiet machine.
 */
class PerformanceBenchmarkShortTest {

    @Test
    void everyCaseCompletesWithNothingLost() throws Exception {
        PerformanceBenchmark.Report report = new PerformanceBenchmark(PerformanceBenchmark.Settings.quick()).run();

        assertThat(report.problems()).isEmpty();
        assertThat(report.publishes()).isNotEmpty().allSatisfy(p -> {
            assertThat(p.lost()).isZero();
            assertThat(p.failed()).isZero();
        });
    }
}
