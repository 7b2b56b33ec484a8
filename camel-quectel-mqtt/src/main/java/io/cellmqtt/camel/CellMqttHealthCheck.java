package io.cellmqtt.camel;

import java.util.Map;
import java.util.function.Supplier;

import io.cellmqtt.camel.ModemConnector.ModemClient;
import io.cellmqtt.modem.MqttClientState;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** UP while the modem's MQTT client behind a producer or consumer is CONNECTED. */
final class CellMqttHealthCheck extends AbstractHealthCheck {

    private final String serialPort;
    private final Supplier<ModemClient> client;

    CellMqttHealthCheck(String id, String serialPort, Supplier<ModemClient> client) {
        super("camel", id);
        this.serialPort = serialPort;
        this.client = client;
    }

    /** Registers a check if the context has a health registry; returns it, or null. */
    static CellMqttHealthCheck register(CamelContext context, String id, String serialPort,
            Supplier<ModemClient> client) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null) {
            return null;
        }
        CellMqttHealthCheck check = new CellMqttHealthCheck(id, serialPort, client);
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
        ModemClient c = client.get();
        if (c == null) {
            builder.down().message("No modem MQTT client (not started)");
            return;
        }
        MqttClientState state;
        try {
            state = c.state();
            builder.detail("clientIndex", c.clientIndex());
        } catch (RuntimeException e) {
            builder.down().error(e).message("Modem MQTT client state unknown: " + e.getMessage());
            return;
        }
        builder.detail("state", String.valueOf(state));
        if (state == MqttClientState.CONNECTED) {
            builder.up();
        } else {
            builder.down().message("Modem MQTT client is " + state);
        }
    }
}
