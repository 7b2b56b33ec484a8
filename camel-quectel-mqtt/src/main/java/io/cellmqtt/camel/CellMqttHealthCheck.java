package io.cellmqtt.camel;

import java.util.Map;
import java.util.function.Supplier;

import io.cellmqtt.camel.ModemConnector.ModemClient;
import io.cellmqtt.camel.ModemConnector.ModemHandle;
import io.cellmqtt.modem.MqttClientState;
import io.cellmqtt.modem.Subscription;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.health.WritableHealthCheckRepository;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The readiness of a producer or consumer: UP while its modem MQTT client is CONNECTED (for a consumer: and its own
 * subscription is held by the broker); DOWN otherwise, with the client's and the modem's state and the reason in the
 * details and the message: {@code Modem MQTT client is WAITING_TO_RETRY: connection lost ...; next attempt in 4000 ms
 * (modem READY)}.
 */
final class CellMqttHealthCheck extends AbstractHealthCheck {

    private final String serialPort;
    private final Supplier<SharedModems.Lease> lease;
    private final Supplier<Subscription> subscription;

    CellMqttHealthCheck(String id, String serialPort, Supplier<SharedModems.Lease> lease,
                        Supplier<Subscription> subscription) {
        super("camel", id);
        this.serialPort = serialPort;
        this.lease = lease;
        this.subscription = subscription;
    }

    /**
     * A producer's check, added to Camel's {@code producers} health-check repository as camel-kafka
     * 4.18 does, so that {@code camel.health.producersEnabled} governs it and {@code enabled} (the
     * component's healthCheckProducerEnabled) switches it off alone. Null when the context has no
     * health checks.
     */
    static CellMqttHealthCheck forProducer(CamelContext context, String id, boolean enabled, String serialPort,
            Supplier<SharedModems.Lease> lease) {
        WritableHealthCheckRepository repo = HealthCheckHelper.getHealthCheckRepository(context, "producers",
                WritableHealthCheckRepository.class);
        if (repo == null) {
            return null;
        }
        CellMqttHealthCheck check = new CellMqttHealthCheck(id, serialPort, lease, () -> null);
        check.setEnabled(enabled);
        check.repository = repo;
        repo.addHealthCheck(check);
        return check;
    }

    /**
     * A consumer's check, for Camel's {@code consumers} repository, which asks each route's consumer
     * for its check ({@code DefaultConsumer.setHealthCheck}, as camel-kafka 4.18 does), so that
     * {@code camel.health.consumersEnabled} governs it and {@code enabled} (the component's
     * healthCheckConsumerEnabled) switches it off alone. Null when the context has no health checks.
     */
    static CellMqttHealthCheck forConsumer(CamelContext context, String id, boolean enabled, String serialPort,
            Supplier<SharedModems.Lease> lease, Supplier<Subscription> subscription) {
        if (HealthCheckHelper.getHealthCheckRepository(context, "consumers") == null) {
            return null;
        }
        CellMqttHealthCheck check = new CellMqttHealthCheck(id, serialPort, lease, subscription);
        check.setEnabled(enabled);
        return check;
    }

    private WritableHealthCheckRepository repository;

    /** Takes {@code check} out of its repository (null is fine). */
    static void unregister(CellMqttHealthCheck check) {
        if (check != null && check.repository != null) {
            check.repository.removeHealthCheck(check);
        }
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("serialPort", serialPort);
        SharedModems.Lease l = lease.get();
        if (l == null) {
            builder.down().message("No modem MQTT client (not started)");
            return;
        }
        ModemClient c = l.client();
        ModemHandle modem = l.modem();
        MqttClientState state;
        String reason;
        try {
            state = c.state();
            reason = c.reason();
            builder.detail("clientIndex", c.clientIndex());
            builder.detail("modemState", String.valueOf(modem.state()));
            builder.detail("modemReason", String.valueOf(modem.reason()));
            modem.facts().forEach(builder::detail); // model, imei, firmware, manufacturer
            io.cellmqtt.modem.ClientStats stats = c.stats();
            if (stats != null) {
                builder.detail("since", String.valueOf(stats.since()));
                builder.detail("lastDisconnect", String.valueOf(stats.lastDisconnect()));
                builder.detail("inFlight", stats.inFlight());
                builder.detail("reconnects", stats.reconnects());
                // what the bounds refused or dropped (maxPendingPublishes, maxPendingDeliveries), and what nobody asked for
                builder.detail("rejectedPublishes", stats.rejectedPublishes());
                builder.detail("pendingDeliveries", stats.pendingDeliveries());
                builder.detail("droppedDeliveries", stats.droppedDeliveries());
                builder.detail("unmatchedMessages", stats.unmatchedMessages());
            }
        } catch (RuntimeException e) {
            builder.down().error(e).message("Modem MQTT client state unknown: " + e.getMessage());
            return;
        }
        builder.detail("state", String.valueOf(state));
        builder.detail("reason", String.valueOf(reason));
        if (state != MqttClientState.CONNECTED) {
            builder.down().message("Modem MQTT client is " + state + ": " + reason + " (modem " + modem.state() + ")");
            return;
        }
        Subscription s = subscription.get();
        if (s != null) {
            builder.detail("subscription", String.valueOf(s.state()));
            if (s.state() != Subscription.State.ACTIVE) {
                String why = s.state() == Subscription.State.REFUSED ? ": " + s.problem() : "";
                builder.down().message("Subscription to " + s.filter() + " is " + s.state() + why);
                return;
            }
        }
        builder.up();
    }
}
