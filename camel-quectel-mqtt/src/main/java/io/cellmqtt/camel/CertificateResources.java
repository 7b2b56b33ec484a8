package io.cellmqtt.camel;

import io.cellmqtt.modem.CertificateFile;
import org.apache.camel.CamelContext;
import org.apache.camel.support.ResourceHelper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code caCert}, {@code clientCert} and {@code clientKey} options: a file already on the
 * modem (a bare name, or one with the {@code UFS:} or {@code RAM:} prefix of its storage), or
 * content the component uploads itself: a Camel resource URI ({@code file:}, {@code classpath:},
 * or any scheme Camel's resource loader knows) or a bean ({@code #bean:name} or {@code #name}) of
 * type {@code byte[]} or {@code String}. Messages name the option and where it points, never the
 * content.
 */
final class CertificateResources {
    private static final List<String> SCHEMES = List.of("file:", "classpath:", "http:", "https:", "ref:", "bean:");

    private CertificateResources() {
    }

    /** Whether {@code value} asks for an upload rather than naming a file on the modem. */
    static boolean isContent(String value) {
        if (value == null) {
            return false;
        }
        String v = value.toLowerCase(Locale.ROOT);
        return value.startsWith("#") || value.startsWith("-----BEGIN ") || SCHEMES.stream().anyMatch(v::startsWith);
    }

    /**
     * The files to upload, read and checked (PEM of the right kind) now: a file that is missing or
     * not PEM fails the route's start before any byte goes to the modem.
     *
     * @throws IllegalArgumentException naming the option and where it points
     */
    static List<CertificateFile> resolve(CamelContext context, CellMqttConfiguration c) {
        List<CertificateFile> files = new ArrayList<>();
        add(files, context, "caCert", c.getCaCert());
        add(files, context, "clientCert", c.getClientCert());
        add(files, context, "clientKey", c.getClientKey());
        return files;
    }

    private static void add(List<CertificateFile> files, CamelContext context, String role, String value) {
        if (!isContent(value)) {
            return;
        }
        String origin;
        byte[] content;
        if (value.startsWith("-----BEGIN ")) {
            // Camel resolved a bean reference into the option itself
            origin = "a bean";
            content = value.getBytes(StandardCharsets.UTF_8);
        } else if (value.startsWith("#")) {
            String name = value.startsWith("#bean:") ? value.substring(6) : value.substring(1);
            origin = "bean " + name;
            Object bean = context.getRegistry().lookupByName(name);
            if (bean instanceof byte[] b) {
                content = b;
            } else if (bean instanceof String s) {
                content = s.getBytes(StandardCharsets.UTF_8);
            } else if (bean == null) {
                throw new IllegalArgumentException(role + "=" + value + ": no bean named " + name + " in the registry");
            } else {
                throw new IllegalArgumentException(role + "=" + value + ": bean " + name + " is a "
                        + bean.getClass().getName() + "; give the PEM as byte[] or String");
            }
        } else {
            origin = value;
            try (InputStream in = ResourceHelper.resolveMandatoryResourceAsInputStream(context, value)) {
                content = in.readNBytes(CertificateFile.MAX_SIZE + 1);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(role + "=" + value + " can't be read: " + e.getMessage(), e);
            }
        }
        files.add(CertificateFile.of(role, origin, content));
    }
}
