package io.cellmqtt.camel;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 9: the jar says which Camel components it holds, as Camel's own component jars do. */
class ComponentPropertiesTest {

    @Test
    void theJarNamesItsComponentWithItsCoordinates() throws Exception {
        Properties p = new Properties();
        try (InputStream in = CellMqttComponent.class.getResourceAsStream(
                "/META-INF/services/org/apache/camel/component.properties")) {
            assertThat(in).isNotNull();
            p.load(in);
        }
        assertThat(p.getProperty("components")).isEqualTo("cellmqtt");
        assertThat(p.getProperty("groupId")).isEqualTo("io.cellmqtt");
        assertThat(p.getProperty("artifactId")).isEqualTo("camel-quectel-mqtt");
        assertThat(p.getProperty("version")).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        assertThat(p.getProperty("projectDescription")).isNotBlank().doesNotContain("${");
    }
}
