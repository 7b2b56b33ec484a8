package io.cellmqtt.camel;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 6, failures 6 and 7 at the Camel layer: a consumer's start does not wait for the broker,
 * and a modem slow to come up on one port holds up no route on another port.
 */
class CamelLifecycleTest {

    CamelContext context;
    CellMqttComponent component;
    FakeConnector modems;

    @BeforeEach
    void setUp() {
        context = new DefaultCamelContext();
        component = new CellMqttComponent();
        modems = new FakeConnector();
        component.setModemConnector(modems);
        context.addComponent("cellmqtt", component);
    }

    @AfterEach
    void tearDown() {
        modems.slowOpens.values().forEach(CountDownLatch::countDown);
        if (modems.subscribeAck != null) {
            modems.subscribeAck.complete(null);
        }
        context.stop();
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aConsumerStartsWithoutWaitingForTheBrokerAndIsDownUntilSubscribed() throws Exception {
        modems.subscribeAck = new CompletableFuture<>(); // the broker never answers, for now
        context.start();
        CompletableFuture<Void> added = CompletableFuture.runAsync(() -> {
            try {
                context.addRoutes(new RouteBuilder() {
                    @Override
                    public void configure() {
                        from("cellmqtt:plant/+/cmd?serialPort=/dev/ttyUSB2&brokerUrl=tcp://broker:1883")
                                .routeId("cmd").to("mock:cmd");
                    }
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        added.get(10, TimeUnit.SECONDS);
        assertThat(context.getRouteController().getRouteStatus("cmd").isStarted()).isTrue();

        HealthCheck check = HealthCheckRegistry.get(context).stream().filter(c -> c.getId().equals("consumer:cmd")).findFirst().orElseThrow();
        assertThat(check.call().getState()).isEqualTo(HealthCheck.State.DOWN);
        modems.subscribeAck.complete(null);
        await().atMost(Duration.ofSeconds(10)).until(() -> check.call().getState() == HealthCheck.State.UP);
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aModemSlowToComeUpOnOnePortHoldsUpNoRouteOnAnother() throws Exception {
        CountDownLatch slow = new CountDownLatch(1);
        modems.slowOpens.put("/dev/ttyUSB2", slow);
        context.start();
        // Producers started straight (not through routes): Camel's own route lock is not under test.
        org.apache.camel.Producer slowProducer = context
                .getEndpoint("cellmqtt:a?serialPort=/dev/ttyUSB2&brokerUrl=tcp://broker:1883").createProducer();
        org.apache.camel.Producer fastProducer = context
                .getEndpoint("cellmqtt:b?serialPort=/dev/ttyUSB3&brokerUrl=tcp://broker:1883").createProducer();
        CompletableFuture<Void> slowRoute = CompletableFuture.runAsync(slowProducer::start);
        await().atMost(Duration.ofSeconds(10)).until(() -> modems.openCalls.get() == 1);

        // The modem on ttyUSB3 opens at once: its producer starts and stops while ttyUSB2 is still coming up.
        CompletableFuture.runAsync(() -> {
            fastProducer.start();
            fastProducer.stop();
        }).get(10, TimeUnit.SECONDS);
        assertThat(slowRoute).isNotDone();
        slow.countDown();
        slowRoute.get(10, TimeUnit.SECONDS);
        slowProducer.stop();
    }

    /**
     * A consumer and a producer on one port: stopping Camel closes the modem once. The component's
     * own stop closed it, then the producer, stopped after it, released its share and closed it
     * again (a WARN "closing did not finish cleanly" at every shutdown, seen in the firmware tests).
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void stoppingCamelClosesASharedModemOnce() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("cellmqtt:in?serialPort=/dev/ttyUSB2&brokerUrl=tcp://broker:1883")
                        .to("cellmqtt:out?serialPort=/dev/ttyUSB2&brokerUrl=tcp://broker:1883");
            }
        });
        context.start();
        // and a producer of a ProducerTemplate, which Camel stops after the component
        org.apache.camel.ProducerTemplate template = context.createProducerTemplate();
        template.sendBody("cellmqtt:other?serialPort=/dev/ttyUSB2&brokerUrl=tcp://broker:1883&clientIndex=3", "x");
        await().atMost(Duration.ofSeconds(10)).until(() -> modems.opens.get() == 1);
        context.stop();
        assertThat(modems.opens).hasValue(1);
        assertThat(modems.closes).hasValue(1);
    }
}
