package io.cellmqtt.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellmqtt.simulator.at.ModemFiles;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The certificate files on the simulated modem as the real commands report them: QFUPL/QFLST/QFDEL
 * (BG95), QSECWRITE/QSECREAD/QSECDEL (M95), CCERTDOWN/CCERTLIST/CCERTDELE (SIM7600); what survives
 * a reopened port and a reboot; the upload counter a component test counts uploads with.
 */
class ModemFilesTest {

    private SimulatedModem modem;

    @AfterEach
    void close() {
        if (modem != null) {
            modem.close();
        }
    }

    private FakeHost host(String model) {
        modem = SimulatedModem.of(model);
        FakeHost h = FakeHost.attachedTo(modem);
        h.command("ATE0");
        return h;
    }

    private static String upload(FakeHost h, String command, byte[] data) {
        h.consume();
        h.send(command + "\r");
        h.awaitFresh("\r\nCONNECT\r\n");
        h.consume();
        h.sendBytes(data);
        String got = h.awaitMatch("\r\n(OK|ERROR)\r\n").group();
        String all = h.fresh();
        h.consume();
        return all.isEmpty() ? got : all;
    }

    /**
     * The checksum computed here by a second, independent reading of the BG96 FILE manual's definition:
     * bytes paired big-endian into 16-bit words, an odd last byte as the high half of a last word, all XORed.
     */
    private static int xorOfWords(byte[] d) {
        int sum = 0;
        int i = 0;
        for (; i + 1 < d.length; i += 2) {
            sum ^= ((d[i] & 0xFF) * 256) + (d[i + 1] & 0xFF);
        }
        if (i < d.length) {
            sum ^= (d[i] & 0xFF) * 256;
        }
        return sum;
    }

    @Test
    void qfuplReportsSizeAndTheFileManualsChecksumExactly() {
        FakeHost h = host("bg95");
        // worked by hand: "AB" "C\0" -> 0x4142 ^ 0x4300 = 0x0242, printed without leading zeros
        assertThat(upload(h, "AT+QFUPL=\"odd.pem\",3", "ABC".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("\r\n+QFUPL: 3,242\r\n\r\nOK\r\n");
        byte[] even = new byte[1758];
        for (int i = 0; i < even.length; i++) {
            even[i] = (byte) (i * 31 + 7);
        }
        assertThat(upload(h, "AT+QFUPL=\"UFS:cacert.pem\",1758,100", even))
                .isEqualTo("\r\n+QFUPL: 1758," + Integer.toHexString(xorOfWords(even)) + "\r\n\r\nOK\r\n");
        assertThat(ModemFiles.checksum(even)).isEqualTo(xorOfWords(even)).isEqualTo(FakeHost.quectelChecksum(even));
        // the same name again: 407 "file already exists" (under AT+CMEE=0 a plain ERROR)
        assertThat(h.command("AT+QFUPL=\"cacert.pem\",3")).isEqualTo("\r\nERROR\r\n");
        h.command("AT+CMEE=1");
        assertThat(h.command("AT+QFUPL=\"cacert.pem\",3", "407\r\n")).isEqualTo("\r\n+CME ERROR: 407\r\n");
        assertThat(h.command("AT+QFLST=\"*\"")).isEqualTo(
                "\r\n+QFLST: \"UFS:cacert.pem\",1758\r\n+QFLST: \"UFS:odd.pem\",3\r\n\r\nOK\r\n");
        assertThat(h.command("AT+QFLST")).isEqualTo(
                "\r\n+QFLST: \"UFS:cacert.pem\",1758\r\n+QFLST: \"UFS:odd.pem\",3\r\n\r\nOK\r\n");
        assertThat(h.command("AT+QFLST=\"UFS:odd.pem\"")).isEqualTo("\r\n+QFLST: \"UFS:odd.pem\",3\r\n\r\nOK\r\n");
        assertThat(h.command("AT+QFLST=\"none.pem\"")).isEqualTo("\r\nOK\r\n");
        assertThat(h.command("AT+QFDEL=\"odd.pem\"")).isEqualTo("\r\nOK\r\n");
        assertThat(h.command("AT+QFDEL=\"odd.pem\"", "418\r\n")).isEqualTo("\r\n+CME ERROR: 418\r\n");
        assertThat(modem.files()).extracting(ModemFiles.StoredFile::name).containsExactly("cacert.pem");
        assertThat(modem.uploads("odd.pem")).isEqualTo(1);
        assertThat(modem.uploads("UFS:cacert.pem")).isEqualTo(1);
        assertThat(modem.totalUploads()).isEqualTo(2);
        assertThat(h.command("AT+QFDEL=\"*\"")).isEqualTo("\r\nOK\r\n");
        assertThat(h.command("AT+QFLST=\"*\"")).isEqualTo("\r\nOK\r\n");
    }

    @Test
    void aCorruptedUploadReportsTheChecksumOfWhatArrived() {
        FakeHost h = host("bg95");
        byte[] data = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII);
        modem.faults().corruptUploads(1);
        String reply = upload(h, "AT+QFUPL=\"ca.pem\"," + data.length, data);
        byte[] arrived = data.clone();
        arrived[arrived.length / 2] ^= 0x01;
        assertThat(reply).isEqualTo("\r\n+QFUPL: " + data.length + "," + Integer.toHexString(xorOfWords(arrived)) + "\r\n\r\nOK\r\n");
        assertThat(xorOfWords(arrived)).isNotEqualTo(xorOfWords(data));
        assertThat(modem.fileContent("ca.pem")).isEqualTo(arrived);
        // the next upload is clean again
        assertThat(upload(h, "AT+QFUPL=\"ca2.pem\"," + data.length, data))
                .isEqualTo("\r\n+QFUPL: " + data.length + "," + Integer.toHexString(xorOfWords(data)) + "\r\n\r\nOK\r\n");
        assertThat(modem.faults().counts().get(io.cellmqtt.simulator.fault.Faults.Kind.CORRUPT_UPLOAD)).isEqualTo(1L);
    }

    @Test
    void qfuplAckModeAcknowledgesEveryKibibyte() {
        FakeHost h = host("bg96");
        byte[] data = new byte[2500];
        h.send("AT+QFUPL=\"big.pem\",2500,10,1\r");
        h.awaitFresh("\r\nCONNECT\r\n");
        h.consume();
        h.sendBytes(java.util.Arrays.copyOfRange(data, 0, 1024));
        h.awaitFresh("A");
        h.sendBytes(java.util.Arrays.copyOfRange(data, 1024, 2048));
        h.awaitFresh("AA");
        h.sendBytes(java.util.Arrays.copyOfRange(data, 2048, 2500));
        assertThat(h.awaitFresh("\r\nOK\r\n")).isEqualTo("AA\r\n+QFUPL: 2500,0\r\n\r\nOK\r\n");
    }

    @Test
    void filesSurviveAReopenedPortAndAReboot() {
        FakeHost h = host("bg95");
        upload(h, "AT+QFUPL=\"client.pem\",4", "abcd".getBytes(StandardCharsets.US_ASCII));
        FakeHost again = FakeHost.attachedTo(modem); // the host closed the port and opened it again
        again.command("ATE0");
        assertThat(again.command("AT+QFLST=\"*\"")).isEqualTo("\r\n+QFLST: \"UFS:client.pem\",4\r\n\r\nOK\r\n");
        modem.faults().reboot(Duration.ZERO).join();
        again.command("ATE0");
        assertThat(again.command("AT+QFLST=\"*\"")).isEqualTo("\r\n+QFLST: \"UFS:client.pem\",4\r\n\r\nOK\r\n");
    }

    @Test
    void m95RamFilesAreWrittenReadAndDeletedAndLostAtAReboot() {
        FakeHost h = host("m95");
        byte[] pem = "-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n".getBytes(StandardCharsets.US_ASCII);
        String sum = Integer.toHexString(xorOfWords(pem));
        assertThat(upload(h, "AT+QSECWRITE=\"RAM:cacert.pem\"," + pem.length + ",100", pem))
                .isEqualTo("\r\n+QSECWRITE: " + pem.length + "," + sum + "\r\n\r\nOK\r\n");
        assertThat(h.command("AT+QSECREAD=\"RAM:cacert.pem\"")).isEqualTo("\r\n+QSECREAD: 1," + sum + "\r\n\r\nOK\r\n");
        assertThat(h.command("AT+QSECREAD=\"RAM:none.pem\"")).isEqualTo("\r\n+QSECREAD: 0,0\r\n\r\nOK\r\n");
        // only RAM: names: the note writes every certificate there
        assertThat(h.command("AT+QSECWRITE=\"cacert.pem\",3")).isEqualTo("\r\nERROR\r\n");
        // the M95 has no UFS commands
        assertThat(h.command("AT+QFUPL=\"cacert.pem\",3")).isEqualTo("\r\nERROR\r\n");
        upload(h, "AT+QSECWRITE=\"RAM:client.pem\",2", "xy".getBytes(StandardCharsets.US_ASCII));
        assertThat(h.command("AT+QSECDEL=\"RAM:client.pem\"")).isEqualTo("\r\nOK\r\n");
        assertThat(h.command("AT+QSECDEL=\"RAM:client.pem\"")).isEqualTo("\r\nERROR\r\n");
        modem.faults().reboot(Duration.ZERO).join();
        h.command("ATE0");
        assertThat(h.command("AT+QSECREAD=\"RAM:cacert.pem\"")).isEqualTo("\r\n+QSECREAD: 0,0\r\n\r\nOK\r\n");
        assertThat(modem.files()).isEmpty();
        assertThat(modem.uploads("RAM:cacert.pem")).isEqualTo(1);
    }

    @Test
    void sim7600CertificatesAreDownloadedListedAndMustBeDeletedBeforeADownloadOfTheSameName() {
        modem = SimulatedModem.of("sim7600");
        SimcomHost h = new SimcomHost(modem);
        assertThat(h.withData("AT+CCERTDOWN=\"cacert.pem\",4", "abcd")).isEqualTo("\r\nOK\r\n");
        assertThat(h.command("AT+CCERTDOWN=\"cacert.pem\",4")).as("reference 001: delete first").isEqualTo("\r\nERROR\r\n");
        assertThat(h.command("AT+CCERTLIST")).isEqualTo("\r\n+CCERTLIST: \"cacert.pem\"\r\n\r\nOK\r\n");
        assertThat(h.command("AT+CCERTDELE=\"cacert.pem\"")).isEqualTo("\r\nOK\r\n");
        assertThat(h.withData("AT+CCERTDOWN=\"cacert.pem\",5", "abcde")).isEqualTo("\r\nOK\r\n");
        modem.faults().reboot(Duration.ZERO).join();
        assertThat(h.command("ATE0")).endsWith("OK\r\n");
        assertThat(h.command("AT+CCERTLIST")).isEqualTo("\r\n+CCERTLIST: \"cacert.pem\"\r\n\r\nOK\r\n");
        assertThat(modem.uploads("cacert.pem")).isEqualTo(2);
        assertThat(modem.files()).singleElement().satisfies(f -> assertThat(f.size()).isEqualTo(5));
    }

    @Test
    void sslContextsAnswerTheirDefaultsAndTheDocumentsSpellings() {
        FakeHost h = host("bg96");
        // capture bg96-03: an unset context's ignorelocaltime is 1
        assertThat(h.command("AT+QSSLCFG=\"ignorelocaltime\",1")).isEqualTo("\r\n+QSSLCFG: \"ignorelocaltime\",1,1\r\n\r\nOK\r\n");
        // capture bg96-03: ciphersuite quoted is refused, unquoted taken
        assertThat(h.command("AT+QSSLCFG=\"ciphersuite\",2,\"0XFFFF\"")).isEqualTo("\r\nERROR\r\n");
        assertThat(h.command("AT+QSSLCFG=\"ciphersuite\",2,0XFFFF")).isEqualTo("\r\nOK\r\n");
        // references 003/004 section 5.2 spell the level "secllevel"
        assertThat(h.command("AT+QSSLCFG=\"secllevel\",2,2")).isEqualTo("\r\nOK\r\n");
        assertThat(h.command("AT+QSSLCFG=\"seclevel\",2")).isEqualTo("\r\n+QSSLCFG: \"seclevel\",2,2\r\n\r\nOK\r\n");
        assertThat(h.command("AT+QSSLCFG=\"seclevel\",2,3")).isEqualTo("\r\nERROR\r\n");
        assertThat(h.command("AT+QSSLCFG=\"cacert\",6,\"a.pem\"")).isEqualTo("\r\nERROR\r\n");
        assertThat(h.command("AT+QSSLCFG=\"nosuchkey\",2,1")).isEqualTo("\r\nERROR\r\n");
    }
}
