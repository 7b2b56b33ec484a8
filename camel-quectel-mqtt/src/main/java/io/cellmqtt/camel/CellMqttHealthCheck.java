package io.cellmqtt.camel;

import java.util.Map;
import java.util.function.Supplier;

import io.cellmqtt.camel.ModemConnector.ModemClient;
import io.cellmqtt.modem.MqttClientState;
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
