package io.cellmqtt.camel;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.cellmqtt.camel.ModemConnector.ModemClient;
import io.cellmqtt.camel.ModemConnector.ModemHandle;
import io.cellmqtt.modem.ModemSettings;
import io.cellmqtt.modem.MqttClientSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The component's shared resources: one modem per serial port and one MQTT client per (serial port,
 * {@link MqttClientSettings#key()}), both reference-counted. The last release of a client stops it; the last release
 * of a modem's clients closes the modem.
 */
final class SharedModems {

    private static final Logger LOG = LoggerFactory.getLogger(SharedModems.class);
    private static final long STOP_WAIT_SECONDS = 30;

    private final Map<String, ModemEntry> modems = new HashMap<>();
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

    private static final class ModemEntry {
        final ModemSettings settings;
        final ModemHandle modem;
        final Map<String, ClientEntry> clients = new HashMap<>();

        ModemEntry(ModemSettings settings, ModemHandle modem) {
            this.settings = settings;
            this.modem = modem;
        }
    }

    private static final class ClientEntry {
        final MqttClientSettings settings;
        final ModemClient client;
        final CompletableFuture<Void> started;
        int references;

        ClientEntry(MqttClientSettings settings, ModemClient client, CompletableFuture<Void> started) {
            this.settings = settings;
            this.client = client;
            this.started = started;
        }
    }

    /** A reference to a shared client; {@link #release()} it exactly once (further calls do nothing). */
    final class Lease {
        private final String serialPort;
        private final String key;
        private final ModemClient client;
        private boolean released;

        private Lease(String serialPort, String key, ModemClient client) {
            this.serialPort = serialPort;
            this.key = key;
            this.client = client;
        }

        ModemClient client() {
            return client;
        }

        String serialPort() {
            return serialPort;
        }

        void release() {
            synchronized (SharedModems.this) {
                if (released) {
                    return;
                }
                released = true;
            }
            SharedModems.this.release(serialPort, key);
        }
    }

    /**
     * Opens the modem if this port has none yet, creates the client if this key has none yet, and waits until the
     * client is connected the first time.
     */
    Lease acquire(ModemSettings modemSettings, MqttClientSettings clientSettings) throws Exception {
        String port = modemSettings.serialPort();
        String key = clientSettings.key();
        ClientEntry entry;
        synchronized (this) {
            ModemEntry modem = modems.get(port);
            if (modem == null) {
                LOG.info("Opening modem {}", modemSettings);
                modem = new ModemEntry(modemSettings, connector.open(modemSettings));
                modems.put(port, modem);
            } else if (!modem.settings.equals(modemSettings)) {
                LOG.warn("Modem on {} is already open with {}; ignoring the differing settings {}", port,
                        modem.settings, modemSettings);
            }
            entry = modem.clients.get(key);
            if (entry == null) {
                ModemClient client;
                try {
                    client = modem.modem.createClient(clientSettings);
                } catch (Exception e) {
                    if (modem.clients.isEmpty()) {
                        closeModem(port, modem);
                    }
                    throw e;
                }
                LOG.info("Starting MQTT client {} on {} (client index {})", clientSettings, port, client.clientIndex());
                entry = new ClientEntry(clientSettings, client, client.start());
                modem.clients.put(key, entry);
            } else if (!entry.settings.equals(clientSettings)) {
                LOG.warn("MQTT client {} on {} is already in use with {}; ignoring the differing settings {}", key,
                        port, entry.settings, clientSettings);
            }
            entry.references++;
        }
        Lease lease = new Lease(port, key, entry.client);
        try {
            entry.started.get();
        } catch (ExecutionException e) {
            lease.release();
            throw e.getCause() instanceof Exception ex ? ex : e;
        } catch (InterruptedException e) {
            lease.release();
            Thread.currentThread().interrupt();
            throw e;
        }
        return lease;
    }

    private void release(String port, String key) {
        ClientEntry toStop = null;
        ModemEntry toClose = null;
        synchronized (this) {
            ModemEntry modem = modems.get(port);
            if (modem == null) {
                return;
            }
            ClientEntry entry = modem.clients.get(key);
            if (entry == null) {
                return;
            }
            if (--entry.references == 0) {
                modem.clients.remove(key);
                toStop = entry;
                if (modem.clients.isEmpty()) {
                    modems.remove(port);
                    toClose = modem;
                }
            }
        }
        if (toStop != null) {
            try {
                LOG.info("Stopping MQTT client {} on {}", key, port);
                toStop.client.stop().get(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("Stopping MQTT client {} on {} failed: {}", key, port, e.getMessage());
            }
        }
        if (toClose != null) {
            closeModem(port, toClose);
        }
    }

    private void closeModem(String port, ModemEntry modem) {
        modems.remove(port, modem);
        LOG.info("Closing modem on {}", port);
        try {
            modem.modem.close();
        } catch (RuntimeException e) {
            LOG.warn("Closing modem on {} failed: {}", port, e.getMessage());
        }
    }

    synchronized int openModems() {
        return modems.size();
    }

    synchronized int clients() {
        return modems.values().stream().mapToInt(m -> m.clients.size()).sum();
    }

    /** Closes everything (component stop). */
    void closeAll() {
        Map<String, ModemEntry> all;
        synchronized (this) {
            all = new HashMap<>(modems);
            modems.clear();
        }
        all.forEach((port, modem) -> {
            modem.clients.values().forEach(c -> {
                try {
                    c.client.stop().get(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    LOG.warn("Stopping MQTT client on {} failed: {}", port, e.getMessage());
                }
            });
            closeModem(port, modem);
        });
    }
}
