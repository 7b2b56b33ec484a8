package io.cellmqtt.camel;

import java.util.concurrent.TimeUnit;

import io.cellmqtt.modem.ReceivedMessage;
import io.cellmqtt.modem.Subscription;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscribes the endpoint's topic filter at the endpoint's qos. Each received message becomes an exchange whose
 * body is the received bytes ({@code byte[]}) with the topic, message id and client index headers. QoS and retain
 * flag are not reported by the modem's receive URC, so they are not set.
 *
 * <p>Starting does not wait for the broker: the subscription is made as soon as the client is connected, restored after
 * every reconnect, and the consumer's health check is DOWN until the broker holds it. A subscription the broker refuses
 * is logged as an error, handed to the consumer's exception handler, shows in the health check, and is not asked
 * again.
 */
public class CellMqttConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(CellMqttConsumer.class);
    private static final long UNSUBSCRIBE_WAIT_SECONDS = 30;

    private volatile SharedModems.Lease lease;
    private volatile Subscription subscription;
    private CellMqttHealthCheck healthCheck;

    public CellMqttConsumer(CellMqttEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public CellMqttEndpoint getEndpoint() {
        return (CellMqttEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        CellMqttEndpoint endpoint = getEndpoint();
        lease = endpoint.getComponent().acquire(endpoint);
        Subscription s = new Subscription(endpoint.getTopic(), endpoint.getConfiguration().getQos(), this::onMessage);
        subscription = s;
        lease.client().subscribe(s).whenComplete((v, e) -> {
            if (e != null && !(e instanceof java.util.concurrent.CancellationException)) {
                getExceptionHandler().handleException("Subscribing " + endpoint.getTopic() + " failed", e);
            }
        });
        if (endpoint.getComponent().isHealthCheckConsumerEnabled()) {
            String id = getRouteId() != null ? getRouteId() : endpoint.getId();
            healthCheck = CellMqttHealthCheck.register(endpoint.getCamelContext(), "consumer:cellmqtt-" + id,
                    lease.serialPort(), () -> lease, () -> subscription);
        }
    }

    @Override
    protected void doStop() throws Exception {
        CellMqttHealthCheck.unregister(getEndpoint().getCamelContext(), healthCheck);
        healthCheck = null;
        Subscription s = subscription;
        subscription = null;
        SharedModems.Lease current = lease;
        if (s != null && current != null) {
            try {
                current.client().unsubscribe(s).get(UNSUBSCRIBE_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("Unsubscribing {} failed: {}", getEndpoint().getTopic(), e.getMessage());
            }
        }
        SharedModems.Lease l = lease;
        lease = null;
        if (l != null) {
            l.release();
        }
        super.doStop();
    }

    void onMessage(ReceivedMessage message) {
        Exchange exchange = null;
        try {
            exchange = createExchange(false);
            exchange.getMessage().setBody(message.payload());
            exchange.getMessage().setHeader(CellMqttConstants.TOPIC, message.topic());
            exchange.setProperty(CellMqttConstants.RECEIVED_TOPIC, message.topic());
            exchange.getMessage().setHeader(CellMqttConstants.MESSAGE_ID, message.messageId());
            exchange.getMessage().setHeader(CellMqttConstants.CLIENT_INDEX, message.clientIndex());
            Exchange ex = exchange;
            getAsyncProcessor().process(exchange, doneSync -> {
                if (ex.getException() != null) {
                    getExceptionHandler().handleException("Error processing message from topic " + message.topic(),
                            ex, ex.getException());
                }
                releaseExchange(ex, false);
            });
        } catch (Exception e) {
            getExceptionHandler().handleException("Error processing message from topic " + message.topic(), exchange,
                    e);
        }
    }
}
