package io.cellmqtt.bench;

import io.cellmqtt.e2e.MoquetteBroker;
import io.cellmqtt.simulator.SimulatedModem;
import io.cellmqtt.simulator.host.Pty;
import io.cellmqtt.simulator.physics.Physics;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.awaitility.core.ConditionTimeoutException;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 11's benchmark: what the component does on the path a real modem sits on (a 115200-baud
 * UART or a USB CDC port, and a cellular round trip), next to what a stop-and-wait driver does on
 * the same path, and the physical limit of that path. Everything runs in one JVM: Camel, jSerialComm,
 * a pseudo-terminal, the simulated modem (with its {@link Physics}), embedded Moquette, and an
 * independent Paho client that checks every message arrived. Run it with {@code benchmarks/run.sh}
 * (see docs/performance.md); {@code -Dbench.short=true} is the quick form CI runs.
 *
 * <h2>Modes</h2>
 * <ul>
 *   <li>stop-and-wait: {@code inflightWindow=1} and one exchange at a time (send, wait for its
 *       outcome, send the next), as the C and Python drivers do;</li>
 *   <li>pipelined: all publishes handed over at once, up to the model's window outstanding: 5 per
 *       client on Quectel models; the SIM7600 has one outstanding publish per client, so its only
 *       pipelining is its second client (2 clients x window 1).</li>
 * </ul>
 *
 * <h2>The physical limit</h2>
 * The bytes per publish are counted on the wire ({@link Wire}), not assumed. The AT port takes one
 * command at a time: the host's command line and data and the modem's prompt and final result (OK)
 * follow one another, so they add up; the publish's result URC ({@code +QMTPUB:}/{@code +CMQTTPUB:})
 * comes later, while the host is writing its next command on the other wire (a UART is full duplex),
 * so it only bounds the modem-to-host direction on its own. With {@code r} = baud/10 bytes/s, H the
 * host's bytes, M the modem's, U the URC's share of M, per publish:
 * <pre>
 *   uart bound   = r / max(H + (M - U), M)
 *   window bound = w / (RTT + (H + M) / r)     (a slot is free again only after its result came back)
 *   limit        = min(uart bound, window bound)
 * </pre>
 * At USB speed r is unbounded: the limit is w / RTT.
 *
 * <p>The run fails (exit 1) if any exchange failed or any message did not reach the checker.
 */
public final class PerformanceBenchmark {

    /** How much to run. */
    public record Settings(boolean shortForm, String quectelModel, int uartSaw, int uartPipelined, int usbSaw,
            int usbPipelined, int receive, int scaleModems, Physics uart, Physics usb) {

        static Settings full() {
            return new Settings(false, System.getProperty("bench.model", "bg95"),
                    Integer.getInteger("bench.uartSaw", 30), Integer.getInteger("bench.uartPipelined", 100),
                    Integer.getInteger("bench.usbSaw", 100), Integer.getInteger("bench.usbPipelined", 500),
                    Integer.getInteger("bench.receive", 300), Integer.getInteger("bench.scaleModems", 16),
                    Physics.uart(115200, Duration.ofMillis(300)), Physics.usb(Duration.ofMillis(50)));
        }

        /** A few messages per case, small round trips: checks that everything completes with nothing lost. */
        public static Settings quick() {
            return new Settings(true, "bg95", 5, 10, 10, 20, 20, 2,
                    Physics.uart(115200, Duration.ofMillis(20)), Physics.usb(Duration.ofMillis(5)));
        }
    }

    /** One publish case's figures. */
    public record PublishResult(String model, String link, int payload, String mode, int clients, int window,
            int messages, double seconds, double hostBytes, double modemBytes, double urcBytes, double limit,
            String bound, int lost, int failed) {
        double rate() {
            return messages / seconds;
        }

        double fraction() {
            return rate() / limit;
        }
    }

    /** What a run found; {@link #problems()} empty means nothing was lost and no exchange failed. */
    public record Report(List<PublishResult> publishes, List<String> lines, List<String> problems, double ratio,
            double fraction) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private final Settings settings;
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final List<String> lines = new ArrayList<>();
    private final List<PublishResult> publishes = new ArrayList<>();
    private final Map<String, Set<Integer>> arrived = new ConcurrentHashMap<>();
    private final AtomicInteger runs = new AtomicInteger();
    private MoquetteBroker broker;
    private MqttClient checker;

    public PerformanceBenchmark(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Settings s = Boolean.getBoolean("bench.short") ? Settings.quick() : Settings.full();
        Report r;
        try {
            r = new PerformanceBenchmark(s).run();
        } catch (Throwable t) {
            t.printStackTrace();
            System.out.flush();
            System.exit(2);
            return;
        }
        r.problems().forEach(p -> System.err.println("FAILED: " + p));
        System.err.flush();
        System.out.printf("performance: pipelined/stop-and-wait=%.2f fraction-of-limit=%.2f%n", r.ratio(), r.fraction());
        System.out.flush();
        System.exit(r.ok() ? 0 : 1); // Moquette's and Camel's leftovers must not keep the JVM up
    }

    public Report run() throws Exception {
        long began = System.nanoTime();
        broker = new MoquetteBroker();
        broker.start();
        checker = new MqttClient(broker.url(), "bench-checker", new MemoryPersistence());
        checker.connect();
        checker.subscribe("bench/#", 1, (topic, m) -> arrived.computeIfAbsent(topic, t -> ConcurrentHashMap.newKeySet())
                .add(seqOf(new String(m.getPayload(), StandardCharsets.US_ASCII))));
        try {
            say("cellmqtt performance benchmark%s: QoS 1, Camel -> jSerialComm -> PTY -> simulated modem -> Moquette,"
                    + " every message checked by an independent subscriber", settings.shortForm ? " (short form)" : "");
            say("links: uart = %d baud, %d ms RTT; usb = no pacing, %d ms RTT", settings.uart.baudRate(),
                    settings.uart.roundTrip().toMillis(), settings.usb.roundTrip().toMillis());
            say("limit model: the AT port runs one command at a time, so a publish's command + data + prompt + OK"
                    + " add up on the wire; its result URC overlaps the next command (full-duplex UART)");
            say("  limit = min(r / max(H + M - U, M), w / (RTT + (H + M) / r)), r = baud/10 B/s (USB: w / RTT)");
            say("");
            for (String model : List.of(settings.quectelModel, "sim7600")) {
                if (section("publish")) {
                    publishTable(model);
                }
            }
            say("");
            if (section("receive")) {
                receiveAll();
            }
            say("");
            if (section("footprint")) {
                footprint();
            }
            say("");
            if (section("scale")) {
                scale();
            }
        } finally {
            checker.disconnect();
            checker.close();
            broker.stop();
        }
        say("");
        say("total %.0f s", (System.nanoTime() - began) / 1e9);
        if (!section("publish") || !System.getProperty("bench.links", "uart,usb").contains("uart")) {
            return new Report(List.copyOf(publishes), List.copyOf(lines), List.copyOf(problems), Double.NaN,
                    Double.NaN);
        }
        PublishResult saw = find(settings.quectelModel, "uart", 64, "stop-and-wait");
        PublishResult pip = find(settings.quectelModel, "uart", 64, "pipelined");
        return new Report(List.copyOf(publishes), List.copyOf(lines), List.copyOf(problems),
                pip.rate() / saw.rate(), pip.fraction());
    }

    /** {@code -Dbench.only=publish,receive,footprint,scale} (any of them) runs only those sections. */
    private static boolean section(String name) {
        String only = System.getProperty("bench.only", "");
        return only.isBlank() || Arrays.asList(only.split(",")).contains(name);
    }

    private void receiveAll() throws Exception {
            say("receive (a route consuming, 64-byte payloads, published by Paho at the broker):");
            say("  latency e2e = Paho publish -> route under the burst (queueing, broker, network one way, simulator, UART, component);");
            say("  latency component = the modem wrote the message's last byte to the PTY -> the route has the exchange");
            for (String model : List.of(settings.quectelModel, "sim7600")) {
                receive(model, "usb", settings.usb);
                receive(model, "uart", settings.uart);
            }
    }

    private PublishResult find(String model, String link, int payload, String mode) {
        return publishes.stream().filter(p -> p.model.equals(model) && p.link.equals(link) && p.payload == payload
                && p.mode.equals(mode)).findFirst().orElseThrow();
    }

    // ------------------------------------------------------------------------------------------ publish

    private void publishTable(String model) throws Exception {
        boolean simcom = model.equals("sim7600");
        int window = simcom ? 1 : 5;
        int clients = simcom ? 2 : 1;
        say("%s publish (pipelined = %s)", model, simcom
                ? "2 clients x window 1: the SIM7600 has one outstanding publish per client"
                : "window 5, all handed over at once");
        say("  %-5s %5s %-14s %5s %8s %8s %6s %6s %6s %9s %-6s %8s", "link", "bytes", "mode", "msgs", "seconds",
                "pub/s", "H B", "M B", "U B", "limit/s", "bound", "fraction");
        for (String link : List.of("uart", "usb")) {
            if (!System.getProperty("bench.links", "uart,usb").contains(link)) {
                continue; // -Dbench.links=usb: the USB cases only (the profile in docs/performance.md)
            }
            Physics p = link.equals("uart") ? settings.uart : settings.usb;
            for (int payload : new int[] {64, 1024}) {
                if (settings.shortForm && link.equals("uart") && (payload != 64 || simcom)) {
                    continue; // the short form: one quick 115200 case
                }
                int sawN = link.equals("uart") ? settings.uartSaw : settings.usbSaw;
                int pipN = link.equals("uart") ? settings.uartPipelined : settings.usbPipelined;
                PublishResult a = publishCase(model, link, p, payload, "stop-and-wait", 1, 1, sawN);
                PublishResult b = publishCase(model, link, p, payload, "pipelined", clients, window, pipN);
                say("  %-5s %5s %-14s %5s %8s %8s   -> pipelined/stop-and-wait = %.2f", "", "", "", "", "", "",
                        b.rate() / a.rate());
            }
        }
    }

    private PublishResult publishCase(String model, String link, Physics physics, int payload, String mode,
            int clients, int window, int n) throws Exception {
        String run = "r" + runs.incrementAndGet();
        Wire wire = new Wire();
        SimulatedModem modem = SimulatedModem.of(model).physics(physics);
        Pty pty = Pty.open();
        modem.serve(wire.fromHost(pty.input()), wire.toHost(pty.output()));
        CamelContext camel = new DefaultCamelContext();
        int failed = 0;
        try {
            camel.start();
            ProducerTemplate template = camel.createProducerTemplate();
            String[] uris = new String[clients];
            String[] warm = new String[clients];
            for (int c = 0; c < clients; c++) {
                String options = "?serialPort=" + pty.slavePath() + "&brokerUrl=" + broker.url() + "&modem=" + model
                        + "&qos=1&inflightWindow=" + window + "&clientId=bench-" + run + "-c" + c
                        + "&publishTimeout=600000&maxPendingPublishes=" + Math.max(1000, n);
                uris[c] = "cellmqtt:bench/" + run + "/c" + c + options;
                warm[c] = "cellmqtt:bench/" + run + "/warmup" + c + options;
            }
            // bring-up and connect (and the JIT's first pass) are not part of the figure
            List<CompletableFuture<Exchange>> warmups = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                for (int i = 0; i < 3; i++) {
                    warmups.add(template.asyncSend(warm[c], body(i, payload)));
                }
            }
            failed += await(warmups, run + " warm-up");
            long[] before = wire.snapshot();
            long start = System.nanoTime();
            if (mode.equals("stop-and-wait")) {
                for (int i = 0; i < n; i++) {
                    Exchange e = template.send(uris[0], body(i, payload));
                    if (e.getException() != null) {
                        failed++;
                        problems.add(run + " " + model + " " + link + " " + mode + ": " + e.getException());
                    }
                }
            } else {
                List<CompletableFuture<Exchange>> all = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    all.add(template.asyncSend(uris[i % clients], body(i, payload)));
                }
                failed += await(all, run + " " + model + " " + link + " " + mode);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long[] after = wire.snapshot();
            int lost = n - awaitArrived(run, clients, n);
            if (lost != 0) {
                problems.add(run + " " + model + " " + link + " " + payload + " B " + mode + ": " + lost + " of " + n
                        + " never reached the subscriber");
            }
            double h = (after[0] - before[0]) / (double) n;
            double m = (after[1] - before[1]) / (double) n;
            double u = (after[2] - before[2]) / (double) n;
            double[] limit = limit(physics, h, m, u, clients * window);
            PublishResult r = new PublishResult(model, link, payload, mode, clients, window, n, seconds, h, m, u,
                    limit[0], limit[1] == 0 ? "uart" : "window", lost, failed);
            publishes.add(r);
            say("  %-5s %5d %-14s %5d %8.2f %8.1f %6.0f %6.0f %6.0f %9.1f %-6s %8.2f%s", link, payload,
                    mode + (mode.equals("pipelined") ? "" : ""), n, seconds, r.rate(), h, m, u, r.limit(), r.bound(),
                    r.fraction(), lost + failed > 0 ? "  LOST " + lost + " FAILED " + failed : "");
            return r;
        } finally {
            camel.close();
            modem.close();
            pty.close();
        }
    }

    /** {limit publishes/s, 0 if the UART bounds it else 1}: see the class comment. */
    static double[] limit(Physics p, double h, double m, double u, int outstanding) {
        double rtt = p.roundTrip().toNanos() / 1e9;
        if (p.baudRate() == 0) {
            return new double[] {rtt == 0 ? Double.POSITIVE_INFINITY : outstanding / rtt, 1};
        }
        double r = p.baudRate() / 10.0;
        double uart = r / Math.max(h + m - u, m);
        double windowBound = outstanding / (rtt + (h + m) / r);
        return uart <= windowBound ? new double[] {uart, 0} : new double[] {windowBound, 1};
    }

    private int await(List<CompletableFuture<Exchange>> all, String what) throws Exception {
        int failed = 0;
        for (CompletableFuture<Exchange> f : all) {
            Exchange e = f.get(10, TimeUnit.MINUTES);
            if (e.getException() != null) {
                failed++;
                if (failed <= 3) {
                    problems.add(what + ": " + e.getException());
                }
            }
        }
        if (failed > 3) {
            problems.add(what + ": " + failed + " exchanges failed in all");
        }
        return failed;
    }

    private static org.apache.camel.Processor body(int seq, int size) {
        return e -> e.getMessage().setBody(payload("seq=" + seq + ";", size));
    }

    static byte[] payload(String head, int size) {
        byte[] b = new byte[Math.max(size, head.length())];
        Arrays.fill(b, (byte) 'x');
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(h, 0, b, 0, h.length);
        return b;
    }

    static int seqOf(String body) {
        int at = body.indexOf("seq=");
        int end = at < 0 ? -1 : body.indexOf(';', at);
        if (end < 0) {
            return -1;
        }
        try {
            return Integer.parseInt(body.substring(at + 4, end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // ------------------------------------------------------------------------------------------ receive

    private void receive(String model, String link, Physics physics) throws Exception {
        int n = link.equals("uart") ? Math.max(5, settings.receive / 3) : settings.receive;
        if (settings.shortForm && link.equals("uart")) {
            return;
        }
        String run = "r" + runs.incrementAndGet();
        String topic = "bench/" + run + "/rx";
        Wire wire = new Wire();
        SimulatedModem modem = SimulatedModem.of(model).physics(physics);
        Pty pty = Pty.open();
        modem.serve(wire.fromHost(pty.input()), wire.toHost(pty.output()));
        long[] e2e = new long[n];
        long[] component = new long[n];
        AtomicInteger got = new AtomicInteger();
        AtomicInteger probes = new AtomicInteger();
        AtomicLong last = new AtomicLong();
        CountDownLatch all = new CountDownLatch(n);
        CamelContext camel = new DefaultCamelContext();
        MqttClient publisher = new MqttClient(broker.url(), "bench-pub-" + run, new MemoryPersistence());
        try {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("cellmqtt:" + topic + "?serialPort=" + pty.slavePath() + "&brokerUrl=" + broker.url()
                            + "&modem=" + model + "&qos=1&clientId=bench-" + run + "-rx").process(ex -> {
                                long now = System.nanoTime();
                                String body = ex.getMessage().getBody(String.class);
                                int seq = seqOf(body);
                                if (seq < 0) {
                                    probes.incrementAndGet();
                                    return;
                                }
                                int t = body.indexOf("t=");
                                long sent = Long.parseLong(body.substring(t + 2, body.indexOf(';', t)));
                                Long written = wire.urcWritten.get(seq);
                                int i = got.getAndIncrement();
                                if (i < n) {
                                    e2e[i] = now - sent;
                                    component[i] = written == null ? -1 : now - written;
                                    last.set(now);
                                    all.countDown();
                                }
                            });
                }
            });
            camel.start();
            org.eclipse.paho.client.mqttv3.MqttConnectOptions o = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
            o.setMaxInflight(Math.max(10, n + 10)); // the burst is handed to the broker at once
            publisher.connect(o);
            // The route holds its subscription once a probe comes through. QoS 0: probes must not pile up in
            // Paho's in-flight window while the route is not there yet (those the broker had no subscriber for
            // are gone).
            AtomicInteger probesSent = new AtomicInteger();
            AtomicLong lastProbeSent = new AtomicLong();
            try {
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    if (probes.get() > 0) {
                        return true;
                    }
                    publisher.publish(topic, "probe".getBytes(StandardCharsets.US_ASCII), 0, false);
                    probesSent.incrementAndGet();
                    lastProbeSent.set(System.nanoTime());
                    return false;
                });
            } catch (ConditionTimeoutException e) {
                problems.add(run + " " + model + " receive: the route never subscribed");
                return;
            }
            // Before the burst: every probe arrived, or the last one was sent long enough ago (two round trips)
            // that those still missing were sent before the subscription and will never come.
            long drain = TimeUnit.MILLISECONDS.toNanos(Math.max(200, physics.roundTrip().toMillis() * 2));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() ->
                    probes.get() >= probesSent.get() || System.nanoTime() - lastProbeSent.get() > drain);
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                MqttMessage m = new MqttMessage(payload("seq=" + i + ";t=" + System.nanoTime() + ";", 64));
                m.setQos(1);
                publisher.publish(topic, m);
            }
            if (!all.await(5, TimeUnit.MINUTES)) {
                problems.add(run + " " + model + " " + link + " receive: " + (n - all.getCount()) + " of " + n
                        + " reached the route");
                return;
            }
            double seconds = (last.get() - start) / 1e9;
            long[] c = Arrays.stream(component).filter(x -> x >= 0).sorted().toArray();
            Arrays.sort(e2e);
            double perMessage = wire.modemToHost.get() / (double) (n + probes.get());
            say("  %-8s %-4s %4d msgs in %6.2f s = %7.1f msg/s; e2e p50 %7.2f ms p99 %7.2f ms; component p50 %6.3f ms"
                    + " p99 %6.3f ms (%d stamped)", model, link, n, seconds, n / seconds, pct(e2e, 50), pct(e2e, 99),
                    pct(c, 50), pct(c, 99), c.length);
        } finally {
            if (publisher.isConnected()) {
                publisher.disconnect();
            }
            publisher.close();
            camel.close();
            modem.close();
            pty.close();
        }
    }

    private static double pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    // ------------------------------------------------------------------------------------------ footprint

    private void footprint() throws Exception {
        String model = settings.quectelModel;
        say("footprint: one %s with 6 MQTT clients (6 producer endpoints, distinct client ids), usb, no RTT", model);
        Set<Long> threadsBefore = threadIds();
        long heapBefore = heapAfterGc();
        SimulatedModem modem = SimulatedModem.of(model);
        String tty = modem.openPty();
        CamelContext camel = new DefaultCamelContext();
        String run = "r" + runs.incrementAndGet();
        try {
            camel.start();
            ProducerTemplate template = camel.createProducerTemplate();
            List<CompletableFuture<Exchange>> all = new ArrayList<>();
            int each = settings.shortForm ? 5 : 50;
            for (int c = 0; c < 6; c++) {
                String uri = "cellmqtt:bench/" + run + "/c" + c + "?serialPort=" + tty + "&brokerUrl=" + broker.url()
                        + "&modem=" + model + "&qos=1&clientId=bench-" + run + "-c" + c;
                for (int i = 0; i < each; i++) {
                    all.add(template.asyncSend(uri, body(i, 64)));
                }
            }
            await(all, run + " footprint");
            checkArrived(run, 6, each, "footprint");
            long heapAfter = heapAfterGc();
            Map<String, Integer> created = new TreeMap<>();
            int componentThreads = 0;
            int perModem = 0;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (threadsBefore.contains(t.getId())) {
                    continue;
                }
                String kind = kind(t.getName());
                created.merge(kind, 1, Integer::sum);
                if (kind.startsWith("component")) {
                    componentThreads++;
                    if (kind.contains("per modem")) {
                        perModem++;
                    }
                }
            }
            say("  heap after GC: %.1f MiB more than before (Camel context, modem, 6 clients, simulator included)",
                    (heapAfter - heapBefore) / 1048576.0);
            say("  threads created: %s", created);
            say("  component threads: %d, of which per modem: %d (target <= 2); the rest is the component's shared"
                    + " completion pool", componentThreads, perModem);
        } finally {
            camel.close();
            modem.close();
        }
    }

    private static String kind(String name) {
        if (name.contains("CellMqttLoop") || name.startsWith("cellmqtt-loop")
                || name.contains("CellMqttReader") || name.startsWith("cellmqtt-reader")) {
            return "component, per modem (loop, reader)";
        }
        if (name.contains("CellMqttCompletion") || name.startsWith("cellmqtt-completion")) {
            return "component, shared completion pool";
        }
        if (name.startsWith("sim-")) {
            return "simulator";
        }
        if (name.startsWith("Camel")) {
            return "camel (other)";
        }
        return "other";
    }

    private static Set<Long> threadIds() {
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        Thread.getAllStackTraces().keySet().forEach(t -> ids.add(t.getId()));
        return ids;
    }

    /** The heap in use after collections (System.gc() is a full, synchronous collection on the default G1). */
    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** How many of the run's messages the checker got, once it has {@code expected} or after 30 s. */
    private int awaitArrived(String run, int clients, int expected) {
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> arrivedCount(run, clients) >= expected);
        } catch (ConditionTimeoutException e) {
            // counted below: the shortfall is the figure
        }
        return arrivedCount(run, clients);
    }

    private int arrivedCount(String run, int clients) {
        int got = 0;
        for (int c = 0; c < clients; c++) {
            got += arrived.getOrDefault("bench/" + run + "/c" + c, Set.of()).size();
        }
        return got;
    }

    private void checkArrived(String run, int clients, int each, String what) {
        int got = awaitArrived(run, clients, clients * each);
        if (got < clients * each) {
            problems.add(run + " " + what + ": " + (clients * each - got) + " of " + clients * each
                    + " never reached the subscriber");
        }
    }

    // ------------------------------------------------------------------------------------------ scale

    private void scale() throws Exception {
        String model = settings.quectelModel;
        int modems = settings.scaleModems;
        int each = settings.uartPipelined;
        Physics p = settings.uart;
        PublishResult one = section("publish") && System.getProperty("bench.links", "uart,usb").contains("uart") ? find(model, "uart", 64, "pipelined") : null;
        say("scale: %d %s modems in one JVM and one Camel context, uart, 64 B, pipelined, %d publishes each, all at once",
                modems, model, each);
        String run = "r" + runs.incrementAndGet();
        List<SimulatedModem> sims = new ArrayList<>();
        CamelContext camel = new DefaultCamelContext();
        Set<Long> threadsBefore = threadIds();
        try {
            camel.start();
            ProducerTemplate template = camel.createProducerTemplate();
            String[] uris = new String[modems];
            List<CompletableFuture<Exchange>> warm = new ArrayList<>();
            for (int i = 0; i < modems; i++) {
                SimulatedModem m = SimulatedModem.of(model).physics(p);
                sims.add(m);
                String options = "?serialPort=" + m.openPty() + "&brokerUrl=" + broker.url() + "&modem=" + model
                        + "&qos=1&inflightWindow=5&clientId=bench-" + run + "-m" + i
                        + "&publishTimeout=600000&maxPendingPublishes=" + Math.max(1000, each);
                uris[i] = "cellmqtt:bench/" + run + "/c" + i + options;
                warm.add(template.asyncSend("cellmqtt:bench/" + run + "/warmup" + options, body(0, 64)));
            }
            await(warm, run + " scale warm-up");
            List<CompletableFuture<Exchange>> all = new ArrayList<>(modems * each);
            long start = System.nanoTime();
            for (int k = 0; k < each; k++) {
                for (int i = 0; i < modems; i++) {
                    all.add(template.asyncSend(uris[i], body(k, 64)));
                }
            }
            int failed = await(all, run + " scale");
            double seconds = (System.nanoTime() - start) / 1e9;
            checkArrived(run, modems, each, "scale");
            int perModem = 0;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (!threadsBefore.contains(t.getId()) && kind(t.getName()).contains("per modem")) {
                    perModem++;
                }
            }
            double aggregate = modems * each / seconds;
            double single = one == null ? Double.NaN : one.rate();
            say("  aggregate %.1f publishes/s (%d in %.2f s, %d failed) vs %d x one modem = %.1f: %.2f (target >= 0.9)",
                    aggregate, modems * each, seconds, failed, modems, modems * single, aggregate / (modems * single));
            say("  component threads per modem: %.1f (%d for %d modems)", perModem / (double) modems, perModem, modems);
        } finally {
            camel.close();
            sims.forEach(SimulatedModem::close);
        }
    }

    private void say(String format, Object... args) {
        String line = String.format(format, args);
        lines.add(line);
        System.out.println(line);
        System.out.flush();
    }
}
