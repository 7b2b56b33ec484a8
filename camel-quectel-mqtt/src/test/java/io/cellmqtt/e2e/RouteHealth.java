package io.cellmqtt.e2e;

import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;

import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * A route no longer waits for the broker when it starts: its health check says when its client is
 * connected and, for a consumer, when the broker holds its subscription. Tests wait on that.
 */
public final class RouteHealth {
    private RouteHealth() {
    }

    /** The check of a {@code cellmqtt:} consumer route. */
    public static HealthCheck consumer(CamelContext camel, String routeId) {
        return HealthCheckRegistry.get(camel).stream().filter(c -> c.getId().equals("consumer:" + routeId)).findFirst().orElseThrow(
                () -> new AssertionError("no health check for consumer route " + routeId));
    }

    /** Waits until the consumer route's health check is UP: connected, and subscribed at the broker. */
    public static void awaitSubscribed(CamelContext camel, String routeId, Duration atMost) {
        HealthCheck check = consumer(camel, routeId);
        await("route " + routeId + " subscribed").atMost(atMost)
                .until(() -> check.call().getState() == HealthCheck.State.UP);
    }
}
