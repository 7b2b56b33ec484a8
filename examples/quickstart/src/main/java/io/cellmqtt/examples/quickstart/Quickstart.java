package io.cellmqtt.examples.quickstart;

import io.cellmqtt.simulator.SimulatedModem;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * cellmqtt with no modem and no broker: an embedded broker, a simulated modem behind a
 * pseudo-terminal (reached through jSerialComm exactly like /dev/ttyUSB2), the {@link PlantRoutes}
 * bridge, and an independent MQTT client on the broker side that shows the round trip.
 *
 * <p>Runs until Ctrl+C, or for {@code -Dquickstart.seconds=N} seconds. {@code -Dquickstart.modem=m95}
 * (or bg77, bg600l, bg96, bc26, sim7600) simulates another model; the default is bg95.
 */
public final class Quickstart {

    public static void main(String[] args) throws Exception {
        int port = Integer.getInteger("broker.port", freePort());
        Server broker = startBroker(port);
        String brokerUrl = "tcp://127.0.0.1:" + port;
        System.out.println("[quickstart] embedded MQTT broker on " + brokerUrl);

        String model = System.getProperty("quickstart.modem", "bg95");
        SimulatedModem modem = SimulatedModem.of(model);
        String tty = modem.openPty();
        System.out.println("[quickstart] simulated " + model + " AT port on " + tty);

        AtomicInteger readings = new AtomicInteger();
        Main main = new Main();
        main.addInitialProperty("cellmqtt.serialPort", tty);
        main.addInitialProperty("cellmqtt.modem", model);
        main.addInitialProperty("cellmqtt.brokerUrl", brokerUrl);
        // The bridge itself is PlantRoutes, the same for every modem; here a timer feeds it readings.
        main.configure().addRoutesBuilder(new PlantRoutes());
        main.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                from("timer:reading?period=3000").routeId("readings")
                        .process(e -> e.getMessage().setBody(String.format("{\"plant\":7,\"seq\":%d,\"celsius\":%.1f}",
                                readings.incrementAndGet(), 18 + 8 * Math.random())))
                        .to("direct:readings");
            }
        });

        // The independent client: sees the telemetry at the broker and sends commands back.
        MqttClient observer = new MqttClient(brokerUrl, "quickstart-observer", new MemoryPersistence());
        observer.connect();
        observer.subscribe("plant/7/telemetry", 1, (topic, message) -> System.out.println(
                "[broker-side client] got on " + topic + ": " + new String(message.getPayload(), StandardCharsets.UTF_8)));
        AtomicInteger commands = new AtomicInteger();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        ticker.scheduleAtFixedRate(() -> {
            try {
                String cmd = "{\"setpoint\":" + (20 + commands.incrementAndGet()) + "}";
                System.out.println("[broker-side client] sends to plant/7/cmd: " + cmd);
                observer.publish("plant/7/cmd", cmd.getBytes(StandardCharsets.UTF_8), 1, false);
            } catch (Exception e) {
                System.out.println("[broker-side client] publish failed: " + e);
            }
        }, 5, 5, TimeUnit.SECONDS);

        Integer seconds = Integer.getInteger("quickstart.seconds");
        if (seconds != null) {
            main.configure().withDurationMaxSeconds(seconds);
        }
        try {
            main.run();
        } finally {
            ticker.shutdownNow();
            observer.disconnect();
            observer.close();
            modem.close();
            broker.stopServer();
        }
    }

    private static Server startBroker(int port) throws Exception {
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", Integer.toString(port));
        p.setProperty("allow_anonymous", "true");
        // Moquette would otherwise report usage to an outside server: never from here.
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("websocket_port", "disabled");
        Server server = new Server();
        server.startServer(new MemoryConfig(p));
        return server;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
