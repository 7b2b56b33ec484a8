package io.cellmqtt.camel.oceanconnect;

import io.cellmqtt.modem.AtStrings;
import io.cellmqtt.modem.MqttCredentials;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;

/**
 * One device registered on Huawei OceanConnect with a device secret ("initial password mode" of
 * reference 000): its topics, its credentials and a data format for its reports.
 *
 * <pre>{@code
 * OceanConnect device = OceanConnect.device("7068026a-19fe-4555-8678-48a483fcd985", secret);
 * String data = device.topics().dataJson();                  // publish deviceReq reports here
 * MqttCredentialsProvider login = device.credentials();     // renewed on every (re)connect
 * OceanConnectDataFormat json = device.dataFormat("Temperature");
 * }</pre>
 *
 * {@link #toString()} never shows the secret.
 */
public final class OceanConnect {

    /** {@code _0_0_} plus the 10-digit hour stamp. */
    private static final int CLIENT_ID_SUFFIX = 15;
    private static final int MAX_CLIENT_ID = 256;

    private final String deviceId;
    private final String secret;

    private OceanConnect(String deviceId, String secret) {
        this.deviceId = deviceId;
        this.secret = secret;
    }

    /**
     * @param deviceId     the device id OceanConnect returned at registration
     * @param deviceSecret the device secret OceanConnect returned at registration
     * @throws IllegalArgumentException if the id cannot be carried in a topic level, in
     *                                  {@code AT+QMTCONN} or in a client id of at most 256 bytes, or the secret is
     *                                  empty (the message never shows the secret)
     */
    public static OceanConnect device(String deviceId, String deviceSecret) {
        requireDeviceId(deviceId);
        if (deviceSecret == null || deviceSecret.isEmpty()) {
            throw new IllegalArgumentException("the OceanConnect device secret must not be empty");
        }
        return new OceanConnect(deviceId, deviceSecret);
    }

    /** The topics of a device, for a consumer that needs no credentials (no secret needed). */
    public static OceanConnectTopics topics(String deviceId) {
        requireDeviceId(deviceId);
        return new OceanConnectTopics(deviceId);
    }

    /** @throws IllegalArgumentException naming what is wrong with the device id */
    static void requireDeviceId(String deviceId) {
        if (deviceId == null || deviceId.isEmpty()) {
            throw new IllegalArgumentException("the OceanConnect device id must not be empty");
        }
        AtStrings.requireQuotable("OceanConnect device id", deviceId);
        for (char c : new char[] { '/', '+', '#' }) {
            if (deviceId.indexOf(c) >= 0) {
                throw new IllegalArgumentException("OceanConnect device id \"" + deviceId + "\" contains '" + c
                        + "': it is one level of the device's topics, where '/', '+' and '#' are not allowed");
            }
        }
        int bytes = deviceId.getBytes(StandardCharsets.UTF_8).length;
        if (bytes + CLIENT_ID_SUFFIX > MAX_CLIENT_ID) {
            throw new IllegalArgumentException("OceanConnect device id of " + bytes + " bytes is too long: the client id"
                    + " {deviceId}_0_0_YYYYMMDDhh may have at most " + MAX_CLIENT_ID + " bytes");
        }
    }

    public String deviceId() {
        return deviceId;
    }

    public OceanConnectTopics topics() {
        return new OceanConnectTopics(deviceId);
    }

    /** Credentials renewed on every connect, stamped with the connect hour in UTC by the system clock. */
    public OceanConnectCredentials credentials() {
        return credentials(Clock.systemUTC());
    }

    /** Credentials renewed on every connect, stamped with the hour {@code clock} tells (in UTC). */
    public OceanConnectCredentials credentials(Clock clock) {
        return new OceanConnectCredentials(deviceId, secret, clock);
    }

    /** The credentials of a connect at {@code time}. */
    public MqttCredentials credentialsAt(Instant time) {
        return OceanConnectCredentials.at(deviceId, secret, time);
    }

    /**
     * A data format that wraps service data into this device's {@code deviceReq} envelope, with
     * {@code serviceId} (unless a header names another) and the device id as {@code identifier}.
     */
    public OceanConnectDataFormat dataFormat(String serviceId) {
        OceanConnectDataFormat f = new OceanConnectDataFormat();
        f.setServiceId(serviceId);
        f.setIdentifier(deviceId);
        return f;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OceanConnect d && d.deviceId.equals(deviceId) && d.secret.equals(secret);
    }

    @Override
    public int hashCode() {
        return deviceId.hashCode() * 31 + secret.hashCode();
    }

    @Override
    public String toString() {
        return "OceanConnect[deviceId=" + deviceId + ", secret=***]";
    }
}
