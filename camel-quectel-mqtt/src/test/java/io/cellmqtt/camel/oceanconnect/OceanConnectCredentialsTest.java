package io.cellmqtt.camel.oceanconnect;

import io.cellmqtt.modem.MqttCredentials;
import io.cellmqtt.simulator.secrets.TestSecrets;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OceanConnectCredentialsTest {

    /** The device id of reference 000's subscribe example. */
    static final String DEVICE = "7068026a-19fe-4555-8678-48a483fcd985";
    static final String SECRET = TestSecrets.DEVICE_SECRET;
    /** 2024-06-17 12:34:56 UTC: stamp 2024061712. */
    static final Instant NOON = Instant.parse("2024-06-17T12:34:56Z");
    /**
     * Computed once with OpenSSL, independently of Java:
     * {@code printf '%s' 's3cr3t-Secret_0123456789' | openssl dgst -sha256 -hmac '2024061712'}
     */
    static final String PASSWORD_2024061712 = TestSecrets.OCEANCONNECT_PASSWORD_2024061712;
    /** {@code printf '%s' 's3cr3t-Secret_0123456789' | openssl dgst -sha256 -hmac '2024061713'} */
    static final String PASSWORD_2024061713 = TestSecrets.OCEANCONNECT_PASSWORD_2024061713;

    @Test
    void passwordIsTheHmacOfTheSecretKeyedWithTheHourStampInLowerCaseHex() {
        assertThat(OceanConnectCredentials.password(SECRET, "2024061712")).isEqualTo(PASSWORD_2024061712);
        assertThat(OceanConnectCredentials.password(SECRET, "2024061713")).isEqualTo(PASSWORD_2024061713);
    }

    @Test
    void credentialsOfAConnectAtNoon() {
        MqttCredentials c = OceanConnect.device(DEVICE, SECRET).credentialsAt(NOON);
        assertThat(c.clientId()).isEqualTo(DEVICE + "_0_0_2024061712");
        assertThat(c.userName()).isEqualTo(DEVICE);
        assertThat(c.password()).isEqualTo(PASSWORD_2024061712);
    }

    @Test
    void theStampIsTheHourInUtcWhateverTheClocksZone() {
        // 23:30 in Berlin summer time is 21:30 UTC
        Instant lateEvening = OffsetDateTime.of(2024, 6, 17, 23, 30, 0, 0, ZoneOffset.ofHours(2)).toInstant();
        assertThat(OceanConnectCredentials.timestamp(lateEvening)).isEqualTo("2024061721");
        Clock berlin = Clock.fixed(lateEvening, ZoneId.of("Europe/Berlin"));
        assertThat(OceanConnect.device(DEVICE, SECRET).credentials(berlin).next().clientId())
                .isEqualTo(DEVICE + "_0_0_2024061721");
        // the hour boundary, and a new day in UTC only
        assertThat(OceanConnectCredentials.timestamp(Instant.parse("2024-06-17T12:59:59.999Z"))).isEqualTo("2024061712");
        assertThat(OceanConnectCredentials.timestamp(Instant.parse("2024-06-17T13:00:00Z"))).isEqualTo("2024061713");
        assertThat(OceanConnectCredentials.timestamp(Instant.parse("2023-12-31T23:00:00Z"))).isEqualTo("2023123123");
    }

    @Test
    void nextAsksTheClockEveryTime() {
        MutableClock clock = new MutableClock(NOON);
        OceanConnectCredentials provider = OceanConnect.device(DEVICE, SECRET).credentials(clock);
        assertThat(provider.id()).isEqualTo(DEVICE);
        assertThat(provider.next().password()).isEqualTo(PASSWORD_2024061712);
        clock.set(NOON.plusSeconds(3600));
        MqttCredentials later = provider.next();
        assertThat(later.clientId()).isEqualTo(DEVICE + "_0_0_2024061713");
        assertThat(later.password()).isEqualTo(PASSWORD_2024061713);
        assertThat(provider.id()).isEqualTo(DEVICE);
    }

    /** RFC 4231 section 4: the HMAC-SHA256 test cases (case 5 truncates its output and is left out). */
    @Test
    void rfc4231TestVectorsThroughTheSameHmac() {
        HexFormat hex = HexFormat.of();
        byte[] aa131 = repeat(0xaa, 131);
        assertThat(OceanConnectCredentials.hmacSha256Hex(repeat(0x0b, 20), ascii("Hi There")))
                .isEqualTo("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        assertThat(OceanConnectCredentials.hmacSha256Hex(ascii("Jefe"), ascii("what do ya want for nothing?")))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assertThat(OceanConnectCredentials.hmacSha256Hex(repeat(0xaa, 20), repeat(0xdd, 50)))
                .isEqualTo("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
        assertThat(OceanConnectCredentials.hmacSha256Hex(hex.parseHex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                repeat(0xcd, 50)))
                .isEqualTo("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
        assertThat(OceanConnectCredentials.hmacSha256Hex(aa131,
                ascii("Test Using Larger Than Block-Size Key - Hash Key First")))
                .isEqualTo("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
        assertThat(OceanConnectCredentials.hmacSha256Hex(aa131, ascii("This is a test using a larger than block-size key"
                + " and a larger than block-size data. The key needs to be hashed before being used by the HMAC"
                + " algorithm.")))
                .isEqualTo("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
        // The password path is the same function with the stamp as key: RFC case 2 through it.
        assertThat(OceanConnectCredentials.password("what do ya want for nothing?", "Jefe"))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void aSecretInAnyScriptIsSignedAsUtf8() {
        // printf '%s' 'geheim-ÄÖÜ-秘密' | openssl dgst -sha256 -hmac '2024061712'   (on a UTF-8 terminal)
        assertThat(OceanConnectCredentials.password(TestSecrets.UTF8_DEVICE_SECRET, "2024061712"))
                .isEqualTo("9a6d059af50e9edceb0742cb833ad3361a24e2f8bfb5255485ebe12d792a970e");
    }

    @Test
    void theSecretNeverShows() {
        OceanConnect device = OceanConnect.device(DEVICE, SECRET);
        MqttCredentials c = device.credentialsAt(NOON);
        assertThat(device.toString()).contains(DEVICE).doesNotContain(SECRET);
        assertThat(device.credentials().toString()).contains(DEVICE).doesNotContain(SECRET);
        assertThat(c.toString()).contains(c.clientId()).doesNotContain(PASSWORD_2024061712).doesNotContain(SECRET);
    }

    @Test
    void providersOfTheSameDeviceAreEqualSoEndpointsShareTheirClient() {
        Clock clock = Clock.systemUTC();
        assertThat(OceanConnect.device(DEVICE, SECRET).credentials(clock))
                .isEqualTo(OceanConnect.device(DEVICE, SECRET).credentials(clock))
                .hasSameHashCodeAs(OceanConnect.device(DEVICE, SECRET).credentials(clock))
                .isNotEqualTo(OceanConnect.device(DEVICE, "other").credentials(clock));
    }

    @Test
    void deviceIdsThatCannotBeCarriedAreRefusedAndTheSecretIsNeverShown() {
        assertThatThrownBy(() -> OceanConnect.device("", SECRET)).hasMessage("the OceanConnect device id must not be empty");
        assertThatThrownBy(() -> OceanConnect.device("a/b", SECRET)).hasMessageContaining("contains '/'")
                .hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> OceanConnect.device("a+b", SECRET)).hasMessageContaining("contains '+'")
                .hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> OceanConnect.device("a#", SECRET)).hasMessageContaining("contains '#'")
                .hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> OceanConnect.device("a\"\r\nAT+QPOWD", SECRET))
                .hasMessageContaining("contains a double quote at index 1").hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> OceanConnect.device("x".repeat(242), SECRET))
                .hasMessageContaining("242 bytes is too long").hasMessageContaining("at most 256 bytes")
                .hasMessageNotContaining(SECRET);
        assertThat(OceanConnect.device("x".repeat(241), SECRET).credentialsAt(NOON).clientId()).hasSize(256);
        assertThatThrownBy(() -> OceanConnect.device(DEVICE, "")).hasMessage("the OceanConnect device secret must not be empty");
        assertThatThrownBy(() -> OceanConnect.device(DEVICE, null)).hasMessage("the OceanConnect device secret must not be empty");
    }

    @Test
    void topicsOfTheReference() {
        OceanConnectTopics t = OceanConnect.device(DEVICE, SECRET).topics();
        assertThat(t.dataJson()).isEqualTo("/huawei/v1/devices/" + DEVICE + "/data/json");
        assertThat(t.commandJson()).isEqualTo("/huawei/v1/devices/" + DEVICE + "/command/json");
        assertThat(t.commandBinary()).isEqualTo("/huawei/v1/devices/" + DEVICE + "/command/binary");
        assertThat(t.commands()).isEqualTo("/huawei/v1/devices/" + DEVICE + "/command/+");
        assertThat(OceanConnect.topics(DEVICE)).isEqualTo(t);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] repeat(int b, int n) {
        byte[] out = new byte[n];
        java.util.Arrays.fill(out, (byte) b);
        return out;
    }
}
