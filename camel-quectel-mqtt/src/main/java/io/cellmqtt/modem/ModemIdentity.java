package io.cellmqtt.modem;

/** What the modem says it is (ATI / AT+GSN). */
public record ModemIdentity(String manufacturer, String model, String revision, String imei) {
}
