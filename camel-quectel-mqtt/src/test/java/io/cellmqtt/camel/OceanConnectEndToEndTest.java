package io.cellmqtt.camel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellmqtt.camel.oceanconnect.MutableClock;
import io.cellmqtt.camel.oceanconnect.OceanConnect;
import io.cellmqtt.camel.oceanconnect.OceanConnectDataFormat;
import io.cellmqtt.camel.oceanconnect.OceanConnectTopics;
import io.cellmqtt.simulator.SimulatedModem;
import io.cellmqtt.simulator.secrets.TestSecrets;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthenticator;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The OceanConnect options from a URI to the wire: a Camel route, jSerialComm, a PTY, the
 * simulated BG96, and a real broker whose authenticator only lets the device in with the
 * client id and HMAC password it computes itself. The data format's envelope and commands go
 * both ways through it; neither the secret nor the password ever reaches the log or an error.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OceanConnectEndToEndTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String DEVICE = "7068026a-19fe-4555-8678-48a483fcd985";
    static final String SECRET = TestSecrets.DEVICE_SECRET;
    static final String WRONG_SECRET = TestSecrets.WRONG_DEVICE_SECRET;
    static final String PASSWORD_12 = TestSecrets.OCEANCONNECT_PASSWORD_2024061712;
    /** What the component sends when given the wrong secret at noon: a secret too. */
    static final String WRONG_PASSWORD_12 = TestSecrets.record("OceanConnect password from WRONG_DEVICE_SECRET"
            + " at 2024061712 (OceanConnectEndToEndTest)", hmac("2024061712", WRONG_SECRET));
    static final Instant NOON = Instant.parse("2024-06-17T12:34:56Z");
    static final OceanConnectTopics TOPICS = OceanConnect.topics(DEVICE);

    record Login(String clientId, String userName, String password, boolean accepted) {
    }

    final List<Login> logins = new CopyOnWriteArrayList<>();
    Server broker;
    int port;
    SimulatedModem modem;
    String pty;
    CamelContext camel;
    /** The simulator's command log outlives a test: what came before this test starts here. */
    int commandsBefore;
    PrintStream originalErr;
    ByteArrayOutputStream log;
    org.eclipse.paho.client.mqttv3.MqttClient checker;
    final List<String[]> checked = new CopyOnWriteArrayList<>();

    /** The platform's side, written apart from the component's: its own HMAC and hex. */
    final IAuthenticator platform = (clientId, userName, password) -> {
        String pw = password == null ? null : new String(password, StandardCharsets.US_ASCII);
        boolean ok;
        if ("checker".equals(userName)) {
            ok = TestSecrets.CHECKER_PASSWORD.equals(pw);
        } else {
            Matcher m = Pattern.compile(Pattern.quote(DEVICE) + "_0_0_(\\d{10})").matcher(clientId);
            ok = DEVICE.equals(userName) && m.matches() && pw != null && pw.equals(hmac(m.group(1), SECRET));
        }
        logins.add(new Login(clientId, userName, pw, ok));
        return ok;
    };

    static String hmac(String key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
            StringBuilder hex = new StringBuilder();
            for (byte b : mac.doFinal(message.getBytes(StandardCharsets.UTF_8))) {
                hex.append(String.format("%02x", b & 0xFF));
            }
            return hex.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    void startBrokerAndModem() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", Integer.toString(port));
        p.setProperty("allow_anonymous", "false");
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("websocket_port", "disabled");
        broker = new Server();
        broker.startServer(new MemoryConfig(p), List.of(), null, platform, null);
        modem = SimulatedModem.of("bg96");
        pty = modem.openPty();
    }

    @AfterAll
    void stopBrokerAndModem() {
        if (modem != null) {
            modem.close();
        }
        if (broker != null) {
            broker.stopServer();
        }
    }

    @BeforeEach
    void start() throws Exception {
        // slf4j-simple writes to whatever System.err is at the time of each line
        originalErr = System.err;
        log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(new TeeStream(originalErr, log), true, StandardCharsets.UTF_8));
        commandsBefore = modem.commandLog().size();
        camel = new DefaultCamelContext();
        CellMqttComponent component = new CellMqttComponent();
        component.setClock(new MutableClock(NOON));
        camel.addComponent("cellmqtt", component);
        checker = new org.eclipse.paho.client.mqttv3.MqttClient("tcp://127.0.0.1:" + port, "checker",
                new MemoryPersistence());
        checker.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                checked.add(new String[] { topic, new String(message.getPayload(), StandardCharsets.UTF_8) });
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName("checker");
        o.setPassword(TestSecrets.CHECKER_PASSWORD.toCharArray());
        checker.connect(o);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (camel != null) {
                camel.close();
            }
            if (checker.isConnected()) {
                checker.disconnect();
            }
            checker.close();
        } finally {
            System.setErr(originalErr);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertThat(text).as("the log while the test ran").contains("Starting MQTT client")
                .doesNotContain(SECRET).doesNotContain(WRONG_SECRET).doesNotContain(PASSWORD_12)
                .doesNotContain(WRONG_PASSWORD_12);
    }

    List<String> commandsOfThisTest() {
        List<String> all = modem.commandLog();
        return all.subList(commandsBefore, all.size());
    }

    String uri(String topic, String secret) {
        return "cellmqtt:" + topic + "?serialPort=" + pty + "&brokerUrl=tcp://127.0.0.1:" + port
                + "&oceanConnectDeviceId=" + DEVICE + "&oceanConnectDeviceSecret=RAW(" + secret + ")";
    }

    @Test
    void reportsGoOutAndCommandsComeInUnderTheDerivedLogin() throws Exception {
        OceanConnectDataFormat format = OceanConnect.device(DEVICE, SECRET).dataFormat("Temperature");
        List<Exchange> commands = new CopyOnWriteArrayList<>();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:report").marshal(format).to(uri(TOPICS.dataJson(), SECRET));
                from(uri(TOPICS.commands(), SECRET)).routeId("commands").unmarshal(format).process(commands::add);
            }
        });
        camel.start();
        io.cellmqtt.e2e.RouteHealth.awaitSubscribed(camel, "commands", WAIT);

        // The broker saw exactly the login the reference's recipe gives for 12:34 UTC.
        assertThat(logins).contains(new Login(DEVICE + "_0_0_2024061712", DEVICE, PASSWORD_12, true));
        List<String> sent = commandsOfThisTest();
        assertThat(sent).anyMatch(c -> c.matches("AT\\+QMTCONN=\\d,\"" + DEVICE + "_0_0_2024061712\",\""
                + DEVICE + "\",\"" + PASSWORD_12 + "\""));
        // Producer and consumer of one device share one modem client: one CONNECT.
        assertThat(sent).filteredOn(c -> c.startsWith("AT+QMTCONN=")).hasSize(1);

        checker.subscribe(TOPICS.dataJson(), 1);
        Map<String, Object> reading = new LinkedHashMap<>();
        reading.put("temperature", 21.5);
        reading.put("unit", "C");
        camel.createProducerTemplate().sendBody("direct:report", reading);
        await().atMost(WAIT).until(() -> !checked.isEmpty());
        assertThat(checked.get(0)[0]).isEqualTo(TOPICS.dataJson());
        JsonNode report = new ObjectMapper().readTree(checked.get(0)[1]);
        assertThat(report.get("msgType").asText()).isEqualTo("deviceReq");
        assertThat(report.get("identifier").asText()).isEqualTo(DEVICE);
        assertThat(report.get("hasMore").intValue()).isZero();
        assertThat(report.get("data").get(0).get("serviceId").asText()).isEqualTo("Temperature");
        assertThat(report.get("data").get(0).get("serviceData").get("temperature").doubleValue()).isEqualTo(21.5);

        byte[] binary = { 0x01, 0x00, (byte) 0xFE, 0x1A, '"', '\r', '\n' };
        checker.publish(TOPICS.commandJson(), "{\"serviceId\":\"Switch\",\"cmd\":\"SET\",\"paras\":{\"on\":true}}"
                .getBytes(StandardCharsets.UTF_8), 1, false);
        checker.publish(TOPICS.commandBinary(), binary, 1, false);
        await().atMost(WAIT).until(() -> commands.size() == 2);
        Exchange json = commands.stream()
                .filter(e -> TOPICS.commandJson().equals(e.getMessage().getHeader(CellMqttConstants.TOPIC)))
                .findFirst().orElseThrow();
        assertThat(json.getMessage().getBody()).isEqualTo(Map.of("serviceId", "Switch", "cmd", "SET",
                "paras", Map.of("on", true)));
        Exchange bytes = commands.stream()
                .filter(e -> TOPICS.commandBinary().equals(e.getMessage().getHeader(CellMqttConstants.TOPIC)))
                .findFirst().orElseThrow();
        assertThat(bytes.getMessage().getBody()).isEqualTo(binary);
    }

    @Test
    void aWrongSecretIsRefusedAsBadUserNameOrPasswordWithoutShowingEitherSecret() throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri(TOPICS.commands(), WRONG_SECRET)).routeId("wrong").to("log:never");
            }
        });
        // The route starts (the broker's refusal is not a configuration error the start could see); it stays
        // DOWN, saying why, and the client tries again with backoff.
        camel.start();
        org.apache.camel.health.HealthCheck check = io.cellmqtt.e2e.RouteHealth.consumer(camel, "wrong");
        await().atMost(WAIT).until(() -> String.valueOf(check.call().getMessage().orElse(""))
                .contains("bad user name or password"));
        org.apache.camel.health.HealthCheck.Result result = check.call();
        assertThat(result.getState()).isEqualTo(org.apache.camel.health.HealthCheck.State.DOWN);
        String message = result.getMessage().orElseThrow();
        assertThat(message).containsPattern("\\+QMTCONN: \\d,0,4: connection refused: bad user name or password");
        assertThat(message).doesNotContain(WRONG_SECRET).doesNotContain(WRONG_PASSWORD_12);
        assertThat(logins).anyMatch(l -> !l.accepted() && l.clientId().equals(DEVICE + "_0_0_2024061712"));
    }

    /** Copies every byte to the console and to the captured log. */
    static final class TeeStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public synchronized void flush() throws java.io.IOException {
            a.flush();
            b.flush();
        }
    }
}
