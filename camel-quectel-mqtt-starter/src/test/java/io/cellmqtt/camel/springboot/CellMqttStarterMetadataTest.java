package io.cellmqtt.camel.springboot;

import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the starter in step with the component: every component option of {@code cellmqtt.json} (the component's
 * generated catalog) is a {@code camel.component.cellmqtt.*} property in the starter's generated
 * {@code spring-configuration-metadata.json}, with the same type, the same default and a description; and the
 * starter has no property the component does not know (besides {@code enabled} and {@code customizer.enabled}).
 */
class CellMqttStarterMetadataTest {

    private static final String PREFIX = "camel.component.cellmqtt.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, JsonNode> componentOptions;
    private static Map<String, JsonNode> starterProperties;

    @BeforeAll
    static void load() throws Exception {
        ClassLoader cl = CellMqttStarterMetadataTest.class.getClassLoader();
        try (InputStream in = cl.getResourceAsStream("META-INF/io/cellmqtt/camel/cellmqtt.json")) {
            assertThat(in).as("the component's catalog cellmqtt.json on the classpath").isNotNull();
            componentOptions = new LinkedHashMap<>();
            JSON.readTree(in).get("componentProperties").fields()
                    .forEachRemaining(e -> componentOptions.put(e.getKey(), e.getValue()));
        }
        starterProperties = new LinkedHashMap<>();
        // several jars carry a spring-configuration-metadata.json: take the properties under our prefix from all
        for (URL url : Collections.list(cl.getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = url.openStream()) {
                for (JsonNode p : JSON.readTree(in).path("properties")) {
                    String name = p.get("name").asText();
                    if (name.startsWith(PREFIX)) {
                        starterProperties.put(name.substring(PREFIX.length()), p);
                    }
                }
            }
        }
        assertThat(componentOptions).isNotEmpty();
        assertThat(starterProperties).as("the starter's generated metadata").isNotEmpty();
    }

    @Test
    void everyComponentOptionIsAStarterPropertyAndNothingElse() {
        TreeSet<String> expected = new TreeSet<>();
        componentOptions.keySet().forEach(o -> expected.add(kebab(o)));
        expected.add("enabled");
        expected.add("customizer.enabled");
        assertThat(new TreeSet<>(starterProperties.keySet())).isEqualTo(expected);
    }

    @Test
    void typesDefaultsAndDescriptionsMatchTheComponent() {
        List<String> mismatches = new ArrayList<>();
        componentOptions.forEach((option, o) -> {
            JsonNode p = starterProperties.get(kebab(option));
            if (p == null) {
                return; // reported by the test above
            }
            String type = boxed(o.get("javaType").asText());
            if (!type.equals(p.path("type").asText())) {
                mismatches.add(option + ": type " + p.path("type").asText() + ", the component's is " + type);
            }
            String componentDefault = o.has("defaultValue") ? o.get("defaultValue").asText() : null;
            String starterDefault = p.has("defaultValue") ? p.get("defaultValue").asText() : null;
            if (!Objects.equals(componentDefault, starterDefault)) {
                mismatches.add(option + ": default " + starterDefault + ", the component's is " + componentDefault);
            }
            String description = p.path("description").asText("");
            if (description.isBlank() || !description.startsWith(firstWords(o.get("description").asText()))) {
                mismatches.add(option + ": description '" + description + "' is not the component's");
            }
        });
        assertThat(mismatches).isEmpty();
        assertThat(starterProperties.get("enabled").path("description").asText()).isNotBlank();
    }

    /** serialPort -> serial-port, as Spring Boot's relaxed binding names it in metadata. */
    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static String boxed(String javaType) {
        return switch (javaType) {
            case "int" -> "java.lang.Integer";
            case "long" -> "java.lang.Long";
            case "boolean" -> "java.lang.Boolean";
            default -> javaType;
        };
    }

    private static String firstWords(String description) {
        return description.length() > 40 ? description.substring(0, 40) : description;
    }
}
