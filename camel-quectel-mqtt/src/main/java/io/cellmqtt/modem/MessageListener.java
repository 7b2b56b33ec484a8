package io.cellmqtt.modem;

/** Receives the messages whose topic matches the filter it subscribed. Must not block for long. */
@FunctionalInterface
public interface MessageListener {
    void onMessage(ReceivedMessage message);
}
