package io.cellmqtt.camel;

import io.cellmqtt.modem.MqttClientState;
import io.cellmqtt.simulator.secrets.TestSecrets;
import org.apache.camel.ExtendedCamelContext;
import org.apache.camel.console.DevConsole;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.FactoryFinder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 9: the cellmqtt dev console, found as Camel finds dev consoles, says what a night shift needs. */
class CellMqttDevConsoleTest {
    private final DefaultCamelContext context = new DefaultCamelContext();
    private final FakeConnector modems = new FakeConnector();

    @AfterEach
    void stop() {
        context.stop();
    }

    @Test
    void modemsAndClientsWithTheirStateAndNoSecret() throws Exception {
        CellMqttComponent component = new CellMqttComponent();
        component.setModemConnector(modems);
        context.addComponent("cellmqtt", component);
        context.start();
        org.apache.camel.Producer producer = context.getEndpoint("cellmqtt:plant/7/telemetry?serialPort=/dev/ttyUSB2"
                + "&brokerUrl=tcp://broker:1883&clientId=gw-7&userName=gw&password=RAW(" + TestSecrets.MQTT_PASSWORD + ")")
                .createProducer();
        producer.start();
        modems.client().state = MqttClientState.CONNECTED;
        modems.client().rejected = 3;
        modems.client().dropped = 4;
        modems.client().unmatched = 5;
        modems.client().pendingDeliveries = 6;

        FactoryFinder finder = context.getCamelContextExtension()
                .getFactoryFinder("META-INF/services/org/apache/camel/dev-console/");
        DevConsole console = finder.newInstance("cellmqtt", DevConsole.class).orElseThrow();
        ((org.apache.camel.CamelContextAware) console).setCamelContext(context);

        String text = (String) console.call(DevConsole.MediaType.TEXT, Map.of());
        assertThat(text).contains("Modem /dev/ttyUSB2").contains("Client 0 tcp://broker:1883/gw-7: CONNECTED")
                .contains("published / acknowledged / failed / in flight").doesNotContain(TestSecrets.MQTT_PASSWORD)
                .contains("rejected publishes: 3, pending / dropped deliveries: 6 / 4, unmatched messages: 5");
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) console.call(DevConsole.MediaType.JSON, Map.of());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>) json.get("modems");
        assertThat(list).hasSize(1);
        assertThat(list.get(0)).containsEntry("port", "/dev/ttyUSB2");
        @SuppressWarnings("unchecked")
        Map<String, Object> client = ((List<Map<String, Object>>) list.get(0).get("clients")).get(0);
        assertThat(client).containsEntry("rejectedPublishes", 3L).containsEntry("droppedDeliveries", 4L)
                .containsEntry("unmatchedMessages", 5L).containsEntry("pendingDeliveries", 6);
        assertThat(String.valueOf(json)).doesNotContain(TestSecrets.MQTT_PASSWORD);
        producer.stop();
    }

    @Test
    void signalInDbmAs27007Says() {
        assertThat(CellMqttDevConsole.dbm("+CSQ: 20,99")).isEqualTo("-73 dBm");
        assertThat(CellMqttDevConsole.dbm("+CSQ: 0,0")).isEqualTo("-113 dBm");
        assertThat(CellMqttDevConsole.dbm("+CSQ: 31,0")).isEqualTo("-51 dBm");
        assertThat(CellMqttDevConsole.dbm("+CSQ: 99,99")).isEqualTo("not known");
        assertThat(CellMqttDevConsole.dbm("garbage")).isEqualTo("not known");
    }
}
