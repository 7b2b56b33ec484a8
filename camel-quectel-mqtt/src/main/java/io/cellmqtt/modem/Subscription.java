package io.cellmqtt.modem;

/** A listener's registration for a topic filter; pass it to {@link MqttClient#unsubscribe}. */
public final class Subscription {
    private final String filter;
    private final int qos;
    private final MessageListener listener;

    Subscription(String filter, int qos, MessageListener listener) {
        this.filter = filter;
        this.qos = qos;
        this.listener = listener;
    }

    public String filter() {
        return filter;
    }

    public int qos() {
        return qos;
    }

    MessageListener listener() {
        return listener;
    }

    @Override
    public String toString() {
        return "Subscription[" + filter + ", qos=" + qos + "]";
    }
}
