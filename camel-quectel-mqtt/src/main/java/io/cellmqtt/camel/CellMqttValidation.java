package io.cellmqtt.camel;

import io.cellmqtt.camel.oceanconnect.OceanConnect;
import io.cellmqtt.modem.AtStrings;
import io.cellmqtt.modem.TopicFilter;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks options and topics against the documented ranges before anything touches the modem. Every failure is an
 * {@link IllegalArgumentException} whose message names the option, the value (never a secret's value) and the limit.
 */
final class CellMqttValidation {

    /** The largest maxPendingPublishes / maxPendingDeliveries: a million entries of up to 10 KiB is already 10 GiB. */
    static final int MAX_QUEUE_BOUND = 1_000_000;
    static final Set<String> MODEMS = Set.of("auto", "bg95", "bg77", "bg600l", "bg96", "bc26", "m95", "sim7600");

    private CellMqttValidation() {
    }

    /** A parsed {@code brokerUrl}. */
    record Broker(String host, int port, boolean ssl) {
    }

    static void range(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + "=" + value + " is out of range " + min + "-" + max);
        }
    }

    /** Validates every option of an endpoint's configuration (the topic is checked separately). */
    static Broker validate(CellMqttConfiguration c) {
        if (c.getSerialPort() == null || c.getSerialPort().isBlank()) {
            throw new IllegalArgumentException("serialPort is required: a device path (/dev/ttyUSB2), COMn or tcp://host:port");
        }
        quotable("serialPort", c.getSerialPort(), false);
        if (c.getBaudRate() <= 0) {
            throw new IllegalArgumentException("baudRate=" + c.getBaudRate() + " must be positive");
        }
        String modem = c.getModem() == null ? "auto" : c.getModem().toLowerCase(Locale.ROOT);
        if (!MODEMS.contains(modem)) {
            throw new IllegalArgumentException("modem=" + c.getModem()
                                               + " is not one of auto, bg95, bg77, bg600l, bg96, bc26, m95, sim7600");
        }
        Broker broker = parseBroker(c.getBrokerUrl());
        quotable("apn", c.getApn(), false);
        quotable("apnUserName", c.getApnUserName(), true);
        quotable("apnPassword", c.getApnPassword(), true);
        range("pdpContextId", c.getPdpContextId(), 1, 16);
        quotable("clientId", c.getClientId(), false);
        if (c.getClientId() != null && c.getClientId().isEmpty()) {
            throw new IllegalArgumentException("clientId must not be empty (leave it unset to derive it from the IMEI)");
        }
        quotable("userName", c.getUserName(), true);
        quotable("password", c.getPassword(), true);
        renewedCredentials(c);
        if (c.getClientIndex() != null) {
            if ("sim7600".equals(modem)) {
                range("clientIndex", c.getClientIndex(), 0, 1);
            } else {
                range("clientIndex", c.getClientIndex(), 0, 5);
            }
        }
        if (c.getProtocolVersion() != 3 && c.getProtocolVersion() != 4) {
            throw new IllegalArgumentException(
                    "protocolVersion=" + c.getProtocolVersion() + " is not supported: 3 (MQTT 3.1) or 4 (MQTT 3.1.1)");
        }
        range("keepAliveInterval", c.getKeepAliveInterval(), 0, 3600);
        range("packetTimeout", c.getPacketTimeout(), 1, 60);
        range("retryTimes", c.getRetryTimes(), 0, 10);
        if (c.getWillTopic() != null) {
            topic("willTopic", c.getWillTopic(), true);
        }
        quotable("willPayload", c.getWillPayload(), false);
        range("willQos", c.getWillQos(), 0, 2);
        range("sslContextId", c.getSslContextId(), 0, 5);
        for (String[] file : new String[][] {{"caCert", c.getCaCert()}, {"clientCert", c.getClientCert()},
                {"clientKey", c.getClientKey()}}) {
            if (!CertificateResources.isContent(file[1])) {
                quotable(file[0], file[1], false); // a name on the modem goes quoted into AT+QSSLCFG / AT+CSSLCFG
            }
        }
        if ((c.getClientCert() == null) != (c.getClientKey() == null)) {
            throw new IllegalArgumentException(c.getClientCert() == null
                    ? "clientKey is given without its clientCert: a client authenticates with both, or with neither"
                    : "clientCert is given without its clientKey: a client authenticates with both, or with neither");
        }
        if (c.getSecLevel() != null) {
            range("secLevel", c.getSecLevel(), 0, 2);
        }
        range("sslVersion", c.getSslVersion(), 0, 4);
        if (c.getCipherSuite() == null || !c.getCipherSuite().matches("0[xX][0-9a-fA-F]{1,4}")) {
            throw new IllegalArgumentException(
                    "cipherSuite=" + c.getCipherSuite() + " is not a hexadecimal cipher suite such as 0xFFFF");
        }
        range("qos", c.getQos(), 0, 2);
        if (c.getPublishTimeout() <= 0) {
            throw new IllegalArgumentException("publishTimeout=" + c.getPublishTimeout() + " must be positive (ms)");
        }
        range("inflightWindow", c.getInflightWindow(), 1, 5);
        range("maxPendingPublishes", c.getMaxPendingPublishes(), 1, MAX_QUEUE_BOUND);
        range("maxPendingDeliveries", c.getMaxPendingDeliveries(), 1, MAX_QUEUE_BOUND);
        if (c.getReconnectDelay() <= 0) {
            throw new IllegalArgumentException("reconnectDelay=" + c.getReconnectDelay() + " must be positive (ms)");
        }
        if (c.getMaxReconnectDelay() < c.getReconnectDelay()) {
            throw new IllegalArgumentException("maxReconnectDelay=" + c.getMaxReconnectDelay()
                                               + " must not be less than reconnectDelay=" + c.getReconnectDelay() + " (ms)");
        }
        return broker;
    }

    /**
     * The OceanConnect options and a credentials provider replace clientId, userName and password
     * on every connect: a fixed value next to them would silently lose, so the combination is refused.
     */
    static void renewedCredentials(CellMqttConfiguration c) {
        boolean id = c.getOceanConnectDeviceId() != null;
        boolean secret = c.getOceanConnectDeviceSecret() != null;
        if (id != secret) {
            throw new IllegalArgumentException("oceanConnectDeviceId and oceanConnectDeviceSecret go together: "
                                               + (id ? "oceanConnectDeviceSecret" : "oceanConnectDeviceId")
                                               + " is missing");
        }
        if (id && c.getCredentialsProvider() != null) {
            throw new IllegalArgumentException("oceanConnectDeviceId and credentialsProvider both give the credentials"
                                               + " of every connect: set only one of them");
        }
        String renewedBy = id ? "oceanConnectDeviceId" : c.getCredentialsProvider() != null ? "credentialsProvider" : null;
        if (renewedBy == null) {
            return;
        }
        List<String> fixed = new ArrayList<>();
        if (c.getClientId() != null) {
            fixed.add("clientId");
        }
        if (c.getUserName() != null) {
            fixed.add("userName");
        }
        if (c.getPassword() != null) {
            fixed.add("password");
        }
        if (!fixed.isEmpty()) {
            throw new IllegalArgumentException(renewedBy + " gives the client id, user name and password of every"
                                               + " connect: remove " + String.join(", ", fixed));
        }
        if (id) {
            // Checks the id (topic level, AT quoting, client id length); its messages never show the secret.
            OceanConnect.device(c.getOceanConnectDeviceId(), c.getOceanConnectDeviceSecret());
        }
    }

    /**
     * Parses {@code tcp://host[:port]} or {@code ssl://host[:port]}; the port defaults to 1883 (tcp) or 8883 (ssl).
     */
    static Broker parseBroker(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("brokerUrl is required: tcp://host:port or ssl://host:port");
        }
        quotable("brokerUrl", url, false);
        String bad = "brokerUrl=" + url + " is not tcp://host:port or ssl://host:port";
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(bad + ": " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("tcp") && !scheme.equals("ssl")) {
            throw new IllegalArgumentException(bad + ": the scheme must be tcp or ssl");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty() || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(bad + ": no host name");
        }
        if ((uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(bad + ": no path, query or fragment is allowed");
        }
        if (host.length() > 100) {
            throw new IllegalArgumentException(bad + ": the host name is longer than 100 characters");
        }
        boolean ssl = scheme.equals("ssl");
        int port = uri.getPort() == -1 ? (ssl ? 8883 : 1883) : uri.getPort();
        range("brokerUrl port", port, 1, 65535);
        return new Broker(host, port, ssl);
    }

    /**
     * Checks a topic: not empty, no control characters or double quotes (they cannot be carried in the AT command's
     * quoted string, so a topic can never inject an AT command), and for publishing no wildcards; for subscribing
     * the wildcards must be well formed. The rules are the modem layer's, applied before any modem is opened.
     */
    static void topic(String what, String topic, boolean publish) {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        AtStrings.requireQuotable(what, topic);
        if (publish) {
            TopicFilter.requirePublishTopic(what, topic);
        } else {
            TopicFilter.requireValidFilter(what, topic);
        }
    }

    /** Values that go into an AT command's quoted string. Secrets are named, never shown. */
    static void quotable(String option, String value, boolean secret) {
        if (value == null) {
            return;
        }
        if (secret) {
            AtStrings.requireQuotableSecret(option, value);
        } else {
            AtStrings.requireQuotable(option, value);
        }
    }
}
