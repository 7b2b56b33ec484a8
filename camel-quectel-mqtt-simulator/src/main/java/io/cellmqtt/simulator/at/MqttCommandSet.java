package io.cellmqtt.simulator.at;

import io.cellmqtt.simulator.host.HostInput;
import java.io.IOException;
import java.util.function.IntPredicate;

/**
 * A model family's MQTT commands (Quectel {@code AT+QMT*}, SIMCom {@code AT+CMQTT*}) and the
 * client slots behind them. The {@link AtInterpreter} hands it every command it {@link #handles}.
 */
public interface MqttCommandSet {

    /** True for the command names (e.g. {@code +QMTPUB}) this set executes. */
    boolean handles(String name);

    /**
     * Executes one command and returns its final result line ({@code OK}, {@code ERROR},
     * {@code +CME ERROR: n}); information lines go to the output before it. {@code in} is where
     * a data phase reads from. Null means the modem lost the command before it took it (its data
     * prompt was dropped): no final result is written.
     */
    String execute(AtCommand c, HostInput in) throws IOException;

    /**
     * How the URC that reports this command's result begins ({@code +QMTOPEN: 0,}), or null when
     * the command has none; the output uses it to delay or repeat that URC with the reply.
     */
    default String resultUrcHead(AtCommand c) {
        return null;
    }

    /**
     * Cuts client {@code index}'s broker connection without DISCONNECT (the broker publishes the
     * will) and reports it as the dialect does for {@code why}. False, and nothing happens, when the
     * index has no connection.
     */
    boolean loseConnection(int index, ConnectionLoss why);

    /** Cuts client {@code index}'s broker connection as a network loss would. */
    default void dropNetwork(int index) {
        loseConnection(index, ConnectionLoss.PEER_CLOSED);
    }

    /**
     * The packet data network under the clients is gone: every client on a context
     * {@code contextDown} names loses its connection, reported as the dialect does.
     */
    void networkLost(IntPredicate contextDown);

    /**
     * The modem rebooted: every connection is cut without DISCONNECT and without a word to the
     * host, and every setting and client is forgotten.
     */
    void reset();

    /** Closes every broker connection (power down, simulator close). */
    void shutdown();
}
