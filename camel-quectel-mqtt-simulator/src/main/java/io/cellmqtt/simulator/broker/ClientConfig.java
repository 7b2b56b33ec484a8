package io.cellmqtt.simulator.broker;

/**
 * The MQTT settings of one client index (AT+QMTCFG, or what SIMCom's ACCQ, WILLTOPIC and CONNECT set),
 * with the defaults the BG95 reference gives. A plain settings bag the command sets fill and
 * {@link BrokerConnection} reads when it sends CONNECT.
 */
public final class ClientConfig {
    public int version = 4;
    public int pdpCid = 1;
    public boolean ssl;
    public int sslCtx;
    public int keepAlive = 120;
    public boolean cleanSession = true;
    public int pktTimeout = 5;
    public int retryTimes = 3;
    public int timeoutNotice;
    public boolean will;
    public int willQos;
    public boolean willRetain;
    public byte[] willTopic = new byte[0];
    public byte[] willMessage = new byte[0];
    public int recvMode;
    public int recvLenEnable;
    public String aliProductKey;
    public String aliDeviceName;
    public String aliDeviceSecret;
}
