package io.cellmqtt.simulator.host;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the modem writes waits in one queue for the UART. A host that stops reading while the broker
 * floods the modem must not grow that queue without bound: past {@link HostOutput#MAX_QUEUED_BYTES}
 * what comes is lost and counted, as bytes a UART could not carry.
 */
class HostOutputBoundTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final CountDownLatch release = new CountDownLatch(1);
    private HostOutput output;

    @AfterEach
    void stop() {
        release.countDown();
        if (output != null) {
            output.close();
        }
        timer.shutdownNow();
    }

    @Test
    void aHostThatStopsReadingCostsAtMostTheBoundAndTheRestIsCounted() {
        output = new HostOutput(new PortGate(), timer);
        output.attach(new OutputStream() { // a host that stopped reading: the first write never returns
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        byte[] urc = new byte[1000];
        java.util.Arrays.fill(urc, (byte) 'x');
        int urcs = 2 * HostOutput.MAX_QUEUED_BYTES / urc.length;
        for (int i = 0; i < urcs; i++) {
            output.urc(urc);
        }
        assertThat(output.queuedBytes()).isLessThanOrEqualTo(HostOutput.MAX_QUEUED_BYTES);
        assertThat(output.queuedBytes() + output.droppedBytes())
                .as("every byte is queued, being written, or counted as lost")
                .isBetween((long) urcs * (urc.length + 4) - (urc.length + 4), (long) urcs * (urc.length + 4));
        assertThat(output.droppedBytes()).isGreaterThan(0);
    }
}
