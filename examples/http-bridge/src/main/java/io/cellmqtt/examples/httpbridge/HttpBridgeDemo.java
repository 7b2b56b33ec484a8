package io.cellmqtt.examples.httpbridge;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import io.cellmqtt.simulator.SimulatedModem;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import org.apache.camel.main.Main;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The HTTP bridge with no modem, no broker and no backend: an embedded broker, a simulated BG95 behind a
 * pseudo-terminal, a JDK HttpServer as the backend that prints what it gets, and the routes of
 * {@code routes/http-bridge.yaml} exactly as configured in {@code application.properties}, with only the modem's port,
 * the broker and the backend pointed at these. Every 5 s it POSTs to the bridge and publishes a reading at the broker,
 * so both directions show; {@code curl} works too (the command is printed).
 *
 * <p>On a gateway with a modem the demo is not needed: run {@code org.apache.camel.main.Main} with the same
 * application.properties (see docs/http-bridge.md). Runs until Ctrl+C, or for {@code -Dhttpbridge.seconds=N} seconds;
 * {@code -Dhttpbridge.modem=sim7600} (or bg77, bg600l, bg96, bc26, m95) simulates another model;
 * {@code -Dcamel.server.port=8081} moves the HTTP port.
 */
public final class HttpBridgeDemo {

    public static void main(String[] args) throws Exception {
        int brokerPort = freePort();
        Server broker = startBroker(brokerPort);
        String brokerUrl = "tcp://127.0.0.1:" + brokerPort;
        System.out.println("[demo] embedded MQTT broker on " + brokerUrl);

        String model = System.getProperty("httpbridge.modem", "bg95");
        SimulatedModem modem = SimulatedModem.of(model);
        String tty = modem.openPty();
        System.out.println("[demo] simulated " + model + " AT port on " + tty);

        HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/ingest", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            System.out.println("[backend] POST " + exchange.getRequestURI() + " X-Mqtt-Topic: "
                               + exchange.getRequestHeaders().getFirst("X-Mqtt-Topic") + " body: "
                               + new String(body, StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        backend.start();
        String backendUrl = "http://127.0.0.1:" + backend.getAddress().getPort() + "/ingest";
        System.out.println("[demo] backend on " + backendUrl);

        Main main = new Main();
        Properties p = new Properties();
        p.setProperty("camel.component.cellmqtt.serialPort", tty);
        p.setProperty("camel.component.cellmqtt.modem", model);
        p.setProperty("camel.component.cellmqtt.brokerUrl", brokerUrl);
        p.setProperty("bridge.backend.url", backendUrl);
        // what is given with -D wins over the demo's own settings, as it wins over application.properties
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("camel.") || k.startsWith("bridge."))
                .forEach(k -> p.setProperty(k, System.getProperty(k)));
        main.setOverrideProperties(p);
        int httpPort = Integer.parseInt(System.getProperty("camel.server.port", "8080"));
        String publishUrl = "http://127.0.0.1:" + httpPort + "/publish/plant/7/cmd";
        System.out.println("[demo] try: curl -i -H 'Content-Type: application/octet-stream' --data-binary '{\"setpoint\":21}' " + publishUrl);

        MqttClient observer = new MqttClient(brokerUrl, "http-bridge-demo-observer", new MemoryPersistence());
        observer.connect();
        observer.subscribe("plant/+/cmd", 1, (topic, message) -> System.out.println(
                "[broker-side client] got on " + topic + ": " + new String(message.getPayload(), StandardCharsets.UTF_8)));

        HttpClient http = HttpClient.newHttpClient();
        AtomicInteger n = new AtomicInteger();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        ticker.scheduleAtFixedRate(() -> {
            int i = n.incrementAndGet();
            try {
                String cmd = "{\"setpoint\":" + (20 + i % 5) + "}";
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(publishUrl))
                        .POST(HttpRequest.BodyPublishers.ofString(cmd)).build(), HttpResponse.BodyHandlers.ofString());
                System.out.println("[http client] POST " + publishUrl + " " + cmd + " -> " + r.statusCode() + " " + r.body());
                String reading = "{\"plant\":7,\"seq\":" + i + ",\"celsius\":" + (180 + i % 80) / 10.0 + "}";
                System.out.println("[broker-side client] sends to plant/7/telemetry: " + reading);
                observer.publish("plant/7/telemetry", reading.getBytes(StandardCharsets.UTF_8), 1, false);
            } catch (Exception e) {
                System.out.println("[demo] " + e);
            }
        }, 5, 5, TimeUnit.SECONDS);

        Integer seconds = Integer.getInteger("httpbridge.seconds");
        if (seconds != null) {
            main.configure().withDurationMaxSeconds(seconds);
        }
        try {
            main.run();
        } finally {
            ticker.shutdownNow();
            observer.disconnect();
            observer.close();
            backend.stop(0);
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
