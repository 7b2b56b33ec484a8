package io.cellmqtt.examples.quickstart;

import org.apache.camel.builder.RouteBuilder;

/**
 * The plant bridge: readings go out to the broker through the modem, commands come back from it.
 * The same file serves every supported modem; only the properties change:
 * <ul>
 * <li>{@code cellmqtt.serialPort}: the modem's AT port, e.g. {@code /dev/ttyUSB2}</li>
 * <li>{@code cellmqtt.modem}: {@code auto} (default) or bg95, bg77, bg600l, bg96, bc26, m95, sim7600</li>
 * <li>{@code cellmqtt.brokerUrl}: e.g. {@code tcp://broker.example.com:1883}</li>
 * <li>{@code plant.readings}: where readings come from (default {@code direct:readings})</li>
 * <li>{@code plant.commands}: where commands go (default {@code log:commands})</li>
 * </ul>
 */
public class PlantRoutes extends RouteBuilder {

    static final String OPTIONS = "?serialPort={{cellmqtt.serialPort}}&modem={{cellmqtt.modem:auto}}"
            + "&brokerUrl={{cellmqtt.brokerUrl}}&qos=1";

    @Override
    public void configure() {
        from("{{plant.readings:direct:readings}}").routeId("telemetry")
                .to("cellmqtt:plant/7/telemetry" + OPTIONS)
                .log("published ${body} (message id ${header.CamelCellMqttMessageId})");

        from("cellmqtt:plant/+/cmd" + OPTIONS).routeId("commands")
                .log("received on ${header.CamelCellMqttTopic}: ${bodyAs(String)}")
                .to("{{plant.commands:log:commands}}");
    }
}
