package io.cellmqtt.examples.quarkus;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.camel.builder.RouteBuilder;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;

/**
 * The plant's two routes. No endpoint names the modem or the broker: {@code camel.component.cellmqtt.*} in
 * application.properties configures the component once, and every {@code cellmqtt:} endpoint of the application
 * shares that modem and that MQTT client.
 * <ul>
 * <li>{@code commands}: what arrives on {@code plant/7/cmd} is logged and handed to {@link Commands};</li>
 * <li>{@code telemetry}: every {@code plant.period} ms the reading {@code plant.reading} is published on
 * {@code plant/7/telemetry}, and the message id the broker acknowledged is logged.</li>
 * </ul>
 * A CDI bean: Camel Quarkus finds every {@link RouteBuilder} bean and adds its routes at start.
 */
@ApplicationScoped
public class PlantRoutes extends RouteBuilder {

    @Inject
    Commands commands;

    @ConfigProperty(name = "plant.reading")
    String reading;

    @Override
    public void configure() {
        // first, so that the subscription is asked for before the first reading goes out
        from("cellmqtt:plant/7/cmd").routeId("commands")
                .log("command on ${header.CamelCellMqttTopic}: ${bodyAs(String)}")
                .process(e -> commands.received(e.getMessage().getBody(byte[].class)));

        // the bytes as they are: a constant byte[] is published unchanged, whatever the exchange charset
        from("timer:reading?period={{plant.period}}").routeId("telemetry")
                .setBody(constant(reading.getBytes(StandardCharsets.UTF_8)))
                .to("cellmqtt:plant/7/telemetry")
                .log("published a reading as message ${header.CamelCellMqttMessageId}");
    }
}
