package io.cellmqtt.camel;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 9: Jackson is an optional dependency, needed by the OceanConnect data format only. No other
 * class of the component may name a Jackson class (a class file names every class it uses in its
 * constant pool), or an application without Jackson would fail where it does not expect to.
 */
class NoJacksonOutsideTheDataFormatTest {

    @Test
    void onlyTheOceanConnectDataFormatNamesJackson() throws IOException, URISyntaxException {
        Path classes = Path.of(CellMqttComponent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> naming;
        try (Stream<Path> all = Files.walk(classes)) {
            naming = all.filter(p -> p.toString().endsWith(".class")).filter(p -> {
                try {
                    return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains("com/fasterxml/jackson");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(p -> classes.relativize(p).toString()).toList();
        }
        assertThat(naming).isNotEmpty().allMatch(n -> n.startsWith("io/cellmqtt/camel/oceanconnect/OceanConnectDataFormat"));
    }
}
