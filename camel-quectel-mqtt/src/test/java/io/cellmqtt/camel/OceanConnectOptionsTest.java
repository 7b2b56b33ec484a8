package io.cellmqtt.camel;

import io.cellmqtt.camel.oceanconnect.MutableClock;
import io.cellmqtt.camel.oceanconnect.OceanConnect;
import io.cellmqtt.modem.MqttClientSettings;
import io.cellmqtt.modem.MqttCredentials;
import io.cellmqtt.modem.MqttCredentialsProvider;
import io.cellmqtt.simulator.secrets.TestSecrets;
import org.apache.camel.CamelContext;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.util.URISupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The oceanConnectDevice* and credentialsProvider options, up to the settings handed to the modem layer. */
class OceanConnectOptionsTest {

    static final String BASE = "serialPort=/dev/ttyUSB2&brokerUrl=ssl://160.44.204.79:8883";
    static final String DEVICE = "7068026a-19fe-4555-8678-48a483fcd985";
    static final String SECRET = TestSecrets.DEVICE_SECRET;
    static final String OCEAN = "&oceanConnectDeviceId=" + DEVICE + "&oceanConnectDeviceSecret=RAW(" + SECRET + ")";
    static final String PASSWORD_12 = TestSecrets.OCEANCONNECT_PASSWORD_2024061712;

    CamelContext context;
    CellMqttComponent component;
    FakeConnector modems;
    MutableClock clock = new MutableClock(Instant.parse("2024-06-17T12:34:56Z"));

    @BeforeEach
    void setUp() {
        context = new DefaultCamelContext();
        component = new CellMqttComponent();
        modems = new FakeConnector();
        component.setModemConnector(modems);
        component.setClock(clock);
        context.addComponent("cellmqtt", component);
    }

    @AfterEach
    void tearDown() {
        context.stop();
    }

    @Test
    void theOptionsGiveTheClientACredentialsProviderForTheDevice() throws Exception {
        String data = OceanConnect.topics(DEVICE).dataJson();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:report").to("cellmqtt:" + data + "?" + BASE + OCEAN);
                from("cellmqtt:" + OceanConnect.topics(DEVICE).commands() + "?" + BASE + OCEAN).to("mock:cmd");
            }
        });
        context.start();
        // producer and consumer of the same device share one client, whatever the hour
        assertThat(modems.clients).hasSize(1);
        MqttClientSettings s = modems.clientSettings.get(0);
        assertThat(s.clientId()).isNull();
        assertThat(s.userName()).isNull();
        assertThat(s.password()).isNull();
        assertThat(s.key()).isEqualTo("ssl://160.44.204.79:8883/credentials:" + DEVICE);
        MqttCredentials c = s.credentialsProvider().next();
        assertThat(c.clientId()).isEqualTo(DEVICE + "_0_0_2024061712");
        assertThat(c.userName()).isEqualTo(DEVICE);
        assertThat(c.password()).isEqualTo(PASSWORD_12);
        clock.set(Instant.parse("2024-06-17T13:00:00Z"));
        assertThat(s.credentialsProvider().next().clientId()).isEqualTo(DEVICE + "_0_0_2024061713");

        context.createProducerTemplate().sendBody("direct:report", "{}");
        assertThat(modems.client().published.get(0).topic()).isEqualTo(data);
        assertThat(modems.client().subscribed).containsExactly(OceanConnect.topics(DEVICE).commands() + "@1");
    }

    @Test
    void aCredentialsProviderBeanIsUsedAsItIs() {
        MqttCredentialsProvider provider = OceanConnect.device(DEVICE, SECRET).credentials(clock);
        context.getRegistry().bind("device", provider);
        context.start();
        context.createProducerTemplate().sendBody("cellmqtt:t?" + BASE + "&credentialsProvider=#device", "x");
        assertThat(modems.clientSettings.get(0).credentialsProvider()).isSameAs(provider);
    }

    @Test
    void theOptionsWorkOnTheComponentToo() {
        component.getConfiguration().setOceanConnectDeviceId(DEVICE);
        component.getConfiguration().setOceanConnectDeviceSecret(SECRET);
        context.start();
        context.createProducerTemplate().sendBody("cellmqtt:t?" + BASE, "x");
        assertThat(modems.clientSettings.get(0).credentialsProvider().next().password()).isEqualTo(PASSWORD_12);
    }

    @Test
    void combinationsThatWouldSilentlyLoseAreRefusedBeforeTheModemIsOpened() {
        context.getRegistry().bind("device", OceanConnect.device(DEVICE, SECRET).credentials());
        context.start();
        assertRefused("&oceanConnectDeviceId=" + DEVICE,
                "oceanConnectDeviceId and oceanConnectDeviceSecret go together: oceanConnectDeviceSecret is missing");
        assertRefused("&oceanConnectDeviceSecret=RAW(" + SECRET + ")",
                "oceanConnectDeviceId and oceanConnectDeviceSecret go together: oceanConnectDeviceId is missing");
        assertRefused(OCEAN + "&clientId=dev&password=RAW(" + SECRET + ")",
                "oceanConnectDeviceId gives the client id, user name and password of every connect: remove clientId,"
                + " password");
        assertRefused(OCEAN + "&userName=u", "oceanConnectDeviceId gives the client id, user name and password of"
                + " every connect: remove userName");
        assertRefused("&credentialsProvider=#device&clientId=dev", "credentialsProvider gives the client id, user"
                + " name and password of every connect: remove clientId");
        assertRefused(OCEAN + "&credentialsProvider=#device", "oceanConnectDeviceId and credentialsProvider both give"
                + " the credentials of every connect: set only one of them");
        assertRefused("&oceanConnectDeviceId=a/b&oceanConnectDeviceSecret=RAW(" + SECRET + ")",
                "OceanConnect device id \"a/b\" contains '/': it is one level of the device's topics, where '/', '+'"
                + " and '#' are not allowed");
        assertThat(modems.opens).hasValue(0);
    }

    private void assertRefused(String options, String message) {
        String uri = "cellmqtt:t?" + BASE + options;
        assertThatThrownBy(() -> context.getEndpoint(uri)).isInstanceOf(ResolveEndpointFailedException.class)
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessage(message);
        // Camel's own message quotes the URI: sanitized, it shows no secret either
        assertThatThrownBy(() -> context.getEndpoint(uri)).hasMessageNotContaining(SECRET);
    }

    @Test
    void theSecretIsMaskedInToStringAndSanitizedUris() {
        context.start();
        String uri = "cellmqtt:t?" + BASE + OCEAN;
        CellMqttEndpoint e = context.getEndpoint(uri, CellMqttEndpoint.class);
        assertThat(e.toString()).doesNotContain(SECRET);
        assertThat(e.getConfiguration().toString()).doesNotContain(SECRET).contains("oceanConnectDeviceId=" + DEVICE);
        assertThat(URISupport.sanitizeUri(uri)).doesNotContain(SECRET);
        assertThat(URISupport.sanitizeUri(e.getEndpointUri())).doesNotContain(SECRET);
    }
}
