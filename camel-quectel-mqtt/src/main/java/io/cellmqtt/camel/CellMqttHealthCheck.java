package io.cellmqtt.camel;

import java.util.Map;
import java.util.function.Supplier;

import io.cellmqtt.camel.ModemConnector.ModemClient;
import io.cellmqtt.camel.ModemConnector.ModemHandle;
import io.cellmqtt.modem.MqttClientState;
import io.cellmqtt.modem.Subscription;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;
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

    /** Registers a check if the context has a health registry; returns it, or null. */
    static CellMqttHealthCheck register(
            CamelContext context, String id, String serialPort, Supplier<SharedModems.Lease> lease,
            Supplier<Subscription> subscription) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null) {
            return null;
        }
        CellMqttHealthCheck check = new CellMqttHealthCheck(id, serialPort, lease, subscription);
        registry.register(check);
        return check;
    }

    /** Unregisters {@code check} (null is fine). */
    static void unregister(CamelContext context, CellMqttHealthCheck check) {
        HealthCheckRegistry registry = check == null ? null : HealthCheckRegistry.get(context);
        if (registry != null) {
            registry.unregister(check);
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
