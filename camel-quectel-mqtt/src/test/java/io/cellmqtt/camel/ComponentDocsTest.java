package io.cellmqtt.camel;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/component.md and the generated component metadata must not drift apart. */
class ComponentDocsTest {

    static final Path DOC = Path.of("..", "docs", "component.md");
    static final Path JSON = Path.of("src", "generated", "resources", "META-INF", "io", "cellmqtt", "camel", "cellmqtt.json");

    /** The contract of DESIGN.md: option and default. */
    static final Map<String, String> CONTRACT = new LinkedHashMap<>();

    static {
        String[][] c = {
                { "serialPort", null }, { "baudRate", "115200" }, { "modem", "auto" }, { "apn", null },
                { "apnUserName", null }, { "apnPassword", null }, { "pdpContextId", "1" },
                { "disablePowerSaving", "false" }, { "brokerUrl", null }, { "clientId", null }, { "userName", null },
                { "password", null }, { "clientIndex", null }, { "protocolVersion", "4" },
                { "keepAliveInterval", "120" }, { "cleanSession", "true" }, { "packetTimeout", "5" },
                { "retryTimes", "3" }, { "timeoutNotice", "false" }, { "willTopic", null }, { "willPayload", null },
                { "willQos", "0" }, { "willRetained", "false" }, { "sslContextId", "0" }, { "caCert", null },
                { "clientCert", null }, { "clientKey", null }, { "secLevel", null }, { "sslVersion", "4" },
                { "cipherSuite", "0xFFFF" }, { "ignoreLocalTime", "true" }, { "qos", "1" }, { "retained", "false" },
                { "publishTimeout", "60000" }, { "inflightWindow", "5" } };
        for (String[] o : c) {
            CONTRACT.put(o[0], o[1]);
        }
    }

    static JsonObject metadata;
    static List<String> doc;

    @BeforeAll
    static void load() throws Exception {
        metadata = (JsonObject) Jsoner.deserialize(Files.readString(JSON, StandardCharsets.UTF_8));
        doc = Files.readAllLines(DOC, StandardCharsets.UTF_8);
    }

    /** The rows of the first table after the heading, each split into trimmed cells. */
    static Map<String, List<String>> table(String heading) {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        int i = doc.indexOf(heading);
        assertThat(i).as("heading %s in %s", heading, DOC).isNotNegative();
        while (i < doc.size() && !doc.get(i).startsWith("|")) {
            i++;
        }
        i += 2; // header row and separator
        for (; i < doc.size() && doc.get(i).startsWith("|"); i++) {
            String line = doc.get(i);
            String[] cells = line.substring(1, line.length() - 1).split("\\|", -1);
            List<String> list = java.util.Arrays.stream(cells).map(String::trim).toList();
            rows.put(list.get(0), list);
        }
        return rows;
    }

    static JsonObject obj(JsonObject parent, String key) {
        return (JsonObject) parent.get(key);
    }

    static String defaultOf(JsonObject option) {
        Object d = option.get("defaultValue");
        return d == null ? null : String.valueOf(d);
    }

    static String simpleType(JsonObject option) {
        String t = option.getString("javaType");
        return t.substring(t.lastIndexOf('.') + 1);
    }

    @Test
    void everyEndpointOptionIsDocumentedWithItsDefaultTypeAndDescriptionAndViceVersa() {
        JsonObject properties = obj(metadata, "properties");
        Map<String, List<String>> rows = table("## Endpoint options");
        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(properties.keySet());
        properties.forEach((name, value) -> {
            JsonObject option = (JsonObject) value;
            List<String> row = rows.get(name);
            String documented = row.get(1);
            String expected = defaultOf(option);
            if (expected == null) {
                assertThat(documented).as("default of %s", name).satisfiesAnyOf(
                        d -> assertThat(d).isEmpty(), d -> assertThat(d).startsWith("(").endsWith(")"));
            } else {
                assertThat(documented).as("default of %s", name).isEqualTo(expected);
            }
            assertThat(row.get(2)).as("type of %s", name).isEqualTo(simpleType(option));
            assertThat(row.get(4)).as("description of %s", name).isEqualTo(option.getString("description"));
        });
    }

    @Test
    void everyHeaderIsDocumentedWithItsTypeAndDescriptionAndViceVersa() {
        JsonObject headers = obj(metadata, "headers");
        Map<String, List<String>> rows = table("## Message headers");
        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(headers.keySet())
                .contains(CellMqttConstants.TOPIC, CellMqttConstants.QOS, CellMqttConstants.RETAINED,
                        CellMqttConstants.MESSAGE_ID, CellMqttConstants.CLIENT_INDEX);
        headers.forEach((name, value) -> {
            JsonObject header = (JsonObject) value;
            assertThat(rows.get(name).get(1)).as("type of %s", name).isEqualTo(simpleType(header));
            assertThat(rows.get(name).get(3)).as("description of %s", name).isEqualTo(header.getString("description"));
        });
    }

    @Test
    void everyComponentOptionIsDocumented() {
        JsonObject component = obj(metadata, "componentProperties");
        Map<String, List<String>> endpointRows = table("## Endpoint options");
        Map<String, List<String>> componentRows = table("## Component options");
        component.forEach((name, value) -> {
            JsonObject option = (JsonObject) value;
            List<String> row = componentRows.containsKey(name) ? componentRows.get(name) : endpointRows.get(name);
            assertThat(row).as("component option %s", name).isNotNull();
            if (defaultOf(option) != null) {
                assertThat(row.get(1)).as("default of %s", name).isEqualTo(defaultOf(option));
            }
        });
        assertThat(component.keySet()).containsAll(componentRows.keySet());
    }

    @Test
    @SuppressWarnings("unchecked")
    void metadataHasEveryContractOptionWithTheContractDefault() {
        JsonObject properties = obj(metadata, "properties");
        CONTRACT.forEach((name, expected) -> {
            JsonObject option = obj(properties, name);
            assertThat(option).as("option %s", name).isNotNull();
            assertThat(defaultOf(option)).as("default of %s", name).isEqualTo(expected);
            assertThat(option.getString("description")).as("description of %s", name).isNotBlank();
        });
        assertThat(obj(properties, "serialPort").getBoolean("required")).isTrue();
        assertThat(obj(properties, "brokerUrl").getBoolean("required")).isTrue();
        assertThat(obj(properties, "topic").getBoolean("required")).isTrue();
        assertThat(obj(properties, "password").getBoolean("secret")).isTrue();
        assertThat(obj(properties, "apnPassword").getBoolean("secret")).isTrue();
        assertThat((java.util.Collection<Object>) obj(properties, "modem").get("enum"))
                .containsExactly("auto", "bg95", "bg77", "bg600l", "bg96", "bc26", "m95", "sim7600");
        assertThat((java.util.Collection<Object>) obj(properties, "protocolVersion").get("enum")).containsExactly("3", "4");
        JsonObject c = obj(metadata, "component");
        assertThat(c.getString("scheme")).isEqualTo("cellmqtt");
        assertThat(c.getString("syntax")).isEqualTo("cellmqtt:topic");
        assertThat(c.getString("title")).isEqualTo("Cellular Modem MQTT");
        assertThat(c.getString("label")).isEqualTo("messaging,iot");
    }
}
