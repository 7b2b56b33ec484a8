package io.cellmqtt.modem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The topic filters one client holds at the broker and the listeners sharing each. Listeners on
 * the same filter share one broker subscription at the highest QoS any of them asked for. Lives on
 * the modem's event loop, with its {@link MqttClient}.
 */
final class SubscriptionTable {

    /** One filter at the broker. */
    static final class Filter {
        final String filter;
        int qos;
        final List<Subscription> subscriptions = new ArrayList<>();
        /** Acknowledged on the current connection. */
        boolean active;
        /** Subscriptions waiting for the broker's first answer about them. */
        final List<Answer> waiting = new ArrayList<>();

        Filter(String filter, int qos) {
            this.filter = filter;
            this.qos = qos;
        }
    }

    /** What a subscriber waits for: its subscription, once the broker holds its filter. */
    record Answer(Subscription subscription, CompletableFuture<Subscription> future) {
    }

    /** The filter a subscription joined, and whether the broker must be asked (new filter or higher QoS). */
    record Added(Filter filter, boolean subscribeAtBroker) {
    }

    private final Map<String, Filter> filters = new LinkedHashMap<>();

    /** Adds {@code sub}; {@code answer} completes when the broker holds its filter, or fails if it refuses it. */
    Added add(Subscription sub, CompletableFuture<Subscription> answer) {
        Filter f = filters.get(sub.filter());
        boolean ask = f == null || f.qos < sub.qos();
        if (f == null) {
            f = new Filter(sub.filter(), sub.qos());
            filters.put(sub.filter(), f);
        } else if (ask) {
            f.qos = sub.qos();
            f.active = false;
        }
        f.subscriptions.add(sub);
        if (f.active) {
            sub.state(Subscription.State.ACTIVE, null);
            answer.complete(sub);
        } else {
            f.waiting.add(new Answer(sub, answer));
        }
        return new Added(f, ask);
    }

    /** Removes the listener; returns its filter if that was the last listener (unsubscribe it), else null. */
    Filter remove(Subscription sub) {
        Filter f = filters.get(sub.filter());
        if (f == null || !f.subscriptions.remove(sub)) {
            return null;
        }
        sub.state(Subscription.State.CANCELLED, null);
        f.waiting.removeIf(a -> {
            if (a.subscription() == sub) {
                a.future().cancel(false);
                return true;
            }
            return false;
        });
        if (!f.subscriptions.isEmpty()) {
            return null;
        }
        filters.remove(f.filter);
        return f;
    }

    boolean contains(Filter f) {
        return filters.get(f.filter) == f;
    }

    List<Filter> all() {
        return new ArrayList<>(filters.values());
    }

    /** The broker holds {@code f} now. */
    void acknowledged(Filter f) {
        if (!contains(f)) {
            return;
        }
        f.active = true;
        f.subscriptions.forEach(s -> s.state(Subscription.State.ACTIVE, null));
        List<Answer> answered = new ArrayList<>(f.waiting);
        f.waiting.clear();
        answered.forEach(a -> a.future().complete(a.subscription()));
    }

    /** The broker refused {@code f}: it leaves the table, and is never asked again. */
    void refused(Filter f, SubscriptionRefusedException why) {
        if (!contains(f)) {
            return;
        }
        filters.remove(f.filter);
        f.subscriptions.forEach(s -> s.state(Subscription.State.REFUSED, why.getMessage()));
        f.waiting.forEach(a -> a.future().completeExceptionally(why));
        f.waiting.clear();
    }

    /**
     * Subscribing {@code f} failed without a refusal (the modem answered {@code ERROR}, a result never
     * came): it stays, to be asked again; its waiting answers fail with {@code why}.
     */
    void failed(Filter f, Throwable why) {
        if (!contains(f)) {
            return;
        }
        f.subscriptions.forEach(s -> s.state(Subscription.State.PENDING, "subscribing failed: " + why.getMessage()));
        f.waiting.forEach(a -> a.future().completeExceptionally(why));
        f.waiting.clear();
    }

    /** The connection ended: nothing is held at the broker until it is subscribed again. */
    void connectionEnded() {
        for (Filter f : filters.values()) {
            f.active = false;
            f.subscriptions.forEach(s -> s.state(Subscription.State.PENDING, null));
        }
    }

    /** The client stopped: every subscription is over and every waiting answer fails with {@code why}. */
    void clear(Exception why) {
        for (Filter f : filters.values()) {
            f.subscriptions.forEach(s -> s.state(Subscription.State.CANCELLED, null));
            f.waiting.forEach(a -> a.future().completeExceptionally(why));
        }
        filters.clear();
    }

    /** Every listener whose filter matches {@code topic}. */
    List<Subscription> matching(String topic) {
        List<Subscription> targets = new ArrayList<>();
        for (Filter f : filters.values()) {
            if (TopicFilter.matches(f.filter, topic)) {
                targets.addAll(f.subscriptions);
            }
        }
        return targets;
    }
}
