package io.cellmqtt.camel.oceanconnect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellmqtt.camel.CellMqttConstants;
import io.cellmqtt.simulator.secrets.TestSecrets;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OceanConnectDataFormatTest {

    static final String DEVICE = OceanConnectCredentialsTest.DEVICE;
    static final String COMMAND_JSON = "/huawei/v1/devices/" + DEVICE + "/command/json";
    static final String COMMAND_BINARY = "/huawei/v1/devices/" + DEVICE + "/command/binary";

    CamelContext camel;
    ProducerTemplate template;

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        OceanConnectDataFormat temperature = OceanConnect.device(DEVICE, TestSecrets.DEVICE_SECRET).dataFormat("Temperature");
        OceanConnectDataFormat plain = new OceanConnectDataFormat();
        OceanConnectDataFormat tree = new OceanConnectDataFormat();
        tree.setUnmarshalJsonNode(true);
        camel.getRegistry().bind("oceanConnect", temperature);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:marshal").marshal(temperature);
                from("direct:marshalByName").marshal().custom("oceanConnect");
                from("direct:marshalPlain").marshal(plain);
                from("direct:unmarshal").unmarshal(plain);
                from("direct:unmarshalTree").unmarshal(tree);
            }
        });
        camel.start();
        template = camel.createProducerTemplate();
    }

    @AfterEach
    void stop() throws Exception {
        camel.close();
    }

    static Map<String, Object> reading() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("temperature", 21.5);
        m.put("unit", "C");
        m.put("alarm", false);
        m.put("count", 7);
        return m;
    }

    String marshal(String endpoint, Object body, Map<String, Object> headers) {
        Exchange e = template.request(endpoint, x -> {
            x.getMessage().setBody(body);
            x.getMessage().setHeaders(new LinkedHashMap<>(headers));
        });
        if (e.getException() != null) {
            throw new AssertionError(e.getException());
        }
        return new String(e.getMessage().getBody(byte[].class), StandardCharsets.UTF_8);
    }

    Exception marshalFails(String endpoint, Object body, Map<String, Object> headers) {
        Exchange e = template.request(endpoint, x -> {
            x.getMessage().setBody(body);
            x.getMessage().setHeaders(new LinkedHashMap<>(headers));
        });
        assertThat(e.getException()).as("marshal of %s", body).isNotNull();
        return e.getException();
    }

    @Test
    void aMapBecomesTheReferencesDeviceReqEnvelope() {
        String json = marshal("direct:marshal", reading(), Map.of());
        // Field for field the envelope of reference 000's "Send Data" example, compact.
        assertThat(json).isEqualTo("{\"identifier\":\"" + DEVICE + "\",\"msgType\":\"deviceReq\",\"hasMore\":0,"
                + "\"data\":[{\"serviceId\":\"Temperature\",\"serviceData\":"
                + "{\"temperature\":21.5,\"unit\":\"C\",\"alarm\":false,\"count\":7}}]}");
        assertThat(marshal("direct:marshalByName", reading(), Map.of())).isEqualTo(json);
    }

    @Test
    void headersOverrideServiceIdIdentifierAndHasMore() throws Exception {
        String json = marshal("direct:marshal", Map.of("level", 80), Map.of(OceanConnectDataFormat.SERVICE_ID, "Battery",
                OceanConnectDataFormat.IDENTIFIER, "123", OceanConnectDataFormat.HAS_MORE, true));
        JsonNode n = new ObjectMapper().readTree(json);
        assertThat(n.get("identifier").asText()).isEqualTo("123");
        assertThat(n.get("hasMore").intValue()).isEqualTo(1);
        assertThat(n.get("data").get(0).get("serviceId").asText()).isEqualTo("Battery");
        assertThat(n.get("data").get(0).get("serviceData").get("level").intValue()).isEqualTo(80);
        String more = marshal("direct:marshal", Map.of("level", 80), Map.of(OceanConnectDataFormat.HAS_MORE, "1"));
        assertThat(new ObjectMapper().readTree(more).get("hasMore").intValue()).isEqualTo(1);
        assertThat(marshalFails("direct:marshal", Map.of("level", 80), Map.of(OceanConnectDataFormat.HAS_MORE, 2)))
                .hasMessage("CamelOceanConnectHasMore=2 is not 0 or 1");
    }

    @Test
    void severalServicesInOneReport() throws Exception {
        Map<String, Object> second = new LinkedHashMap<>();
        second.put("serviceId", "Battery");
        second.put("serviceData", Map.of("level", 80));
        second.put("eventTime", "20240617T123456Z");
        String json = marshal("direct:marshal", List.of(new OceanConnectService("Temperature", reading()), second),
                Map.of());
        JsonNode data = new ObjectMapper().readTree(json).get("data");
        assertThat(data).hasSize(2);
        assertThat(data.get(0).get("serviceId").asText()).isEqualTo("Temperature");
        assertThat(data.get(0).get("serviceData").get("unit").asText()).isEqualTo("C");
        assertThat(data.get(1).get("serviceId").asText()).isEqualTo("Battery");
        assertThat(data.get(1).get("eventTime").asText()).isEqualTo("20240617T123456Z");
        // A JSON text works as well: an object is one service's data, an array a list of services.
        assertThat(marshal("direct:marshal", "{\"temperature\":21.5,\"unit\":\"C\",\"alarm\":false,\"count\":7}", Map.of()))
                .isEqualTo(marshal("direct:marshal", reading(), Map.of()));
        assertThat(marshal("direct:marshal", "[{\"serviceId\":\"Battery\",\"serviceData\":{\"level\":80},"
                + "\"eventTime\":\"20240617T123456Z\"}]", Map.of()))
                .isEqualTo(marshal("direct:marshal", List.of(second), Map.of()));
    }

    @Test
    void marshalErrorsSayWhatIsMissing() {
        assertThat(marshalFails("direct:marshalPlain", reading(), Map.of(OceanConnectDataFormat.IDENTIFIER, "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no serviceId names it").hasMessageContaining("CamelOceanConnectServiceId");
        assertThat(marshalFails("direct:marshalPlain", reading(), Map.of(OceanConnectDataFormat.SERVICE_ID, "T")))
                .hasMessageContaining("needs an identifier").hasMessageContaining("CamelOceanConnectIdentifier");
        assertThat(marshalFails("direct:marshal", 42, Map.of()))
                .hasMessageContaining("cannot make a deviceReq report of a java.lang.Integer");
        assertThat(marshalFails("direct:marshal", List.of(), Map.of())).hasMessageContaining("the list is empty");
        assertThat(marshalFails("direct:marshal", List.of(Map.of("serviceId", "T")), Map.of()))
                .hasMessageContaining("service 0 of the list is not an OceanConnectService or a Map with a String"
                        + " serviceId and a Map serviceData");
        assertThat(marshalFails("direct:marshal", "{\"a\":", Map.of())).hasMessageContaining("is not valid JSON");
    }

    @Test
    void aJsonCommandBecomesAMapInTheOrderReceived() {
        String command = "{\"msgType\":\"cloudReq\",\"serviceId\":\"Switch\",\"cmd\":\"SET\",\"paras\":{\"on\":true,"
                + "\"level\":3},\"hasMore\":0,\"mid\":42}";
        Exchange e = template.request("direct:unmarshal", x -> {
            x.getMessage().setBody(command.getBytes(StandardCharsets.UTF_8));
            x.getMessage().setHeader(CellMqttConstants.TOPIC, COMMAND_JSON);
        });
        assertThat(e.getException()).isNull();
        @SuppressWarnings("unchecked")
        Map<String, Object> body = e.getMessage().getBody(Map.class);
        assertThat(body.keySet()).containsExactly("msgType", "serviceId", "cmd", "paras", "hasMore", "mid");
        assertThat(body.get("cmd")).isEqualTo("SET");
        assertThat(body.get("paras")).isEqualTo(Map.of("on", true, "level", 3));
        assertThat(body.get("mid")).isEqualTo(42);

        Exchange tree = template.request("direct:unmarshalTree", x -> x.getMessage().setBody(command));
        assertThat(tree.getMessage().getBody()).isInstanceOf(JsonNode.class);
        assertThat(tree.getMessage().getBody(JsonNode.class).get("paras").get("level").intValue()).isEqualTo(3);
    }

    @Test
    void aBinaryCommandStaysTheBytesItArrivedAs() {
        byte[] raw = { 0x00, (byte) 0xFF, '{', 0x1A, '"' };
        Exchange e = template.request("direct:unmarshal", x -> {
            x.getMessage().setBody(raw);
            x.getMessage().setHeader(CellMqttConstants.TOPIC, COMMAND_BINARY);
        });
        assertThat(e.getException()).isNull();
        assertThat(e.getMessage().getBody()).isInstanceOf(byte[].class);
        assertThat(e.getMessage().getBody(byte[].class)).isEqualTo(raw);
    }

    @Test
    void unmarshalErrorsNameTheTopic() {
        Exchange bad = template.request("direct:unmarshal", x -> {
            x.getMessage().setBody("{\"cmd\": ");
            x.getMessage().setHeader(CellMqttConstants.TOPIC, COMMAND_JSON);
        });
        assertThat(bad.getException()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the command on " + COMMAND_JSON + " is not valid JSON at line 1");
        Exchange array = template.request("direct:unmarshal", x -> x.getMessage().setBody("[1,2]"));
        assertThat(array.getException()).hasMessage("the command is JSON but not an object: ARRAY");
        Exchange empty = template.request("direct:unmarshal", x -> x.getMessage().setBody(new byte[0]));
        assertThat(empty.getException()).hasMessage("the command is empty, not JSON");
    }
}
