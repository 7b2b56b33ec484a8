package io.cellmqtt.camel;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.EndpointServiceLocation;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * Publish and subscribe MQTT messages through the MQTT client built into a cellular modem (Quectel BG95/BG77/BG600L,
 * BG96, BC26, M95, SIMCom SIM7600), driven with AT commands over its serial port.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "cellmqtt", title = "Cellular Modem MQTT", syntax = "cellmqtt:topic",
             category = { Category.MESSAGING, Category.IOT }, headersClass = CellMqttConstants.class)
public class CellMqttEndpoint extends DefaultEndpoint implements EndpointServiceLocation {

    @UriPath(description = "The topic to publish to (producer; no wildcards) or the topic filter to subscribe to"
                           + " (consumer; the single-level and multi-level ('#') wildcards allowed)")
    @Metadata(required = true)
    private String topic;

    @UriParam
    private CellMqttConfiguration configuration;

    public CellMqttEndpoint(String uri, CellMqttComponent component, String topic,
                            CellMqttConfiguration configuration) {
        super(uri, component);
        this.topic = topic;
        this.configuration = configuration;
    }

    @Override
    public CellMqttComponent getComponent() {
        return (CellMqttComponent) super.getComponent();
    }

    /** Validates the options and the topic as a topic filter; no modem is touched. */
    CellMqttValidation.Broker validate() {
        CellMqttValidation.topic("topic", topic, false);
        return CellMqttValidation.validate(configuration);
    }

    @Override
    public Producer createProducer() throws Exception {
        validate();
        CellMqttValidation.topic("topic", topic, true);
        return new CellMqttProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        validate();
        CellMqttConsumer consumer = new CellMqttConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    public String getTopic() {
        return topic;
    }

    /**
     * The topic to publish to (producer; no wildcards) or the topic filter to subscribe to (consumer; the single-level and
     * multi-level wildcards allowed).
     */
    public void setTopic(String topic) {
        this.topic = topic;
    }

    public CellMqttConfiguration getConfiguration() {
        return configuration;
    }

    /** The endpoint's options. */
    public void setConfiguration(CellMqttConfiguration configuration) {
        this.configuration = configuration;
    }

    @Override
    public String getServiceUrl() {
        return configuration.getBrokerUrl();
    }

    @Override
    public String getServiceProtocol() {
        return "mqtt";
    }

    @Override
    public Map<String, String> getServiceMetadata() {
        Map<String, String> map = new LinkedHashMap<>();
        if (configuration.getSerialPort() != null) {
            map.put("serialPort", configuration.getSerialPort());
        }
        if (configuration.getClientId() != null) {
            map.put("clientId", configuration.getClientId());
        }
        if (configuration.getUserName() != null) {
            map.put("username", configuration.getUserName());
        }
        return map.isEmpty() ? null : map;
    }
}
