package io.cellmqtt.modem;

import io.cellmqtt.simulator.secrets.TestSecrets;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Issue 8: certificates the component uploads itself, with each model's command, exact bytes:
 * BG95 ({@code AT+QFLST}, {@code AT+QFUPL} answered {@code CONNECT} and {@code +QFUPL: size,checksum},
 * {@code AT+QFDEL}), M95 ({@code AT+QSECREAD}, {@code AT+QSECWRITE} into {@code RAM:}) and SIM7600
 * ({@code AT+CCERTLIST}, {@code AT+CCERTDOWN} after the {@code >} prompt). Expected names and
 * checksums are computed here, independently of the component: {@code cellmqtt-<ca|cert|key>-}
 * and the first 12 hex digits of the content's SHA-256; the XOR of 16-bit big-endian words.
 */
class CertificateUploadTranscriptTest extends TranscriptTestBase {
    // Not real keys: PEM-shaped test content, enough for the upload path (the TLS tests use real ones).
    private static final byte[] CA = pem("CERTIFICATE", "Q0EgY2VydGlmaWNhdGUgZm9yIGEgdGVzdA==");
    private static final byte[] CERT = pem("CERTIFICATE", "Y2xpZW50IGNlcnRpZmljYXRlIQ==");
    private static final byte[] KEY = pem("RSA PRIVATE KEY", TestSecrets.FAKE_KEY_BODY);

    private static byte[] pem(String kind, String body) {
        return ("-----BEGIN " + kind + "-----\n" + body + "\n-----END " + kind + "-----\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static String name(String role, byte[] content) throws Exception {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(content);
        return "cellmqtt-" + role + "-" + HexFormat.of().formatHex(d).substring(0, 12) + ".pem";
    }

    private static String checksum(byte[] data) {
        int x = 0;
        for (int i = 0; i < data.length; i += 2) {
            x ^= ((data[i] & 0xFF) << 8) | (i + 1 < data.length ? data[i + 1] & 0xFF : 0);
        }
        return Integer.toHexString(x);
    }

    private static List<CertificateFile> files() {
        return List.of(CertificateFile.of("caCert", "file:ca.pem", CA), CertificateFile.of("clientCert", "file:c.pem", CERT),
                CertificateFile.of("clientKey", "file:k.pem", KEY));
    }

    private static MqttClientSettings tls() {
        return settings("broker", 8883, "dev").withSsl(1, null, null, null, "0xFFFF").withCertificates(files());
    }

    private static ScriptedModem upload(ScriptedModem s, String role, byte[] content) throws Exception {
        String n = name(role, content);
        return s.expect("AT+QFUPL=\"UFS:" + n + "\"," + content.length + ",60\r").lines("CONNECT")
                .expect(content).lines("+QFUPL: " + content.length + "," + checksum(content), "OK");
    }

    private static ScriptedModem bg95SslConfig(ScriptedModem s) throws Exception {
        return s.ok("AT+QMTCFG=\"version\",0,4", "AT+QMTCFG=\"pdpcid\",0,1", "AT+QMTCFG=\"ssl\",0,1,1",
                        "AT+QMTCFG=\"keepalive\",0,120", "AT+QMTCFG=\"session\",0,1", "AT+QMTCFG=\"timeout\",0,5,3,0",
                        "AT+QMTCFG=\"will\",0,0", "AT+QMTCFG=\"recv/mode\",0,0,1")
                .ok("AT+QSSLCFG=\"cacert\",1,\"UFS:" + name("ca", CA) + "\"",
                        "AT+QSSLCFG=\"clientcert\",1,\"UFS:" + name("cert", CERT) + "\"",
                        "AT+QSSLCFG=\"clientkey\",1,\"UFS:" + name("key", KEY) + "\"",
                        "AT+QSSLCFG=\"seclevel\",1,2", "AT+QSSLCFG=\"sslversion\",1,4",
                        "AT+QSSLCFG=\"ciphersuite\",1,0xFFFF", "AT+QSSLCFG=\"ignorelocaltime\",1,1")
                .expect("AT+QMTOPEN=0,\"broker\",8883\r").lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"dev\"\r").lines("OK", "+QMTCONN: 0,0,0");
    }

    @org.junit.jupiter.api.BeforeEach
    void cleanUpSoon() {
        CertificateUploader.cleanupDelay = Duration.ofSeconds(2);
    }

    @org.junit.jupiter.api.AfterEach
    void cleanUpAsInProduction() {
        CertificateUploader.cleanupDelay = CertificateUploader.CLEANUP_DELAY;
    }

    @Test
    void bg95UploadsWhatTheModemLacksVerifiesItsChecksumAndLaterDeletesAnOldFileOfOurs() throws Exception {
        String old = "cellmqtt-ca-0123456789ab.pem";
        String listing[] = {"+QFLST: \"UFS:" + old + "\",1200", "+QFLST: \"UFS:theirs.pem\",900",
                "+QFLST: \"UFS:" + name("key", KEY) + "\"," + KEY.length};
        ScriptedModem s = new ScriptedModem().bringUp()
                // the modem holds an older CA of ours, a file of somebody else's, and the client key already
                .expect("AT+QFLST=\"*\"\r").lines(listing).lines("OK");
        upload(s, "ca", CA);
        upload(s, "cert", CERT);
        // once the clients had their turn (cleanupDelay later): only the old file of ours goes
        script = bg95SslConfig(s)
                .expect("AT+QFLST=\"*\"\r").lines(listing).lines("+QFLST: \"UFS:" + name("ca", CA) + "\"," + CA.length,
                        "+QFLST: \"UFS:" + name("cert", CERT) + "\"," + CERT.length, "OK")
                .ok("AT+QFDEL=\"UFS:" + old + "\"")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(tls());
        client.start().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void aSecondStartUploadsNothing() throws Exception {
        ScriptedModem s = new ScriptedModem().bringUp()
                .expect("AT+QFLST=\"*\"\r").lines("+QFLST: \"UFS:" + name("ca", CA) + "\"," + CA.length,
                        "+QFLST: \"UFS:" + name("cert", CERT) + "\"," + CERT.length,
                        "+QFLST: \"UFS:" + name("key", KEY) + "\"," + KEY.length, "OK");
        script = bg95SslConfig(s).start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(tls());
        client.start().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
        script.close(); // the later look for unused files is not this test's
    }

    /** A file the list shows with another size than ours (an upload cut short) is uploaded again. */
    @Test
    void aFileOfTheRightNameButAnotherSizeIsUploadedAgain() throws Exception {
        ScriptedModem s = new ScriptedModem().bringUp()
                .expect("AT+QFLST=\"*\"\r").lines("+QFLST: \"UFS:" + name("ca", CA) + "\"," + (CA.length - 7),
                        "+QFLST: \"UFS:" + name("cert", CERT) + "\"," + CERT.length,
                        "+QFLST: \"UFS:" + name("key", KEY) + "\"," + KEY.length, "OK")
                .ok("AT+QFDEL=\"UFS:" + name("ca", CA) + "\""); // the modem refuses to overwrite (+CME ERROR: 407)
        upload(s, "ca", CA);
        script = bg95SslConfig(s).start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        modem.createClient(tls()).start().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void aChecksumMismatchDeletesTheFileAndFailsClearlyWithoutTheContent() throws Exception {
        String n = name("ca", CA);
        script = new ScriptedModem().bringUp()
                .expect("AT+QFLST=\"*\"\r").lines("OK")
                .expect("AT+QFUPL=\"UFS:" + n + "\"," + CA.length + ",60\r").lines("CONNECT")
                .expect(CA).lines("+QFUPL: " + CA.length + ",beef", "OK")
                .ok("AT+QFDEL=\"UFS:" + n + "\"")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 8883, "dev").withSsl(1, null, null, null, "0xFFFF")
                .withCertificates(List.of(CertificateFile.of("caCert", "file:/etc/gw/ca.pem", CA))));
        assertThat(client.start()).failsWithin(WAIT).withThrowableThat()
                .withMessageContaining("uploading caCert " + n + " (from file:/etc/gw/ca.pem, " + CA.length + " bytes)")
                .withMessageContaining("+QFUPL: " + CA.length + ",beef")
                .withMessageContaining("checksum " + checksum(CA))
                .withMessageNotContaining("Q0EgY2VydGlmaWNhdGUg");
        script.awaitFinished(WAIT);
    }

    @Test
    void m95ReadsBackItsRamFilesAndWritesThoseItLacks() throws Exception {
        String[] ati = {"Quectel_Ltd", "Quectel_M95", "Revision: M95FAR02A08"};
        ScriptedModem s = new ScriptedModem().identify(ati).imeiAndSim().on("AT+CGREG?", "+CGREG: 0,1", "OK")
                .expect("AT+QSECREAD=\"RAM:" + name("ca", CA) + "\"\r").lines("+QSECREAD: 1," + checksum(CA), "OK")
                .expect("AT+QSECREAD=\"RAM:" + name("cert", CERT) + "\"\r").lines("ERROR")
                .expect("AT+QSECREAD=\"RAM:" + name("key", KEY) + "\"\r").lines("+QSECREAD: 0,0", "OK")
                .expect("AT+QSECWRITE=\"RAM:" + name("cert", CERT) + "\"," + CERT.length + ",100\r").lines("CONNECT")
                .expect(CERT).lines("+QSECWRITE: " + CERT.length + "," + checksum(CERT), "OK")
                .expect("AT+QSECWRITE=\"RAM:" + name("key", KEY) + "\"," + KEY.length + ",100\r").lines("CONNECT")
                .expect(KEY).lines("+QSECWRITE: " + KEY.length + "," + checksum(KEY), "OK")
                .ok("AT+QMTCFG=\"SSL\",0,1,1", "AT+QMTCFG=\"KEEPALIVE\",0,120", "AT+QMTCFG=\"SESSION\",0,1",
                        "AT+QMTCFG=\"TIMEOUT\",0,5,3,0", "AT+QMTCFG=\"WILL\",0,0")
                .ok("AT+QSSLCFG=\"cacert\",1,\"RAM:" + name("ca", CA) + "\"",
                        "AT+QSSLCFG=\"clientcert\",1,\"RAM:" + name("cert", CERT) + "\"",
                        "AT+QSSLCFG=\"clientkey\",1,\"RAM:" + name("key", KEY) + "\"",
                        "AT+QSSLCFG=\"seclevel\",1,2", "AT+QSSLCFG=\"sslversion\",1,4",
                        "AT+QSSLCFG=\"ciphersuite\",1,\"0xFFFF\"", "AT+QSSLCFG=\"ignorertctime\",1")
                .expect("AT+QMTOPEN=0,\"broker\",8883\r").lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"dev\"\r").lines("OK", "+QMTCONN: 0,0,0");
        script = s.start();
        modem = Modem.open(new ModemSettings("scripted", 115200, "m95", null, null, null, 1, false,
                Duration.ofSeconds(5)), script.link());
        modem.createClient(tls()).start().get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void sim7600ListsItsCertificatesAndDownloadsThoseItLacksAfterThePrompt() throws Exception {
        ScriptedModem s = new ScriptedModem().bringUp("Manufacturer: SIMCOM INCORPORATED", "Model: SIMCOM_SIM7600E-H",
                        "Revision: SIM7600M22_V2.0", "IMEI: 866425030000001", "+GCAP: +CGSM")
                .on("AT+CCERTLIST", "+CCERTLIST: \"" + name("ca", CA) + "\"", "OK")
                .expect("AT+CCERTDOWN=\"" + name("cert", CERT) + "\"," + CERT.length + "\r").send("\r\n>")
                .expect(CERT).lines("OK")
                .expect("AT+CCERTDOWN=\"" + name("key", KEY) + "\"," + KEY.length + "\r").send("\r\n>")
                .expect(KEY).lines("OK")
                .ok("AT+CSSLCFG=\"sslversion\",1,4", "AT+CSSLCFG=\"authmode\",1,2",
                        "AT+CSSLCFG=\"cacert\",1,\"" + name("ca", CA) + "\"",
                        "AT+CSSLCFG=\"clientcert\",1,\"" + name("cert", CERT) + "\"",
                        "AT+CSSLCFG=\"clientkey\",1,\"" + name("key", KEY) + "\"");
        script = s.start();
        modem = Modem.open(new ModemSettings("scripted", 115200, "sim7600", null, null, null, 1, false,
                Duration.ofSeconds(5)), script.link());
        MqttClient client = modem.createClient(tls());
        client.start(); // the connect that follows is not this test's
        script.awaitFinished(WAIT);
    }

    @Test
    void whatIsNotPemOfTheRightKindIsRefusedNamingWhereItCameFromNeverItsContent() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> CertificateFile.of("caCert", "file:/etc/gw/ca.pem", "hello".getBytes(StandardCharsets.US_ASCII)))
                .withMessage("caCert from file:/etc/gw/ca.pem is not a PEM certificate (-----BEGIN CERTIFICATE-----)");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> CertificateFile.of("clientKey", "file:/etc/gw/k.pem", CERT))
                .withMessage("clientKey from file:/etc/gw/k.pem is not a PEM private key (-----BEGIN ... PRIVATE KEY-----)");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> CertificateFile.of("clientCert", "bean c", KEY))
                .withMessageContaining("clientCert from bean c is not a PEM certificate")
                .withMessageNotContaining(TestSecrets.FAKE_KEY_BODY.substring(0, 40));
        assertThat(CertificateFile.of("clientKey", "bean k", KEY).toString())
                .doesNotContain(TestSecrets.FAKE_KEY_BODY.substring(0, 40))
                .isEqualTo("clientKey " + "cellmqtt-key-" + CertificateFile.of("clientKey", "x", KEY).name()
                        .substring("cellmqtt-key-".length()) + " (from bean k, " + KEY.length + " bytes)");
    }
}
