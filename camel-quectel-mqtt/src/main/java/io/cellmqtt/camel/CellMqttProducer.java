package io.cellmqtt.camel;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.time.Duration;

import io.cellmqtt.camel.ModemConnector.ModemClient;
import io.cellmqtt.modem.OutgoingMessage;
import io.cellmqtt.modem.PublishTimeoutException;
import io.cellmqtt.modem.PublishReceipt;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeTimedOutException;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultAsyncProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the message body ({@code byte[]}; a String as UTF-8) through the modem. Asynchronous: the exchange
 * completes when the modem reports the broker's acknowledgement, or fails after {@code publishTimeout} (waiting for a
 * lost connection to come back included) with an {@link ExchangeTimedOutException} that says whether the message may
 * still reach the broker. A message whose exchange failed before the modem had it is never sent afterwards. The
 * exchange continues on the component's completion pool, never on a modem's thread.
 *
 * <p>When its client already holds {@code maxPendingPublishes} unsettled publishes (the connection is down, or the
 * modem is slower than the routes), the exchange fails at once with a {@link io.cellmqtt.modem.ModemBackedUpException}
 * for Camel's error handler and redelivery to decide; with {@code blockWhenFull} the calling thread waits for room
 * instead, within {@code publishTimeout}, and fails with the same exception if none came.
 */
public class CellMqttProducer extends DefaultAsyncProducer {

    private volatile SharedModems.Lease lease;
    private static final Logger LOG = LoggerFactory.getLogger(CellMqttProducer.class);
    private CellMqttHealthCheck healthCheck;
    private volatile boolean warnedLegacyTopic;

    public CellMqttProducer(CellMqttEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public CellMqttEndpoint getEndpoint() {
        return (CellMqttEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        lease = getEndpoint().getComponent().acquire(getEndpoint());
        // an id a user recognises: the endpoint URI, its secrets masked
        healthCheck = CellMqttHealthCheck.forProducer(getEndpoint().getCamelContext(),
                "producer:" + org.apache.camel.util.URISupport.sanitizeUri(getEndpoint().getEndpointUri()),
                getEndpoint().getComponent().isHealthCheckProducerEnabled(), lease.serialPort(), () -> lease);
    }

    @Override
    protected void doStop() throws Exception {
        CellMqttHealthCheck.unregister(healthCheck);
        healthCheck = null;
        SharedModems.Lease l = lease;
        lease = null;
        if (l != null) {
            l.release();
        }
        super.doStop();
    }

    /**
     * {@code CamelCellMqttOverrideTopic}, else the endpoint's topic. The old {@code CamelCellMqttTopic}
     * is still read for one release when a route set it (with a warning, once), but never when it is
     * the topic a {@code cellmqtt:} consumer received the exchange on: {@code from("cellmqtt:cmd/#")
     * .to("cellmqtt:ack")} publishes to {@code ack}, not back to the command topic.
     */
    private String topicOf(Exchange exchange) {
        Message in = exchange.getMessage();
        String override = in.getHeader(CellMqttConstants.OVERRIDE_TOPIC, String.class);
        if (override != null) {
            CellMqttValidation.topic(CellMqttConstants.OVERRIDE_TOPIC + " header", override, true);
            return override;
        }
        String legacy = in.getHeader(CellMqttConstants.TOPIC, String.class);
        if (legacy == null || legacy.equals(exchange.getProperty(CellMqttConstants.RECEIVED_TOPIC, String.class))) {
            return getEndpoint().getTopic();
        }
        CellMqttValidation.topic(CellMqttConstants.TOPIC + " header", legacy, true);
        if (!warnedLegacyTopic) {
            warnedLegacyTopic = true;
            LOG.warn("{}: the CamelCellMqttTopic header chose the topic to publish to; it is deprecated for that and will"
                    + " only carry a received message's topic in the next release: set CamelCellMqttOverrideTopic",
                    getEndpoint().getEndpointBaseUri());
        }
        return legacy;
    }

    /** Builds the message from the exchange: body as bytes, topic/qos/retained headers over the endpoint's options. */
    OutgoingMessage toOutgoing(Exchange exchange) throws Exception {
        Message in = exchange.getMessage();
        CellMqttConfiguration c = getEndpoint().getConfiguration();
        String topic = topicOf(exchange);
        Integer qos = in.getHeader(CellMqttConstants.QOS, Integer.class);
        if (qos == null) {
            qos = c.getQos();
        } else {
            CellMqttValidation.range(CellMqttConstants.QOS + " header qos", qos, 0, 2);
        }
        Boolean retained = in.getHeader(CellMqttConstants.RETAINED, Boolean.class);
        if (retained == null) {
            retained = c.isRetained();
        }
        byte[] payload = in.getBody() == null ? new byte[0] : in.getMandatoryBody(byte[].class);
        return new OutgoingMessage(topic, payload, qos, retained);
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        CompletableFuture<PublishReceipt> result;
        try {
            SharedModems.Lease l = lease;
            if (l == null) {
                throw new IllegalStateException("Producer " + getEndpoint() + " is not started");
            }
            ModemClient client = l.client();
            OutgoingMessage message = toOutgoing(exchange);
            client.validate(message);
            CellMqttConfiguration c = getEndpoint().getConfiguration();
            // With blockWhenFull this thread may wait here for room, within publishTimeout.
            result = client.publish(message, Duration.ofMillis(c.getPublishTimeout()), c.isBlockWhenFull());
        } catch (Exception e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        if (result.isDone()) {
            complete(exchange, result);
            callback.done(true);
            return true;
        }
        result.whenComplete((receipt, error) -> {
            complete(exchange, result);
            callback.done(false);
        });
        return false;
    }

    private void complete(Exchange exchange, CompletableFuture<PublishReceipt> result) {
        try {
            PublishReceipt receipt = result.get();
            exchange.getMessage().setHeader(CellMqttConstants.MESSAGE_ID, receipt.messageId());
            exchange.getMessage().setHeader(CellMqttConstants.CLIENT_INDEX, receipt.clientIndex());
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof PublishTimeoutException timeout) {
                long ms = getEndpoint().getConfiguration().getPublishTimeout();
                exchange.setException(new ExchangeTimedOutException(exchange, ms,
                        "The modem did not report the publish result within publishTimeout=" + ms + " ms: "
                                                                                  + timeout.getMessage()));
            } else {
                exchange.setException(cause);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.setException(e);
        } catch (RuntimeException e) {
            exchange.setException(e);
        }
    }
}
