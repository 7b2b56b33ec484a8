package io.cellmqtt.camel.springboot;

import org.apache.camel.spring.boot.ComponentConfigurationPropertiesCommon;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code camel.component.cellmqtt.*} properties: one per option of {@link io.cellmqtt.camel.CellMqttComponent}
 * (which are the options of its shared {@link io.cellmqtt.camel.CellMqttConfiguration}), copied onto the component by
 * {@link CellMqttComponentAutoConfiguration}. A property left unset leaves the component's own default; every endpoint
 * of the component takes these as its defaults and may override them in its URI.
 *
 * <p>Kept in step with the component's options by {@code CellMqttStarterMetadataTest}.
 */
@ConfigurationProperties(prefix = "camel.component.cellmqtt")
public class CellMqttComponentConfiguration extends ComponentConfigurationPropertiesCommon {

    /**
     * Whether to enable auto configuration of the cellmqtt component. This is enabled by default.
     */
    // documents the inherited enabled property for the configuration metadata (as camel-spring-boot's starters do)
    @SuppressWarnings("unused")
    private Boolean enabled;

    /**
     * The APN of the PDP context; when not set the modem's PDP context is left as it is.
     */
    private String apn;

    /**
     * The serial speed of the AT port in baud (ignored for tcp:// ports).
     */
    private Integer baudRate = 115200;

    /**
     * The broker the modem connects to: tcp://host:port or ssl://host:port; the port defaults to 1883 for tcp and 8883
     * for ssl when omitted.
     */
    private String brokerUrl;

    /**
     * The MQTT clean session flag.
     */
    private Boolean cleanSession = true;

    /**
     * The MQTT client identifier; when not set it is derived from the modem's IMEI (cellmqtt- followed by the IMEI).
     */
    private String clientId;

    /**
     * Options shared by every endpoint of this component; an endpoint's own options override them. The option is a
     * io.cellmqtt.camel.CellMqttConfiguration type (a bean reference such as #bean:name).
     */
    private io.cellmqtt.camel.CellMqttConfiguration configuration;

    /**
     * The modem model (command-set profile); auto asks the modem which model it is.
     */
    private String modem = "auto";

    /**
     * The QoS, 0-2: the publish QoS on the producer (the CamelCellMqttQos header overrides it), the subscription QoS
     * on the consumer.
     */
    private Integer qos = 1;

    /**
     * The modem's AT port: a device path such as /dev/ttyUSB2, a Windows port such as COM7, or tcp://host:port for a
     * raw TCP socket (ser2net-style remote AT ports, the simulator).
     */
    private String serialPort;

    /**
     * Allows for bridging the consumer to the Camel routing Error Handler, which mean any exceptions (if possible)
     * occurred while the Camel consumer is trying to pickup incoming messages, or the likes, will now be processed as
     * a message and handled by the routing Error Handler. Important: This is only possible if the 3rd party component
     * allows Camel to be alerted if an exception was thrown. Some components handle this internally only, and
     * therefore bridgeErrorHandler is not possible. In other situations we may improve the Camel component to hook
     * into the 3rd party component and make this possible for future releases. By default the consumer will use the
     * org.apache.camel.spi.ExceptionHandler to deal with exceptions, that will be logged at WARN or ERROR level and
     * ignored.
     */
    private Boolean bridgeErrorHandler = false;

    /**
     * The most received messages a modem client keeps waiting for slow routes, 1-1000000. The modem acknowledged them
     * to the broker already, so a message past it is dropped, counted (droppedDeliveries in the health check and the
     * dev console) and logged at WARN. Each holds its payload: 1000 of the largest is 4 MiB on a BG95, 10 MiB on a
     * SIM7600. Per client: the first endpoint that opens the client sets it.
     */
    private Integer maxPendingDeliveries = 1000;

    /**
     * Whether the producer should be started lazy (on the first message). By starting lazy you can use this to allow
     * CamelContext and routes to startup in situations where a producer may otherwise fail during starting and cause
     * the route to fail being started. By deferring this startup to be lazy then the startup failure can be handled
     * during routing messages via Camel's routing error handlers. Beware that when the first message is processed then
     * creating and starting the producer may take a little time and prolong the total processing time of the
     * processing.
     */
    private Boolean lazyStartProducer = false;

    /**
     * How long, in milliseconds, an exchange may wait for the modem to report its publish result, reconnects included.
     */
    private Long publishTimeout = 60000L;

    /**
     * Whether messages are published with the retain flag (the CamelCellMqttRetained header overrides it).
     */
    private Boolean retained = false;

    /**
     * Whether a publish that finds its client backed up (maxPendingPublishes without their outcome) waits for room,
     * blocking the calling thread for at most publishTimeout, instead of failing at once with ModemBackedUpException;
     * with no room by then it fails with that exception, never sent.
     */
    private Boolean blockWhenFull = false;

    /**
     * How many QoS 1/2 publishes may be outstanding per modem client at once, 1-5.
     */
    private Integer inflightWindow = 5;

    /**
     * The most publishes, of any QoS, a modem client holds at once without their outcome: waiting for the connection,
     * in the in-flight window, or handed to the AT port and not yet answered for; 1-1000000. Past it a publish fails at
     * once with ModemBackedUpException (or waits for room, see blockWhenFull) and is never sent. Each holds its
     * payload: 1000 of the largest is 4 MiB on a BG95 (4096 bytes), 10 MiB on a SIM7600 (10240 bytes). Per client: the
     * first endpoint that opens the client sets it.
     */
    private Integer maxPendingPublishes = 1000;

    /**
     * Whether autowiring is enabled. This is used for automatic autowiring options (the option must be marked as
     * autowired) by looking up in the registry to find if there is a single instance of matching type, which then gets
     * configured on the component. This can be used for automatic configuring JDBC data sources, JMS connection
     * factories, AWS Clients, etc.
     */
    private Boolean autowiredEnabled = true;

    /**
     * The modem's MQTT client index (client_idx): 0-5 on Quectel modems, 0-1 on SIMCom; when not set the lowest free
     * index is used.
     */
    private Integer clientIndex;

    /**
     * Switch PSM, eDRX and sleep off during bring-up so that the modem keeps receiving (BC26 guide).
     */
    private Boolean disablePowerSaving = false;

    /**
     * The MQTT keep-alive interval in seconds, 0-3600 (0 disables keep-alive).
     */
    private Integer keepAliveInterval = 120;

    /**
     * The longest wait, in milliseconds, between two recovery attempts.
     */
    private Long maxReconnectDelay = 60000L;

    /**
     * The packet delivery timeout in seconds, 1-60 (QMTCFG 'timeout').
     */
    private Integer packetTimeout = 5;

    /**
     * The PDP context the MQTT clients use (QMTCFG 'pdpcid'), 1-16.
     */
    private Integer pdpContextId = 1;

    /**
     * The MQTT protocol version: 3 = MQTT 3.1, 4 = MQTT 3.1.1.
     */
    private Integer protocolVersion = 4;

    /**
     * The first wait, in milliseconds, before recovering from a fault (reconnecting to the broker, reopening the
     * serial port, probing the modem); each failed attempt doubles it, up to maxReconnectDelay, with up to 20% random
     * jitter so that many gateways do not retry in step.
     */
    private Long reconnectDelay = 1000L;

    /**
     * How often the modem retransmits a packet after a packet timeout, 0-10 (QMTCFG 'timeout').
     */
    private Integer retryTimes = 3;

    /**
     * Whether the modem reports packet transmission timeouts (QMTCFG 'timeout').
     */
    private Boolean timeoutNotice = false;

    /**
     * The payload of the last-will message (QMTCFG 'will').
     */
    private String willPayload;

    /**
     * The QoS of the last-will message, 0-2 (QMTCFG 'will').
     */
    private Integer willQos = 0;

    /**
     * Whether the last-will message is retained (QMTCFG 'will').
     */
    private Boolean willRetained = false;

    /**
     * The topic of the last-will message; no will is configured when not set (QMTCFG 'will').
     */
    private String willTopic;

    /**
     * Used for enabling or disabling all consumer based health checks from this component
     */
    private Boolean healthCheckConsumerEnabled = true;

    /**
     * Used for enabling or disabling all producer based health checks from this component. Notice: Camel has by
     * default disabled all producer based health-checks. You can turn on producer checks globally by setting
     * camel.health.producersEnabled=true.
     */
    private Boolean healthCheckProducerEnabled = true;

    /**
     * The password of the PDP context.
     */
    private String apnPassword;

    /**
     * The user name of the PDP context.
     */
    private String apnUserName;

    /**
     * The CA certificate that verifies the broker: a PEM file the component uploads to the modem (file:/path,
     * classpath:path, #bean:name of a byte array or String), or the name of a file already on the modem (a bare name,
     * or UFS:/RAM: prefixed). An uploaded file is named by its content's hash and uploaded only when the modem does
     * not hold it yet.
     */
    private String caCert;

    /**
     * The SSL cipher suite (QSSLCFG 'ciphersuite'), e.g. 0xFFFF for all the modem supports.
     */
    private String cipherSuite = "0xFFFF";

    /**
     * The client certificate presented to the broker (mutual TLS, e.g. AWS IoT's xxxx-certificate.pem.crt): a PEM file
     * the component uploads (file:, classpath:, #bean:) or the name of a file already on the modem. Needs clientKey.
     */
    private String clientCert;

    /**
     * The client certificate's private key (PEM, PKCS#1 or PKCS#8, e.g. AWS IoT's xxxx-private.pem.key): a file the
     * component uploads (file:, classpath:, #bean:) or the name of a file already on the modem. Its content never
     * appears in logs or messages. Needs clientCert.
     */
    private String clientKey;

    /**
     * Whether the modem ignores its local time when validating certificates (QSSLCFG 'ignorelocaltime').
     */
    private Boolean ignoreLocalTime = true;

    /**
     * The Huawei OceanConnect device id: with oceanConnectDeviceSecret, every connect logs in as the device with
     * client id {deviceId}_0_0_YYYYMMDDhh (the connect hour, UTC), user name {deviceId} and the HMAC-SHA256 password;
     * clientId, userName and password must then be unset.
     */
    private String oceanConnectDeviceId;

    /**
     * The Huawei OceanConnect device secret from the device registration; the password of every connect is signed with
     * it, the secret itself is never sent.
     */
    private String oceanConnectDeviceSecret;

    /**
     * The MQTT password.
     */
    private String password;

    /**
     * The SSL security level, 0-2 (QSSLCFG seclevel, CSSLCFG authmode: 0 no authentication, 1 the broker is verified
     * against caCert, 2 also the client presents clientCert and clientKey); when not set: 2 with a client certificate,
     * 1 with only a CA, 0 without either. 0 logs a warning at start: the broker is not verified.
     */
    private Integer secLevel;

    /**
     * The modem's SSL context, 0-5; SSL is used when brokerUrl is ssl://.
     */
    private Integer sslContextId = 0;

    /**
     * The SSL/TLS version, 0-4 (QSSLCFG 'sslversion': 0 SSL 3.0, 1 TLS 1.0, 2 TLS 1.1, 3 TLS 1.2, 4 all).
     */
    private Integer sslVersion = 4;

    /**
     * The MQTT user name.
     */
    private String userName;

    /**
     * Asked for the client id, user name and password before every connect (e.g. OceanConnect.device(id,
     * secret).credentials()); clientId, userName, password and the oceanConnect options must then be unset. The option
     * is a io.cellmqtt.modem.MqttCredentialsProvider type (a bean reference such as #bean:name).
     */
    private io.cellmqtt.modem.MqttCredentialsProvider credentialsProvider;

    public String getApn() {
        return apn;
    }

    public void setApn(String apn) {
        this.apn = apn;
    }

    public Integer getBaudRate() {
        return baudRate;
    }

    public void setBaudRate(Integer baudRate) {
        this.baudRate = baudRate;
    }

    public String getBrokerUrl() {
        return brokerUrl;
    }

    public void setBrokerUrl(String brokerUrl) {
        this.brokerUrl = brokerUrl;
    }

    public Boolean getCleanSession() {
        return cleanSession;
    }

    public void setCleanSession(Boolean cleanSession) {
        this.cleanSession = cleanSession;
    }

    public String getClientId() {
        return clientId;
    }

    public void setClientId(String clientId) {
        this.clientId = clientId;
    }

    public io.cellmqtt.camel.CellMqttConfiguration getConfiguration() {
        return configuration;
    }

    public void setConfiguration(io.cellmqtt.camel.CellMqttConfiguration configuration) {
        this.configuration = configuration;
    }

    public String getModem() {
        return modem;
    }

    public void setModem(String modem) {
        this.modem = modem;
    }

    public Integer getQos() {
        return qos;
    }

    public void setQos(Integer qos) {
        this.qos = qos;
    }

    public String getSerialPort() {
        return serialPort;
    }

    public void setSerialPort(String serialPort) {
        this.serialPort = serialPort;
    }

    public Boolean getBridgeErrorHandler() {
        return bridgeErrorHandler;
    }

    public void setBridgeErrorHandler(Boolean bridgeErrorHandler) {
        this.bridgeErrorHandler = bridgeErrorHandler;
    }

    public Boolean getLazyStartProducer() {
        return lazyStartProducer;
    }

    public void setLazyStartProducer(Boolean lazyStartProducer) {
        this.lazyStartProducer = lazyStartProducer;
    }

    public Long getPublishTimeout() {
        return publishTimeout;
    }

    public void setPublishTimeout(Long publishTimeout) {
        this.publishTimeout = publishTimeout;
    }

    public Boolean getRetained() {
        return retained;
    }

    public void setRetained(Boolean retained) {
        this.retained = retained;
    }

    public Integer getInflightWindow() {
        return inflightWindow;
    }

    public void setInflightWindow(Integer inflightWindow) {
        this.inflightWindow = inflightWindow;
    }

    public Integer getMaxPendingPublishes() {
        return maxPendingPublishes;
    }

    public void setMaxPendingPublishes(Integer maxPendingPublishes) {
        this.maxPendingPublishes = maxPendingPublishes;
    }

    public Boolean getBlockWhenFull() {
        return blockWhenFull;
    }

    public void setBlockWhenFull(Boolean blockWhenFull) {
        this.blockWhenFull = blockWhenFull;
    }

    public Integer getMaxPendingDeliveries() {
        return maxPendingDeliveries;
    }

    public void setMaxPendingDeliveries(Integer maxPendingDeliveries) {
        this.maxPendingDeliveries = maxPendingDeliveries;
    }

    public Boolean getAutowiredEnabled() {
        return autowiredEnabled;
    }

    public void setAutowiredEnabled(Boolean autowiredEnabled) {
        this.autowiredEnabled = autowiredEnabled;
    }

    public Integer getClientIndex() {
        return clientIndex;
    }

    public void setClientIndex(Integer clientIndex) {
        this.clientIndex = clientIndex;
    }

    public Boolean getDisablePowerSaving() {
        return disablePowerSaving;
    }

    public void setDisablePowerSaving(Boolean disablePowerSaving) {
        this.disablePowerSaving = disablePowerSaving;
    }

    public Integer getKeepAliveInterval() {
        return keepAliveInterval;
    }

    public void setKeepAliveInterval(Integer keepAliveInterval) {
        this.keepAliveInterval = keepAliveInterval;
    }

    public Long getMaxReconnectDelay() {
        return maxReconnectDelay;
    }

    public void setMaxReconnectDelay(Long maxReconnectDelay) {
        this.maxReconnectDelay = maxReconnectDelay;
    }

    public Integer getPacketTimeout() {
        return packetTimeout;
    }

    public void setPacketTimeout(Integer packetTimeout) {
        this.packetTimeout = packetTimeout;
    }

    public Integer getPdpContextId() {
        return pdpContextId;
    }

    public void setPdpContextId(Integer pdpContextId) {
        this.pdpContextId = pdpContextId;
    }

    public Integer getProtocolVersion() {
        return protocolVersion;
    }

    public void setProtocolVersion(Integer protocolVersion) {
        this.protocolVersion = protocolVersion;
    }

    public Long getReconnectDelay() {
        return reconnectDelay;
    }

    public void setReconnectDelay(Long reconnectDelay) {
        this.reconnectDelay = reconnectDelay;
    }

    public Integer getRetryTimes() {
        return retryTimes;
    }

    public void setRetryTimes(Integer retryTimes) {
        this.retryTimes = retryTimes;
    }

    public Boolean getTimeoutNotice() {
        return timeoutNotice;
    }

    public void setTimeoutNotice(Boolean timeoutNotice) {
        this.timeoutNotice = timeoutNotice;
    }

    public String getWillPayload() {
        return willPayload;
    }

    public void setWillPayload(String willPayload) {
        this.willPayload = willPayload;
    }

    public Integer getWillQos() {
        return willQos;
    }

    public void setWillQos(Integer willQos) {
        this.willQos = willQos;
    }

    public Boolean getWillRetained() {
        return willRetained;
    }

    public void setWillRetained(Boolean willRetained) {
        this.willRetained = willRetained;
    }

    public String getWillTopic() {
        return willTopic;
    }

    public void setWillTopic(String willTopic) {
        this.willTopic = willTopic;
    }

    public Boolean getHealthCheckConsumerEnabled() {
        return healthCheckConsumerEnabled;
    }

    public void setHealthCheckConsumerEnabled(Boolean healthCheckConsumerEnabled) {
        this.healthCheckConsumerEnabled = healthCheckConsumerEnabled;
    }

    public Boolean getHealthCheckProducerEnabled() {
        return healthCheckProducerEnabled;
    }

    public void setHealthCheckProducerEnabled(Boolean healthCheckProducerEnabled) {
        this.healthCheckProducerEnabled = healthCheckProducerEnabled;
    }

    public String getApnPassword() {
        return apnPassword;
    }

    public void setApnPassword(String apnPassword) {
        this.apnPassword = apnPassword;
    }

    public String getApnUserName() {
        return apnUserName;
    }

    public void setApnUserName(String apnUserName) {
        this.apnUserName = apnUserName;
    }

    public String getCaCert() {
        return caCert;
    }

    public void setCaCert(String caCert) {
        this.caCert = caCert;
    }

    public String getCipherSuite() {
        return cipherSuite;
    }

    public void setCipherSuite(String cipherSuite) {
        this.cipherSuite = cipherSuite;
    }

    public String getClientCert() {
        return clientCert;
    }

    public void setClientCert(String clientCert) {
        this.clientCert = clientCert;
    }

    public String getClientKey() {
        return clientKey;
    }

    public void setClientKey(String clientKey) {
        this.clientKey = clientKey;
    }

    public Boolean getIgnoreLocalTime() {
        return ignoreLocalTime;
    }

    public void setIgnoreLocalTime(Boolean ignoreLocalTime) {
        this.ignoreLocalTime = ignoreLocalTime;
    }

    public String getOceanConnectDeviceId() {
        return oceanConnectDeviceId;
    }

    public void setOceanConnectDeviceId(String oceanConnectDeviceId) {
        this.oceanConnectDeviceId = oceanConnectDeviceId;
    }

    public String getOceanConnectDeviceSecret() {
        return oceanConnectDeviceSecret;
    }

    public void setOceanConnectDeviceSecret(String oceanConnectDeviceSecret) {
        this.oceanConnectDeviceSecret = oceanConnectDeviceSecret;
    }

    public String getPassword() {
        return password;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    public Integer getSecLevel() {
        return secLevel;
    }

    public void setSecLevel(Integer secLevel) {
        this.secLevel = secLevel;
    }

    public Integer getSslContextId() {
        return sslContextId;
    }

    public void setSslContextId(Integer sslContextId) {
        this.sslContextId = sslContextId;
    }

    public Integer getSslVersion() {
        return sslVersion;
    }

    public void setSslVersion(Integer sslVersion) {
        this.sslVersion = sslVersion;
    }

    public String getUserName() {
        return userName;
    }

    public void setUserName(String userName) {
        this.userName = userName;
    }

    public io.cellmqtt.modem.MqttCredentialsProvider getCredentialsProvider() {
        return credentialsProvider;
    }

    public void setCredentialsProvider(io.cellmqtt.modem.MqttCredentialsProvider credentialsProvider) {
        this.credentialsProvider = credentialsProvider;
    }
}
