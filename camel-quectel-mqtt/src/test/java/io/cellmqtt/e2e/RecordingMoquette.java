package io.cellmqtt.e2e;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptPublishMessage;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * Moquette embedded in the test JVM that also records, in test memory, every PUBLISH it accepted
 * from a client. The record survives {@link #stop()} and {@link #start()}: a subscriber is
 * disconnected by a broker restart and misses what arrives while it reconnects, the record does
 * not. It is the independent proof of what reached the broker.
 *
 * <p>Moquette hands the interceptor a PUBLISH on its interceptor pool after routing it, and
 * {@link #stop()} waits for that pool to finish: once stopped, everything the broker accepted
 * before is in the record.
 */
final class RecordingMoquette implements TestBroker {

    /** One PUBLISH as the broker accepted it. */
    record Accepted(String clientId, String topic, byte[] payload, int qos, boolean dup, long nanoTime) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final int port;
    private final ConcurrentLinkedQueue<Accepted> accepted = new ConcurrentLinkedQueue<>();
    private Server server;
    private int starts;

    RecordingMoquette() throws Exception {
        this.port = MoquetteBroker.freePort();
    }

    @Override
    public String name() {
        return "moquette-recording";
    }

    @Override
    public boolean flagsRetainedDeliveries() {
        return false;
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public synchronized void start() throws Exception {
        if (server != null) {
            return;
        }
        Properties p = new Properties();
        p.setProperty("host", host());
        p.setProperty("port", Integer.toString(port));
        p.setProperty("allow_anonymous", "true");
        // Moquette would otherwise report usage to an outside server: never from here.
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("websocket_port", "disabled");
        p.setProperty("netty.mqtt.message_size", "16384");
        Server s = new Server();
        s.startServer(new MemoryConfig(p), List.of(new AbstractInterceptHandler() {
            @Override
            public String getID() {
                return "test-record";
            }

            @Override
            public void onPublish(InterceptPublishMessage msg) {
                ByteBuf buf = msg.getPayload();
                try {
                    byte[] bytes = new byte[buf.readableBytes()];
                    buf.getBytes(buf.readerIndex(), bytes);
                    accepted.add(new Accepted(msg.getClientID(), msg.getTopicName(), bytes, msg.getQos().value(),
                            msg.isDupFlag(), System.nanoTime()));
                } finally {
                    // Moquette hands each interceptor its own retained duplicate: ours to release.
                    buf.release();
                }
            }

            @Override
            public void onSessionLoopError(Throwable error) {
                // Moquette logs it; the record is unaffected
            }
        }));
        server = s;
        starts++;
    }

    /** Stops the broker (in memory: it forgets sessions, subscriptions, retained messages); idempotent. */
    @Override
    public synchronized void stop() {
        if (server != null) {
            server.stopServer();
            server = null;
        }
    }

    synchronized boolean running() {
        return server != null;
    }

    /** How many times it was started. */
    synchronized int starts() {
        return starts;
    }

    /** Every PUBLISH accepted so far matching {@code which}, in the order the interceptor saw them. */
    List<Accepted> accepted(Predicate<Accepted> which) {
        List<Accepted> out = new ArrayList<>();
        for (Accepted a : accepted) {
            if (which.test(a)) {
                out.add(a);
            }
        }
        return out;
    }

    /** Every PUBLISH accepted on {@code topic}. */
    List<Accepted> on(String topic) {
        return accepted(a -> a.topic().equals(topic));
    }

    /** Forgets the record (to measure the heap without it). */
    void forget() {
        accepted.clear();
    }
}
