package io.cellmqtt.e2e;

import io.cellmqtt.simulator.fault.Faults;
import org.apache.camel.Exchange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

/**
 * Chaos, for each dialect (BG95: {@code AT+QMT*}, SIM7600: {@code AT+CMQTT*}), on loopback only,
 * bounded in time: one simulated modem behind its USB port, a recording Moquette, and
 * ({@link FaultRig}) a route publishing a numbered QoS 1 sequence and another a numbered QoS 0
 * sequence on one modem client (publishTimeout 5 s; a failed exchange is recorded as failed by the
 * route's error handler and not redelivered), a consumer route on another client of the same modem
 * taking the commands an independent Paho client publishes, while every fault the simulator knows
 * (and real broker restarts) fires at random moments from a seeded {@link Random}.
 *
 * <p>What reached the broker is known independently twice: a Paho subscriber (a broker restart
 * disconnects it; a new one takes over), and the broker's own record of every PUBLISH it accepted,
 * kept in test memory across restarts ({@link RecordingMoquette}). When the faults stop the test
 * asserts: every number acknowledged to the QoS 1 route reached the broker (none lost); no QoS 0
 * number reached it twice; nothing reached it or the consumer that was never published; every
 * exchange ended; both health checks are UP again; a publish of each QoS and a command get
 * through; and, once Camel is stopped and the simulator closed, no thread of the modem is left and
 * the live threads and the heap are back to where they started (see {@link #HEAP_TOLERANCE}).
 * Figures are printed to stdout, one block per dialect.
 *
 * <p>Faults fire during the first three quarters of the run (the last quarter, at most 10 s, keeps the
 * traffic without new faults, so that what a fault armed for the commands to come is used up).
 * Short form (in {@code mvn verify}): a 40 s run per dialect. Long form:
 * <pre>
 * mvn -B -pl camel-quectel-mqtt test -Dtest=ChaosTest -Dchaos.duration=PT30M
 * </pre>
 * Options: {@code -Dchaos.duration=<ISO-8601 duration of the run>} (default PT40S),
 * {@code -Dchaos.seed=<long>} to replay a run (default: from the clock, printed),
 * {@code -Dchaos.models=bg95,sim7600} (default both).
 */
class ChaosTest {
    static final Duration DURATION = Duration.parse(System.getProperty("chaos.duration", "PT40S"));
    static final long PUBLISH_TIMEOUT_MS = 5_000;
    /**
     * How much more heap may be in use after the run than before, both measured after
     * {@code System.gc()} with nothing of the run referenced by the test (records dropped, the run's
     * threads gone, Camel's static hold on its last context moved to an empty context): 4 MiB. What
     * stays is what the JVM and the libraries keep once used (JIT-compiled code's constant pools,
     * reflection and type-converter caches, interned strings): about 0.5 MiB after a 40 s run as
     * after a 3-minute one. A leak of the component's state per message, per fault or per reconnect
     * grows with the run: at 100 bytes per message the long form (tens of thousands of messages)
     * passes 4 MiB.
     */
    static final long HEAP_TOLERANCE = 4L << 20;

    static Stream<String> models() {
        return Stream.of(System.getProperty("chaos.models", "bg95,sim7600").split(",")).map(String::trim);
    }

    /** A fault as the chaos injects it. */
    enum Fault {
        DROP, PING_TIMEOUT, PDP_LOSS, REBOOT, USB_LOSS, USB_LOSS_REBOOT, BROKER_RESTART, SILENCE, DELAYED_REPLIES,
        DOUBLED_REPLY, GARBAGE, TORN_URC, LOST_PROMPT, ONE_BYTE_WRITES
    }

    /** One injected fault: when it began, and when the world was healthy again as far as the fault goes. */
    static final class Injected {
        final Fault fault;
        final long start;
        volatile long end;

        Injected(Fault fault, long start) {
            this.fault = fault;
            this.start = start;
            this.end = start;
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void chaos(String model) {
        assertTimeoutPreemptively(DURATION.plusMinutes(5), () -> new Run(model).run());
    }

    /** One dialect's run. */
    static final class Run {
        final String model;
        final long seed;
        final Random random;
        final RecordingMoquette broker;
        final List<Injected> injected = Collections.synchronizedList(new ArrayList<>());
        final Map<Fault, AtomicInteger> skipped = new EnumMap<>(Fault.class);
        final ConcurrentLinkedQueue<String> commandsPublished = new ConcurrentLinkedQueue<>();
        final AtomicInteger commandsNotPublished = new AtomicInteger();
        final AtomicInteger[] sent = {new AtomicInteger(), new AtomicInteger()};
        final Map<Integer, CompletableFuture<Exchange>> outstanding = new ConcurrentHashMap<>();
        final Set<CompletableFuture<?>> timedFaults = ConcurrentHashMap.newKeySet();
        FaultRig rig;
        Map<Faults.Kind, Long> faultCounts = Map.of();
        volatile boolean chunking;
        long firstFault;
        volatile boolean brokerDown;
        volatile CompletableFuture<?> usbAway = CompletableFuture.completedFuture(null);
        volatile CompletableFuture<Void> brokerBack = CompletableFuture.completedFuture(null);

        Run(String model) throws Exception {
            this.model = model;
            long base = Long.getLong("chaos.seed", System.nanoTime());
            this.seed = base ^ model.hashCode();
            this.random = new Random(seed);
            this.broker = new RecordingMoquette();
            for (Fault f : Fault.values()) {
                skipped.put(f, new AtomicInteger());
            }
            System.out.println("chaos " + model + ": seed " + seed + " (chaos.seed=" + base + "), " + DURATION + " of faults");
        }

        void run() throws Exception {
            // Warm up what the JVM keeps for good once used (classes, Camel's and Moquette's statics), so
            // that before and after compare the run, not the first use of the libraries.
            onAThreadOfItsOwn(() -> {
                broker.start();
                try (FaultRig warm = new FaultRig(model, broker, PUBLISH_TIMEOUT_MS).start()) {
                    for (int n = 1; n <= 5; n++) {
                        warm.sendAndWait(1, n);
                        warm.sendAndWait(0, n);
                    }
                }
                broker.stop();
                return null;
            });
            broker.forget();
            onAThreadOfItsOwn(Run::replaceTheContextCamelKeeps);
            Snapshot.awaitRunThreadsGone();
            Snapshot before = Snapshot.take();

            List<AssertionError> failures = new ArrayList<>();
            long[] modemThreads = {-1, -1};
            Figures figures = onAThreadOfItsOwn(() -> {
                broker.start();
                try {
                    rig = new FaultRig(model, broker, PUBLISH_TIMEOUT_MS).start();
                    modemThreads[0] = rig.modemThreads();
                    return chaos(modemThreads[0], failures);
                } finally {
                    if (rig != null) {
                        rig.close();
                        broker.stop();
                        Snapshot.awaitRunThreadsGone();
                        modemThreads[1] = rig.modemThreads();
                        rig = null;
                    }
                    broker.stop();
                }
            });
            // Drop what the test held of the run; compare.
            broker.forget();
            outstanding.clear();
            commandsPublished.clear();
            injected.clear();
            timedFaults.clear();
            usbAway = CompletableFuture.completedFuture(null); // the simulator's future, and what hangs on it
            brokerBack = CompletableFuture.completedFuture(null);
            Snapshot.awaitRunThreadsGone();
            onAThreadOfItsOwn(Run::replaceTheContextCamelKeeps);
            Snapshot after = Snapshot.take();
            figures.modemThreadsAfter = modemThreads[1];
            figures.before = before;
            figures.after = after;
            System.out.println(figures.print());
            if (after.heap() > before.heap() + HEAP_TOLERANCE) {
                System.out.println("chaos " + model + ": what the heap holds after the run\n" + Snapshot.histogram(30));
            }
            check(failures, () -> assertThat(modemThreads[0])
                    .as("threads of the modem while it ran (event loop, port reader)").isEqualTo(2));
            check(failures, () -> assertThat(modemThreads[1]).as("threads of the modem after Camel stopped").isZero());
            check(failures, () -> assertThat(after.threads()).as("live threads after: " + after.names()
                    + "; before: " + before.names()).isLessThanOrEqualTo(before.threads()));
            check(failures, () -> assertThat(after.heap()).as("heap in use after the run (bytes), before: "
                    + before.heap()).isLessThanOrEqualTo(before.heap() + HEAP_TOLERANCE));
            if (!failures.isEmpty()) {
                AssertionError all = new AssertionError(failures.size() + " chaos check(s) failed for " + model
                        + " (seed " + seed + "): " + failures.stream().map(Throwable::getMessage).toList());
                failures.forEach(all::addSuppressed);
                throw all;
            }
        }

        /**
         * Camel keeps the last context that started its simple language in a static
         * ({@code SimpleLanguage.SIMPLE}), closed or not, and with it that context's routes, which here
         * hold the whole run (the rig and its records): found with a heap dump, the only path from a GC
         * root to the run after it ended. An empty context that starts the language takes its place,
         * before the baseline and before the measure alike, so both hold the same small context.
         */
        private static Void replaceTheContextCamelKeeps() throws Exception {
            try (org.apache.camel.impl.DefaultCamelContext empty = new org.apache.camel.impl.DefaultCamelContext()) {
                empty.start();
                empty.resolveLanguage("simple");
            }
            return null;
        }

        /**
         * Runs {@code work} on a thread that ends with it. What drives Camel leaves thread-locals behind
         * (its reactive executor's worker, which holds the context): on a thread that lives on, they
         * would keep the whole closed context, and the run with it, reachable when the heap is measured.
         */
        private static <T> T onAThreadOfItsOwn(java.util.concurrent.Callable<T> work) throws Exception {
            java.util.concurrent.ExecutorService one = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "chaos-run");
                t.setDaemon(true);
                return t;
            });
            try {
                return one.submit(work).get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof Exception x) {
                    throw x;
                }
                if (e.getCause() instanceof Error x) {
                    throw x;
                }
                throw e;
            } finally {
                one.shutdown();
                assertThat(one.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            }
        }

        private static void check(List<AssertionError> failures, Runnable assertion) {
            try {
                assertion.run();
            } catch (AssertionError e) {
                failures.add(e);
            }
        }

        /** Traffic and faults for the run's duration, then the checks that the route is not stuck and nothing was lost. */
        private Figures chaos(long modemThreadsDuring, List<AssertionError> failures) throws Exception {
            ScheduledExecutorService drivers = Executors.newScheduledThreadPool(3, r -> {
                Thread t = new Thread(r, "chaos-driver");
                t.setDaemon(true);
                return t;
            });
            ScheduledExecutorService faults = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "chaos-faults");
                t.setDaemon(true);
                return t;
            });
            long started = System.nanoTime();
            long deadline = started + DURATION.toNanos();
            // The last quarter (at most 10 s) has traffic but no new fault: what a fault armed for the
            // commands to come (late or doubled replies, a lost prompt) is used up by then, and the final
            // checks see the component, not a fault still waiting for its command.
            long faultsUntil = deadline - Math.min(DURATION.toNanos() / 4, Duration.ofSeconds(10).toNanos());
            Semaphore q1Window = new Semaphore(8);
            Semaphore q0Window = new Semaphore(4);
            AtomicInteger next1 = new AtomicInteger();
            AtomicInteger next0 = new AtomicInteger();
            AtomicInteger nextCommand = new AtomicInteger();
            List<Fault> deck = new ArrayList<>();
            CompletableFuture<Void> faultsOver = new CompletableFuture<>();
            try {
                drivers.scheduleWithFixedDelay(() -> drive(1, q1Window, next1), 0, 20, TimeUnit.MILLISECONDS);
                drivers.scheduleWithFixedDelay(() -> drive(0, q0Window, next0), 5, 20, TimeUnit.MILLISECONDS);
                drivers.scheduleWithFixedDelay(() -> command(nextCommand.incrementAndGet()), 100, 250,
                        TimeUnit.MILLISECONDS);
                faults.schedule(() -> nextFault(faults, deck, faultsUntil, faultsOver), 1000 + random.nextInt(1000),
                        TimeUnit.MILLISECONDS);
                faultsOver.get(DURATION.toMillis() + 60_000, TimeUnit.MILLISECONDS);
                faultCounts = rig.modem.faults().counts();
                await("the end of the run").pollInSameThread().atMost(DURATION.plusSeconds(5))
                        .pollInterval(Duration.ofMillis(100)).until(() -> System.nanoTime() >= deadline);
            } finally {
                shutdown(drivers);
                shutdown(faults);
            }
            long faultsStopped = System.nanoTime();
            // What still runs ends: the broker comes back, a silence, a reboot, a USB port away end.
            restartBrokerIfDown();
            CompletableFuture.allOf(timedFaults.toArray(CompletableFuture[]::new)).handle((v, e) -> null)
                    .get(30, TimeUnit.SECONDS);
            if (chunking) {
                rig.modem.faults().setWriteChunking(0, 0);
            }
            rig.modem.faults().delayReplies(0, Duration.ZERO); // disarms what no command used

            // No route is stuck: every exchange ends, both checks are UP, and the next of each gets through.
            await("every exchange ended").atMost(Duration.ofMillis(PUBLISH_TIMEOUT_MS + 20_000))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> outstanding.values().stream().allMatch(CompletableFuture::isDone));
            rig.health.awaitAllUp(Duration.ofSeconds(60));
            long recoveredAt = System.nanoTime();
            FaultRig.Outcome last1 = rig.sendAndWait(1, next1.incrementAndGet());
            FaultRig.Outcome last0 = rig.sendAndWait(0, next0.incrementAndGet());
            sent[1].incrementAndGet();
            sent[0].incrementAndGet();
            check(failures, () -> assertThat(last1.failure()).as("the QoS 1 publish after the faults").isNull());
            check(failures, () -> assertThat(last0.failure()).as("the QoS 0 publish after the faults").isNull());
            String finalCommand = "final-" + model;
            commandsPublished.add(rig.cmdTopic + "/" + finalCommand + "=" + finalCommand);
            check(failures, () -> {
                try {
                    rig.commandReachesConsumer(finalCommand);
                } catch (Exception e) {
                    throw new AssertionError("the command after the faults: " + e, e);
                }
            });
            check(failures, () -> assertThat(rig.outcomes).as("an outcome for every exchange")
                    .hasSize(sent[0].get() + sent[1].get()));
            check(failures, rig::assertDelivery);
            Set<String> published = new TreeSet<>(commandsPublished);
            check(failures, () -> assertThat(rig.unexpectedCommands(published)).as("commands nobody published")
                    .isEmpty());
            return figures(started, faultsStopped, recoveredAt, modemThreadsDuring);
        }

        // ------------------------------------------------------------------ traffic

        private void drive(int qos, Semaphore window, AtomicInteger next) {
            if (!window.tryAcquire()) {
                return;
            }
            int n = next.incrementAndGet();
            sent[qos].incrementAndGet();
            CompletableFuture<Exchange> f = rig.send(qos, n);
            outstanding.put(qos == 1 ? n : -n, f); // keys: QoS 1 numbers, QoS 0 numbers negated
            f.whenComplete((e, x) -> {
                window.release();
                outstanding.remove(qos == 1 ? n : -n);
            });
        }

        private void command(int n) {
            String text = "c-" + n;
            String topic = rig.cmdTopic + "/" + text;
            try {
                rig.checker().publish(topic, text.getBytes(StandardCharsets.UTF_8), 1, false);
                commandsPublished.add(topic + "=" + text);
            } catch (Exception e) {
                // the broker is restarting: the command was not published (it may still have reached it,
                // so it counts as published for the "nothing forged" check)
                commandsPublished.add(topic + "=" + text);
                commandsNotPublished.incrementAndGet();
            }
        }

        // ------------------------------------------------------------------ faults

        private void nextFault(ScheduledExecutorService faults, List<Fault> deck, long deadline,
                CompletableFuture<Void> over) {
            try {
                if (System.nanoTime() >= deadline) {
                    over.complete(null);
                    return;
                }
                if (deck.isEmpty()) {
                    deck.addAll(List.of(Fault.values()));
                    Collections.shuffle(deck, random);
                }
                inject(faults, deck.remove(0));
                faults.schedule(() -> nextFault(faults, deck, deadline, over), 300 + random.nextInt(2700),
                        TimeUnit.MILLISECONDS);
            } catch (Throwable t) {
                over.completeExceptionally(t);
            }
        }

        private void inject(ScheduledExecutorService faults, Fault fault) throws Exception {
            Faults f = rig.modem.faults();
            Injected i = new Injected(fault, System.nanoTime());
            if (firstFault == 0) {
                firstFault = i.start;
            }
            String detail = "";
            switch (fault) {
                case DROP -> {
                    int idx = random.nextInt(2);
                    detail = " client " + idx;
                    f.dropConnection(idx);
                }
                case PING_TIMEOUT -> {
                    int idx = random.nextInt(2);
                    detail = " client " + idx;
                    f.pingTimeout(idx);
                }
                case PDP_LOSS -> f.deactivatePdp();
                case REBOOT -> timed(i, f.reboot(Duration.ofMillis(200 + random.nextInt(1300))));
                case USB_LOSS, USB_LOSS_REBOOT -> {
                    if (!usbAway.isDone()) {
                        skipped.get(fault).incrementAndGet();
                        return;
                    }
                    usbAway = f.usbLoss(Duration.ofMillis(200 + random.nextInt(1300)), fault == Fault.USB_LOSS_REBOOT);
                    timed(i, usbAway);
                }
                case BROKER_RESTART -> {
                    if (brokerDown) {
                        skipped.get(fault).incrementAndGet();
                        return;
                    }
                    brokerDown = true;
                    rig.stopBroker();
                    CompletableFuture<Void> back = new CompletableFuture<>();
                    brokerBack = back;
                    timed(i, back);
                    faults.schedule(() -> {
                        try {
                            restartBrokerIfDown();
                        } catch (Exception e) {
                            back.completeExceptionally(e);
                        }
                    }, 200 + random.nextInt(1800), TimeUnit.MILLISECONDS);
                }
                case SILENCE -> timed(i, f.silence(Duration.ofMillis(500 + random.nextInt(8500))));
                case DELAYED_REPLIES -> f.delayReplies(1 + random.nextInt(3), Duration.ofMillis(500 + random.nextInt(6500)));
                case DOUBLED_REPLY -> f.duplicateNextReply();
                case GARBAGE -> f.garbage(garbage());
                case TORN_URC -> {
                    String urc = tornCandidates().get(random.nextInt(tornCandidates().size()));
                    // strictly torn: at least the last character of the URC is cut (2 + length - 1)
                    int keep = 2 + random.nextInt(urc.length());
                    detail = " " + urc + " kept " + keep;
                    f.truncatedUrc(urc, keep);
                }
                case LOST_PROMPT -> f.dropPrompts(1 + random.nextInt(2));
                case ONE_BYTE_WRITES -> {
                    chunking = !chunking;
                    f.setWriteChunking(chunking ? random.nextLong() : 0, chunking ? 1 + random.nextInt(4) : 0);
                }
            }
            injected.add(i);
            System.out.println("chaos " + model + ": " + fault + detail + " at +" + (i.start - firstFault) / 1_000_000 + " ms");
        }

        private void timed(Injected i, CompletableFuture<?> over) {
            timedFaults.add(over);
            over.whenComplete((v, e) -> {
                i.end = System.nanoTime();
                timedFaults.remove(over);
            });
        }

        private synchronized void restartBrokerIfDown() throws Exception {
            if (!broker.running()) {
                broker.start();
                rig.newChecker();
            }
            brokerDown = false;
            brokerBack.complete(null);
        }

        private byte[] garbage() {
            byte[] b = new byte[1 + random.nextInt(24)];
            random.nextBytes(b);
            for (int k = 0; k < b.length; k++) {
                // Line noise, not a forged answer: no line end, no prompt ('>' cannot start a line then).
                if (b[k] == '\r' || b[k] == '\n' || b[k] == '>') {
                    b[k] = '~';
                }
            }
            return b;
        }

        /** URCs whose every strict prefix is no valid URC (a torn one must not be a forged one). */
        private List<String> tornCandidates() {
            String topic = rig.cmdTopic + "/torn";
            if (model.equals("sim7600")) {
                return List.of("+CMQTTRXSTART: 1," + topic.length() + ",5", "+CMQTTRXTOPIC: 1," + topic.length(),
                        "+CMQTTCONNLOST: 0,1", "+CMQTTPUB: 0,0");
            }
            return List.of("+QMTRECV: 1,0,\"" + topic + "\",5,\"torn!\"", "+QMTSTAT: 0,1", "+QMTSTAT: 1,1",
                    "+QMTPUB: 0,0,0");
        }

        // ------------------------------------------------------------------ figures

        private Figures figures(long started, long faultsStopped, long recoveredAt, long modemThreadsDuring) {
            Figures g = new Figures();
            g.model = model;
            g.seed = seed;
            g.duration = Duration.ofNanos(faultsStopped - started);
            g.untilUp = Duration.ofNanos(recoveredAt - faultsStopped);
            for (int q = 0; q <= 1; q++) {
                g.published[q] = sent[q].get();
                g.acknowledged[q] = rig.acknowledged(q).size();
                g.failed[q] = rig.failed(q).size();
            }
            Map<String, Integer> causes = new TreeMap<>();
            rig.outcomes.values().stream().filter(o -> !o.acknowledged()).forEach(o -> causes.merge(
                    o.qos() + ":" + o.failure().getClass().getSimpleName(), 1, Integer::sum));
            g.failureCauses = causes;
            Map<String, Long> kinds = new TreeMap<>();
            faultCounts.forEach((k, v) -> kinds.put(k.name(), v));
            kinds.put("BROKER_RESTART", injected.stream().filter(i -> i.fault == Fault.BROKER_RESTART).count());
            g.faultCounts = kinds;
            Map<Fault, Long> byFault = new EnumMap<>(Fault.class);
            injected.forEach(i -> byFault.merge(i.fault, 1L, Long::sum));
            g.injected = byFault;
            g.skipped = skipped.entrySet().stream().filter(e -> e.getValue().get() > 0)
                    .collect(Collectors.toMap(e -> e.getKey().name(), e -> e.getValue().get(), (a, b) -> a, TreeMap::new));
            Map<Integer, Integer> at1 = rig.atBroker(1);
            Map<Integer, Integer> at0 = rig.atBroker(0);
            Set<Integer> acked1 = rig.acknowledged(1);
            g.lost = acked1.stream().filter(n -> !at1.containsKey(n)).count();
            g.duplicateNumbers1 = at1.values().stream().filter(c -> c > 1).count();
            g.extraCopies1 = at1.values().stream().mapToLong(c -> c - 1).sum();
            g.duplicateNumbers0 = at0.values().stream().filter(c -> c > 1).count();
            g.failedButArrived1 = rig.failed(1).stream().filter(at1::containsKey).count();
            g.q0AckedNotAtBroker = rig.acknowledged(0).stream().filter(n -> !at0.containsKey(n)).count();
            g.commandsPublished = commandsPublished.size() - commandsNotPublished.get();
            g.commandsReceived = rig.commands.size();
            // Time to recover: from the end of each fault to the first acknowledgement of a QoS 1
            // publish sent after it.
            List<FaultRig.Outcome> acks = rig.outcomes.values().stream()
                    .filter(o -> o.qos() == 1 && o.acknowledged()).sorted((a, b) -> Long.compare(a.doneNanos(), b.doneNanos()))
                    .toList();
            long worst = -1;
            Fault worstFault = null;
            List<Long> all = new ArrayList<>();
            for (Injected i : new ArrayList<>(injected)) {
                long end = i.end;
                FaultRig.Outcome first = acks.stream().filter(o -> o.sentNanos() >= end).findFirst().orElse(null);
                if (first == null) {
                    continue;
                }
                long t = first.doneNanos() - end;
                all.add(t);
                if (t > worst) {
                    worst = t;
                    worstFault = i.fault;
                }
            }
            Collections.sort(all);
            g.longestRecovery = Duration.ofNanos(Math.max(0, worst));
            g.longestRecoveryAfter = worstFault;
            g.medianRecovery = all.isEmpty() ? Duration.ZERO : Duration.ofNanos(all.get(all.size() / 2));
            g.modemThreadsBefore = 0;
            g.modemThreadsDuring = modemThreadsDuring;
            return g;
        }

        private static void shutdown(ScheduledExecutorService e) throws InterruptedException {
            e.shutdownNow();
            assertThat(e.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** Live threads and heap in use, after the garbage collector ran. */
    record Snapshot(int threads, List<String> names, long heap) {
        /** Threads a run starts: Camel's (the modem's among them), the simulator's, Moquette's, Paho's, the test's. */
        static boolean ofARun(Thread t) {
            String n = t.getName();
            return n.startsWith("Camel (") || n.contains("CellMqtt") || n.startsWith("sim-") || n.startsWith("MQTT ")
                    || n.startsWith("nioEventLoopGroup") || n.startsWith("test-health-watch") || n.startsWith("chaos-");
        }

        /** Threads end a little after their executors were shut down: wait (bounded) for them to be gone. */
        static void awaitRunThreadsGone() {
            try {
                // polled on this thread: an await's own poller thread would be counted in what follows
                await().pollInSameThread().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> Thread
                        .getAllStackTraces().keySet().stream().filter(Thread::isAlive).noneMatch(Snapshot::ofARun));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // the comparison that follows says which are left
            }
        }

        /** The first {@code lines} lines of the live-object class histogram (HotSpot's GC.class_histogram). */
        static String histogram(int lines) {
            try {
                Object text = ManagementFactory.getPlatformMBeanServer().invoke(
                        new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                        new Object[] {new String[0]}, new String[] {String[].class.getName()});
                List<String> all = List.of(String.valueOf(text).split("\n"));
                List<String> ours = all.stream().skip(lines).filter(l -> l.contains("io.cellmqtt") || l.contains("camel.impl")
                        || l.contains("paho") || l.contains("moquette.broker.Server ")).toList();
                return String.join("\n", all.stream().limit(lines).toList()) + "\n...\n" + String.join("\n", ours);
            } catch (Exception e) {
                return "(no class histogram: " + e + ")";
            }
        }

        static Snapshot take() {
            long heap = Long.MAX_VALUE;
            // Collect until the figure stops falling: one System.gc() may leave finalizable or
            // softly reachable objects for the next.
            for (int i = 0; i < 6; i++) {
                System.gc();
                long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                if (used >= heap - (256 << 10)) {
                    heap = Math.min(heap, used);
                    break;
                }
                heap = used;
            }
            List<String> names = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                    .map(Thread::getName).sorted().toList();
            return new Snapshot(names.size(), names, heap);
        }
    }

    /** What a run printed. */
    static final class Figures {
        String model;
        long seed;
        Duration duration;
        Duration untilUp;
        final int[] published = new int[2];
        final int[] acknowledged = new int[2];
        final int[] failed = new int[2];
        Map<String, Integer> failureCauses;
        Map<String, Long> faultCounts;
        Map<Fault, Long> injected;
        Map<String, Integer> skipped;
        long lost;
        long duplicateNumbers1;
        long extraCopies1;
        long duplicateNumbers0;
        long failedButArrived1;
        long q0AckedNotAtBroker;
        long commandsPublished;
        long commandsReceived;
        Duration longestRecovery;
        Fault longestRecoveryAfter;
        Duration medianRecovery;
        long modemThreadsBefore;
        long modemThreadsDuring;
        long modemThreadsAfter;
        Snapshot before;
        Snapshot after;

        String print() {
            StringBuilder b = new StringBuilder();
            b.append("==================== chaos figures: ").append(model).append(" ====================\n");
            line(b, "seed", seed);
            line(b, "duration (traffic; faults in the first 3/4)", duration);
            line(b, "until both health checks UP after", untilUp);
            line(b, "QoS 1 published / acknowledged / failed", published[1] + " / " + acknowledged[1] + " / " + failed[1]);
            line(b, "QoS 0 published / acknowledged / failed", published[0] + " / " + acknowledged[0] + " / " + failed[0]);
            line(b, "exchanges failed, by QoS:cause", failureCauses);
            line(b, "faults injected (simulator counts)", faultCounts);
            line(b, "faults injected (chaos kinds)", injected);
            if (!skipped.isEmpty()) {
                line(b, "faults skipped (one already running)", skipped);
            }
            line(b, "lost (QoS 1 acknowledged, not at the broker)", lost);
            line(b, "QoS 1 duplicates (numbers / extra copies)", duplicateNumbers1 + " / " + extraCopies1);
            line(b, "QoS 1 failed but reached the broker anyway", failedButArrived1);
            line(b, "QoS 0 duplicates", duplicateNumbers0);
            line(b, "QoS 0 acknowledged, not at the broker", q0AckedNotAtBroker);
            line(b, "commands published / received by the consumer", commandsPublished + " / " + commandsReceived
                    + " (inbound QoS 1 is acknowledged by the modem itself; clean sessions)");
            line(b, "longest time to recover (fault end -> next QoS 1 ack)",
                    longestRecovery.toMillis() + " ms (after " + longestRecoveryAfter + "), median "
                            + medianRecovery.toMillis() + " ms");
            line(b, "threads of the modem before / during / after", modemThreadsBefore + " / " + modemThreadsDuring
                    + " / " + modemThreadsAfter);
            line(b, "live threads before / after", before.threads() + " / " + after.threads());
            line(b, "heap in use before / after (after GC)", mib(before.heap()) + " / " + mib(after.heap()));
            return b.toString();
        }

        private static void line(StringBuilder b, String what, Object value) {
            b.append(String.format(Locale.ROOT, "%-56s %s%n", what, value));
        }

        private static String mib(long bytes) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
        }
    }
}
