package io.cellmqtt.e2e;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;

/**
 * A gateway application as users write it: Camel Main, a timer publishing readings through
 * {@code cellmqtt:} with a will. {@link GracefulShutdownTest} runs it in its own JVM and stops it
 * with SIGTERM, as systemd or Kubernetes would.
 *
 * <p>Arguments: the serial port, the broker URL, the client id.
 */
public final class ShutdownApp {
    private ShutdownApp() {
    }

    public static void main(String[] args) throws Exception {
        String uri = "cellmqtt:shutdown/readings?serialPort=" + args[0] + "&brokerUrl=" + args[1] + "&clientId="
                + args[2] + "&willTopic=shutdown/will&willPayload=gateway-gone&willQos=1&qos=1";
        Main main = new Main();
        main.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                from("timer:reading?period=200").setBody(constant("reading")).to(uri);
            }
        });
        main.run();
    }
}
