package io.cellmqtt.camel;

import io.cellmqtt.camel.ModemConnector.ModemClient;
import io.cellmqtt.modem.ClientStats;
import org.apache.camel.spi.annotations.DevConsole;
import org.apache.camel.support.console.AbstractDevConsole;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;

import java.util.Map;

/**
 * Camel's dev console for {@code cellmqtt}: each open modem (port, state, model, IMEI, firmware,
 * and with the option {@code signal=true} the signal as {@code AT+CSQ} reports it and in dBm) and
 * each of its MQTT clients (state, since when, why, the last disconnect, and its counters:
 * published, acknowledged, failed, in flight, received, reconnects; what the bounds refused or dropped: rejected
 * publishes, pending and dropped deliveries, unmatched messages). Secrets are never shown: a
 * client is named by its broker and client id.
 */
@DevConsole(name = "cellmqtt", displayName = "Cellular MQTT", description = "Modems and their MQTT clients")
public class CellMqttDevConsole extends AbstractDevConsole {

    /** Option: also ask each modem for its signal (an AT command, a few seconds at most). */
    public static final String SIGNAL = "signal";

    public CellMqttDevConsole() {
        super("camel", "cellmqtt", "Cellular MQTT", "Modems and their MQTT clients");
    }

    private SharedModems modems() {
        CellMqttComponent c = getCamelContext().hasComponent("cellmqtt") instanceof CellMqttComponent cc ? cc : null;
        return c == null ? null : c.sharedModems();
    }

    @Override
    protected String doCallText(Map<String, Object> options) {
        StringBuilder sb = new StringBuilder();
        SharedModems modems = modems();
        if (modems == null) {
            return "no cellmqtt component\n";
        }
        boolean signal = "true".equals(String.valueOf(options.get(SIGNAL)));
        for (SharedModems.ModemView m : modems.snapshot()) {
            sb.append("Modem ").append(m.port()).append(": ").append(m.modem().state()).append(" (")
                    .append(m.modem().reason()).append(")\n");
            m.modem().facts().forEach((k, v) -> sb.append("    ").append(k).append(": ").append(v).append('\n'));
            if (signal) {
                String csq = m.modem().signalQuality();
                sb.append("    signal: ").append(csq == null ? "unknown" : csq + " (" + dbm(csq) + ")").append('\n');
            }
            m.clients().forEach((key, c) -> {
                ClientStats s = c.stats();
                sb.append("  Client ").append(c.clientIndex()).append(" ").append(key).append(": ").append(c.state())
                        .append(" (").append(c.reason()).append(")\n");
                if (s != null) {
                    sb.append("      since: ").append(s.since()).append('\n');
                    sb.append("      last disconnect: ").append(s.lastDisconnect()).append('\n');
                    sb.append("      published / acknowledged / failed / in flight: ").append(s.published()).append(" / ")
                            .append(s.acknowledged()).append(" / ").append(s.failed()).append(" / ").append(s.inFlight())
                            .append('\n');
                    sb.append("      received: ").append(s.received()).append(", reconnects: ").append(s.reconnects())
                            .append('\n');
                    sb.append("      rejected publishes: ").append(s.rejectedPublishes()).append(", pending / dropped"
                            + " deliveries: ").append(s.pendingDeliveries()).append(" / ").append(s.droppedDeliveries())
                            .append(", unmatched messages: ").append(s.unmatchedMessages()).append('\n');
                }
            });
        }
        return sb.toString();
    }

    @Override
    protected Map<String, Object> doCallJson(Map<String, Object> options) {
        JsonObject root = new JsonObject();
        JsonArray list = new JsonArray();
        SharedModems modems = modems();
        boolean signal = "true".equals(String.valueOf(options.get(SIGNAL)));
        if (modems != null) {
            for (SharedModems.ModemView m : modems.snapshot()) {
                JsonObject jm = new JsonObject();
                jm.put("port", m.port());
                jm.put("state", String.valueOf(m.modem().state()));
                jm.put("reason", m.modem().reason());
                jm.putAll(m.modem().facts());
                if (signal) {
                    String csq = m.modem().signalQuality();
                    jm.put("signal", csq);
                    jm.put("signalDbm", csq == null ? null : dbm(csq));
                }
                JsonArray clients = new JsonArray();
                m.clients().forEach((key, c) -> {
                    JsonObject jc = new JsonObject();
                    jc.put("client", key);
                    jc.put("clientIndex", c.clientIndex());
                    jc.put("state", String.valueOf(c.state()));
                    jc.put("reason", c.reason());
                    ClientStats s = c.stats();
                    if (s != null) {
                        jc.put("since", String.valueOf(s.since()));
                        jc.put("lastDisconnect", s.lastDisconnect());
                        jc.put("published", s.published());
                        jc.put("acknowledged", s.acknowledged());
                        jc.put("failed", s.failed());
                        jc.put("inFlight", s.inFlight());
                        jc.put("received", s.received());
                        jc.put("reconnects", s.reconnects());
                        jc.put("rejectedPublishes", s.rejectedPublishes());
                        jc.put("pendingDeliveries", s.pendingDeliveries());
                        jc.put("droppedDeliveries", s.droppedDeliveries());
                        jc.put("unmatchedMessages", s.unmatchedMessages());
                    }
                    clients.add(jc);
                });
                jm.put("clients", clients);
                list.add(jm);
            }
        }
        root.put("modems", list);
        return root;
    }

    /**
     * {@code +CSQ: <rssi>,<ber>} in dBm as 27.007 (8.5) defines rssi: 0 is -113 dBm or less, 31 is -51
     * or more, steps of 2 dB; 99 is not known.
     */
    static String dbm(String csq) {
        try {
            int rssi = Integer.parseInt(csq.substring(csq.indexOf(':') + 1, csq.indexOf(',')).trim());
            if (rssi == 99 || rssi < 0 || rssi > 31) {
                return "not known";
            }
            return (-113 + 2 * rssi) + " dBm";
        } catch (RuntimeException e) {
            return "not known";
        }
    }
}
