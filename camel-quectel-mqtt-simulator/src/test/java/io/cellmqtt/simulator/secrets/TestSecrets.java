package io.cellmqtt.simulator.secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

/**
 * Every secret the tests of this project give the code under test, in one place, and the registry of
 * those made at run time (the private keys {@code TestPki} generates, passwords a test computes).
 *
 * <p>The project's rule is that secrets (passwords, device secrets, keys) never appear in logs or
 * exception messages. The reactor's last module, {@code secret-scan}, checks it for the whole suite:
 * it looks for every secret recorded here in everything the tests printed and every report surefire
 * wrote ({@code target/surefire-reports}), as is and in common encodings. So a test that hands the code
 * a secret takes it from here, or records the one it made with {@link #record}; the values are
 * distinctive (no word a log would contain anyway) and at least 8 characters long.
 *
 * <p>Every {@code public static final String} of this class is a secret: the first use of the class
 * in a test JVM (at the latest through {@link ExceptionMessagesExtension}, which JUnit loads in every
 * module) writes them all to the module's registry, {@code target/test-secrets/secrets-<pid>.tsv}
 * (system property {@code cellmqtt.secrets.dir}), one per line: kind ({@code plain} or {@code key}),
 * label, base64 of the value's UTF-8 bytes.
 *
 * <p>User names are not secrets here: the component logs them in the AT commands it sends (the
 * OceanConnect user name is the device id).
 */
public final class TestSecrets {

    /** The MQTT password of transcripts, routes' URIs and brokers (URI-safe: no RAW() needed). */
    public static final String MQTT_PASSWORD = "mqtt-Pw-5b8e1f";
    /** A password a broker refuses (CONNACK 4 / +CMQTTCONNECT 30). */
    public static final String WRONG_PASSWORD = "wrong-Pw-0d93b7";
    /** A password with a comma, which is part of the quoted AT parameter (simulator's SIMCom broker). */
    public static final String PASSWORD_WITH_COMMA = "s3,cret-Cm-41f7";
    /** A password with a double quote, which no AT command can carry: refused without being shown. */
    public static final String PASSWORD_WITH_QUOTE = "s3cr\"et-Qt-9f0b";
    /** A password that would end the quoted parameter and inject a command: refused without being shown. */
    public static final String PASSWORD_INJECTING_A_COMMAND = "pw\",\"AT+QPOWD";
    /** An Azure IoT Hub SAS token as a password. */
    public static final String SAS_TOKEN = "SharedAccessSignature sr=hub&sig=4f1c9e2b";
    /** The password of a test's own checking client on the broker side. */
    public static final String CHECKER_PASSWORD = "checker-Pw-2b7d55";
    /** The APN (PDP context) password. */
    public static final String APN_PASSWORD = "apn-Pw-3e9c7a";
    /** The password of the throwaway keystores brokers and checkers build. */
    public static final String KEYSTORE_PASSWORD = "store-Pw-61a0c3";
    /**
     * The Huawei OceanConnect device secret (and an Alibaba device secret in the simulator): the
     * documented HMACs {@link #OCEANCONNECT_PASSWORD_2024061712} and {@link #OCEANCONNECT_PASSWORD_2024061713}
     * are made from it.
     */
    public static final String DEVICE_SECRET = "s3cr3t-Secret_0123456789";
    /** A device secret the platform does not know. */
    public static final String WRONG_DEVICE_SECRET = "not-the-Secret_0123456789";
    /** A device secret beyond ASCII, signed as UTF-8. */
    public static final String UTF8_DEVICE_SECRET = "geheim-\u00c4\u00d6\u00dc-\u79d8\u5bc6";
    /** {@code printf '%s' 's3cr3t-Secret_0123456789' | openssl dgst -sha256 -hmac '2024061712'} */
    public static final String OCEANCONNECT_PASSWORD_2024061712 =
            "f2e90b86e74eec585d45c6bee22fd5ab30267de6111cb18f22dd1fba3dd84e21";
    /** {@code printf '%s' 's3cr3t-Secret_0123456789' | openssl dgst -sha256 -hmac '2024061713'} */
    public static final String OCEANCONNECT_PASSWORD_2024061713 =
            "f236fae54dca19d622dfbb9edb7b1b9daddf7a1b8096eeaa6e255b88b754e38a";
    /** The base64 body of a made-up private key, for tests that need a key's bytes but no working key. */
    public static final String FAKE_KEY_BODY =
            "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ==";

    private static final Set<String> RECORDED = new HashSet<>();

    static {
        recordConstants();
    }

    private TestSecrets() {
    }

    /** Records {@code value}, a secret a test made at run time, under {@code label}; returns it. */
    public static String record(String label, String value) {
        write("plain", label, value);
        return value;
    }

    /**
     * Records a private key by the base64 body of its PEM (line breaks removed): the scan looks for
     * every run of 40 of its characters.
     */
    public static void recordKey(String label, String base64Body) {
        write("key", label, base64Body);
    }

    /** Writes every constant of this class to the registry (once per JVM). */
    static void recordConstants() {
        for (Field f : TestSecrets.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isPublic(m) && Modifier.isStatic(m) && Modifier.isFinal(m) && f.getType() == String.class) {
                try {
                    String label = "TestSecrets." + f.getName();
                    write(f.getName().endsWith("_KEY_BODY") ? "key" : "plain", label, (String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** Where this JVM records its secrets. */
    public static Path registry() {
        String dir = System.getProperty("cellmqtt.secrets.dir");
        Path d = dir == null || dir.isBlank() ? Path.of("target", "test-secrets") : Path.of(dir);
        return d.resolve("secrets-" + ProcessHandle.current().pid() + ".tsv");
    }

    private static synchronized void write(String kind, String label, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("no secret to record for " + label);
        }
        if (label.contains("\t") || label.contains("\n") || label.contains("\r")) {
            throw new IllegalArgumentException("a label is one line without tabs: " + label);
        }
        String line = kind + "\t" + label + "\t"
                + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + "\n";
        if (!RECORDED.add(line)) {
            return;
        }
        try {
            Path file = registry();
            Files.createDirectories(file.getParent());
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("could not record a test secret (" + label + ")", e);
        }
    }
}
