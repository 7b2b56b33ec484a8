package io.cellmqtt.camel.oceanconnect;

import io.cellmqtt.modem.MqttCredentials;
import io.cellmqtt.modem.MqttCredentialsProvider;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Objects;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The MQTT login of an OceanConnect device (reference 000, "MQTT Configuration" and "Generate
 * Password"), made afresh for every connect:
 * <ul>
 * <li>client id {@code {deviceId}_0_0_YYYYMMDDhh};</li>
 * <li>user name {@code {deviceId}};</li>
 * <li>password: HMAC-SHA256 keyed with the same {@code YYYYMMDDhh} (its ASCII bytes) over the
 * device secret (its UTF-8 bytes), written as 64 <b>lower-case</b> hex digits, the form the
 * reference's generator (codebeautify.org's HmacSHA256, which prints CryptoJS's lower-case
 * hex) produces and Huawei's device SDKs send.</li>
 * </ul>
 * The stamp is the hour of the connect in <b>UTC</b>, as Huawei's platform documents the
 * timestamp. In the client id {@code _0_0_} says "device id" and "signature type 0": the
 * platform checks that the password signs the stamp the client id carries, not that the stamp is
 * the current hour (the reference: "use any Date"); renewing it on every connect still keeps the
 * login right if a platform checks the time (signature type 1 would).
 *
 * <p>Equal when device id, secret and clock are equal; {@link #toString()} never shows the secret.
 */
public final class OceanConnectCredentials implements MqttCredentialsProvider {

    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyyMMddHH").withZone(ZoneOffset.UTC);

    private final String deviceId;
    private final String secret;
    private final Clock clock;

    OceanConnectCredentials(String deviceId, String secret, Clock clock) {
        this.deviceId = deviceId;
        this.secret = secret;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The device id: it stays while the client id changes every hour. */
    @Override
    public String id() {
        return deviceId;
    }

    /** The credentials for a connect now, by the clock. */
    @Override
    public MqttCredentials next() {
        return at(deviceId, secret, clock.instant());
    }

    static MqttCredentials at(String deviceId, String secret, Instant time) {
        String stamp = timestamp(time);
        return new MqttCredentials(clientId(deviceId, stamp), deviceId, password(secret, stamp));
    }

    /** {@code YYYYMMDDhh} of {@code time} in UTC, e.g. {@code 2024061712}. */
    public static String timestamp(Instant time) {
        return HOUR.format(time);
    }

    /** {@code {deviceId}_0_0_{timestamp}}. */
    public static String clientId(String deviceId, String timestamp) {
        return deviceId + "_0_0_" + timestamp;
    }

    /** HMAC-SHA256 keyed with {@code timestamp} over {@code secret}, lower-case hex. */
    public static String password(String secret, String timestamp) {
        return hmacSha256Hex(timestamp.getBytes(StandardCharsets.US_ASCII), secret.getBytes(StandardCharsets.UTF_8));
    }

    /** HMAC-SHA256 (RFC 2104 / RFC 4231) of {@code message} keyed with {@code key}, lower-case hex. */
    static String hmacSha256Hex(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message));
        } catch (GeneralSecurityException e) {
            // Every Java platform must provide HmacSHA256; an empty key is the one way to get here.
            throw new IllegalStateException("HmacSHA256 is not available: " + e.getClass().getSimpleName(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OceanConnectCredentials c && c.deviceId.equals(deviceId) && c.secret.equals(secret)
                && c.clock.equals(clock);
    }

    @Override
    public int hashCode() {
        return Objects.hash(deviceId, secret, clock);
    }

    @Override
    public String toString() {
        return "OceanConnectCredentials[deviceId=" + deviceId + ", secret=***]";
    }
}
