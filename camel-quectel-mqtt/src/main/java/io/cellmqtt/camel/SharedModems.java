package io.cellmqtt.camel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.cellmqtt.camel.ModemConnector.ModemClient;
import io.cellmqtt.camel.ModemConnector.ModemHandle;
import io.cellmqtt.loop.ModemThreads;
import io.cellmqtt.modem.ModemSettings;
import io.cellmqtt.modem.MqttClientSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The component's shared resources: one modem per serial port and one MQTT client per (serial port,
 * {@link MqttClientSettings#key()}), both reference-counted. The last release of a client closes it; the last release
 * of a port closes its modem.
 *
 * <p>The component-wide lock is held only to find or create a port's entry and count references, never while a modem
 * is brought up: the first user of a port opens it outside the lock while later users of that port wait on its
 * entry, and users of other ports are not held up at all. A port still being closed by its last user is opened again
 * only once that close finished.
 */
final class SharedModems {

    private static final Logger LOG = LoggerFactory.getLogger(SharedModems.class);
    private static final long STOP_WAIT_SECONDS = 45;

    private final Map<String, PortEntry> ports = new HashMap<>();
    private final Map<String, CompletableFuture<Void>> closingPorts = new HashMap<>();
    private volatile ModemConnector connector;

    SharedModems(ModemConnector connector) {
        this.connector = connector;
    }

    void setConnector(ModemConnector connector) {
        this.connector = connector;
    }

    ModemConnector getConnector() {
        return connector;
    }

    /** One port: its modem once open, its clients. {@code references} counts leases and acquirers, under the component lock. */
    private static final class PortEntry {
        final ModemSettings settings;
        final CompletableFuture<ModemHandle> modem = new CompletableFuture<>();
        final Map<String, ClientEntry> clients = new HashMap<>(); // guarded by the entry
        int references;

        PortEntry(ModemSettings settings) {
            this.settings = settings;
        }

        String name() {
            return settings.serialPort();
        }
    }

    private static final class ClientEntry {
        final MqttClientSettings settings;
        final ModemClient client;
        int references;

        ClientEntry(MqttClientSettings settings, ModemClient client) {
            this.settings = settings;
            this.client = client;
        }
    }

    /** A reference to a shared client; {@link #release()} it exactly once (further calls do nothing). */
    final class Lease {
        private final PortEntry port;
        private final String key;
        private final ModemClient client;
        private final ModemHandle modem;
        private boolean released;

        private Lease(PortEntry port, String key, ModemClient client, ModemHandle modem) {
            this.port = port;
            this.key = key;
            this.client = client;
            this.modem = modem;
        }

        ModemClient client() {
            return client;
        }

        ModemHandle modem() {
            return modem;
        }

        String serialPort() {
            return port.name();
        }

        void release() {
            synchronized (this) {
                if (released) {
                    return;
                }
                released = true;
            }
            releaseClient(port, key);
        }
    }

    /**
     * Opens the modem if this port has none yet (waiting until it is identified: a wrong port or model fails here),
     * creates and starts the client if this key has none yet, and returns without waiting for the broker.
     */
    Lease acquire(ModemSettings modemSettings, MqttClientSettings clientSettings, ModemThreads threads)
            throws Exception {
        String name = modemSettings.serialPort();
        PortEntry port;
        boolean opener = false;
        CompletableFuture<Void> previousClose = null;
        synchronized (this) {
            port = ports.get(name);
            if (port == null) {
                port = new PortEntry(modemSettings);
                ports.put(name, port);
                opener = true;
                previousClose = closingPorts.get(name);
            } else if (!port.settings.equals(modemSettings)) {
                LOG.warn("Modem on {} is already open with {}; ignoring the differing settings {}", name,
                        port.settings, modemSettings);
            }
            port.references++;
        }
        if (opener) {
            open(port, previousClose, threads);
        }
        ModemHandle modem;
        try {
            modem = port.modem.get();
        } catch (ExecutionException e) {
            releasePort(port);
            throw e.getCause() instanceof Exception ex ? ex : e;
        } catch (InterruptedException e) {
            releasePort(port);
            Thread.currentThread().interrupt();
            throw e;
        }
        String key = clientSettings.key();
        ClientEntry entry;
        try {
            synchronized (port) {
                entry = port.clients.get(key);
                if (entry == null) {
                    entry = new ClientEntry(clientSettings, modem.createClient(clientSettings));
                    port.clients.put(key, entry);
                    LOG.info("Starting MQTT client {} on {} (client index {})", clientSettings, name,
                            entry.client.clientIndex());
                    // Not waited for: the client connects (and reconnects) on its own; health says when it is up.
                    entry.client.start();
                } else if (!entry.settings.equals(clientSettings)) {
                    LOG.warn("MQTT client {} on {} is already in use with {}; ignoring the differing settings {}", key,
                            name, entry.settings, clientSettings);
                }
                entry.references++;
            }
        } catch (Exception e) {
            releasePort(port);
            throw e;
        }
        return new Lease(port, key, entry.client, modem);
    }

    private void open(PortEntry port, CompletableFuture<Void> previousClose, ModemThreads threads) {
        try {
            if (previousClose != null) {
                previousClose.get(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            }
            LOG.info("Opening modem {}", port.settings);
            port.modem.complete(connector.open(port.settings, threads));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            port.modem.completeExceptionally(e);
        } catch (Exception e) {
            port.modem.completeExceptionally(e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e);
        }
    }

    private void releaseClient(PortEntry port, String key) {
        ClientEntry toClose = null;
        synchronized (port) {
            ClientEntry entry = port.clients.get(key);
            if (entry != null && --entry.references == 0) {
                port.clients.remove(key);
                toClose = entry;
            }
        }
        if (toClose != null) {
            LOG.info("Stopping MQTT client {} on {}", key, port.name());
            closeQuietly(toClose.client, port.name());
        }
        releasePort(port);
    }

    private static void closeQuietly(ModemClient client, String port) {
        try {
            client.close().get(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Stopping MQTT client on {} failed: {}", port, e.getMessage());
        }
    }

    private void releasePort(PortEntry port) {
        CompletableFuture<Void> closed;
        synchronized (this) {
            // No longer in the table: closeAll (the component's stop) closed it already, and a user
            // stopped after the component (a ProducerTemplate's producer) only lets go of its share.
            if (--port.references > 0 || ports.get(port.name()) != port) {
                return;
            }
            ports.remove(port.name(), port);
            closed = new CompletableFuture<>();
            closingPorts.put(port.name(), closed);
        }
        try {
            closeModem(port);
        } finally {
            synchronized (this) {
                closingPorts.remove(port.name(), closed);
            }
            closed.complete(null);
        }
    }

    private static void closeModem(PortEntry port) {
        ModemHandle modem = port.modem.getNow(null);
        if (modem == null) {
            return; // never opened
        }
        LOG.info("Closing modem on {}", port.name());
        try {
            modem.close();
        } catch (RuntimeException e) {
            LOG.warn("Closing modem on {} failed: {}", port.name(), e.getMessage());
        }
    }

    /** One open modem and its clients, as the dev console shows them. */
    record ModemView(String port, ModemHandle modem, Map<String, ModemClient> clients) {
    }

    /** The modems open now, each with its clients (by client key). */
    List<ModemView> snapshot() {
        List<PortEntry> all;
        synchronized (this) {
            all = new ArrayList<>(ports.values());
        }
        List<ModemView> views = new ArrayList<>();
        for (PortEntry p : all) {
            ModemHandle m = p.modem.getNow(null);
            if (m == null || p.modem.isCompletedExceptionally()) {
                continue;
            }
            Map<String, ModemClient> clients = new java.util.TreeMap<>();
            synchronized (p) {
                p.clients.forEach((k, c) -> clients.put(k, c.client));
            }
            views.add(new ModemView(p.name(), m, clients));
        }
        return views;
    }

    synchronized int openModems() {
        return (int) ports.values().stream().filter(p -> p.modem.isDone() && !p.modem.isCompletedExceptionally())
                .count();
    }

    synchronized int clients() {
        int n = 0;
        for (PortEntry p : ports.values()) {
            synchronized (p) {
                n += p.clients.size();
            }
        }
        return n;
    }

    /** Closes everything still open (component stop): clients first, then their modems. */
    void closeAll() {
        List<PortEntry> all;
        synchronized (this) {
            all = new ArrayList<>(ports.values());
            ports.clear();
        }
        for (PortEntry port : all) {
            List<ClientEntry> clients;
            synchronized (port) {
                clients = new ArrayList<>(port.clients.values());
                port.clients.clear();
            }
            clients.forEach(c -> closeQuietly(c.client, port.name()));
            closeModem(port);
        }
    }
}
