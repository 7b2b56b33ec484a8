package com.example.gateway;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A user's gateway application, in a package of its own: the cellmqtt component is configured only by
 * {@code camel.component.cellmqtt.*} in application.properties, which the starter's auto-configuration (found through
 * its AutoConfiguration.imports, not by component scan) binds onto the component. The routes name no serial port and
 * no broker.
 */
@SpringBootApplication
public class GatewayApplication {

    /** What the consuming route received: "topic=body". */
    public static final List<String> RECEIVED = new CopyOnWriteArrayList<>();

    public static void main(String[] args) {
        SpringApplication.run(GatewayApplication.class, args);
    }

    @Bean
    RouteBuilder gatewayRoutes() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:telemetry").routeId("telemetry")
                        .to("cellmqtt:plant/7/telemetry");
                from("cellmqtt:plant/7/cmd").routeId("commands")
                        .process(e -> RECEIVED.add(e.getMessage().getHeader("CamelCellMqttTopic") + "="
                                + new String(e.getMessage().getBody(byte[].class), StandardCharsets.UTF_8)));
            }
        };
    }
}
