package io.cellmqtt.camel.oceanconnect;

/**
 * The MQTT topics of one OceanConnect device, as reference 000 names them.
 *
 * @param deviceId the device id OceanConnect gave at registration (already checked by {@link OceanConnect})
 */
public record OceanConnectTopics(String deviceId) {

    static final String PREFIX = "/huawei/v1/devices/";

    /** {@code /huawei/v1/devices/{deviceId}/data/json}: the device publishes its {@code deviceReq} reports here. */
    public String dataJson() {
        return PREFIX + deviceId + "/data/json";
    }

    /** {@code /huawei/v1/devices/{deviceId}/command/json}: commands as JSON; subscribe to receive them. */
    public String commandJson() {
        return PREFIX + deviceId + "/command/json";
    }

    /** {@code /huawei/v1/devices/{deviceId}/command/binary}: commands as raw bytes (a {@code byte[]} body). */
    public String commandBinary() {
        return PREFIX + deviceId + "/command/binary";
    }

    /** {@code /huawei/v1/devices/{deviceId}/command/+}: both command topics with one subscription. */
    public String commands() {
        return PREFIX + deviceId + "/command/+";
    }
}
