package io.cellmqtt.camel;

import io.cellmqtt.simulator.secrets.TestSecrets;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CellMqttValidationTest {

    static final String BASE = "serialPort=/dev/ttyUSB2&brokerUrl=tcp://broker:1883";

    CamelContext context;
    FakeConnector modems;

    @BeforeEach
    void setUp() {
        context = new DefaultCamelContext();
        CellMqttComponent component = new CellMqttComponent();
        modems = new FakeConnector();
        component.setModemConnector(modems);
        context.addComponent("cellmqtt", component);
        context.start();
    }

    @AfterEach
    void tearDown() {
        context.stop();
        // nothing in this class may ever reach the modem
        assertThat(modems.opens).hasValue(0);
    }

    static Stream<Arguments> invalidEndpoints() {
        return Stream.of(
                Arguments.of("cellmqtt:t?serialPort=/dev/ttyUSB2", "brokerUrl is required"),
                Arguments.of("cellmqtt:t?brokerUrl=tcp://broker:1883", "serialPort is required"),
                Arguments.of("cellmqtt:t?serialPort=/dev/ttyUSB2&brokerUrl=http://broker:80",
                        "brokerUrl=http://broker:80 is not tcp://host:port or ssl://host:port"),
                Arguments.of("cellmqtt:t?serialPort=/dev/ttyUSB2&brokerUrl=broker:1883",
                        "brokerUrl=broker:1883 is not tcp://host:port or ssl://host:port"),
                Arguments.of("cellmqtt:t?serialPort=/dev/ttyUSB2&brokerUrl=tcp://broker:1883/path",
                        "no path, query or fragment"),
                Arguments.of("cellmqtt:t?" + BASE + "&qos=3", "qos=3 is out of range 0-2"),
                Arguments.of("cellmqtt:t?" + BASE + "&qos=-1", "qos=-1 is out of range 0-2"),
                Arguments.of("cellmqtt:t?" + BASE + "&keepAliveInterval=5000",
                        "keepAliveInterval=5000 is out of range 0-3600"),
                Arguments.of("cellmqtt:t?" + BASE + "&clientIndex=6", "clientIndex=6 is out of range 0-5"),
                Arguments.of("cellmqtt:t?" + BASE + "&clientIndex=2&modem=sim7600", "clientIndex=2 is out of range 0-1"),
                Arguments.of("cellmqtt:t?" + BASE + "&inflightWindow=0", "inflightWindow=0 is out of range 1-5"),
                Arguments.of("cellmqtt:t?" + BASE + "&inflightWindow=6", "inflightWindow=6 is out of range 1-5"),
                Arguments.of("cellmqtt:t?" + BASE + "&maxPendingPublishes=0",
                        "maxPendingPublishes=0 is out of range 1-1000000"),
                Arguments.of("cellmqtt:t?" + BASE + "&maxPendingDeliveries=1000001",
                        "maxPendingDeliveries=1000001 is out of range 1-1000000"),
                Arguments.of("cellmqtt:t?" + BASE + "&willQos=3", "willQos=3 is out of range 0-2"),
                Arguments.of("cellmqtt:t?" + BASE + "&packetTimeout=0", "packetTimeout=0 is out of range 1-60"),
                Arguments.of("cellmqtt:t?" + BASE + "&packetTimeout=61", "packetTimeout=61 is out of range 1-60"),
                Arguments.of("cellmqtt:t?" + BASE + "&retryTimes=11", "retryTimes=11 is out of range 0-10"),
                Arguments.of("cellmqtt:t?" + BASE + "&sslContextId=6", "sslContextId=6 is out of range 0-5"),
                Arguments.of("cellmqtt:t?" + BASE + "&pdpContextId=0", "pdpContextId=0 is out of range 1-16"),
                Arguments.of("cellmqtt:t?" + BASE + "&pdpContextId=17", "pdpContextId=17 is out of range 1-16"),
                Arguments.of("cellmqtt:t?" + BASE + "&protocolVersion=5",
                        "protocolVersion=5 is not supported: 3 (MQTT 3.1) or 4 (MQTT 3.1.1)"),
                Arguments.of("cellmqtt:t?" + BASE + "&secLevel=3", "secLevel=3 is out of range 0-2"),
                Arguments.of("cellmqtt:t?" + BASE + "&sslVersion=5", "sslVersion=5 is out of range 0-4"),
                Arguments.of("cellmqtt:t?" + BASE + "&modem=bg99", "modem=bg99 is not one of auto"),
                Arguments.of("cellmqtt:t?" + BASE + "&publishTimeout=0", "publishTimeout=0 must be positive"),
                Arguments.of("cellmqtt:t?" + BASE + "&willTopic=a/%23/b",
                        "willTopic \"a/#/b\" contains the wildcard '#': publish topics cannot have wildcards"),
                Arguments.of("cellmqtt:t?" + BASE + "&willTopic=RAW(a/+)",
                        "willTopic \"a/+\" contains the wildcard '+': publish topics cannot have wildcards"),
                Arguments.of("cellmqtt:t?" + BASE + "&clientId=dev%22,%22x", "clientId \"dev\",\"x\" contains a double quote"),
                Arguments.of("cellmqtt:a%22b?" + BASE, "topic \"a\"b\" contains a double quote at index 1"),
                Arguments.of("cellmqtt:a/b%23?" + BASE, "\"a/b#\" is not a valid topic filter: '#' must be the whole last level"),
                Arguments.of("cellmqtt:a/b+/c?" + BASE, "\"a/b+/c\" is not a valid topic filter: '+' must be a whole level"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidEndpoints")
    void invalidEndpointIsRefusedWithClearMessageBeforeTheModem(String uri, String expected) {
        ResolveEndpointFailedException e = assertThrows(ResolveEndpointFailedException.class,
                () -> context.getEndpoint(uri));
        assertThat(rootMessage(e)).contains(expected);
    }

    @Test
    void controlCharactersInThePathAreRefusedBeforeTheModem() {
        // Camel's own URI parser already refuses CR LF and NUL in the path
        assertThrows(ResolveEndpointFailedException.class,
                () -> context.getEndpoint("cellmqtt:a%0D%0AAT+QPOWD%0D%0A?" + BASE));
        assertThrows(ResolveEndpointFailedException.class, () -> context.getEndpoint("cellmqtt:a%00b?" + BASE));
    }

    @Test
    void controlCharactersInTheTopicAreRefusedByTheComponent() {
        CellMqttComponent component = (CellMqttComponent) context.getComponent("cellmqtt");
        Map<String, Object> params = new HashMap<>(Map.of("serialPort", "/dev/ttyUSB2", "brokerUrl", "tcp://b:1883"));
        assertThatThrownBy(() -> component.createEndpoint("cellmqtt:x", "a\r\nAT+QPOWD\r\n", params))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topic \"a\\r\\nAT+QPOWD\\r\\n\" contains the control character \\r at index 1: control"
                            + " characters and double quotes cannot be carried in the AT command's quoted string");
        assertThatThrownBy(() -> component.createEndpoint("cellmqtt:x", "a\u0000b", new HashMap<>(params)))
                .hasMessageContaining("contains the control character \\u0000 at index 1");
        assertThatThrownBy(() -> component.createEndpoint("cellmqtt:x", "a\tb", new HashMap<>(params)))
                .hasMessageContaining("contains the control character \\t at index 1");
        assertThatThrownBy(() -> component.createEndpoint("cellmqtt:x", "", new HashMap<>(params)))
                .hasMessage("topic must not be empty");
    }

    @Test
    void emptyTopicIsRefused() {
        Exception e = assertThrows(Exception.class, () -> context.getEndpoint("cellmqtt:?" + BASE));
        assertThat(rootMessage(e)).containsAnyOf("topic must not be empty", "topic");
    }

    @Test
    void unknownOptionIsRefusedNamingIt() {
        ResolveEndpointFailedException e = assertThrows(ResolveEndpointFailedException.class,
                () -> context.getEndpoint("cellmqtt:t?" + BASE + "&keepAlive=60"));
        assertThat(e.getMessage()).contains("keepAlive").contains("Unknown parameters");
    }

    @Test
    void secretWithQuoteIsRefusedWithoutShowingIt() {
        ResolveEndpointFailedException e = assertThrows(ResolveEndpointFailedException.class,
                () -> context.getEndpoint("cellmqtt:t?" + BASE + "&password=RAW(" + TestSecrets.PASSWORD_WITH_QUOTE + ")"));
        assertThat(rootMessage(e)).contains("password contains a double quote").doesNotContain("s3cr");
        assertThat(e.getMessage()).doesNotContain("s3cr");
    }

    @Test
    void userNamesAreConfidentialToo() {
        for (String option : new String[] {"userName", "apnUserName"}) {
            ResolveEndpointFailedException e = assertThrows(ResolveEndpointFailedException.class,
                    () -> context.getEndpoint("cellmqtt:t?" + BASE + "&" + option + "=RAW(dev-7\"x)"));
            assertThat(rootMessage(e)).startsWith(option + " contains a double quote at index 5")
                    .doesNotContain("dev-7");
        }
    }

    @Test
    void wildcardTopicIsFineForConsumerButNotForProducer() throws Exception {
        Endpoint endpoint = context.getEndpoint("cellmqtt:plant/+/cmd?" + BASE);
        assertThat(((CellMqttEndpoint) endpoint).getTopic()).isEqualTo("plant/+/cmd");
        assertThatThrownBy(endpoint::createProducer)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topic \"plant/+/cmd\" contains the wildcard '+': publish topics cannot have wildcards");
        Endpoint hash = context.getEndpoint("cellmqtt:plant/%23?" + BASE);
        assertThat(((CellMqttEndpoint) hash).getTopic()).isEqualTo("plant/#");
        assertThatThrownBy(hash::createProducer).hasMessageContaining("contains the wildcard '#'");
    }

    @Test
    void routeWithWildcardProducerFailsToStartWithoutOpeningTheModem() {
        Exception e = assertThrows(FailedToStartRouteException.class, () -> context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").to("cellmqtt:plant/+/cmd?" + BASE);
            }
        }));
        assertThat(e.getMessage()).contains("publish topics cannot have wildcards");
    }

    @Test
    void brokerUrlDefaults() {
        assertThat(CellMqttValidation.parseBroker("tcp://broker")).isEqualTo(new CellMqttValidation.Broker("broker", 1883, false));
        assertThat(CellMqttValidation.parseBroker("ssl://broker")).isEqualTo(new CellMqttValidation.Broker("broker", 8883, true));
        assertThat(CellMqttValidation.parseBroker("SSL://10.0.0.1:18883/"))
                .isEqualTo(new CellMqttValidation.Broker("10.0.0.1", 18883, true));
        assertThatThrownBy(() -> CellMqttValidation.parseBroker("tcp://broker:0"))
                .hasMessage("brokerUrl port=0 is out of range 1-65535");
        assertThatThrownBy(() -> CellMqttValidation.parseBroker("tcp://user@broker:1883"))
                .hasMessageContaining("no host name");
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage();
    }
}
