package io.cellmqtt.simulator;

import io.cellmqtt.simulator.at.AtInterpreter;
import io.cellmqtt.simulator.at.ModemFiles;
import io.cellmqtt.simulator.at.ModemProfile;
import io.cellmqtt.simulator.at.SslContexts;
import io.cellmqtt.simulator.at.MqttCommandSet;
import io.cellmqtt.simulator.at.PdpContexts;
import io.cellmqtt.simulator.fault.Faults;
import io.cellmqtt.simulator.firmware.Firmware;
import io.cellmqtt.simulator.host.HostOutput;
import io.cellmqtt.simulator.host.HostSession;
import io.cellmqtt.simulator.host.PortGate;
import io.cellmqtt.simulator.host.Pty;
import io.cellmqtt.simulator.host.UsbPort;
import io.cellmqtt.simulator.quectel.QmtCommands;
import io.cellmqtt.simulator.simcom.CmqttCommands;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A simulated Quectel modem AT port whose MQTT commands reach a real broker. One modem state
 * (echo, configuration, MQTT clients) is shared by every transport it is served on, as a real
 * module keeps its state when the host closes and reopens the port. {@link #faults()} breaks it on
 * purpose.
 */
public final class SimulatedModem implements AutoCloseable {

    private final PortGate gate = new PortGate();
    /** Fault timers and the firmware variants' waits. */
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "sim-timer");
        t.setDaemon(true);
        return t;
    });
    private final HostOutput output = new HostOutput(gate, timer);
    private final PdpContexts pdp = new PdpContexts();
    private final EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("sim-netty", true));
    private final ExecutorService blocking = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sim-resolver");
        t.setDaemon(true);
        return t;
    });
    private final ModemProfile profile;
    private final ModemFiles files = new ModemFiles(output);
    private final SslContexts ssl;
    private final MqttCommandSet mqtt;
    private final AtInterpreter interpreter;
    private final Faults faults;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<HostSession> sessions = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> transports = new CopyOnWriteArrayList<>();
    private final List<Pty> ptys = new CopyOnWriteArrayList<>();
    private final List<Runnable> closeHooks = new CopyOnWriteArrayList<>();
    private final AtomicInteger threadCount = new AtomicInteger();
    private volatile UsbPort usbPort;
    /** The network's round trip and jitter (from {@link #physics}) and the fixed result latency. */
    private final io.cellmqtt.simulator.physics.Network network = new io.cellmqtt.simulator.physics.Network();
    private volatile io.cellmqtt.simulator.physics.Physics physics = io.cellmqtt.simulator.physics.Physics.NONE;
    private volatile boolean closed;

    private SimulatedModem(ModemProfile profile) {
        this.profile = profile;
        this.ssl = new SslContexts(profile, files);
        this.mqtt = switch (profile.family()) {
            case QUECTEL -> new QmtCommands(profile, output, pdp, group, blocking, network, ssl::quectel);
            case SIMCOM -> new CmqttCommands(output, group, blocking, network, ssl::simcom);
        };
        interpreter = new AtInterpreter(profile, output, mqtt, pdp, files, ssl, this::shutdownClients);
        timer.setRemoveOnCancelPolicy(true);
        faults = new Faults(profile, output, gate, interpreter, mqtt, pdp, () -> usbPort, timer, closeHooks::add);
    }

    /** A Quectel BG95-M3 (ATI: Quectel / BG95-M3 / Revision: BG95M3LAR02A03). */
    public static SimulatedModem bg95() {
        return new SimulatedModem(ModemProfile.BG95);
    }

    /**
     * A simulated modem of the named model: bg95, bg77, bg600l, bg96, bc26, m95 or sim7600.
     *
     * @throws IllegalArgumentException for any other name, listing the known ones
     */
    public static SimulatedModem of(String model) {
        return new SimulatedModem(ModemProfile.byName(model).orElseThrow(() -> new IllegalArgumentException(
                "unknown simulated model '" + model + "'; known: " + models())));
    }

    /** The names {@link #of(String)} accepts. */
    public static java.util.List<String> models() {
        return ModemProfile.ALL.stream().map(ModemProfile::name).toList();
    }

    /** The model's name, as {@code modem=} spells it. */
    public String model() {
        return profile.name();
    }

    public SimulatedModem imei(String imei) {
        interpreter.imei(imei);
        return this;
    }

    /**
     * Serves the AT port over the given streams on its own thread until {@link #close()}; from now
     * on the modem writes to {@code toHost} (the last transport served is the one written to).
     */
    public void serve(InputStream fromHost, OutputStream toHost) {
        HostSession session = new HostSession(fromHost, interpreter, gate, () -> physics.baudRate());
        sessions.add(session);
        output.attach(toHost);
        startThread("sim-host-reader", () -> runSession(session, toHost));
    }

    private void serveNow(InputStream fromHost, OutputStream toHost) {
        HostSession session = new HostSession(fromHost, interpreter, gate, () -> physics.baudRate());
        sessions.add(session);
        output.attach(toHost);
        runSession(session, toHost);
    }

    private void runSession(HostSession session, OutputStream toHost) {
        try {
            session.run();
        } finally {
            output.detach(toHost);
            sessions.remove(session);
        }
    }

    /** Opens a pseudo-terminal, serves its master side and returns the slave path (e.g. /dev/pts/7). */
    public String openPty() {
        try {
            Pty pty = Pty.open();
            ptys.add(pty);
            serve(pty.input(), pty.output());
            return pty.slavePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Serves the AT port as a USB modem's: opens a pseudo-terminal and returns a stable path to it,
     * a symlink in a directory this simulator owns ({@code /tmp/cellmqtt-sim-XXXX/ttyUSB2} pointing
     * at {@code /dev/pts/N}). The path survives {@link Faults#usbLoss}: after the device came back
     * it points at the new pseudo-terminal. One USB port per modem: a second call returns the same path.
     */
    public synchronized String openUsbPort() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (usbPort == null) {
            usbPort = UsbPort.open(pty -> serve(pty.input(), pty.output()));
        }
        return usbPort.path();
    }

    /** Listens on loopback (0 = ephemeral port); one host connection at a time, re-accepting after it ends. */
    public int listenTcp(int port) {
        try {
            ServerSocket server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
            transports.add(server);
            startThread("sim-tcp-accept", () -> {
                while (!closed && !server.isClosed()) {
                    try (Socket s = server.accept()) {
                        s.setTcpNoDelay(true);
                        transports.add(s);
                        serveNow(s.getInputStream(), s.getOutputStream());
                        transports.remove(s);
                    } catch (IOException e) {
                        // the server socket was closed, or a connection broke: accept the next one
                    }
                }
            });
            return server.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The files stored on the modem (uploaded with AT+QFUPL, AT+QSECWRITE or AT+CCERTDOWN), each with
     * its size, the checksum the Quectel commands report for it, and how many times a file of that name
     * was uploaded. A read-only snapshot.
     */
    public List<ModemFiles.StoredFile> files() {
        return files.list();
    }

    /** How many upload commands stored a file under this name (deleted or not; {@code UFS:} or not). */
    public int uploads(String name) {
        return files.uploads(name);
    }

    /** How many upload commands stored a file, whatever its name: a second start that changed nothing adds none. */
    public int totalUploads() {
        return files.totalUploads();
    }

    /** A stored file's bytes (a copy), or null: what the modem would hand its TLS stack. */
    public byte[] fileContent(String name) {
        return files.read(name);
    }

    /**
     * The modem's clock, which server certificates are checked against when the SSL context does not
     * ignore the time ({@code ignorelocaltime}/{@code ignorertctime} 0). The system clock by default.
     */
    public SimulatedModem clock(java.time.Clock clock) {
        ssl.clock(clock);
        return this;
    }

    /** Every command line received (from "AT", without the terminator), in order. */
    public List<String> commandLog() {
        return interpreter.commandLog();
    }

    /** Writes CR LF line CR LF to the host now, or right after the reply in progress. */
    public void injectUrc(String line) {
        output.urc(line);
    }

    /** The next final OK is preceded by this URC, as when a URC arrives while a reply is being written. */
    public void injectBeforeNextOk(String urcLine) {
        output.beforeNextOk(urcLine);
    }

    /**
     * Cuts the client's broker connection without DISCONNECT (the broker then publishes the will);
     * reports +QMTSTAT: n,1 (SIM7600: +CMQTTCONNLOST: n,1). The same as
     * {@code faults().dropConnection(clientIndex)}.
     */
    public void dropNetwork(int clientIndex) {
        faults.dropConnection(clientIndex);
    }

    /** The faults a test can inject into this modem, and how many of each it did. */
    public Faults faults() {
        return faults;
    }

    /**
     * Behaves as this firmware variant from now on (see {@link Firmware}); may be called before or
     * after a port is opened. {@link Firmware#DOCUMENTED} (the default) is the documents' behaviour.
     */
    public SimulatedModem firmware(Firmware f) {
        output.firmware(f);
        return this;
    }

    /** The firmware variant the modem behaves as. */
    public Firmware firmware() {
        return output.firmware();
    }

    /**
     * SIM7600 only: announces received payload pieces as {@code +CMQTTRCPAYLOAD:}, the spelling of
     * reference 001, instead of the manual's {@code +CMQTTRXPAYLOAD:}.
     */
    public SimulatedModem documentSpelling(boolean on) {
        if (!(mqtt instanceof CmqttCommands cmqtt)) {
            throw new IllegalStateException(profile.name() + " has no +CMQTTRXPAYLOAD to spell");
        }
        cmqtt.documentSpelling(on);
        return this;
    }

    /**
     * Splits every write to the host into random chunks of 1..maxChunk bytes (0 turns chunking off);
     * the same as {@code faults().setWriteChunking(seed, maxChunk)}.
     */
    public void setWriteChunking(long seed, int maxChunk) {
        faults.setWriteChunking(seed, maxChunk);
    }

    /**
     * The serial link's pacing and the network's round trip from now on (see {@link
     * io.cellmqtt.simulator.physics.Physics}); {@code Physics.NONE} by default.
     */
    public SimulatedModem physics(io.cellmqtt.simulator.physics.Physics p) {
        physics = p == null ? io.cellmqtt.simulator.physics.Physics.NONE : p;
        output.baudRate(physics.baudRate());
        network.physics(physics);
        return this;
    }

    public io.cellmqtt.simulator.physics.Physics physics() {
        return physics;
    }

    /** A delay before each broker-side result (QMTOPEN, CONNACK, SUBACK, PUBACK, received messages...). */
    public void setNetworkLatency(Duration d) {
        network.latency(d);
    }

    private void shutdownClients() {
        mqtt.shutdown();
    }

    private void startThread(String name, Runnable r) {
        Thread[] self = new Thread[1];
        Thread t = new Thread(() -> {
            try {
                r.run();
            } finally {
                threads.remove(self[0]);
            }
        }, name + "-" + threadCount.incrementAndGet());
        self[0] = t;
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS); // a fault ending right now finishes first
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeHooks.forEach(Runnable::run);
        shutdownClients();
        output.drain(500);
        sessions.forEach(HostSession::stop);
        UsbPort usb;
        synchronized (this) {
            usb = usbPort;
        }
        if (usb != null) {
            usb.close();
        }
        ptys.forEach(Pty::stop);
        for (AutoCloseable c : transports) {
            try {
                c.close();
            } catch (Exception e) {
                // closing anyway
            }
        }
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ptys.forEach(Pty::release);
        output.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        blocking.shutdownNow();
        try {
            blocking.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
