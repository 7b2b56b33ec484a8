package io.cellmqtt.modem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The topic filters one client holds at the broker and the listeners sharing each. Listeners on
 * the same filter share one broker subscription at the highest QoS any of them asked for. Not
 * thread-safe: the owning {@link MqttClient} synchronises.
 */
final class SubscriptionTable {

    /** One filter at the broker; {@code subscribed} completes when the broker acknowledged it. */
    static final class Filter {
        final String filter;
        int qos;
        final List<Subscription> subscriptions = new ArrayList<>();
        CompletableFuture<Void> subscribed = new CompletableFuture<>();

        Filter(String filter, int qos) {
            this.filter = filter;
            this.qos = qos;
        }
    }

    /** The filter a subscription joined, and whether the broker must be asked (new filter or higher QoS). */
    record Added(Filter filter, boolean subscribeAtBroker) {
    }

    private final Map<String, Filter> filters = new LinkedHashMap<>();

    Added add(Subscription sub) {
        Filter f = filters.get(sub.filter());
        boolean ask = f == null || f.qos < sub.qos();
        if (f == null) {
            f = new Filter(sub.filter(), sub.qos());
            filters.put(sub.filter(), f);
        } else if (ask) {
            f.qos = sub.qos();
            f.subscribed = new CompletableFuture<>();
        }
        f.subscriptions.add(sub);
        return new Added(f, ask);
    }

    /** Removes the listener; returns its filter if that was the last listener (unsubscribe it), else null. */
    Filter remove(Subscription sub) {
        Filter f = filters.get(sub.filter());
        if (f == null || !f.subscriptions.remove(sub) || !f.subscriptions.isEmpty()) {
            return null;
        }
        filters.remove(f.filter);
        return f;
    }

    List<Filter> all() {
        return new ArrayList<>(filters.values());
    }

    /** Filters whose subscription has not been acknowledged yet. */
    List<Filter> pending() {
        return filters.values().stream().filter(f -> !f.subscribed.isDone()).toList();
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
