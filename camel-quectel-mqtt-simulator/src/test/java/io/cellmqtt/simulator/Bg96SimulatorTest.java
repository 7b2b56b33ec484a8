package io.cellmqtt.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellmqtt.simulator.secrets.TestSecrets;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/** The BG96 as reference 000 (BG96 with Huawei OceanConnect) drives it. */
class Bg96SimulatorTest extends ModelFlowSupport {

    private static final String DEVICE = "7068026a-19fe-4555-8678-48a483fcd985";
    private static final String JSON = "{\r\n  \"identifier\": \"123\",\r\n  \"msgType\": \"deviceReq\",\r\n"
            + "  \"hasMore\": 0,\r\n  \"data\": [ { \"serviceId\": \"s\" } ]\r\n}";

    @Override
    String model() {
        return "bg96";
    }

    @Test
    void theDocumentsCommands() throws Exception {
        assertThat(host.command("AT+CGDCONT=1,\"IP\",\"business.gprsinternet\"")).isEqualTo(ok());
        assertThat(host.command("AT+QIACT=1")).isEqualTo(ok());
        assertThat(host.command("AT+QIACT?")).isEqualTo("\r\n+QIACT: 1,1,1,\"10.0.0.2\"\r\n\r\nOK\r\n");

        byte[] pem = latin1("-----BEGIN CERTIFICATE-----\r\nMIIC\r\n-----END CERTIFICATE-----\r\n");
        host.send("AT+QFUPL=\"cacert.pem\"," + pem.length + "\r");
        host.awaitFresh("\r\nCONNECT\r\n");
        host.consume();
        host.sendBytes(pem);
        assertThat(host.awaitFresh("\r\nOK\r\n")).isEqualTo("\r\n+QFUPL: " + pem.length + ","
                + Integer.toHexString(FakeHost.quectelChecksum(pem)) + "\r\n\r\nOK\r\n");
        host.consume();

        for (String line : new String[] {
            "AT+QMTCFG=\"SSL\", 2,1,2",
            "AT+QSSLCFG=\"cacert\",2,\"cacert.pem\"",
            "AT+QSSLCFG=\"clientcert\",2,\"client.pem\"",
            "AT+QSSLCFG=\"clientkey\",2,\"user_key.pem\"",
            "AT+QSSLCFG=\"seclevel\",2,2",
            "AT+QSSLCFG=\"sslversion\",2,4",
            "AT+QSSLCFG=\"ciphersuite\",2,0xFFFF",
            "AT+QSSLCFG=\"ignorelocaltime\",2,1"}) {
            assertThat(host.command(line)).as(line).isEqualTo(ok());
        }
        assertThat(host.command("AT+QMTCFG=\"ssl\",2")).isEqualTo("\r\n+QMTCFG: \"ssl\",1,2\r\n\r\nOK\r\n");
        assertThat(host.command("AT+QSSLCFG=\"seclevel\",2")).isEqualTo("\r\n+QSSLCFG: \"seclevel\",2,2\r\n\r\nOK\r\n");
        // the embedded broker speaks plain MQTT: TLS off again for client 2
        assertThat(host.command("AT+QMTCFG=\"SSL\",2,0")).isEqualTo(ok());

        String data = "/huawei/v1/devices/" + DEVICE + "/data/json";
        String command = "/huawei/v1/devices/" + DEVICE + "/command/json";
        pahoSubscribe(data, 1);
        assertThat(host.command("AT+QMTOPEN=2,\"127.0.0.1\"," + broker.port(), "+QMTOPEN: 2,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: 2,0\r\n");
        assertThat(host.command("AT+QMTCONN=2,\"" + DEVICE + "_0_0_2019010100\",\"" + DEVICE + "\",\"" + TestSecrets.MQTT_PASSWORD + "\"",
                "+QMTCONN: 2,")).isEqualTo("\r\nOK\r\n\r\n+QMTCONN: 2,0,0\r\n");

        assertThat(promptFor("AT+QMTPUB=2,0,0,0,\"" + data + "\"")).isEqualTo("\r\n> ");
        host.sendBytes(latin1(JSON + "\u001a"));
        assertThat(host.awaitFresh("+QMTPUB: 2,0,")).isEqualTo("\r\nOK\r\n\r\n+QMTPUB: 2,0,0\r\n");
        Received r = pahoNext();
        assertThat(r.topic()).isEqualTo(data);
        assertThat(r.text()).isEqualTo(JSON);
        host.consume();

        assertThat(host.command("AT+QMTSUB=2,1,\"" + command + "\",0", "+QMTSUB: 2,1,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTSUB: 2,1,0,0\r\n");
        pahoPublish(command, latin1("{\"cmd\":\"on\",\"v\":1}"), 0);
        host.awaitFresh("\r\n+QMTRECV: 2,0,\"" + command + "\",\"{\"cmd\":\"on\",\"v\":1}\"\r\n");
    }

    @Test
    void noPubexButFixedLengthAndLengthFramedReceive() throws Exception {
        pahoSubscribe("b96/#", 1);
        openAndConnect(0, "bg96-forms");
        assertThat(host.command("AT+QMTPUBEX=0,1,1,0,\"b96/x\",\"x\"")).isEqualTo(error());
        assertThat(host.command("AT+QMTPUBEX=?")).isEqualTo(error());
        assertThat(host.command("AT+QMTPUB=0,1,1,0,\"b96/x\",\"inline\"")).as("inline").isEqualTo(error());
        assertThat(host.command("AT+QMTPUB=0,1,1,0,\"b96/x\",4097")).isEqualTo(error());
        assertThat(host.command("AT+QMTOPEN=1,\"127.0.0.1\",\"" + broker.port() + "\"")).as("quoted port: M95 only")
                .isEqualTo(error());
        assertThat(host.command("AT+QMTPUB=?"))
                .isEqualTo("\r\n+QMTPUB: (0-5),(0-65535),(0-2),(0,1),\"<topic>\",(1-4096)\r\n\r\nOK\r\n");

        byte[] nasty = {'a', '"', ',', '\r', '\n', 0x1A, 0x1B, 'z'};
        assertThat(promptFor("AT+QMTPUB=0,1,1,0,\"b96/x\"," + nasty.length)).isEqualTo("\r\n> ");
        host.sendBytes(nasty);
        assertThat(host.awaitFresh("+QMTPUB: 0,1,")).isEqualTo("\r\nOK\r\n\r\n+QMTPUB: 0,1,0\r\n");
        assertThat(pahoNext().message().getPayload()).containsExactly(nasty);

        assertThat(host.command("AT+QMTCFG=\"recv/mode\",0,0,1")).isEqualTo(ok());
        host.command("AT+QMTSUB=0,2,\"in\",1", "+QMTSUB: 0,2,");
        pahoPublish("in", nasty, 1);
        Matcher m = host.awaitMatch("\r\n\\+QMTRECV: 0,(\\d+),\"in\"," + nasty.length + ",\"");
        assertThat(Integer.parseInt(m.group(1))).isPositive();
    }

    @Test
    void identity() {
        assertThat(host.command("ATI")).isEqualTo("\r\nQuectel\r\nBG96\r\nRevision: BG96MAR02A07M1G\r\n\r\nOK\r\n");
        assertThat(host.command("AT+CGMM")).isEqualTo("\r\nBG96\r\n\r\nOK\r\n");
        assertThat(host.command("AT+CPSMS=0")).isEqualTo(ok());
        assertThat(host.command("AT+CEDRXS=0")).isEqualTo(ok());
        assertThat(host.command("AT+QSCLK=0")).isEqualTo(ok());
        assertThat(host.command("AT+QEDRXCFG=0")).isEqualTo(error());
        assertThat(host.command("AT+QSECWRITE=\"RAM:a.pem\",10,100")).isEqualTo(error());
    }
}
