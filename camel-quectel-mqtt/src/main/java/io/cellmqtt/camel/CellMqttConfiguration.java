package io.cellmqtt.camel;

import io.cellmqtt.modem.MqttCredentialsProvider;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;

/**
 * The options of a {@code cellmqtt:} endpoint. Set on the component they are the defaults of every endpoint it
 * creates; each endpoint works on its own copy.
 */
@UriParams
public class CellMqttConfiguration implements Cloneable {
    @UriParam(label = "common")
    @Metadata(required = true)
    private String serialPort;
    @UriParam(label = "common", defaultValue = "115200")
    private int baudRate = 115200;
    @UriParam(label = "common", defaultValue = "auto", enums = "auto,bg95,bg77,bg600l,bg96,bc26,m95,sim7600")
    private String modem = "auto";
    @UriParam(label = "common")
    private String apn;
    @UriParam(label = "security", secret = true)
    private String apnUserName;
    @UriParam(label = "security", secret = true)
    private String apnPassword;
    @UriParam(label = "advanced", defaultValue = "1")
    private int pdpContextId = 1;
    @UriParam(label = "advanced", defaultValue = "false")
    private boolean disablePowerSaving = false;
    @UriParam(label = "common")
    @Metadata(required = true)
    private String brokerUrl;
    @UriParam(label = "common")
    private String clientId;
    @UriParam(label = "security", secret = true)
    private String userName;
    @UriParam(label = "security", secret = true)
    private String password;
    @UriParam(label = "security")
    private String oceanConnectDeviceId;
    @UriParam(label = "security", secret = true)
    private String oceanConnectDeviceSecret;
    @UriParam(label = "security,advanced")
    @Metadata(autowired = true)
    private MqttCredentialsProvider credentialsProvider;
    @UriParam(label = "advanced")
    private Integer clientIndex;
    @UriParam(label = "advanced", defaultValue = "4", enums = "3,4")
    private int protocolVersion = 4;
    @UriParam(label = "advanced", defaultValue = "120")
    private int keepAliveInterval = 120;
    @UriParam(label = "common", defaultValue = "true")
    private boolean cleanSession = true;
    @UriParam(label = "advanced", defaultValue = "5")
    private int packetTimeout = 5;
    @UriParam(label = "advanced", defaultValue = "3")
    private int retryTimes = 3;
    @UriParam(label = "advanced", defaultValue = "false")
    private boolean timeoutNotice = false;
    @UriParam(label = "advanced")
    private String willTopic;
    @UriParam(label = "advanced")
    private String willPayload;
    @UriParam(label = "advanced", defaultValue = "0")
    private int willQos = 0;
    @UriParam(label = "advanced", defaultValue = "false")
    private boolean willRetained = false;
    @UriParam(label = "security", defaultValue = "0")
    private int sslContextId = 0;
    @UriParam(label = "security")
    private String caCert;
    @UriParam(label = "security")
    private String clientCert;
    @UriParam(label = "security")
    private String clientKey;
    @UriParam(label = "security")
    private Integer secLevel;
    @UriParam(label = "security", defaultValue = "4")
    private int sslVersion = 4;
    @UriParam(label = "security", defaultValue = "0xFFFF")
    private String cipherSuite = "0xFFFF";
    @UriParam(label = "security", defaultValue = "true")
    private boolean ignoreLocalTime = true;
    @UriParam(label = "common", defaultValue = "1")
    private int qos = 1;
    @UriParam(label = "producer", defaultValue = "false")
    private boolean retained = false;
    @UriParam(label = "producer", defaultValue = "60000")
    private long publishTimeout = 60000;
    @UriParam(label = "producer,advanced", defaultValue = "5")
    private int inflightWindow = 5;
    @UriParam(label = "producer,advanced", defaultValue = "1000")
    private int maxPendingPublishes = 1000;
    @UriParam(label = "producer,advanced", defaultValue = "false")
    private boolean blockWhenFull = false;
    @UriParam(label = "consumer,advanced", defaultValue = "1000")
    private int maxPendingDeliveries = 1000;
    @UriParam(label = "advanced", defaultValue = "1000")
    private long reconnectDelay = 1000;
    @UriParam(label = "advanced", defaultValue = "60000")
    private long maxReconnectDelay = 60000;

    public String getSerialPort() {
        return serialPort;
    }

    /**
     * The modem's AT port: a device path such as /dev/ttyUSB2, a Windows port such as COM7, or tcp://host:port for a raw TCP socket (ser2net-style remote AT ports, the simulator).
     */
    public void setSerialPort(String serialPort) {
        this.serialPort = serialPort;
    }

    public int getBaudRate() {
        return baudRate;
    }

    /**
     * The serial speed of the AT port in baud (ignored for tcp:// ports).
     */
    public void setBaudRate(int baudRate) {
        this.baudRate = baudRate;
    }

    public String getModem() {
        return modem;
    }

    /**
     * The modem model (command-set profile); auto asks the modem which model it is.
     */
    public void setModem(String modem) {
        this.modem = modem;
    }

    public String getApn() {
        return apn;
    }

    /**
     * The APN of the PDP context; when not set the modem's PDP context is left as it is.
     */
    public void setApn(String apn) {
        this.apn = apn;
    }

    public String getApnUserName() {
        return apnUserName;
    }

    /**
     * The user name of the PDP context.
     */
    public void setApnUserName(String apnUserName) {
        this.apnUserName = apnUserName;
    }

    public String getApnPassword() {
        return apnPassword;
    }

    /**
     * The password of the PDP context.
     */
    public void setApnPassword(String apnPassword) {
        this.apnPassword = apnPassword;
    }

    public int getPdpContextId() {
        return pdpContextId;
    }

    /**
     * The PDP context the MQTT clients use (QMTCFG 'pdpcid'), 1-16.
     */
    public void setPdpContextId(int pdpContextId) {
        this.pdpContextId = pdpContextId;
    }

    public boolean isDisablePowerSaving() {
        return disablePowerSaving;
    }

    /**
     * Switch PSM, eDRX and sleep off during bring-up so that the modem keeps receiving (BC26 guide).
     */
    public void setDisablePowerSaving(boolean disablePowerSaving) {
        this.disablePowerSaving = disablePowerSaving;
    }

    public String getBrokerUrl() {
        return brokerUrl;
    }

    /**
     * The broker the modem connects to: tcp://host:port or ssl://host:port; the port defaults to 1883 for tcp and 8883 for ssl when omitted.
     */
    public void setBrokerUrl(String brokerUrl) {
        this.brokerUrl = brokerUrl;
    }

    public String getClientId() {
        return clientId;
    }

    /**
     * The MQTT client identifier; when not set it is derived from the modem's IMEI (cellmqtt- followed by the IMEI).
     */
    public void setClientId(String clientId) {
        this.clientId = clientId;
    }

    public String getUserName() {
        return userName;
    }

    /**
     * The MQTT user name.
     */
    public void setUserName(String userName) {
        this.userName = userName;
    }

    public String getPassword() {
        return password;
    }

    /**
     * The MQTT password.
     */
    public void setPassword(String password) {
        this.password = password;
    }

    public String getOceanConnectDeviceId() {
        return oceanConnectDeviceId;
    }

    /**
     * The Huawei OceanConnect device id: with oceanConnectDeviceSecret, every connect logs in as the device with client id {deviceId}_0_0_YYYYMMDDhh (the connect hour, UTC), user name {deviceId} and the HMAC-SHA256 password; clientId, userName and password must then be unset.
     */
    public void setOceanConnectDeviceId(String oceanConnectDeviceId) {
        this.oceanConnectDeviceId = oceanConnectDeviceId;
    }

    public String getOceanConnectDeviceSecret() {
        return oceanConnectDeviceSecret;
    }

    /**
     * The Huawei OceanConnect device secret from the device registration; the password of every connect is signed with it, the secret itself is never sent.
     */
    public void setOceanConnectDeviceSecret(String oceanConnectDeviceSecret) {
        this.oceanConnectDeviceSecret = oceanConnectDeviceSecret;
    }

    public MqttCredentialsProvider getCredentialsProvider() {
        return credentialsProvider;
    }

    /**
     * Asked for the client id, user name and password before every connect (e.g. OceanConnect.device(id, secret).credentials()); clientId, userName, password and the oceanConnect options must then be unset.
     */
    public void setCredentialsProvider(MqttCredentialsProvider credentialsProvider) {
        this.credentialsProvider = credentialsProvider;
    }

    public Integer getClientIndex() {
        return clientIndex;
    }

    /**
     * The modem's MQTT client index (client_idx): 0-5 on Quectel modems, 0-1 on SIMCom; when not set the lowest free index is used.
     */
    public void setClientIndex(Integer clientIndex) {
        this.clientIndex = clientIndex;
    }

    public int getProtocolVersion() {
        return protocolVersion;
    }

    /**
     * The MQTT protocol version: 3 = MQTT 3.1, 4 = MQTT 3.1.1.
     */
    public void setProtocolVersion(int protocolVersion) {
        this.protocolVersion = protocolVersion;
    }

    public int getKeepAliveInterval() {
        return keepAliveInterval;
    }

    /**
     * The MQTT keep-alive interval in seconds, 0-3600 (0 disables keep-alive).
     */
    public void setKeepAliveInterval(int keepAliveInterval) {
        this.keepAliveInterval = keepAliveInterval;
    }

    public boolean isCleanSession() {
        return cleanSession;
    }

    /**
     * The MQTT clean session flag.
     */
    public void setCleanSession(boolean cleanSession) {
        this.cleanSession = cleanSession;
    }

    public int getPacketTimeout() {
        return packetTimeout;
    }

    /**
     * The packet delivery timeout in seconds, 1-60 (QMTCFG 'timeout').
     */
    public void setPacketTimeout(int packetTimeout) {
        this.packetTimeout = packetTimeout;
    }

    public int getRetryTimes() {
        return retryTimes;
    }

    /**
     * How often the modem retransmits a packet after a packet timeout, 0-10 (QMTCFG 'timeout').
     */
    public void setRetryTimes(int retryTimes) {
        this.retryTimes = retryTimes;
    }

    public boolean isTimeoutNotice() {
        return timeoutNotice;
    }

    /**
     * Whether the modem reports packet transmission timeouts (QMTCFG 'timeout').
     */
    public void setTimeoutNotice(boolean timeoutNotice) {
        this.timeoutNotice = timeoutNotice;
    }

    public String getWillTopic() {
        return willTopic;
    }

    /**
     * The topic of the last-will message; no will is configured when not set (QMTCFG 'will').
     */
    public void setWillTopic(String willTopic) {
        this.willTopic = willTopic;
    }

    public String getWillPayload() {
        return willPayload;
    }

    /**
     * The payload of the last-will message (QMTCFG 'will').
     */
    public void setWillPayload(String willPayload) {
        this.willPayload = willPayload;
    }

    public int getWillQos() {
        return willQos;
    }

    /**
     * The QoS of the last-will message, 0-2 (QMTCFG 'will').
     */
    public void setWillQos(int willQos) {
        this.willQos = willQos;
    }

    public boolean isWillRetained() {
        return willRetained;
    }

    /**
     * Whether the last-will message is retained (QMTCFG 'will').
     */
    public void setWillRetained(boolean willRetained) {
        this.willRetained = willRetained;
    }

    public int getSslContextId() {
        return sslContextId;
    }

    /**
     * The modem's SSL context, 0-5; SSL is used when brokerUrl is ssl://.
     */
    public void setSslContextId(int sslContextId) {
        this.sslContextId = sslContextId;
    }

    public String getCaCert() {
        return caCert;
    }

    /**
     * The CA certificate that verifies the broker: a PEM file the component uploads to the modem (file:/path, classpath:path, #bean:name of a byte array or String), or the name of a file already on the modem (a bare name, or UFS:/RAM: prefixed). An uploaded file is named by its content's hash and uploaded only when the modem does not hold it yet.
     */
    public void setCaCert(String caCert) {
        this.caCert = caCert;
    }

    public String getClientCert() {
        return clientCert;
    }

    /**
     * The client certificate presented to the broker (mutual TLS, e.g. AWS IoT's xxxx-certificate.pem.crt): a PEM file the component uploads (file:, classpath:, #bean:) or the name of a file already on the modem. Needs clientKey.
     */
    public void setClientCert(String clientCert) {
        this.clientCert = clientCert;
    }

    public String getClientKey() {
        return clientKey;
    }

    /**
     * The client certificate's private key (PEM, PKCS#1 or PKCS#8, e.g. AWS IoT's xxxx-private.pem.key): a file the component uploads (file:, classpath:, #bean:) or the name of a file already on the modem. Its content never appears in logs or messages. Needs clientCert.
     */
    public void setClientKey(String clientKey) {
        this.clientKey = clientKey;
    }

    public Integer getSecLevel() {
        return secLevel;
    }

    /**
     * The SSL security level, 0-2 (QSSLCFG seclevel, CSSLCFG authmode: 0 no authentication, 1 the broker is verified against caCert, 2 also the client presents clientCert and clientKey); when not set: 2 with a client certificate, 1 with only a CA, 0 without either. 0 logs a warning at start: the broker is not verified.
     */
    public void setSecLevel(Integer secLevel) {
        this.secLevel = secLevel;
    }

    public int getSslVersion() {
        return sslVersion;
    }

    /**
     * The SSL/TLS version, 0-4 (QSSLCFG 'sslversion': 0 SSL 3.0, 1 TLS 1.0, 2 TLS 1.1, 3 TLS 1.2, 4 all).
     */
    public void setSslVersion(int sslVersion) {
        this.sslVersion = sslVersion;
    }

    public String getCipherSuite() {
        return cipherSuite;
    }

    /**
     * The SSL cipher suite (QSSLCFG 'ciphersuite'), e.g. 0xFFFF for all the modem supports.
     */
    public void setCipherSuite(String cipherSuite) {
        this.cipherSuite = cipherSuite;
    }

    public boolean isIgnoreLocalTime() {
        return ignoreLocalTime;
    }

    /**
     * Whether the modem ignores its local time when validating certificates (QSSLCFG 'ignorelocaltime').
     */
    public void setIgnoreLocalTime(boolean ignoreLocalTime) {
        this.ignoreLocalTime = ignoreLocalTime;
    }

    public int getQos() {
        return qos;
    }

    /**
     * The QoS, 0-2: the publish QoS on the producer (the CamelCellMqttQos header overrides it), the subscription QoS on the consumer.
     */
    public void setQos(int qos) {
        this.qos = qos;
    }

    public boolean isRetained() {
        return retained;
    }

    /**
     * Whether messages are published with the retain flag (the CamelCellMqttRetained header overrides it).
     */
    public void setRetained(boolean retained) {
        this.retained = retained;
    }

    public long getPublishTimeout() {
        return publishTimeout;
    }

    /**
     * How long, in milliseconds, an exchange may wait for the modem to report its publish result, reconnects included.
     */
    public void setPublishTimeout(long publishTimeout) {
        this.publishTimeout = publishTimeout;
    }

    public int getInflightWindow() {
        return inflightWindow;
    }

    /**
     * How many QoS 1/2 publishes may be outstanding per modem client at once, 1-5.
     */
    public void setInflightWindow(int inflightWindow) {
        this.inflightWindow = inflightWindow;
    }

    public int getMaxPendingPublishes() {
        return maxPendingPublishes;
    }

    /**
     * The most publishes, of any QoS, a modem client holds at once without their outcome: waiting for the connection,
     * in the in-flight window, or handed to the AT port and not yet answered for; 1-1000000. Past it a publish fails
     * at once with ModemBackedUpException (or waits for room, see blockWhenFull) and is never sent. Each holds its
     * payload: 1000 of the largest is 4 MiB on a BG95 (4096 bytes), 10 MiB on a SIM7600 (10240 bytes). Per client: the
     * first endpoint that opens the client sets it.
     */
    public void setMaxPendingPublishes(int maxPendingPublishes) {
        this.maxPendingPublishes = maxPendingPublishes;
    }

    public boolean isBlockWhenFull() {
        return blockWhenFull;
    }

    /**
     * Whether a publish that finds its client backed up (maxPendingPublishes without their outcome) waits for room,
     * blocking the calling thread for at most publishTimeout, instead of failing at once with ModemBackedUpException;
     * with no room by then it fails with that exception, never sent.
     */
    public void setBlockWhenFull(boolean blockWhenFull) {
        this.blockWhenFull = blockWhenFull;
    }

    public int getMaxPendingDeliveries() {
        return maxPendingDeliveries;
    }

    /**
     * The most received messages a modem client keeps waiting for slow routes, 1-1000000. The modem acknowledged them
     * to the broker already, so a message past it is dropped, counted (droppedDeliveries in the health check and the
     * dev console) and logged at WARN. Each holds its payload: 1000 of the largest is 4 MiB on a BG95, 10 MiB on a
     * SIM7600. Per client: the first endpoint that opens the client sets it.
     */
    public void setMaxPendingDeliveries(int maxPendingDeliveries) {
        this.maxPendingDeliveries = maxPendingDeliveries;
    }

    public long getReconnectDelay() {
        return reconnectDelay;
    }

    /**
     * The first wait, in milliseconds, before recovering from a fault (reconnecting to the broker, reopening the
     * serial port, probing the modem); each failed attempt doubles it, up to maxReconnectDelay, with up to 20% random
     * jitter so that many gateways do not retry in step.
     */
    public void setReconnectDelay(long reconnectDelay) {
        this.reconnectDelay = reconnectDelay;
    }

    public long getMaxReconnectDelay() {
        return maxReconnectDelay;
    }

    /**
     * The longest wait, in milliseconds, between two recovery attempts.
     */
    public void setMaxReconnectDelay(long maxReconnectDelay) {
        this.maxReconnectDelay = maxReconnectDelay;
    }

    /** A copy for one endpoint. */
    public CellMqttConfiguration copy() {
        try {
            return (CellMqttConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }

    @Override
    public String toString() {
        return "CellMqttConfiguration[serialPort=" + serialPort + ", brokerUrl=" + brokerUrl + ", modem=" + modem
               + ", clientId=" + clientId + ", userName=" + userName + ", password=" + mask(password)
               + ", oceanConnectDeviceId=" + oceanConnectDeviceId + ", oceanConnectDeviceSecret="
               + mask(oceanConnectDeviceSecret) + ", credentialsProvider=" + credentialsProvider
               + ", apn=" + apn + ", apnUserName=" + apnUserName + ", apnPassword=" + mask(apnPassword)
               + ", clientIndex=" + clientIndex + ", qos=" + qos + ", retained=" + retained + "]";
    }

    private static String mask(String secret) {
        return secret == null ? null : "xxxxxx";
    }
}
