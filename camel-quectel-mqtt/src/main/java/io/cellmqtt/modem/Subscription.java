package io.cellmqtt.modem;

/**
 * A listener's registration for a topic filter: give it to {@link MqttClient#subscribe(Subscription)}
 * and later to {@link MqttClient#unsubscribe}. Its {@link #state()} says whether the broker holds it
 * on the current connection; any thread may read it.
 */
public final class Subscription {

    /** Where the subscription stands at the broker. */
    public enum State {
        /** Not (yet, or no longer) acknowledged on the current connection; restored after reconnecting. */
        PENDING,
        /** The broker acknowledged it on the current connection. */
        ACTIVE,
        /** The broker refused it; it is not asked again. */
        REFUSED,
        /** Unsubscribed, or its client stopped. */
        CANCELLED
    }

    private final String filter;
    private final int qos;
    private final MessageListener listener;
    private volatile State state = State.PENDING;
    private volatile String problem;

    public Subscription(String filter, int qos, MessageListener listener) {
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

    public MessageListener listener() {
        return listener;
    }

    public State state() {
        return state;
    }

    /** Why the broker refused it, or null. */
    public String problem() {
        return problem;
    }

    void state(State s, String why) {
        state = s;
        if (why != null) {
            problem = why;
        }
    }

    @Override
    public String toString() {
        return "Subscription[" + filter + ", qos=" + qos + ", " + state + "]";
    }
}
