package io.cellmqtt.modem;

import io.cellmqtt.simulator.secrets.TestSecrets;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Replays "Getting Started with BG96 and MQTTS" (reference 000: a BG96 on Huawei OceanConnect)
 * against the modem layer and asserts the exact bytes it writes: network, SSL configuration,
 * {@code AT+QMTOPEN} on client 2 to port 8883, {@code AT+QMTCONN} with the device's client id,
 * user name and HMAC-SHA256 password, a report on the data topic, the two command subscriptions
 * and the commands received on them.
 *
 * <p>Where our bytes differ from the document's, and why:
 * <ul>
 * <li>Network: the document defines the context with {@code AT+CGDCONT=1,"IP",...}, then
 * {@code AT+QIACT=1} and {@code AT+QIACT?}. We set the APN with Quectel's
 * {@code AT+QICSGP=1,1,"apn","","",0} (which also carries credentials when there are some) and
 * ask {@code AT+QIACT?} first, activating only a context that is not active yet: the BG96
 * answers {@code ERROR} to {@code AT+QIACT} on an active context.</li>
 * <li>Certificates: the document uploads them with {@code AT+QFUPL} from a PC tool; we don't
 * upload, we name the files already on the modem in {@code AT+QSSLCFG}.</li>
 * <li>Configuration: before {@code AT+QMTCFG="ssl",2,1,2} (the document writes
 * {@code "SSL", 2,1,2}: the BG96 takes the key in either case; we use the BG95 note's lower
 * case and no spaces) we set version and {@code pdpcid}, and after it keepalive, session,
 * timeout, will and {@code recv/mode} 0,1; the {@code AT+QSSLCFG} lines follow in the
 * document's order and with its values.</li>
 * <li>Publish: the document uses the Ctrl+Z form {@code AT+QMTPUB=2,0,0,0,"topic"}; we use the
 * fixed-length form {@code AT+QMTPUB=2,0,0,0,"topic",<length>}, which carries any byte: with
 * Ctrl+Z a payload holding 0x1A would end the data early and the rest would be read as
 * commands, and 0x1B would cancel it. The BG96 has no {@code AT+QMTPUBEX}.</li>
 * <li>Subscribe: the document uses message id 1 twice; we give each packet a fresh id.</li>
 * <li>Receive: the document shows {@code +QMTRECV: 2,0,"topic","payload"}; because we set
 * {@code recv/mode} 0,1 the modem reports the length too ({@code +QMTRECV: 2,0,"topic",<len>,"payload"}),
 * so a JSON payload's quotes and commas, or binary bytes, are taken by length. A line in the
 * document's form is still understood.</li>
 * </ul>
 */
class Bg96TranscriptTest extends TranscriptTestBase {
    private static final String DEVICE_ID = "7068026a-19fe-4555-8678-48a483fcd985";
    private static final String DATE = "2019010112";
    private static final String CLIENT_ID = DEVICE_ID + "_0_0_" + DATE;
    private static final String DEVICE_SECRET = TestSecrets.DEVICE_SECRET;
    private static final String TOPIC_PREFIX = "/huawei/v1/devices/" + DEVICE_ID;
    /** Section 2: the password is HMAC-SHA256 of the device secret, keyed with the client id's date. */
    private static String oceanConnectPassword(String secret, String date) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(date.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return TestSecrets.record("OceanConnect password at " + date + " (Bg96TranscriptTest)",
                HexFormat.of().formatHex(mac.doFinal(secret.getBytes(StandardCharsets.UTF_8))));
    }

    private static MqttClientSettings huawei(String password) {
        return MqttClientSettings.of("160.44.204.79", 8883).withClientId(CLIENT_ID).withClientIndex(2)
                .withCredentials(DEVICE_ID, password)
                .withSsl(2, "cacert.pem", "client.pem", "user_key.pem", "0xFFFF")
                .withReconnectDelays(Duration.ofMillis(20), Duration.ofMillis(200));
    }

    /** Bring-up with the document's APN, then client 2 configured for MQTTS on SSL context 2. */
    private static ScriptedModem configured() {
        return new ScriptedModem().bringUp("Quectel", "BG96", "Revision: BG96MAR02A07M1G")
                .ok("AT+QICSGP=1,1,\"business.gprsinternet\",\"\",\"\",0")
                .ok("AT+QIACT?")
                .ok("AT+QIACT=1")
                .ok("AT+QMTCFG=\"version\",2,4",
                        "AT+QMTCFG=\"pdpcid\",2,1",
                        "AT+QMTCFG=\"ssl\",2,1,2",
                        "AT+QMTCFG=\"keepalive\",2,120",
                        "AT+QMTCFG=\"session\",2,1",
                        "AT+QMTCFG=\"timeout\",2,5,3,0",
                        "AT+QMTCFG=\"will\",2,0",
                        "AT+QMTCFG=\"recv/mode\",2,0,1",
                        "AT+QSSLCFG=\"cacert\",2,\"cacert.pem\"",
                        "AT+QSSLCFG=\"clientcert\",2,\"client.pem\"",
                        "AT+QSSLCFG=\"clientkey\",2,\"user_key.pem\"",
                        "AT+QSSLCFG=\"seclevel\",2,2",
                        "AT+QSSLCFG=\"sslversion\",2,4",
                        "AT+QSSLCFG=\"ciphersuite\",2,0xFFFF",
                        "AT+QSSLCFG=\"ignorelocaltime\",2,1")
                .expect("AT+QMTOPEN=2,\"160.44.204.79\",8883\r").lines("OK", "+QMTOPEN: 2,0");
    }

    private static ModemSettings withApn() {
        return new ModemSettings("scripted", 115200, "auto", "business.gprsinternet", null, null, 1, false,
                Duration.ofSeconds(5));
    }

    @Test
    void theDocumentsSession() throws Exception {
        String password = oceanConnectPassword(DEVICE_SECRET, DATE);
        byte[] report = """
                {
                  "identifier": "123",
                  "msgType": "deviceReq",
                  "hasMore": 0,
                  "data": [
                    {
                      "serviceId": "IntData",
                      "serviceData": {
                        "temperature": 21,
                        "humidity": 40
                      }
                    }
                  ]
                }
                """.getBytes(StandardCharsets.UTF_8);
        byte[] json = "{\"msgType\":\"cloudReq\",\"serviceId\":\"IntData\",\"cmd\":\"SET\",\"paras\":{\"value\":\"1,2\"}}"
                .getBytes(StandardCharsets.UTF_8);
        byte[] binary = {0x00, 0x1A, 0x1B, '"', ',', '\r', '\n', (byte) 0xFF};
        script = configured()
                .expect("AT+QMTCONN=2,\"" + CLIENT_ID + "\",\"" + DEVICE_ID + "\",\"" + password + "\"\r")
                .lines("OK", "+QMTCONN: 2,0,0")
                // Send Data (Report Data)
                .expect("AT+QMTPUB=2,0,0,0,\"" + TOPIC_PREFIX + "/data/json\"," + report.length + "\r").send("\r\n> ")
                .expect(report).lines("OK", "+QMTPUB: 2,0,0")
                // Receive Data (Commands)
                .expect("AT+QMTSUB=2,1,\"" + TOPIC_PREFIX + "/command/json\",0\r").lines("OK", "+QMTSUB: 2,1,0,0")
                .expect("AT+QMTSUB=2,2,\"" + TOPIC_PREFIX + "/command/binary\",0\r").lines("OK", "+QMTSUB: 2,2,0,0")
                .send("\r\n+QMTRECV: 2,0,\"" + TOPIC_PREFIX + "/command/binary\"," + binary.length + ",\"")
                .send(new String(binary, StandardCharsets.ISO_8859_1)).send("\"\r\n")
                .send("\r\n+QMTRECV: 2,0,\"" + TOPIC_PREFIX + "/command/json\"," + json.length + ",\"")
                .send(new String(json, StandardCharsets.ISO_8859_1)).send("\"\r\n")
                // The document's own line, without the length.
                .lines("+QMTRECV: 2,0,\"" + TOPIC_PREFIX + "/command/json\",\"{JsonData}\"")
                .start();
        modem = Modem.open(withApn(), script.link());
        assertThat(modem.modelName()).isEqualTo("bg96");

        MqttClient client = modem.createClient(huawei(password));
        client.start().get(10, TimeUnit.SECONDS);
        PublishReceipt r = client.publish(new OutgoingMessage(TOPIC_PREFIX + "/data/json", report, 0, false))
                .get(10, TimeUnit.SECONDS);
        assertThat(r).isEqualTo(new PublishReceipt(2, 0, 0));

        List<ReceivedMessage> commands = new CopyOnWriteArrayList<>();
        List<ReceivedMessage> binaries = new CopyOnWriteArrayList<>();
        client.subscribe(TOPIC_PREFIX + "/command/json", 0, commands::add).get(10, TimeUnit.SECONDS);
        client.subscribe(TOPIC_PREFIX + "/command/binary", 0, binaries::add).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> binaries.size() == 1 && commands.size() == 2);
        assertThat(binaries.get(0).payload()).isEqualTo(binary);
        assertThat(binaries.get(0).clientIndex()).isEqualTo(2);
        assertThat(commands.get(0).payload()).isEqualTo(json);
        assertThat(new String(commands.get(1).payload(), StandardCharsets.UTF_8)).isEqualTo("{JsonData}");
        script.awaitFinished(WAIT);
    }

    @Test
    void thePasswordIsMaskedInWhatIsLoggedAndInErrors() throws Exception {
        String password = oceanConnectPassword(DEVICE_SECRET, DATE);
        // AtChannel logs a command as its toString(): the log text, never the text sent.
        String logged = QuectelDialect.connectCommand(2, CLIENT_ID, huawei(password)).toString();
        assertThat(logged).isEqualTo("AT+QMTCONN=2,\"" + CLIENT_ID + "\",\"" + DEVICE_ID + "\",\"***\"")
                .doesNotContain(password);

        script = configured()
                .expect("AT+QMTCONN=2,\"" + CLIENT_ID + "\",\"" + DEVICE_ID + "\",\"" + password + "\"\r")
                .lines("OK", "+QMTCONN: 2,0,4")
                .expect("AT+QMTCLOSE=2\r").lines("OK", "+QMTCLOSE: 2,0")
                .start();
        modem = Modem.open(withApn(), script.link());
        MqttClient client = modem.createClient(huawei(password));
        assertThat(client.start()).failsWithin(WAIT).withThrowableThat()
                .withMessageContaining("\"***\" -> +QMTCONN: 2,0,4: connection refused: bad user name or password")
                .withMessageNotContaining(password);
        script.awaitFinished(WAIT);
    }

    @Test
    void anEmptyPayloadIsRefusedBecauseTheFixedLengthFormTakesAtLeastOneByte() throws Exception {
        script = new ScriptedModem().bringUp("Quectel", "BG96", "Revision: BG96MAR02A07M1G").start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        script.awaitFinished(WAIT);
        MqttClient client = modem.createClient(MqttClientSettings.of("broker", 1883).withClientId("dev"));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> client.validate(new OutgoingMessage("t", new byte[0], 0, false)))
                .withMessage("an empty payload can't be published on bg96: its fixed-length AT+QMTPUB takes 1-4096 bytes");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> client.validate(new OutgoingMessage("t", new byte[4097], 0, false)))
                .withMessage("payload of 4097 bytes exceeds the bg96 limit of 4096 bytes");
    }

    @Test
    void shortQuotablePayloadsStillGoByFixedLengthBecauseTheBg96HasNoQmtpubex() throws Exception {
        script = new ScriptedModem().bringUp("Quectel", "BG96", "Revision: BG96MAR02A07M1G").defaultConfig(0)
                .expect("AT+QMTOPEN=0,\"broker\",1883\r").lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"dev\"\r").lines("OK", "+QMTCONN: 0,0,0")
                .expect("AT+QMTPUB=0,1,1,0,\"t\",2\r").send("\r\n> ")
                .expect("hi").lines("OK", "+QMTPUB: 0,1,0")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(MqttClientSettings.of("broker", 1883).withClientId("dev")
                .withClientIndex(0));
        client.start().get(10, TimeUnit.SECONDS);
        client.publish(new OutgoingMessage("t", "hi".getBytes(StandardCharsets.US_ASCII), 1, false))
                .get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }
}
