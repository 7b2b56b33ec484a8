package io.cellmqtt.modem;

/** Lets fakes outside the modem package move a {@link Subscription} as a real client would. */
public final class SubscriptionStates {
    private SubscriptionStates() {
    }

    public static void set(Subscription subscription, Subscription.State state, String why) {
        subscription.state(state, why);
    }
}
