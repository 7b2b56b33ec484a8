package io.cellmqtt.examples.quarkus;

import io.cellmqtt.simulator.SimulatedModem;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.net.ServerSocket;
import java.util.Map;
import java.util.Properties;

/**
 * Starts what a gateway has around the application before Quarkus starts it: an MQTT broker (embedded
 * Moquette on a free port) and a modem (a simulated BG95 behind a pseudo-terminal, which jSerialComm opens
 * like /dev/ttyUSB2; its MQTT connections go to that broker). Their addresses go into the application's
 * configuration exactly where application.properties has them.
 */
public class ModemAndBrokerResource implements QuarkusTestResourceLifecycleManager {

    /** A reading with what AT-driven MQTT often breaks: quotes, commas, CR LF, a byte over 0x7F. */
    static final String READING = "{\"plant\":7,\"celsius\":21.5,\"note\":\"a, \\\"b\\\"\r\nc\",\"unit\":\"\u00b0C\"}";

    private Server broker;
    private SimulatedModem modem;

    @Override
    public Map<String, String> start() {
        try {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Properties p = new Properties();
            p.setProperty("host", "127.0.0.1");
            p.setProperty("port", Integer.toString(port));
            p.setProperty("allow_anonymous", "true");
            p.setProperty("telemetry_enabled", "false");
            p.setProperty("persistence_enabled", "false");
            p.setProperty("websocket_port", "disabled");
            broker = new Server();
            broker.startServer(new MemoryConfig(p));
            modem = SimulatedModem.of("bg95");
            return Map.of(
                    "camel.component.cellmqtt.serial-port", modem.openPty(),
                    "camel.component.cellmqtt.modem", "bg95",
                    "camel.component.cellmqtt.broker-url", "tcp://127.0.0.1:" + port,
                    "plant.period", "500",
                    "plant.reading", READING);
        } catch (Exception e) {
            stop();
            throw new IllegalStateException("could not start the broker and the simulated modem", e);
        }
    }

    @Override
    public void stop() {
        if (modem != null) {
            modem.close();
            modem = null;
        }
        if (broker != null) {
            broker.stopServer();
            broker = null;
        }
    }
}
