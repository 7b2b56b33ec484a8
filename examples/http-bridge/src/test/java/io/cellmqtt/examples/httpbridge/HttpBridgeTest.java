package io.cellmqtt.examples.httpbridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpServer;
import io.cellmqtt.simulator.SimulatedModem;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.main.Main;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The example as it ships (application.properties, routes/http-bridge.yaml) on Camel Main in this JVM, with only the
 * addresses overridden: a simulated BG95 behind a PTY as the modem, an embedded Moquette as the broker, a JDK
 * HttpServer as the backend, and the JDK HttpClient and a Paho client as the outside world.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpBridgeTest {

    private static final long PUBLISH_TIMEOUT_MS = 3000;

    private static int brokerPort;
    private static Server broker;
    private static SimulatedModem modem;
    private static HttpServer backend;
    private static final AtomicInteger backendAttempts = new AtomicInteger();
    private static final BlockingQueue<Received> backendReceived = new LinkedBlockingQueue<>();
    private static Main main;
    private static int httpPort;
    private static MqttClient paho;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Received(String topic, String contentType, byte[] body) {
    }

    @BeforeAll
    static void startEverything() throws Exception {
        brokerPort = freePort();
        broker = startBroker(brokerPort);
        modem = SimulatedModem.of("bg95");
        String tty = modem.openPty();

        // the backend: the first request fails with 500, every later one is taken (200)
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/ingest", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int attempt = backendAttempts.incrementAndGet();
            if (attempt == 1) {
                exchange.sendResponseHeaders(500, -1);
            } else {
                backendReceived.add(new Received(exchange.getRequestHeaders().getFirst("X-Mqtt-Topic"),
                        exchange.getRequestHeaders().getFirst("Content-Type"), body));
                exchange.sendResponseHeaders(200, -1);
            }
            exchange.close();
        });
        backend.start();

        httpPort = freePort();
        main = new Main();
        Properties p = new Properties();
        p.setProperty("camel.component.cellmqtt.serialPort", tty);
        p.setProperty("camel.component.cellmqtt.modem", "bg95");
        p.setProperty("camel.component.cellmqtt.brokerUrl", "tcp://127.0.0.1:" + brokerPort);
        p.setProperty("camel.component.cellmqtt.publishTimeout", Long.toString(PUBLISH_TIMEOUT_MS));
        // reconnect quickly once the broker is back
        p.setProperty("camel.component.cellmqtt.reconnectDelay", "200");
        p.setProperty("camel.component.cellmqtt.maxReconnectDelay", "1000");
        p.setProperty("camel.server.host", "127.0.0.1");
        p.setProperty("camel.server.port", Integer.toString(httpPort));
        p.setProperty("bridge.backend.url", "http://127.0.0.1:" + backend.getAddress().getPort() + "/ingest");
        p.setProperty("bridge.backend.redeliveryDelay", "100");
        p.setProperty("bridge.backend.maximumRedeliveryDelay", "500");
        main.setOverrideProperties(p);
        main.start();

        paho = new MqttClient("tcp://127.0.0.1:" + brokerPort, "http-bridge-test", new MemoryPersistence());
        paho.connect();

        // the consumer is subscribed when its health check is UP (starting a route does not wait for the broker)
        // (every check of the route: Camel's own and cellmqtt's; asked directly, as the default exposure level
        // of HealthCheckHelper leaves UP checks out)
        HealthCheckRegistry health = HealthCheckRegistry.get(main.getCamelContext());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(health.stream()
                .filter(c -> c.getId().contains("mqtt-to-http"))
                .map(HealthCheck::call)
                .collect(Collectors.toMap(r -> r.getCheck().getId(), r -> r.getState())))
                .isNotEmpty()
                .containsValue(HealthCheck.State.UP)
                .doesNotContainValue(HealthCheck.State.DOWN));
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (paho != null && paho.isConnected()) {
            paho.disconnect();
        }
        if (main != null) {
            main.stop();
        }
        if (backend != null) {
            backend.stop(0);
        }
        if (modem != null) {
            modem.close();
        }
        if (broker != null) {
            broker.stopServer();
        }
    }

    @Test
    @Order(1)
    void postIsPublishedAndAnswered202WithTheMessageIdOnceAcknowledged() throws Exception {
        BlockingQueue<MqttMessage> seen = new LinkedBlockingQueue<>();
        paho.subscribe("plant/7/cmd", 1, (topic, message) -> seen.add(message));
        // bytes that an AT command line could not carry as text: quotes, comma, CR, LF, NUL, Ctrl+Z, ESC, non-UTF-8
        byte[] payload = {'{', '"', 's', '"', ':', '1', ',', '\r', '\n', 0, 0x1A, 0x1B, (byte) 0xFF, '}'};

        HttpResponse<String> response = post("/publish/plant/7/cmd", payload);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/json"));
        JsonObject json = (JsonObject) Jsoner.deserialize(response.body());
        assertThat(json.getInteger("messageId")).isBetween(1, 65535);
        assertThat(json.getString("topic")).isEqualTo("plant/7/cmd");
        MqttMessage message = seen.poll(10, TimeUnit.SECONDS);
        assertThat(message).as("the message at the broker").isNotNull();
        assertThat(message.getPayload()).isEqualTo(payload);
        assertThat(message.getQos()).isEqualTo(1);
        paho.unsubscribe("plant/7/cmd");
    }

    @Test
    @Order(2)
    void percentEncodedLevelsAreDecoded() throws Exception {
        BlockingQueue<String> topics = new LinkedBlockingQueue<>();
        paho.subscribe("site a/#", 1, (topic, message) -> topics.add(topic));

        HttpResponse<String> response = post("/publish/site%20a/caf%C3%A9/temp", "21.5".getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(topics.poll(10, TimeUnit.SECONDS)).isEqualTo("site a/café/temp");
        paho.unsubscribe("site a/#");
    }

    @Test
    @Order(3)
    void aFormBodyIs415AndAnyOtherTypeIsPublishedAsSent() throws Exception {
        BlockingQueue<MqttMessage> seen = new LinkedBlockingQueue<>();
        paho.subscribe("plant/8/cmd", 1, (topic, message) -> seen.add(message));
        byte[] payload = "{\"setpoint\":21}&a=b".getBytes(StandardCharsets.UTF_8);

        // what curl --data-binary sends when not told otherwise: the HTTP server parses it, the bytes are gone
        HttpResponse<String> form = post("/publish/plant/8/cmd", "application/x-www-form-urlencoded", payload);
        assertThat(form.statusCode()).as(form.body()).isEqualTo(415);
        assertThat(form.body()).contains("application/octet-stream");
        assertThat(form.headers().map().keySet()).as("no request header or form field echoed")
                .allSatisfy(h -> assertThat(h.toLowerCase()).isIn(":status", "content-type", "content-length", "transfer-encoding"));

        HttpResponse<String> json = post("/publish/plant/8/cmd", "application/json; charset=UTF-8", payload);
        assertThat(json.statusCode()).as(json.body()).isEqualTo(202);
        assertThat(json.headers().map().keySet()).as("no request header echoed")
                .allSatisfy(h -> assertThat(h.toLowerCase()).isIn(":status", "content-type", "content-length", "transfer-encoding"));
        MqttMessage message = seen.poll(10, TimeUnit.SECONDS);
        assertThat(message).isNotNull();
        assertThat(message.getPayload()).isEqualTo(payload);
        assertThat(seen).as("only the second POST was published").isEmpty();
        paho.unsubscribe("plant/8/cmd");
    }

    @Test
    @Order(4)
    void badInputIs400WithTheComponentsMessage() throws Exception {
        HttpResponse<String> wildcard = post("/publish/plant/+/cmd", "x".getBytes(StandardCharsets.UTF_8));
        assertThat(wildcard.statusCode()).isEqualTo(400);
        JsonObject json = (JsonObject) Jsoner.deserialize(wildcard.body());
        assertThat(json.getString("reason")).contains("plant/+/cmd").contains("wildcard");

        HttpResponse<String> hash = post("/publish/plant/%23", "x".getBytes(StandardCharsets.UTF_8));
        assertThat(hash.statusCode()).isEqualTo(400);
        assertThat(hash.body()).contains("wildcard");

        HttpResponse<String> empty = post("/publish/plant/7/cmd", new byte[0]);
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(empty.body()).contains("the request body is empty");

        HttpResponse<String> noTopic = post("/publish/", "x".getBytes(StandardCharsets.UTF_8));
        assertThat(noTopic.statusCode()).isEqualTo(400);
        assertThat(noTopic.body()).contains("must not be empty");

        HttpResponse<String> get = http.send(HttpRequest.newBuilder(uri("/publish/plant/7/cmd")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
    }

    @Test
    @Order(5)
    void mqttMessageReachesTheBackendWithItsTopicAfterOneFailedAttempt() throws Exception {
        byte[] payload = {'{', '"', 'c', '"', ':', '2', '1', '}', '\r', '\n', 0, (byte) 0x80};
        MqttMessage message = new MqttMessage(payload);
        message.setQos(1);

        paho.publish("plant/42/telemetry", message);

        Received received = backendReceived.poll(15, TimeUnit.SECONDS);
        assertThat(received).as("the message at the backend").isNotNull();
        assertThat(received.topic()).isEqualTo("plant/42/telemetry");
        assertThat(received.body()).isEqualTo(payload);
        assertThat(received.contentType()).isEqualTo("application/octet-stream");
        assertThat(backendAttempts.get()).as("one 500, then the redelivery").isEqualTo(2);
    }

    @Test
    @Order(6)
    void brokerDownIs503Or504WithinThePublishTimeoutWithTheReason() throws Exception {
        broker.stopServer();
        broker = null;
        try {
            long start = System.nanoTime();
            HttpResponse<String> response = post("/publish/plant/7/cmd", "late".getBytes(StandardCharsets.UTF_8));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(response.statusCode()).as(response.body()).isIn(503, 504);
            assertThat(ms).isLessThan(PUBLISH_TIMEOUT_MS + 3000);
            JsonObject json = (JsonObject) Jsoner.deserialize(response.body());
            assertThat(json.getInteger("status")).isEqualTo(response.statusCode());
            assertThat(json.getString("reason")).isNotBlank();
            if (response.statusCode() == 504) {
                assertThat(json.getString("reason")).contains("publishTimeout=" + PUBLISH_TIMEOUT_MS);
            }
        } finally {
            broker = startBroker(brokerPort);
        }
        // and once the broker is back, publishing works again
        paho = reconnect();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                post("/publish/plant/7/cmd", "back".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(202));
    }

    private static MqttClient reconnect() throws Exception {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + brokerPort, "http-bridge-test-2", new MemoryPersistence());
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            c.connect();
            return true;
        });
        return c;
    }

    private static HttpResponse<String> post(String path, byte[] body) throws Exception {
        return post(path, "application/octet-stream", body);
    }

    private static HttpResponse<String> post(String path, String contentType, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path))
                        .timeout(Duration.ofMillis(PUBLISH_TIMEOUT_MS + 10_000))
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
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
