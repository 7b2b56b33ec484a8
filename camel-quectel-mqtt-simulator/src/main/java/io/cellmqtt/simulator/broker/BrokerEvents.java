package io.cellmqtt.simulator.broker;

import java.util.List;

/** What a {@link BrokerConnection} reports back to its client slot (called on a Netty thread). */
public interface BrokerEvents {
    void opened(int result);

    void connAck(int returnCode);

    void subAck(int msgId, List<Integer> granted);

    void unsubAck(int msgId);

    void published(int msgId);

    void received(InboundMessage message);

    /** The TCP connection is gone; {@code afterDisconnect} when the host had sent QMTDISC. */
    void closed(boolean afterDisconnect, boolean expected);
}
