package io.cellmqtt.modem;

import io.cellmqtt.at.AtErrorException;
import io.cellmqtt.at.AtTimeoutException;
import io.cellmqtt.loop.ModemLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The publishing side of one {@link MqttClient}: the queue of publishes waiting for the connection,
 * the in-flight window of QoS&gt;0 publishes keyed by message id, each publish's own deadline, and
 * what becomes of a publish when the connection ends under it. Lives on the modem's event loop.
 *
 * <p>The rules, which are the component's delivery guarantees:
 * <ul>
 * <li>A publish succeeds only when the modem reported the broker's acknowledgement (for QoS 0, that
 * the packet went out).</li>
 * <li>A publish whose deadline passes before any of it was written (still queued, waiting to be
 * sent again, or withdrawn from the AT queue) fails and is never sent afterwards. One already
 * written fails too, saying it may still reach the broker; it keeps its place in the window and its
 * message id until the modem reports its result or the connection ends, so a late result can only
 * ever be its own.</li>
 * <li>When the connection ends under a publish: one that never reached the modem goes again, in
 * its place; a QoS 1 publish the modem had is sent again after the reconnect with its message id
 * (the broker may see it twice, which QoS 1 allows); a QoS 0 publish the modem had fails, for at
 * most once means never twice; so does a QoS 2 publish on a clean session, for the broker forgot
 * the exchange and a second copy would be delivered again.</li>
 * <li>A publish the modem refuses with a bare {@code ERROR}, or for want of a connection
 * ({@link PublishNotTakenException}), took nothing, as when its connection has just gone: it waits
 * for the connection like a new publish, and the client recycles the connection it trusted. Refused
 * again on the next connection, it fails with the modem's error. A {@code +CME ERROR} with a code is
 * the modem's verdict on the publish and fails it at once.</li>
 * <li>A publish on which the modem says the broker closed the connection
 * ({@link ConnectionClosedOnPublishException}) is one the connection ended under the first time;
 * the second time the broker refused it (AWS IoT closes the connection on a topic its policy does
 * not allow), and it fails with the modem's word instead of closing every connection until its
 * deadline.</li>
 * </ul>
 */
final class ClientPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(ClientPublisher.class);

    /** What the publisher needs of its client. */
    interface Host {
        /** True while publishes may be handed to the modem. */
        boolean connected();

        /** The generation of the current connection attempt. */
        long connection();

        MqttDialect dialect();

        /** A publish's result never came, or came from a connection the client still trusts: recycle it. */
        void connectionSuspect(String why);

        /**
         * A publish has its outcome (once per publish, on the loop): it no longer counts against
         * {@code maxPendingPublishes}. What is still on the wire after its caller gave up holds a window
         * slot, which the window bounds.
         */
        void settled();
    }

    /** One publish, from the caller's call to its outcome. */
    private static final class Pending {
        final long order;
        final OutgoingMessage message;
        final CompletableFuture<PublishReceipt> future;
        final Duration timeout;
        ModemLoop.Timer deadline;
        int messageId;
        Sending sending;
        long connection;
        boolean awaitingResend;
        /** The modem refused the publish command once already with a bare ERROR. */
        boolean refusedBefore;
        /** The modem said once already that the broker closed the connection on this publish. */
        boolean closedConnectionBefore;
        /** The caller has its outcome (or gave up); the entry may still hold a window slot. */
        boolean finished;

        Pending(long order, OutgoingMessage message, Duration timeout, CompletableFuture<PublishReceipt> future) {
            this.order = order;
            this.message = message;
            this.timeout = timeout;
            this.future = future;
        }
    }

    private final Host host;
    private final ModemLoop loop;
    private final Executor completions;
    private final int index;
    private final MqttClientSettings settings;
    private final int window;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /** QoS&gt;0 publishes holding a message id: on the wire, waiting to be sent again, or given up but on the wire. */
    private final Map<Integer, Pending> inflight = new LinkedHashMap<>();
    private final MessageIds ids = new MessageIds();
    private long order;
    private CompletableFuture<Void> drained;

    ClientPublisher(Host host, ModemLoop loop, Executor completions, int index, MqttClientSettings settings,
            int maxInflight) {
        this.host = host;
        this.loop = loop;
        this.completions = completions;
        this.index = index;
        this.settings = settings;
        this.window = Math.max(1, Math.min(settings.inflightWindow(), maxInflight));
    }

    MessageIds ids() {
        return ids;
    }

    /**
     * Queues {@code m} (validated already) for at most {@code timeout}; {@code future} is the
     * caller's, completed on the completion executor. Cancelling it is the same as its timeout.
     */
    void publish(OutgoingMessage m, Duration timeout, CompletableFuture<PublishReceipt> future) {
        Pending p = new Pending(order++, m, timeout, future);
        p.deadline = loop.schedule(timeout, () -> gaveUp(p, null));
        p.future.whenComplete((r, e) -> {
            if (e instanceof CancellationException c) {
                loop.post(() -> gaveUp(p, c));
            }
        });
        queue.add(p);
        pump();
    }

    /** Hands the modem what the window allows. */
    void pump() {
        while (host.connected() && !queue.isEmpty()) {
            Pending p = queue.peek();
            if (p.message.qos() > 0) {
                if (inflight.size() >= window) {
                    return;
                }
                p.messageId = ids.acquire();
                inflight.put(p.messageId, p);
            }
            queue.poll();
            dispatch(p);
        }
    }

    /** After reconnecting: what the modem had when the connection ended goes again, with its id. */
    void resendAfterReconnect() {
        for (Pending p : new ArrayList<>(inflight.values())) {
            if (p.awaitingResend && host.connected()) {
                p.awaitingResend = false;
                LOG.debug("client {}: sending unacknowledged publish {} again", index, p.messageId);
                dispatch(p);
            }
        }
    }

    private void dispatch(Pending p) {
        p.connection = host.connection();
        Sending s = host.dialect().publish(index, p.messageId, p.message);
        p.sending = s;
        s.result().whenComplete((v, e) -> onResult(p, s, e));
    }

    private void onResult(Pending p, Sending s, Throwable error) {
        if (p.sending != s) {
            return; // taken back by the caller's deadline while this result was on its way
        }
        p.sending = null;
        if (p.finished) {
            release(p); // its own late result: the window slot is free now
            pump();
            return;
        }
        if (error == null) {
            succeed(p);
            release(p);
            pump();
            return;
        }
        Throwable cause = Failures.cause(error);
        if (!interrupted(p, cause) && refusedByTheModem(cause) && !p.refusedBefore) {
            // The modem would not take the command (its connection is gone, or going): nothing went
            // to the broker, so it waits for the connection like a new publish. The client's idea of
            // the connection is wrong, whether or not the loss is reported: recycle it. A publish the
            // modem refuses again on a connection it just made is refused for good.
            p.refusedBefore = true;
            release(p);
            requeue(p);
            if (host.connected() && p.connection == host.connection()) {
                host.connectionSuspect("the modem refused a publish: " + cause.getMessage());
            }
            return;
        }
        if (!interrupted(p, cause)) {
            fail(p, cause);
            release(p);
            pump();
            return;
        }
        if (!s.sent()) {
            release(p);
            requeue(p);
        } else if (p.message.qos() == 0) {
            fail(p, new ConnectionLostException("MQTT client " + index + ": the connection ended while the modem was "
                    + "sending a QoS 0 publish to '" + p.message.topic() + "'; at most once, so it is not sent again "
                    + "(it may or may not have reached the broker): " + cause.getMessage(), cause));
        } else if (p.message.qos() == 2 && settings.cleanSession()) {
            fail(p, new ConnectionLostException("MQTT client " + index + ": the connection ended before the broker "
                    + "completed a QoS 2 publish to '" + p.message.topic() + "'; with cleanSession the broker forgets it, "
                    + "so sending it again could deliver it twice: it is not sent again (it may or may not have "
                    + "arrived): " + cause.getMessage(), cause));
            release(p);
        } else if (cause instanceof ConnectionClosedOnPublishException closed && p.closedConnectionBefore) {
            fail(p, new ConnectionClosedOnPublishException("MQTT client " + index + ": the broker closed the connection "
                    + "twice on the publish to '" + p.message.topic() + "', so it was refused, not unlucky; it is not "
                    + "sent again: " + closed.verdict().getMessage(), closed.verdict()));
            release(p);
        } else {
            p.closedConnectionBefore |= cause instanceof ConnectionClosedOnPublishException;
            p.awaitingResend = true;
        }
        if (host.connected() && p.connection == host.connection()) {
            // The client still believes in this connection, but a publish's result never came.
            host.connectionSuspect(cause.getMessage());
        }
    }

    /**
     * True if the modem answered the publish command itself with a bare {@code ERROR} (it took nothing
     * and says no more, as when its connection is not (any more) there), or said it has no connection
     * for it ({@link PublishNotTakenException}). A {@code +CME ERROR} carrying a code is the modem's
     * verdict on the publish (packet too large, window full...), and stands.
     */
    private static boolean refusedByTheModem(Throwable cause) {
        if (cause instanceof PublishNotTakenException) {
            return true;
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof AtErrorException e) {
                return e.result().equals("ERROR");
            }
        }
        return false;
    }

    /** True if the publish ended because its connection (or the modem) did, not by the broker's answer. */
    private boolean interrupted(Pending p, Throwable cause) {
        return cause instanceof ConnectionLostException || cause instanceof NoResultException
                || cause.getCause() instanceof AtTimeoutException || p.connection != host.connection();
    }

    private void requeue(Pending p) {
        // Back into its place: everything queued was published after it.
        List<Pending> rest = new ArrayList<>(queue);
        queue.clear();
        boolean placed = false;
        for (Pending q : rest) {
            if (!placed && q.order > p.order) {
                queue.add(p);
                placed = true;
            }
            queue.add(q);
        }
        if (!placed) {
            queue.add(p);
        }
    }

    /** The caller's deadline passed, or the caller cancelled ({@code cancelled} not null). */
    private void gaveUp(Pending p, CancellationException cancelled) {
        if (p.finished) {
            return;
        }
        String topic = p.message.topic();
        if (queue.remove(p) || p.awaitingResend) {
            release(p);
            fail(p, notSent(p, cancelled, p.awaitingResend ? "it was waiting to be sent again after a reconnect"
                    : "it was waiting for the connection to the broker"));
            pump();
            return;
        }
        Sending s = p.sending;
        p.sending = null;
        if (s != null && s.withdraw()) {
            release(p);
            fail(p, notSent(p, cancelled, "it was waiting for the AT port"));
            pump();
            return;
        }
        p.sending = s;
        // On its way: the caller hears now; the window slot stays taken until the modem answers for it.
        fail(p, cancelled != null ? cancelled : new PublishTimeoutException("MQTT client " + index + ": no result for "
                + "the publish to '" + topic + "' within " + p.timeout.toMillis() + " ms; the modem has it, so it may "
                + "still reach the broker", true));
    }

    private Exception notSent(Pending p, CancellationException cancelled, String where) {
        if (cancelled != null) {
            return cancelled;
        }
        return new PublishTimeoutException("MQTT client " + index + ": the publish to '" + p.message.topic()
                + "' was not sent within " + p.timeout.toMillis() + " ms (" + where + "); it will not be sent later",
                false);
    }

    private void succeed(Pending p) {
        settle(p);
        PublishReceipt r = new PublishReceipt(index, p.messageId, p.message.qos());
        completions.execute(() -> p.future.complete(r));
    }

    private void fail(Pending p, Throwable cause) {
        settle(p);
        if (!(cause instanceof CancellationException)) {
            completions.execute(() -> p.future.completeExceptionally(cause));
        }
    }

    /** The caller has its outcome now: its deadline goes, and its place in the client's backlog. */
    private void settle(Pending p) {
        boolean first = !p.finished;
        p.finished = true;
        p.deadline.cancel();
        if (first) {
            host.settled();
        }
    }

    private void release(Pending p) {
        if (p.message.qos() > 0 && inflight.remove(p.messageId, p)) {
            ids.release(p.messageId);
        }
        if (drained != null && inflight.values().stream().noneMatch(q -> q.sending != null)) {
            drained.complete(null);
        }
    }

    /** Stopping: what was not sent never will be; what is on the wire may still finish. */
    void stopping(Exception why) {
        List<Pending> dropped = new ArrayList<>(queue);
        queue.clear();
        for (Iterator<Pending> it = inflight.values().iterator(); it.hasNext();) {
            Pending p = it.next();
            if (p.awaitingResend) {
                it.remove();
                ids.release(p.messageId);
                dropped.add(p);
            }
        }
        dropped.forEach(p -> fail(p, why));
    }

    /** Completes once no publish is on its way to the broker any more. */
    CompletableFuture<Void> drained() {
        if (inflight.values().stream().noneMatch(q -> q.sending != null)) {
            return CompletableFuture.completedFuture(null);
        }
        drained = new CompletableFuture<>();
        return drained;
    }

    /** Stopped: whatever is left fails with {@code why}. */
    void stopped(Exception why) {
        stopping(why);
        for (Pending p : inflight.values()) {
            ids.release(p.messageId);
            if (!p.finished) {
                fail(p, why);
            }
        }
        inflight.clear();
        drained = null;
    }
}
