package io.cellmqtt.examples.httpbridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import io.cellmqtt.modem.ConnectionLostException;
import io.cellmqtt.modem.ModemException;
import io.cellmqtt.modem.PublishTimeoutException;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeTimedOutException;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.main.Main;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The status each failure of the publish maps to, for the failures the end-to-end test cannot cause at will (a
 * connection lost under a publish, a modem error, a stopped client): routes/http-bridge.yaml on Camel Main with a
 * stand-in {@code cellmqtt} component whose producer fails with the exception under test.
 */
class HttpStatusMappingTest {

    private static final AtomicReference<Function<Exchange, Exception>> failure = new AtomicReference<>();
    private static Main main;
    private static int httpPort;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        httpPort = freePort();
        main = new Main();
        main.bind("cellmqtt", new StandIn());
        Properties p = new Properties();
        p.setProperty("camel.server.host", "127.0.0.1");
        p.setProperty("camel.server.port", Integer.toString(httpPort));
        // the camel.component.cellmqtt.* settings of application.properties are not the stand-in's
        p.setProperty("camel.main.autoConfigurationFailFast", "false");
        // nor are the real component's autowired options (its configurer would be applied to the stand-in)
        p.setProperty("camel.main.autowiredEnabled", "false");
        main.setOverrideProperties(p);
        main.start();
    }

    @AfterAll
    static void stop() {
        if (main != null) {
            main.stop();
        }
    }

    @Test
    void acknowledgedIs202WithTheMessageId() throws Exception {
        failure.set(null);
        HttpResponse<String> r = post();
        assertThat(r.statusCode()).isEqualTo(202);
        JsonObject json = (JsonObject) Jsoner.deserialize(r.body());
        assertThat(json.getInteger("messageId")).isEqualTo(7);
        assertThat(json.getInteger("clientIndex")).isEqualTo(2);
        assertThat(json.getString("topic")).isEqualTo("a/b");
    }

    @Test
    void connectionLostIs503WithRetryAfter() throws Exception {
        failure.set(e -> new ConnectionLostException("MQTT client 0: +QMTSTAT: 0,1: connection closed or reset by peer"));
        HttpResponse<String> r = post();
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("10");
        assertThat(reason(r)).isEqualTo("MQTT client 0: +QMTSTAT: 0,1: connection closed or reset by peer");
    }

    @Test
    void aModemErrorIs503() throws Exception {
        failure.set(e -> new ModemException("AT+QMTPUBEX=0,1,1,0,\"a/b\",1 -> ERROR"));
        HttpResponse<String> r = post();
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(reason(r)).contains("-> ERROR");
    }

    @Test
    void aStoppedClientIs503() throws Exception {
        failure.set(e -> new IllegalStateException("MQTT client 0 stopped before the publish"));
        assertThat(post().statusCode()).isEqualTo(503);
    }

    @Test
    void aTimeoutIs504() throws Exception {
        failure.set(e -> new ExchangeTimedOutException(e, 3000, "The modem did not report the publish result"));
        HttpResponse<String> r = post();
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(reason(r)).contains("The modem did not report the publish result");

        failure.set(e -> new PublishTimeoutException("MQTT client 0: no result for the publish", true));
        assertThat(post().statusCode()).isEqualTo(504);
    }

    @Test
    void badInputIs400() throws Exception {
        failure.set(e -> new IllegalArgumentException("payload of 4097 bytes exceeds the bg95 limit of 4096 bytes"));
        HttpResponse<String> r = post();
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(reason(r)).isEqualTo("payload of 4097 bytes exceeds the bg95 limit of 4096 bytes");
    }

    @Test
    void anythingElseIs500WithTheReason() throws Exception {
        failure.set(e -> new UnsupportedOperationException("something unexpected"));
        HttpResponse<String> r = post();
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(reason(r)).isEqualTo("something unexpected");
    }

    private static String reason(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonObject json = (JsonObject) Jsoner.deserialize(r.body());
        assertThat(json.getInteger("status")).isEqualTo(r.statusCode());
        return json.getString("reason");
    }

    private static HttpResponse<String> post() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/publish/a/b"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** cellmqtt: as the routes see it: a producer that fails as told or sets the id headers; an idle consumer. */
    static final class StandIn extends DefaultComponent {
        @Override
        protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
            return new DefaultEndpoint(uri, this) {
                @Override
                public Producer createProducer() {
                    return new DefaultProducer(this) {
                        @Override
                        public void process(Exchange exchange) throws Exception {
                            Function<Exchange, Exception> f = failure.get();
                            if (f != null) {
                                throw f.apply(exchange);
                            }
                            exchange.getMessage().setHeader("CamelCellMqttMessageId", 7);
                            exchange.getMessage().setHeader("CamelCellMqttClientIndex", 2);
                        }
                    };
                }

                @Override
                public Consumer createConsumer(Processor processor) {
                    return new DefaultConsumer(this, processor);
                }
            };
        }
    }
}
