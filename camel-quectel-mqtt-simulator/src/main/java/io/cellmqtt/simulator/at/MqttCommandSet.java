package io.cellmqtt.simulator.at;

import io.cellmqtt.simulator.host.HostInput;
import java.io.IOException;

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
     * a data phase reads from.
     */
    String execute(AtCommand c, HostInput in) throws IOException;

    /** Cuts client {@code index}'s broker connection without DISCONNECT, as a network loss would. */
    void dropNetwork(int index);

    /** Closes every broker connection (power down, simulator close). */
    void shutdown();
}
