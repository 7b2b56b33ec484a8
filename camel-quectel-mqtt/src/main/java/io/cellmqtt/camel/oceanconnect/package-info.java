/**
 * Huawei OceanConnect over a cellular modem (reference 000, BG96 + OceanConnect): the device's
 * hourly client id and HMAC-SHA256 password renewed on every connect, its topics, and the
 * {@code deviceReq} JSON envelope as a Camel data format.
 *
 * <p>It lives under {@code camel} because its data format is a Camel one and the component's
 * {@code oceanConnectDevice*} options build on it; the modem layer below only sees a generic
 * {@link io.cellmqtt.modem.MqttCredentialsProvider} and never learns about Huawei.
 */
package io.cellmqtt.camel.oceanconnect;
