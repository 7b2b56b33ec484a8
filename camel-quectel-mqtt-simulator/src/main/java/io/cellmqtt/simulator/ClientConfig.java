package io.cellmqtt.simulator;

/** The AT+QMTCFG settings of one client index, with the defaults the BG95 reference gives. */
final class ClientConfig {
    int version = 4;
    int pdpCid = 1;
    boolean ssl;
    int sslCtx;
    int keepAlive = 120;
    boolean cleanSession = true;
    int pktTimeout = 5;
    int retryTimes = 3;
    int timeoutNotice;
    boolean will;
    int willQos;
    boolean willRetain;
    byte[] willTopic = new byte[0];
    byte[] willMessage = new byte[0];
    int recvMode;
    int recvLenEnable;
    String aliProductKey;
    String aliDeviceName;
    String aliDeviceSecret;
}
