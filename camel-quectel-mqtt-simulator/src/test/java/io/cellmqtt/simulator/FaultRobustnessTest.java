package io.cellmqtt.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellmqtt.simulator.fault.Faults;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Faults fired at random moments never hang the simulator nor leave a thread behind: a reboot under
 * a pending broker connect, many faults from two threads while commands and data phases run, then
 * {@code close()}.
 */
class FaultRobustnessTest {

    private static EmbeddedBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = new EmbeddedBroker();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /** Threads alive now, by id. */
    private static Set<Long> threadIds() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getId).collect(Collectors.toSet());
    }

    /** Waits until every thread not in {@code before} is gone, except the broker's own. */
    private static void awaitNoThreadLeft(Set<Long> before) {
        try {
            // polled on this thread: Awaitility's own poller thread would count as a new one
            await().atMost(Duration.ofSeconds(10)).pollInSameThread().until(() -> newThreads(before).isEmpty());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("threads left behind: " + newThreads(before), e);
        }
    }

    private static List<String> newThreads(Set<Long> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !before.contains(t.getId()))
                .map(Thread::getName)
                // Moquette (the broker, not the simulator) starts its Netty workers on demand; the JDK's
                // process reaper and JNA's cleaner are one-per-JVM threads started on first use
                .filter(n -> !n.startsWith("nioEventLoopGroup") && !n.startsWith("Session Executor")
                        && !n.equals("process reaper") && !n.equals("JNA Cleaner"))
                .toList();
    }

    /** Sends a command and waits (briefly) for any final result; under faults there may be none. */
    private static void tryCommand(FakeHost host, String cmd) {
        host.consume();
        host.send(cmd + "\r");
        try {
            await().atMost(Duration.ofMillis(150)).pollInterval(Duration.ofMillis(10))
                    .until(() -> host.fresh().contains("OK\r\n") || host.fresh().contains("ERROR\r\n")
                            || host.fresh().contains("> "));
        } catch (ConditionTimeoutException e) {
            // a hung, booting or unplugged modem answers nothing: that is the point
        }
    }

    @Test
    void aRebootUnderAPendingConnectAnswersNothingForItAndHangsNothing() throws Exception {
        Set<Long> before = threadIds();
        try (RawBroker silent = new RawBroker(c -> {
            c.expect(RawBroker.CONNECT);
            c.awaitClose(); // never a CONNACK
        })) {
            String hostPort = silent.url().substring("tcp://".length());
            // Quectel: QMTCONN waits for its CONNACK when the modem goes down
            try (SimulatedModem modem = SimulatedModem.bg95()) {
                FakeHost host = FakeHost.attachedTo(modem);
                host.command("ATE0");
                String[] hp = hostPort.split(":");
                assertThat(host.command("AT+QMTOPEN=0,\"" + hp[0] + "\"," + hp[1], "+QMTOPEN: 0,"))
                        .isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
                assertThat(host.command("AT+QMTCONN=0,\"pending\"")).isEqualTo("\r\nOK\r\n");
                modem.faults().reboot(Duration.ofMillis(100)).get(5, TimeUnit.SECONDS);
                assertThat(host.awaitFresh("APP RDY\r\n")).isEqualTo("\r\nRDY\r\n\r\nAPP RDY\r\n");
                host.consume();
                host.send("AT\r");
                assertThat(host.awaitFresh("OK\r\n")).isEqualTo("AT\r\r\nOK\r\n");
                assertThat(host.all()).doesNotContain("+QMTCONN: 0,");
            }
            // SIM7600: CMQTTCONNECT holds its reply until the broker answers; the reboot frees it
            try (SimulatedModem modem = SimulatedModem.of("sim7600")) {
                SimcomHost host = new SimcomHost(modem);
                assertThat(host.brokerCommand("AT+CMQTTSTART", "+CMQTTSTART")).isEqualTo("\r\nOK\r\n\r\n+CMQTTSTART: 0\r\n");
                assertThat(host.command("AT+CMQTTACCQ=0,\"pending\",0")).isEqualTo("\r\nOK\r\n");
                host.consume();
                host.send("AT+CMQTTCONNECT=0,\"" + silent.url() + "\",60,1\r");
                modem.faults().reboot(Duration.ofMillis(100)).get(5, TimeUnit.SECONDS);
                assertThat(host.awaitFresh("PB DONE\r\n")).isEqualTo("\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\nSMS DONE\r\n\r\nPB DONE\r\n");
                host.consume();
                host.send("AT\r");
                assertThat(host.awaitFresh("OK\r\n")).isEqualTo("AT\r\r\nOK\r\n");
                assertThat(host.all()).doesNotContain("+CMQTTCONNECT: 0,");
            }
        }
        awaitNoThreadLeft(before);
    }

    @Test
    void faultsAtRandomMomentsFromTwoThreadsThenCloseReleaseEverything() throws Exception {
        Set<Long> before = threadIds();
        SimulatedModem modem = SimulatedModem.bg95();
        java.nio.file.Path usbDir = java.nio.file.Path.of(modem.openUsbPort()).getParent();
        FakeHost host = FakeHost.attachedTo(modem); // attached last: the modem writes here until a replug
        host.command("ATE0");
        List<CompletableFuture<?>> timed = java.util.Collections.synchronizedList(new ArrayList<>());
        Faults faults = modem.faults();

        Runnable chaos = () -> {
            Random r = new Random(Thread.currentThread().getName().hashCode());
            for (int i = 0; i < 25; i++) {
                switch (r.nextInt(12)) {
                    case 0 -> timed.add(faults.reboot(Duration.ofMillis(20 + r.nextInt(100))));
                    case 1 -> timed.add(faults.usbLoss(Duration.ofMillis(20 + r.nextInt(100)), r.nextBoolean()));
                    case 2 -> timed.add(faults.silence(Duration.ofMillis(20 + r.nextInt(150))));
                    case 3 -> faults.dropConnection(r.nextInt(6));
                    case 4 -> faults.pingTimeout(r.nextInt(6));
                    case 5 -> faults.deactivatePdp();
                    case 6 -> faults.delayReplies(1 + r.nextInt(2), Duration.ofMillis(r.nextInt(100)));
                    case 7 -> faults.duplicateNextReply();
                    case 8 -> faults.garbage(new byte[] {'\r', 'x', (byte) r.nextInt(256), '\n'});
                    case 9 -> faults.truncatedUrc("+QMTSTAT: 0,1", r.nextInt(16));
                    case 10 -> faults.dropPrompts(1);
                    default -> faults.setWriteChunking(i, r.nextInt(4));
                }
            }
        };
        Thread f1 = new Thread(chaos, "chaos-1");
        Thread f2 = new Thread(chaos, "chaos-2");
        f1.start();
        f2.start();
        // meanwhile the host works: opens, connects, publishes with and without data phases
        for (int i = 0; i < 30; i++) {
            switch (i % 6) {
                case 0 -> tryCommand(host, "AT+QIACT=1");
                case 1 -> tryCommand(host, "AT+QMTOPEN=0,\"127.0.0.1\"," + broker.port());
                case 2 -> tryCommand(host, "AT+QMTCONN=0,\"chaos\"");
                case 3 -> {
                    tryCommand(host, "AT+QMTPUB=0," + (i + 1) + ",1,0,\"c/t\",4");
                    host.send("data");
                }
                case 4 -> tryCommand(host, "AT+QMTPUBEX=0," + (i + 1) + ",1,0,\"c/t\",\"x\"");
                default -> tryCommand(host, "AT+QMTCONN?");
            }
        }
        f1.join(10_000);
        f2.join(10_000);
        assertThat(f1.isAlive() || f2.isAlive()).as("fault injection returned").isFalse();
        CompletableFuture.allOf(timed.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

        Map<Faults.Kind, Long> counts = faults.counts();
        assertThat(counts.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(50);

        // the modem still answers, on a fresh host attachment
        modem.faults().setWriteChunking(0, 0);
        FakeHost after = FakeHost.attachedTo(modem);
        await().atMost(FakeHost.TIMEOUT).until(() -> {
            tryCommand(after, "AT");
            return after.fresh().contains("OK\r\n");
        });
        long t0 = System.nanoTime();
        modem.close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        awaitNoThreadLeft(before);
        assertThat(java.nio.file.Files.exists(usbDir)).as("the USB port's directory is removed").isFalse();
    }
}
