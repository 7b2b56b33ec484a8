package io.cellmqtt.modem;

import java.time.Duration;
import java.util.List;

/**
 * One MQTT client of the modem. Immutable; values are validated by the Camel layer against the
 * documented ranges before this is built, and again by {@link MqttClient} against the model.
 *
 * @param brokerHost        host name or address the modem connects to
 * @param brokerPort        TCP port
 * @param ssl               true for {@code ssl://} broker URLs
 * @param clientId          MQTT client identifier; null derives {@code cellmqtt-<IMEI>}
 * @param userName          may be null
 * @param password          secret; may be null
 * @param clientIndex       the modem's client_idx, or -1 for the lowest free one
 * @param protocolVersion   3 (MQTT 3.1) or 4 (3.1.1)
 * @param keepAliveInterval seconds, 0-3600
 * @param cleanSession      MQTT clean session flag
 * @param packetTimeout     seconds, 1-60 (QMTCFG "timeout")
 * @param retryTimes        0-10
 * @param timeoutNotice     report packet timeouts
 * @param willTopic         null for no will
 * @param willPayload       will message (may be empty)
 * @param willQos           0-2
 * @param willRetained      will retain flag
 * @param sslContextId      0-5
 * @param caCert            file name of the CA certificate on the modem, or null
 * @param clientCert        file name on the modem, or null
 * @param clientKey         file name on the modem, or null
 * @param secLevel          QSSLCFG seclevel 0-2, or -1 to derive it from which files are given
 * @param sslVersion        QSSLCFG sslversion 0-4
 * @param cipherSuite       QSSLCFG ciphersuite, e.g. {@code 0xFFFF}
 * @param ignoreLocalTime   QSSLCFG ignorelocaltime
 * @param inflightWindow    1-5 QoS&gt;0 publishes outstanding
 * @param reconnectDelay    first delay before reconnecting; doubles up to {@code maxReconnectDelay}
 * @param maxReconnectDelay upper bound of the reconnect backoff
 * @param credentialsProvider null, or asked for the client id, user name and password before every
 *                          connect; then {@code clientId}, {@code userName} and {@code password} are unused
 * @param certificates      the certificates and key the component uploads itself (their names are the
 *                          matching {@code caCert}, {@code clientCert}, {@code clientKey}); empty when
 *                          those name files already on the modem
 * @param limits            how many publishes and received messages the client may hold
 *                          ({@link QueueLimits#DEFAULT} when null)
 */
public record MqttClientSettings(String brokerHost, int brokerPort, boolean ssl, String clientId, String userName,
        String password, int clientIndex, int protocolVersion, int keepAliveInterval, boolean cleanSession,
        int packetTimeout, int retryTimes, boolean timeoutNotice, String willTopic, String willPayload, int willQos,
        boolean willRetained, int sslContextId, String caCert, String clientCert, String clientKey, int secLevel,
        int sslVersion, String cipherSuite, boolean ignoreLocalTime, int inflightWindow, Duration reconnectDelay,
        Duration maxReconnectDelay, MqttCredentialsProvider credentialsProvider, List<CertificateFile> certificates,
        QueueLimits limits) {

    /** @throws IllegalArgumentException if fixed credentials are given next to a credentials provider */
    public MqttClientSettings {
        certificates = certificates == null ? List.of() : List.copyOf(certificates);
        limits = limits == null ? QueueLimits.DEFAULT : limits;
        if (credentialsProvider != null && (clientId != null || userName != null || password != null)) {
            // Which one would win is a guess either way: refuse, naming the fields, never their values.
            throw new IllegalArgumentException("the credentials provider " + credentialsProvider.id()
                    + " gives the client id, user name and password of every connect: leave clientId, userName and"
                    + " password unset");
        }
    }

    /** As the canonical constructor, with the {@linkplain QueueLimits#DEFAULT default limits}. */
    public MqttClientSettings(String brokerHost, int brokerPort, boolean ssl, String clientId, String userName,
            String password, int clientIndex, int protocolVersion, int keepAliveInterval, boolean cleanSession,
            int packetTimeout, int retryTimes, boolean timeoutNotice, String willTopic, String willPayload, int willQos,
            boolean willRetained, int sslContextId, String caCert, String clientCert, String clientKey, int secLevel,
            int sslVersion, String cipherSuite, boolean ignoreLocalTime, int inflightWindow, Duration reconnectDelay,
            Duration maxReconnectDelay, MqttCredentialsProvider credentialsProvider, List<CertificateFile> certificates) {
        this(brokerHost, brokerPort, ssl, clientId, userName, password, clientIndex, protocolVersion, keepAliveInterval,
                cleanSession, packetTimeout, retryTimes, timeoutNotice, willTopic, willPayload, willQos, willRetained,
                sslContextId, caCert, clientCert, clientKey, secLevel, sslVersion, cipherSuite, ignoreLocalTime,
                inflightWindow, reconnectDelay, maxReconnectDelay, credentialsProvider, certificates, QueueLimits.DEFAULT);
    }

    /** Defaults of the endpoint contract for a plain TCP broker. */
    public static MqttClientSettings of(String brokerHost, int brokerPort) {
        return new MqttClientSettings(brokerHost, brokerPort, false, null, null, null, -1, 4, 120, true, 5, 3, false,
                null, null, 0, false, 0, null, null, null, -1, 4, "0xFFFF", true, 5, Duration.ofSeconds(1),
                Duration.ofSeconds(60), null, List.of(), QueueLimits.DEFAULT);
    }

    public MqttClientSettings withClientId(String id) {
        return new MqttClientSettings(brokerHost, brokerPort, ssl, id, userName, password, clientIndex, protocolVersion,
                keepAliveInterval, cleanSession, packetTimeout, retryTimes, timeoutNotice, willTopic, willPayload, willQos,
                willRetained, sslContextId, caCert, clientCert, clientKey, secLevel, sslVersion, cipherSuite,
                ignoreLocalTime, inflightWindow, reconnectDelay, maxReconnectDelay, credentialsProvider, certificates, limits);
    }

    public MqttClientSettings withCredentials(String user, String secret) {
        return new MqttClientSettings(brokerHost, brokerPort, ssl, clientId, user, secret, clientIndex, protocolVersion,
                keepAliveInterval, cleanSession, packetTimeout, retryTimes, timeoutNotice, willTopic, willPayload, willQos,
                willRetained, sslContextId, caCert, clientCert, clientKey, secLevel, sslVersion, cipherSuite,
                ignoreLocalTime, inflightWindow, reconnectDelay, maxReconnectDelay, credentialsProvider, certificates, limits);
    }

    public MqttClientSettings withClientIndex(int index) {
        return new MqttClientSettings(brokerHost, brokerPort, ssl, clientId, userName, password, index, protocolVersion,
                keepAliveInterval, cleanSession, packetTimeout, retryTimes, timeoutNotice, willTopic, willPayload, willQos,
                willRetained, sslContextId, caCert, clientCert, clientKey, secLevel, sslVersion, cipherSuite,
                ignoreLocalTime, inflightWindow, reconnectDelay, maxReconnectDelay, credentialsProvider, certificates, limits);
    }

    /** SSL on context {@code context} with the named certificate files on the modem (any may be null). */
    public MqttClientSettings withSsl(int context, String ca, String cert, String key, String suite) {
        return new MqttClientSettings(brokerHost, brokerPort, true, clientId, userName, password, clientIndex,
                protocolVersion, keepAliveInterval, cleanSession, packetTimeout, retryTimes, timeoutNotice, willTopic,
                willPayload, willQos, willRetained, context, ca, cert, key, secLevel, sslVersion, suite, ignoreLocalTime,
                inflightWindow, reconnectDelay, maxReconnectDelay, credentialsProvider, certificates, limits);
    }

    public MqttClientSettings withInflightWindow(int window) {
        return new MqttClientSettings(brokerHost, brokerPort, ssl, clientId, userName, password, clientIndex,
                protocolVersion, keepAliveInterval, cleanSession, packetTimeout, retryTimes, timeoutNotice, willTopic,
                willPayload, willQos, willRetained, sslContextId, caCert, clientCert, clientKey, secLevel, sslVersion,
                cipherSuite, ignoreLocalTime, window, reconnectDelay, maxReconnectDelay, credentialsProvider, certificates, limits);
    }

    /** These settings with other bounds on what the client may hold. */
    public MqttClientSettings withLimits(QueueLimits queueLimits) {
        return new MqttClientSettings(brokerHost, brokerPort, ssl, clientId, userName, password, clientIndex,
                protocolVersion, keepAliveInterval, cleanSession, packetTimeout, retryTimes, timeoutNotice, willTopic,
                willPayload, willQos, willRetained, sslContextId, caCert, clientCert, clientKey, secLevel, sslVersion,
                cipherSuite, ignoreLocalTime, inflightWindow, reconnectDelay, maxReconnectDelay, credentialsProvider,
                certificates, queueLimits);
    }

    /** QMTCFG "timeout": {@code seconds} per packet, {@code retries} re-transmissions. */
    public MqttClientSettings withPacketTimeout(int seconds, int retries) {
        return new MqttClientSettings(brokerHost, brokerPort, ssl, clientId, userName, password, clientIndex,
                protocolVersion, keepAliveInterval, cleanSession, seconds, retries, timeoutNotice, willTopic,
                willPayload, willQos, willRetained, sslContextId, caCert, clientCert, clientKey, secLevel, sslVersion,
                cipherSuite, ignoreLocalTime, inflightWindow, reconnectDelay, maxReconnectDelay, credentialsProvider, certificates, limits);
    }

    public MqttClientSettings withReconnectDelays(Duration first, Duration max) {
        return new MqttClientSettings(brokerHost, brokerPort, ssl, clientId, userName, password, clientIndex,
                protocolVersion, keepAliveInterval, cleanSession, packetTimeout, retryTimes, timeoutNotice, willTopic,
                willPayload, willQos, willRetained, sslContextId, caCert, clientCert, clientKey, secLevel, sslVersion,
                cipherSuite, ignoreLocalTime, inflightWindow, first, max, credentialsProvider, certificates, limits);
    }

    /**
     * Renewed credentials: the client id, user name and password are asked of {@code provider}
     * before every connect, and the fixed ones are dropped.
     */
    public MqttClientSettings withCredentialsProvider(MqttCredentialsProvider provider) {
        return new MqttClientSettings(brokerHost, brokerPort, ssl, null, null, null, clientIndex, protocolVersion,
                keepAliveInterval, cleanSession, packetTimeout, retryTimes, timeoutNotice, willTopic, willPayload, willQos,
                willRetained, sslContextId, caCert, clientCert, clientKey, secLevel, sslVersion, cipherSuite,
                ignoreLocalTime, inflightWindow, reconnectDelay, maxReconnectDelay, provider, certificates, limits);
    }

    /** These settings for one connect made with {@code c}: the provider's answer, as fixed credentials. */
    MqttClientSettings fixedTo(MqttCredentials c) {
        return new MqttClientSettings(brokerHost, brokerPort, ssl, c.clientId(), c.userName(), c.password(),
                clientIndex, protocolVersion, keepAliveInterval, cleanSession, packetTimeout, retryTimes, timeoutNotice,
                willTopic, willPayload, willQos, willRetained, sslContextId, caCert, clientCert, clientKey, secLevel,
                sslVersion, cipherSuite, ignoreLocalTime, inflightWindow, reconnectDelay, maxReconnectDelay, null, certificates, limits);
    }

    /** The file {@code role} ({@code caCert}, {@code clientCert}, {@code clientKey}) to upload, or null. */
    public CertificateFile certificate(String role) {
        return certificates.stream().filter(f -> f.role().equals(role)).findFirst().orElse(null);
    }

    /** These settings, with files the component uploads: each becomes the matching file name. */
    public MqttClientSettings withCertificates(List<CertificateFile> files) {
        String ca = caCert;
        String cert = clientCert;
        String key = clientKey;
        for (CertificateFile f : files) {
            switch (f.role()) {
                case "caCert" -> ca = f.name();
                case "clientCert" -> cert = f.name();
                case "clientKey" -> key = f.name();
                default -> throw new IllegalArgumentException("no certificate role " + f.role());
            }
        }
        return new MqttClientSettings(brokerHost, brokerPort, ssl, clientId, userName, password, clientIndex,
                protocolVersion, keepAliveInterval, cleanSession, packetTimeout, retryTimes, timeoutNotice, willTopic,
                willPayload, willQos, willRetained, sslContextId, ca, cert, key, secLevel, sslVersion, cipherSuite,
                ignoreLocalTime, inflightWindow, reconnectDelay, maxReconnectDelay, credentialsProvider, files, limits);
    }

    /**
     * The broker and the client's identity: endpoints with equal keys share a client. With a
     * credentials provider the identity is the provider's stable id, not the client id of the
     * moment (which may change every hour).
     */
    public String key() {
        String identity = credentialsProvider == null ? clientId : "credentials:" + credentialsProvider.id();
        return (ssl ? "ssl://" : "tcp://") + brokerHost + ":" + brokerPort + "/" + identity;
    }

    @Override
    public String toString() {
        return "MqttClientSettings[broker=" + (ssl ? "ssl://" : "tcp://") + brokerHost + ":" + brokerPort
                + ", clientId=" + clientId + ", userName=" + userName + ", password="
                + (password == null ? null : "***") + ", clientIndex=" + clientIndex + ", keepAlive="
                + keepAliveInterval + ", cleanSession=" + cleanSession + ", inflightWindow=" + inflightWindow
                + ", maxPendingPublishes=" + limits.maxPendingPublishes() + ", maxPendingDeliveries="
                + limits.maxPendingDeliveries()
                + (credentialsProvider == null ? "" : ", credentialsProvider=" + credentialsProvider) + "]";
    }
}
