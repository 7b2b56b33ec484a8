package io.cellmqtt.simulator.physics;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the broker sends waits on the line for its half of the round trip. A broker that sends faster
 * than the line delivers (a flood of QoS 0 messages) must not grow it without bound: like TCP's
 * receive window, a full line stops the connection reading its socket, and reading starts again once
 * half of it crossed.
 */
class DelayLineTest {
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        loop.shutdownNow();
    }

    @Test
    void aFullReceivingLineStopsReadingUntilHalfOfItCrossed() {
        Network network = new Network();
        network.physics(Physics.usb(Duration.ofMillis(200)));
        DelayLine line = network.delayLine(loop);
        List<Boolean> reading = new CopyOnWriteArrayList<>();
        line.whenReceivingBackedUp(reading::add);
        AtomicInteger handled = new AtomicInteger();

        for (int i = 0; i < DelayLine.MAX_RECEIVING - 1; i++) {
            line.fromBroker(handled::incrementAndGet);
        }
        assertThat(reading).as("below the bound, reading goes on").isEmpty();
        line.fromBroker(handled::incrementAndGet);
        assertThat(reading).as("at the bound, reading stops").containsExactly(false);

        await().atMost(5, TimeUnit.SECONDS).until(() -> reading.size() == 2);
        assertThat(reading).containsExactly(false, true);
        await().atMost(5, TimeUnit.SECONDS).until(() -> handled.get() == DelayLine.MAX_RECEIVING);
        assertThat(reading).as("told once each way").containsExactly(false, true);
    }
}
