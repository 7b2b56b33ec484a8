package io.cellmqtt.camel;

import io.cellmqtt.simulator.secrets.TestSecrets;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import io.cellmqtt.modem.ModemBackedUpException;
import io.cellmqtt.modem.ModemException;
import io.cellmqtt.modem.MqttClientSettings;
import io.cellmqtt.modem.OutgoingMessage;
import io.cellmqtt.modem.PublishReceipt;
import io.cellmqtt.modem.QueueLimits;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeTimedOutException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.util.URISupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CellMqttComponentTest {

    static final String BASE = "serialPort=/dev/ttyUSB2&brokerUrl=tcp://broker:1883";

    CamelContext context;
    CellMqttComponent component;
    FakeConnector modems;

    @BeforeEach
    void setUp() {
        context = new DefaultCamelContext();
        component = new CellMqttComponent();
        modems = new FakeConnector();
        component.setModemConnector(modems);
        context.addComponent("cellmqtt", component);
    }

    @AfterEach
    void tearDown() {
        context.stop();
    }

    @Test
    void componentConfigurationIsInheritedAndEndpointsOverrideOnTheirOwnCopy() {
        component.getConfiguration().setSerialPort("/dev/ttyUSB2");
        component.getConfiguration().setBrokerUrl("ssl://broker");
        component.getConfiguration().setKeepAliveInterval(300);
        context.start();
        CellMqttEndpoint a = context.getEndpoint("cellmqtt:a", CellMqttEndpoint.class);
        CellMqttEndpoint b = context.getEndpoint("cellmqtt:b?keepAliveInterval=60&qos=2", CellMqttEndpoint.class);
        assertThat(a.getConfiguration().getSerialPort()).isEqualTo("/dev/ttyUSB2");
        assertThat(a.getConfiguration().getBrokerUrl()).isEqualTo("ssl://broker");
        assertThat(a.getConfiguration().getKeepAliveInterval()).isEqualTo(300);
        assertThat(b.getConfiguration().getKeepAliveInterval()).isEqualTo(60);
        assertThat(b.getConfiguration().getQos()).isEqualTo(2);
        assertThat(a.getConfiguration().getQos()).isEqualTo(1);
        assertThat(component.getConfiguration().getKeepAliveInterval()).isEqualTo(300);
        assertThat(a.getConfiguration()).isNotSameAs(component.getConfiguration());
    }

    @Test
    void componentOptionsCanBeSetThroughTheGeneratedConfigurer() {
        CellMqttComponentConfigurer configurer = new CellMqttComponentConfigurer();
        configurer.configure(context, component, "serialPort", "tcp://sim:7000", true);
        configurer.configure(context, component, "brokerUrl", "tcp://broker:1883", true);
        configurer.configure(context, component, "qos", "0", true);
        context.start();
        CellMqttEndpoint e = context.getEndpoint("cellmqtt:a", CellMqttEndpoint.class);
        assertThat(e.getConfiguration().getSerialPort()).isEqualTo("tcp://sim:7000");
        assertThat(e.getConfiguration().getQos()).isZero();
    }

    @Test
    void secretsAreMaskedInToStringAndSanitizedUris() {
        context.start();
        String uri = "cellmqtt:a?" + BASE + "&userName=bob&password=" + TestSecrets.MQTT_PASSWORD + "&apn=iot&apnPassword="
                + TestSecrets.APN_PASSWORD;
        CellMqttEndpoint e = context.getEndpoint(uri, CellMqttEndpoint.class);
        for (String secret : new String[] {TestSecrets.MQTT_PASSWORD, TestSecrets.APN_PASSWORD}) {
            assertThat(e.toString()).doesNotContain(secret);
            assertThat(e.getConfiguration().toString()).doesNotContain(secret).contains("userName=bob");
            assertThat(URISupport.sanitizeUri(uri)).doesNotContain(secret);
            assertThat(URISupport.sanitizeUri(e.getEndpointUri())).doesNotContain(secret);
        }
    }

    @Test
    void producerMapsBodyAndHeadersIntoTheOutgoingMessage() throws Exception {
        context.start();
        ProducerTemplate template = context.createProducerTemplate();
        String uri = "cellmqtt:plant/7/telemetry?" + BASE + "&clientId=dev-1&password=" + TestSecrets.MQTT_PASSWORD;

        Exchange text = template.send(uri, ex -> ex.getMessage().setBody("héllo"));
        assertThat(text.getException()).isNull();
        Exchange bytes = template.send(uri, ex -> ex.getMessage().setBody(new byte[] { 0, 1, (byte) 0xFF }));
        Exchange overridden = template.send(uri, ex -> {
            ex.getMessage().setBody("x");
            ex.getMessage().setHeader(CellMqttConstants.OVERRIDE_TOPIC, "plant/8/telemetry");
            ex.getMessage().setHeader(CellMqttConstants.QOS, 2);
            ex.getMessage().setHeader(CellMqttConstants.RETAINED, true);
        });
        Exchange empty = template.send(uri, ex -> ex.getMessage().setBody(null));

        FakeConnector.FakeClient client = modems.client();
        assertThat(client.published).hasSize(4);
        OutgoingMessage m0 = client.published.get(0);
        assertThat(m0.topic()).isEqualTo("plant/7/telemetry");
        assertThat(m0.payload()).isEqualTo("héllo".getBytes(StandardCharsets.UTF_8));
        assertThat(m0.qos()).isEqualTo(1);
        assertThat(m0.retained()).isFalse();
        assertThat(client.published.get(1).payload()).containsExactly(0, 1, 0xFF);
        OutgoingMessage m2 = client.published.get(2);
        assertThat(m2.topic()).isEqualTo("plant/8/telemetry");
        assertThat(m2.qos()).isEqualTo(2);
        assertThat(m2.retained()).isTrue();
        assertThat(client.published.get(3).size()).isZero();

        assertThat(text.getMessage().getHeader(CellMqttConstants.MESSAGE_ID)).isEqualTo(7);
        assertThat(text.getMessage().getHeader(CellMqttConstants.CLIENT_INDEX)).isEqualTo(0);
        assertThat(bytes.getException()).isNull();
        assertThat(overridden.getException()).isNull();
        assertThat(empty.getException()).isNull();

        // one modem, one shared client for all four exchanges, settings carried over
        assertThat(modems.opens).hasValue(1);
        assertThat(modems.clients).hasSize(1);
        MqttClientSettings s = modems.clientSettings.get(0);
        assertThat(s.brokerHost()).isEqualTo("broker");
        assertThat(s.brokerPort()).isEqualTo(1883);
        assertThat(s.ssl()).isFalse();
        assertThat(s.clientId()).isEqualTo("dev-1");
        assertThat(s.password()).isEqualTo(TestSecrets.MQTT_PASSWORD);
        assertThat(s.clientIndex()).isEqualTo(-1);
        assertThat(s.secLevel()).isEqualTo(-1);
        assertThat(s.keepAliveInterval()).isEqualTo(120);
        assertThat(s.inflightWindow()).isEqualTo(5);
        assertThat(modems.modemSettings.get(0).serialPort()).isEqualTo("/dev/ttyUSB2");
        assertThat(modems.modemSettings.get(0).baudRate()).isEqualTo(115200);
    }

    @Test
    void invalidHeadersAndClientValidationFailTheExchangeWithoutPublishing() {
        context.start();
        ProducerTemplate template = context.createProducerTemplate();
        String uri = "cellmqtt:plant/7/telemetry?" + BASE;
        Exchange injected = template.send(uri, ex -> {
            ex.getMessage().setBody("x");
            ex.getMessage().setHeader(CellMqttConstants.OVERRIDE_TOPIC, "a\r\nAT+QPOWD\r\n");
        });
        assertThat(injected.getException()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("contains the control character \\r at index 1");
        Exchange wildcard = template.send(uri, ex -> ex.getMessage().setHeader(CellMqttConstants.OVERRIDE_TOPIC, "a/#"));
        assertThat(wildcard.getException()).hasMessageContaining("publish topics cannot have wildcards");
        Exchange qos = template.send(uri, ex -> ex.getMessage().setHeader(CellMqttConstants.QOS, 3));
        assertThat(qos.getException()).hasMessageContaining("qos=3 is out of range 0-2");
        Exchange big = template.send(uri, ex -> ex.getMessage().setBody(new byte[5000]));
        assertThat(big.getException()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("payload of 5000 bytes is over the limit of 4096");
        assertThat(modems.client().published).isEmpty();
    }

    @Test
    void publishFailureAndTimeoutBecomeTheExchangeException() {
        context.start();
        ProducerTemplate template = context.createProducerTemplate();
        String uri = "cellmqtt:t?" + BASE + "&publishTimeout=200";
        modems.publishResult = m -> CompletableFuture.supplyAsync(() -> {
            throw new java.util.concurrent.CompletionException(
                    new ModemException("AT+QMTPUB=0,1,1,0,\"t\",1 -> +QMTPUB: 0,1,2: failed to send the packet"));
        });
        Exchange failed = template.send(uri, ex -> ex.getMessage().setBody("x"));
        assertThat(failed.getException()).isInstanceOf(ModemException.class).hasMessageContaining("+QMTPUB: 0,1,2");

        modems.publishResult = m -> new CompletableFuture<>();
        Exchange timedOut = template.send(uri, ex -> ex.getMessage().setBody("x"));
        assertThat(timedOut.getException()).isInstanceOf(ExchangeTimedOutException.class)
                .hasMessageContaining("publishTimeout=200 ms");

        modems.publishResult = m -> CompletableFuture.supplyAsync(() -> new PublishReceipt(3, 42, 1));
        Exchange async = template.send(uri, ex -> ex.getMessage().setBody("x"));
        assertThat(async.getException()).isNull();
        assertThat(async.getMessage().getHeader(CellMqttConstants.MESSAGE_ID)).isEqualTo(42);
        assertThat(async.getMessage().getHeader(CellMqttConstants.CLIENT_INDEX)).isEqualTo(3);
    }

    /**
     * Issue 10: a client backed up past maxPendingPublishes fails the exchange with its own exception, as it is (not
     * as a timeout), for Camel's error handler and redelivery to decide; blockWhenFull asks the client to wait for
     * room instead; the bounds reach the client's settings.
     */
    @Test
    void aBackedUpClientFailsTheExchangeWithModemBackedUpExceptionAndBlockWhenFullAsksToWait() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                onException(ModemBackedUpException.class).handled(true).to("mock:backedUp");
                from("direct:in").to("cellmqtt:t?" + BASE + "&maxPendingPublishes=7&maxPendingDeliveries=9");
            }
        });
        context.start();
        modems.publishResult = m -> CompletableFuture.failedFuture(new ModemBackedUpException("The modem on "
                + "/dev/ttyUSB2, client 0 is backed up: 7 publishes wait for it (maxPendingPublishes=7; the client is "
                + "WAITING_TO_RETRY); the publish to 't' is refused and will never be sent. Raise maxPendingPublishes, or"
                + " set blockWhenFull=true to wait for room within publishTimeout", "/dev/ttyUSB2", 0, 7, 7));
        MockEndpoint backedUp = context.getEndpoint("mock:backedUp", MockEndpoint.class);
        backedUp.expectedMessageCount(1);
        context.createProducerTemplate().sendBody("direct:in", "x");
        backedUp.assertIsSatisfied();
        Exception caught = backedUp.getExchanges().get(0).getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        assertThat(caught).isInstanceOf(ModemBackedUpException.class).hasMessageContaining("is backed up")
                .hasMessageContaining("maxPendingPublishes=7");
        assertThat(modems.clientSettings.get(0).limits()).isEqualTo(new QueueLimits(7, 9));

        Exchange direct = context.createProducerTemplate().send("cellmqtt:t?" + BASE, e -> e.getMessage().setBody("y"));
        assertThat(direct.getException()).isInstanceOf(ModemBackedUpException.class);
        context.createProducerTemplate().send("cellmqtt:t?" + BASE + "&blockWhenFull=true",
                e -> e.getMessage().setBody("z"));
        assertThat(modems.client().waitedForRoom).containsExactly(false, false, true);
    }

    /**
     * Issue 9: the received message's topic header is not a publish override, so a route from one
     * cellmqtt endpoint to another publishes to the second's topic, not back to where the message
     * came from; CamelCellMqttOverrideTopic chooses another; the old header, set by a route, still
     * works for this release.
     */
    @Test
    void aReceivedTopicIsNeverTakenForWhereToPublish() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("cellmqtt:plant/+/cmd?" + BASE).routeId("cmd").to("cellmqtt:plant/ack?" + BASE);
                from("cellmqtt:plant/+/rpc?" + BASE).routeId("rpc")
                        .setHeader(CellMqttConstants.OVERRIDE_TOPIC, simple("${header.CamelCellMqttTopic}/reply"))
                        .to("cellmqtt:plant/ack?" + BASE);
                from("direct:legacy").setHeader(CellMqttConstants.TOPIC, constant("plant/legacy"))
                        .to("cellmqtt:plant/ack?" + BASE);
            }
        });
        context.start();
        FakeConnector.FakeClient client = modems.client();
        client.listeners.get(client.subscribed.indexOf("plant/+/cmd@1")).onMessage(
                new io.cellmqtt.modem.ReceivedMessage(0, 5, "plant/7/cmd", new byte[] {'x'}));
        client.listeners.get(client.subscribed.indexOf("plant/+/rpc@1")).onMessage(
                new io.cellmqtt.modem.ReceivedMessage(0, 6, "plant/7/rpc", new byte[] {'y'}));
        context.createProducerTemplate().sendBody("direct:legacy", "z");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> client.published.size() == 3);
        assertThat(client.published).extracting(io.cellmqtt.modem.OutgoingMessage::topic)
                .containsExactlyInAnyOrder("plant/ack", "plant/7/rpc/reply", "plant/legacy");
    }

    /**
     * Issue 9: a producer's check lives in Camel's producers repository under an id a user
     * recognises (the endpoint URI, its password masked), with the facts that help at night.
     */
    @Test
    void aProducersCheckIsNamedByItsEndpointWithoutSecretsAndSaysWhatItKnows() throws Exception {
        context.start();
        org.apache.camel.Producer producer = context.getEndpoint(
                "cellmqtt:plant/7/telemetry?" + BASE + "&userName=gw&password=RAW(" + TestSecrets.MQTT_PASSWORD + ")")
                .createProducer();
        producer.start();
        try {
            // Camel's producers repository is off by default (camel.health.producersEnabled=true turns it on)
            HealthCheckRegistry.get(context).getRepository("producers").orElseThrow().setEnabled(true);
            HealthCheck check = HealthCheckRegistry.get(context).stream()
                    .filter(c -> c.getId().startsWith("producer:cellmqtt")).findFirst().orElseThrow();
            assertThat(check.getId()).contains("plant/7/telemetry").contains("serialPort=")
                    .doesNotContain(TestSecrets.MQTT_PASSWORD);
            FakeConnector.FakeClient client = modems.client();
            client.state = io.cellmqtt.modem.MqttClientState.CONNECTED;
            HealthCheck.Result r = check.call();
            assertThat(r.getState()).isEqualTo(HealthCheck.State.UP);
            assertThat(r.getDetails()).containsEntry("serialPort", "/dev/ttyUSB2").containsEntry("state", "CONNECTED")
                    .containsKey("modemState");
            client.rejected = 3;
            client.dropped = 4;
            client.unmatched = 5;
            client.pendingDeliveries = 6;
            assertThat(check.call().getDetails()).containsEntry("rejectedPublishes", 3L)
                    .containsEntry("droppedDeliveries", 4L).containsEntry("unmatchedMessages", 5L)
                    .containsEntry("pendingDeliveries", 6);
            assertThat(HealthCheckRegistry.get(context).getRepository("producers")).isPresent();
        } finally {
            producer.stop();
        }
        assertThat(HealthCheckRegistry.get(context).stream().filter(c -> c.getId().startsWith("producer:cellmqtt")))
                .as("gone with its producer").isEmpty();
    }

    @Test
    void consumerDeliversExactBytesWithHeadersAndSharesTheClient() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("cellmqtt:plant/+/cmd?" + BASE + "&qos=2").routeId("cmd").to("mock:cmd");
                from("cellmqtt:plant/%23?" + BASE).routeId("all").to("mock:all");
                from("direct:out").to("cellmqtt:plant/7/telemetry?" + BASE);
            }
        });
        context.start();
        assertThat(modems.opens).hasValue(1);
        assertThat(modems.clients).hasSize(1);
        FakeConnector.FakeClient client = modems.client();
        assertThat(client.subscribed).containsExactlyInAnyOrder("plant/+/cmd@2", "plant/#@1");

        MockEndpoint mock = context.getEndpoint("mock:cmd", MockEndpoint.class);
        mock.expectedMessageCount(1);
        byte[] payload = { 'o', 'n', 0, (byte) 0xC3 };
        client.listeners.get(client.subscribed.indexOf("plant/+/cmd@2")).onMessage(
                new io.cellmqtt.modem.ReceivedMessage(0, 5, "plant/7/cmd", payload));
        mock.assertIsSatisfied();
        Exchange got = mock.getExchanges().get(0);
        assertThat(got.getMessage().getBody()).isInstanceOf(byte[].class);
        assertThat(got.getMessage().getBody(byte[].class)).isEqualTo(payload);
        assertThat(got.getMessage().getHeaders()).containsEntry(CellMqttConstants.TOPIC, "plant/7/cmd")
                .containsEntry(CellMqttConstants.MESSAGE_ID, 5).containsEntry(CellMqttConstants.CLIENT_INDEX, 0)
                .doesNotContainKey(CellMqttConstants.QOS).doesNotContainKey(CellMqttConstants.RETAINED);

        // health: the client is CONNECTED -> UP; a disconnected client -> DOWN
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        HealthCheck check = registry.stream().filter(c -> c.getId().equals("consumer:cmd")).findFirst().orElseThrow();
        assertThat(check.call().getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(check.call().getDetails()).containsEntry("state", "CONNECTED").containsEntry("clientIndex", 0);
        client.state = io.cellmqtt.modem.MqttClientState.CONNECTING;
        assertThat(check.call().getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(check.call().getMessage()).hasValue("Modem MQTT client is CONNECTING: fake (modem READY)");
        assertThat(registry.stream().filter(c -> c.getId().equals("consumer:all")).findFirst()).isPresent();

        // releasing: stopping one route unsubscribes but keeps the shared client; the last stop closes the modem
        context.getRouteController().stopRoute("cmd");
        assertThat(client.unsubscribed).containsExactly("plant/+/cmd");
        assertThat(client.stops).hasValue(0);
        context.stop();
        assertThat(client.unsubscribed).containsExactlyInAnyOrder("plant/+/cmd", "plant/#");
        assertThat(client.stops).hasValue(1);
        assertThat(modems.closes).hasValue(1);
        assertThat(component.sharedModems().openModems()).isZero();
    }

    @Test
    void differentBrokersGetDifferentClientsOnTheSameModem() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:a").to("cellmqtt:a?" + BASE);
                from("direct:b").to("cellmqtt:b?serialPort=/dev/ttyUSB2&brokerUrl=ssl://other:8883&clientIndex=3");
                from("direct:c").to("cellmqtt:c?serialPort=/dev/ttyUSB3&brokerUrl=tcp://broker");
            }
        });
        context.start();
        assertThat(modems.opens).hasValue(2);
        assertThat(modems.clients).hasSize(3);
        assertThat(modems.clientSettings).extracting(MqttClientSettings::key)
                .containsExactly("tcp://broker:1883/null", "ssl://other:8883/null", "tcp://broker:1883/null");
        assertThat(modems.clientSettings.get(1).clientIndex()).isEqualTo(3);
        context.stop();
        assertThat(modems.closes).hasValue(2);
    }
}
