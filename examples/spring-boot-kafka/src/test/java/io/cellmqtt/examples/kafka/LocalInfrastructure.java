package io.cellmqtt.examples.kafka;

import java.net.ServerSocket;
import java.util.List;
import java.util.Properties;

import io.cellmqtt.simulator.SimulatedModem;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import kafka.testkit.KafkaClusterTestKit;
import kafka.testkit.TestKitNodes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * What the bridge needs, in this JVM: a single-node KRaft Kafka (Kafka's own test kit; replication factors 1) with the
 * topics {@code telemetry} and {@code commands}, an embedded Moquette, and a simulated BG95 behind a PTY whose MQTT
 * client connects to that Moquette. Used by the test and by {@link LocalDemo}.
 */
final class LocalInfrastructure implements AutoCloseable {

    final KafkaClusterTestKit kafka;
    final Server mqttBroker;
    final SimulatedModem modem;
    final String bootstrapServers;
    final String brokerUrl;
    final String serialPort;

    LocalInfrastructure() throws Exception {
        kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        bootstrapServers = kafka.bootstrapServers();
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin a = Admin.create(admin)) {
            a.createTopics(List.of(new NewTopic("telemetry", 1, (short) 1), new NewTopic("commands", 1, (short) 1)))
                    .all().get();
        }

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", Integer.toString(port));
        p.setProperty("allow_anonymous", "true");
        // Moquette would otherwise report usage to an outside server
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("websocket_port", "disabled");
        mqttBroker = new Server();
        mqttBroker.startServer(new MemoryConfig(p));
        brokerUrl = "tcp://127.0.0.1:" + port;

        modem = SimulatedModem.of("bg95");
        serialPort = modem.openPty();
    }

    @Override
    public void close() throws Exception {
        modem.close();
        mqttBroker.stopServer();
        kafka.close();
    }
}
