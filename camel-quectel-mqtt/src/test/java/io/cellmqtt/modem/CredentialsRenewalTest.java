package io.cellmqtt.modem;

import io.cellmqtt.camel.oceanconnect.MutableClock;
import io.cellmqtt.camel.oceanconnect.OceanConnect;
import io.cellmqtt.simulator.secrets.TestSecrets;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Credentials from a provider are asked for right before every CONNECT: a reconnect an hour
 * later logs in with that hour's OceanConnect client id and password. The connection part of
 * reference 000 (client index 2, SSL context 2, its certificate files, broker and device id).
 */
class CredentialsRenewalTest extends TranscriptTestBase {
    static final String DEVICE = "7068026a-19fe-4555-8678-48a483fcd985";
    static final String SECRET = TestSecrets.DEVICE_SECRET;
    static final String PASSWORD_12 = TestSecrets.OCEANCONNECT_PASSWORD_2024061712;
    static final String PASSWORD_13 = TestSecrets.OCEANCONNECT_PASSWORD_2024061713;
    static final String COMMANDS = "/huawei/v1/devices/" + DEVICE + "/command/json";

    private static MqttClientSettings settings(MqttCredentialsProvider provider) {
        return MqttClientSettings.of("160.44.204.79", 8883).withClientIndex(2)
                .withSsl(2, "cacert.pem", "client.pem", "user_key.pem", "0xFFFF")
                .withReconnectDelays(Duration.ofMillis(20), Duration.ofMillis(200))
                .withCredentialsProvider(provider);
    }

    /** The reference's "Configure SSL" lines, after our QMTCFG lines for index 2. */
    private static ScriptedModem configureSsl(ScriptedModem s) {
        return s.on("AT+QMTCFG=\"version\",2,4", "OK")
                .on("AT+QMTCFG=\"pdpcid\",2,1", "OK")
                .on("AT+QMTCFG=\"ssl\",2,1,2", "OK")
                .on("AT+QMTCFG=\"keepalive\",2,120", "OK")
                .on("AT+QMTCFG=\"session\",2,1", "OK")
                .on("AT+QMTCFG=\"timeout\",2,5,3,0", "OK")
                .on("AT+QMTCFG=\"will\",2,0", "OK")
                .on("AT+QMTCFG=\"recv/mode\",2,0,1", "OK")
                .on("AT+QSSLCFG=\"cacert\",2,\"cacert.pem\"", "OK")
                .on("AT+QSSLCFG=\"clientcert\",2,\"client.pem\"", "OK")
                .on("AT+QSSLCFG=\"clientkey\",2,\"user_key.pem\"", "OK")
                .on("AT+QSSLCFG=\"seclevel\",2,2", "OK")
                .on("AT+QSSLCFG=\"sslversion\",2,4", "OK")
                .on("AT+QSSLCFG=\"ciphersuite\",2,0xFFFF", "OK")
                .on("AT+QSSLCFG=\"ignorelocaltime\",2,1", "OK")
                .expect("AT+QMTOPEN=2,\"160.44.204.79\",8883\r").lines("OK", "+QMTOPEN: 2,0");
    }

    private static String conn(String stamp, String password) {
        return "AT+QMTCONN=2,\"" + DEVICE + "_0_0_" + stamp + "\",\"" + DEVICE + "\",\"" + password + "\"\r";
    }

    @Test
    void aReconnectInTheNextHourLogsInWithThatHoursClientIdAndPassword() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2024-06-17T12:59:58Z"));
        script = configureSsl(new ScriptedModem().bringUp())
                .expect(conn("2024061712", PASSWORD_12)).lines("OK", "+QMTCONN: 2,0,0")
                .expect("AT+QMTSUB=2,1,\"" + COMMANDS + "\",0\r").lines("OK", "+QMTSUB: 2,1,0,0")
                // the platform drops the connection; by now the clock has passed the hour
                .lines("+QMTSTAT: 2,1");
        script = configureSsl(script)
                .expect(conn("2024061713", PASSWORD_13)).lines("OK", "+QMTCONN: 2,0,0")
                .expect("AT+QMTSUB=2,2,\"" + COMMANDS + "\",0\r").lines("OK", "+QMTSUB: 2,2,0,0")
                .expect("AT+QMTDISC=2\r").lines("OK", "+QMTDISC: 2,0", "+QMTSTAT: 2,5")
                .expect("AT+QMTCLOSE=2\r").lines("OK", "+QMTCLOSE: 2,0")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings(OceanConnect.device(DEVICE, SECRET).credentials(clock)));
        assertThat(client.clientId()).as("no client id before the provider gave one").isNull();
        client.start().get(10, TimeUnit.SECONDS);
        assertThat(client.clientId()).isEqualTo(DEVICE + "_0_0_2024061712");

        clock.set(Instant.parse("2024-06-17T13:00:03Z"));
        client.subscribe(COMMANDS, 0, m -> { }).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> DEVICE.concat("_0_0_2024061713").equals(client.clientId())
                && client.state() == MqttClientState.CONNECTED);

        client.stop().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void aProviderThatCannotGiveCredentialsFailsTheConnectBeforeQmtconn() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        MqttCredentialsProvider broken = new MqttCredentialsProvider() {
            @Override
            public String id() {
                return "broken";
            }

            @Override
            public MqttCredentials next() {
                asked.incrementAndGet();
                // a password that would end the quoted AT parameter: refused, its value not shown
                return new MqttCredentials("dev", "dev", TestSecrets.PASSWORD_INJECTING_A_COMMAND);
            }
        };
        script = configureSsl(new ScriptedModem().bringUp())
                .expect("AT+QMTCLOSE=2\r").lines("OK", "+QMTCLOSE: 2,0")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings(broken));
        assertThatThrownBy(() -> client.start().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageNotContaining(TestSecrets.PASSWORD_INJECTING_A_COMMAND).hasMessageNotContaining("QPOWD")
                .cause().isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("password contains a double quote at index 2")
                .hasMessageNotContaining("QPOWD");
        assertThat(asked).hasValue(1);
        script.awaitFinished(WAIT);
    }

    @Test
    void theClientKeyIsTheProvidersIdNotTheHourlyClientId() {
        MutableClock clock = new MutableClock(Instant.parse("2024-06-17T12:00:00Z"));
        MqttClientSettings a = settings(OceanConnect.device(DEVICE, SECRET).credentials(clock));
        clock.set(Instant.parse("2024-06-18T07:00:00Z"));
        MqttClientSettings b = settings(OceanConnect.device(DEVICE, SECRET).credentials(clock));
        assertThat(a.key()).isEqualTo(b.key()).isEqualTo("ssl://160.44.204.79:8883/credentials:" + DEVICE);
        assertThat(a).isEqualTo(b);
        assertThat(a.toString()).doesNotContain(SECRET).contains(DEVICE);
        assertThat(MqttClientSettings.of("h", 1).withClientId(DEVICE).key()).isNotEqualTo(
                MqttClientSettings.of("h", 1).withCredentialsProvider(a.credentialsProvider()).key());
    }

    @Test
    void fixedCredentialsNextToAProviderAreRefused() {
        MqttCredentialsProvider p = OceanConnect.device(DEVICE, SECRET).credentials();
        assertThatThrownBy(() -> MqttClientSettings.of("h", 1).withCredentialsProvider(p).withClientId("x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leave clientId, userName and password unset");
        assertThatThrownBy(() -> MqttClientSettings.of("h", 1).withCredentialsProvider(p)
                .withCredentials("u", TestSecrets.MQTT_PASSWORD)).hasMessageNotContaining(TestSecrets.MQTT_PASSWORD);
        // setting a provider drops what was fixed before
        MqttClientSettings s = MqttClientSettings.of("h", 1).withClientId("x").withCredentials("u", TestSecrets.MQTT_PASSWORD)
                .withCredentialsProvider(p);
        assertThat(s.clientId()).isNull();
        assertThat(s.password()).isNull();
    }

    @Test
    void credentialsAreCheckedAgainstWhatQmtconnCanCarry() {
        assertThatThrownBy(() -> new MqttCredentials("", null, null)).hasMessage("clientId must not be empty");
        assertThatThrownBy(() -> new MqttCredentials("x".repeat(257), null, null))
                .hasMessage("clientId of 257 bytes exceeds the limit of 256 bytes");
        // a user name is confidential: the error names the field and the character, never the value
        assertThatThrownBy(() -> new MqttCredentials("c", "dev-u\r", null))
                .hasMessageStartingWith("userName contains the control character \\r at index 5:")
                .hasMessageNotContaining("dev-u");
        assertThatThrownBy(() -> new MqttCredentials("c", "u", "p".repeat(513)))
                .hasMessage("password of 513 bytes exceeds the limit of 512 bytes");
        assertThat(new MqttCredentials("c", "u", TestSecrets.MQTT_PASSWORD).toString()).doesNotContain(TestSecrets.MQTT_PASSWORD)
                .contains("password=***");
    }
}
