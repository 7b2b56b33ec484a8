package io.cellmqtt.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellmqtt.simulator.secrets.TestSecrets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/** The M95 as its application note (reference 003) shows it. */
class M95SimulatorTest extends ModelFlowSupport {

    @Override
    String model() {
        return "m95";
    }

    @Test
    void example51WithoutSsl() throws Exception {
        pahoSubscribe("topic/pub", 0);
        assertThat(host.command("AT+QMTOPEN=0, \"127.0.0.1\"," + broker.port(), "+QMTOPEN: 0,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
        assertThat(host.command("AT+QMTOPEN?")).isEqualTo("\r\n+QMTOPEN: 0,\"127.0.0.1\"," + broker.port() + "\r\n\r\nOK\r\n");
        assertThat(host.command("AT+QMTCONN=0,\"clientExample\",\"username\",\"" + TestSecrets.MQTT_PASSWORD + "\"", "+QMTCONN: 0,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTCONN: 0,0,0\r\n");
        assertThat(host.command("AT+QMTSUB=0,1,\"topic/example\",2", "+QMTSUB: 0,1,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTSUB: 0,1,0,2\r\n");
        assertThat(host.command("AT+QMTSUB=0,1,\"topic/pub\",0", "+QMTSUB: 0,1,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTSUB: 0,1,0,0\r\n");

        pahoPublish("topic/example", latin1("This is the payload related to topic"), 0);
        host.awaitFresh("\r\n+QMTRECV: 0,0, \"topic/example\",This is the payload related to topic\r\n");
        host.consume();

        assertThat(host.command("AT+QMTUNS=0,2, \"topic/example\"", "+QMTUNS: 0,2,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTUNS: 0,2,0\r\n");

        assertThat(promptFor("AT+QMTPUB=0,0,0,0,\"topic/pub\"")).isEqualTo("\r\n> ");
        host.sendBytes(latin1("This is test data, hello MQTT.\u001a"));
        host.awaitFresh("+QMTPUB: 0,0,0");
        // the modem receives its own publish too: it is subscribed to topic/pub
        host.awaitFresh("\r\n+QMTRECV: 0,0, \"topic/pub\",This is test data, hello MQTT.\r\n");
        assertThat(host.fresh()).startsWith("\r\nOK\r\n").contains("\r\n+QMTPUB: 0,0,0\r\n");
        assertThat(pahoNext().text()).isEqualTo("This is test data, hello MQTT.");
        host.consume();

        // then the broker closes the connection: table 2's "+QMTSTAT: 0,5 ... a normal process"
        assertThat(host.command("AT+QMTDISC=0", "+QMTDISC: 0,")).startsWith("\r\nOK\r\n\r\n+QMTDISC: 0,0\r\n");
        host.awaitMatch("\r\n\\+QMTDISC: 0,0\r\n\r\n\\+QMTSTAT: 0,5\r\n");
    }

    @Test
    void example52SslConfigurationAndQuotedPort() throws Exception {
        assertThat(host.command("AT+QMTCFG=\"SSL\", 0, 1, 2")).isEqualTo(ok());
        assertThat(host.command("AT+QMTCFG=\"SSL\",0")).isEqualTo("\r\n+QMTCFG: 1,2\r\n\r\nOK\r\n");
        byte[] pem = latin1("-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n");
        host.send("AT+QSECWRITE=\"RAM:cacert.pem\"," + pem.length + ",100\r");
        host.awaitFresh("\r\nCONNECT\r\n");
        host.consume();
        host.sendBytes(pem);
        assertThat(host.awaitFresh("\r\nOK\r\n")).isEqualTo("\r\n+QSECWRITE: " + pem.length + ","
                + Integer.toHexString(FakeHost.quectelChecksum(pem)) + "\r\n\r\nOK\r\n");
        host.consume();
        for (String line : new String[] {
            "AT+QSSLCFG=\"cacert\",2,\"RAM:cacert.pem\"",
            "AT+QSSLCFG=\"clientcert\",2,\"RAM:client.pem\"",
            "AT+QSSLCFG=\"clientkey\",2,\"RAM:user_key.pem\"",
            "AT+QSSLCFG=\"secllevel\",2,2",
            "AT+QSSLCFG=\"sslversion\",2,4",
            "AT+QSSLCFG=\"ciphersuite\",2,\"0xFFFF\"",
            "AT+Qsslcfg=\"ignorertctime\",1"}) {
            assertThat(host.command(line)).as(line).isEqualTo(ok());
        }
        // the embedded broker speaks plain MQTT: TLS off again before the document's quoted-port open
        assertThat(host.command("AT+QMTCFG=\"SSL\",0,0")).isEqualTo(ok());
        assertThat(host.command("AT+QMTOPEN=0, \"127.0.0.1\", \"" + broker.port() + "\"", "+QMTOPEN: 0,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
        assertThat(host.command("AT+QMTCONN=0,\"M95_0206\"", "+QMTCONN: 0,")).isEqualTo("\r\nOK\r\n\r\n+QMTCONN: 0,0,0\r\n");
        assertThat(host.command("AT+QMTSUB=0,1,\"$aws/things/M95_0206/shadow/update/accepted\",1", "+QMTSUB: 0,1,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTSUB: 0,1,0,1\r\n");
        promptFor("AT+QMTPUB=0,1,1,0,\"$aws/things/M95_0206/shadow/update/accepted\"");
        host.sendBytes(latin1("This is publish data from client\u001a"));
        // the broker may deliver the modem's own message before its PUBACK
        assertThat(host.awaitFresh("\r\n+QMTPUB: 0,1,0\r\n")).startsWith("\r\nOK\r\n");
        Matcher m = host.awaitMatch("\r\n\\+QMTRECV: 0,(\\d+), \"\\$aws/things/M95_0206/shadow/update/accepted\","
                + "This is publish data from client\r\n");
        assertThat(Integer.parseInt(m.group(1))).isPositive();
    }

    @Test
    void configurationKeysAreUpperCaseOnly() {
        assertThat(host.command("AT+QMTCFG=\"KEEPALIVE\",0,60")).isEqualTo(ok());
        assertThat(host.command("AT+QMTCFG=\"KEEPALIVE\",0")).isEqualTo("\r\n+QMTCFG: 60\r\n\r\nOK\r\n");
        assertThat(host.command("AT+QMTCFG=\"SESSION\",0,0")).isEqualTo(ok());
        assertThat(host.command("AT+QMTCFG=\"SESSION\",0")).isEqualTo("\r\n+QMTCFG: 0\r\n\r\nOK\r\n");
        assertThat(host.command("AT+QMTCFG=\"TIMEOUT\",0,10,2,1")).isEqualTo(ok());
        assertThat(host.command("AT+QMTCFG=\"TIMEOUT\",0")).isEqualTo("\r\n+QMTCFG: 10,2,1\r\n\r\nOK\r\n");
        assertThat(host.command("AT+QMTCFG=\"WILL\",0,1,1,0,\"dev/lwt\",\"gone\"")).isEqualTo(ok());
        assertThat(host.command("AT+QMTCFG=\"WILL\",0")).isEqualTo("\r\n+QMTCFG: 1,1,0,\"dev/lwt\",\"gone\"\r\n\r\nOK\r\n");
        for (String key : new String[] {"keepalive", "Keepalive", "session", "timeout", "will", "ssl", "version",
            "VERSION", "pdpcid", "PDPCID", "recv/mode", "RECV/MODE", "aliauth"}) {
            assertThat(host.command("AT+QMTCFG=\"" + key + "\",0")).as(key).isEqualTo(error());
        }
        assertThat(host.command("AT+QMTCFG=?")).isEqualTo("\r\n"
                + "+QMTCFG: \"WILL\",(0-5),(0,1),(0-2),(0,1),\"length\",\"length\"\r\n"
                + "+QMTCFG: \"TIMEOUT\",(0-5),(1-60),(0-10),(0,1)\r\n"
                + "+QMTCFG: \"SESSION\",(0-5),(0,1)\r\n"
                + "+QMTCFG: \"KEEPALIVE\",(0-5),(0-3600)\r\n"
                + "+QMTCFG: \"SSL\",(0-5),(0,1),(0-5)\r\n\r\nOK\r\n");
    }

    @Test
    void onlyTheCtrlZPublishExists() {
        openAndConnect(0, "m95-forms");
        assertThat(host.command("AT+QMTPUBEX=0,1,1,0,\"t\",\"x\"")).isEqualTo(error());
        assertThat(host.command("AT+QMTPUBEX=?")).isEqualTo(error());
        assertThat(host.command("AT+QMTPUB=0,1,1,0,\"t\",5")).as("fixed length").isEqualTo(error());
        assertThat(host.command("AT+QMTPUB=0,1,1,0,\"t\",\"inline\"")).as("inline").isEqualTo(error());
        assertThat(host.command("AT+QMTRECV=0")).isEqualTo(error());
        assertThat(host.command("AT+QMTPUB=?"))
                .isEqualTo("\r\n+QMTPUB: (0-5),(0-65535),(0-2),(0,1),\"<topic>\",\"<msg>\"\r\n\r\nOK\r\n");
        assertThat(host.command("AT+QMTOPEN=1,\"127.0.0.1\",\"x\"")).isEqualTo(error());
    }

    @Test
    void sixthPublishInFlightIsCmeError8512() {
        openAndConnect(0, "m95-window");
        modem.setNetworkLatency(Duration.ofSeconds(2)); // holds the PUBACKs back
        for (int id = 1; id <= 5; id++) {
            promptFor("AT+QMTPUB=0," + id + ",1,0,\"w\"");
            host.sendBytes(latin1("m" + id + "\u001a"));
            host.awaitFresh("\r\nOK\r\n");
        }
        assertThat(host.command("AT+QMTPUB=0,6,1,0,\"w\"", "8512\r\n")).as("no prompt, the document's error")
                .isEqualTo("\r\n+CME ERROR: 8512\r\n");
        // QoS 0 takes no place in the window
        promptFor("AT+QMTPUB=0,0,0,0,\"w\"");
        host.sendBytes(latin1("q0\u001a"));
        host.awaitFresh("\r\nOK\r\n");
        for (int id = 1; id <= 5; id++) {
            host.awaitMatch("\\+QMTPUB: 0," + id + ",0\r\n");
        }
        modem.setNetworkLatency(Duration.ZERO);
        promptFor("AT+QMTPUB=0,6,1,0,\"w\"");
        host.sendBytes(latin1("m6\u001a"));
        host.awaitFresh("+QMTPUB: 0,6,0");
    }

    @Test
    void dataBeyond1548BytesIsDropped() throws Exception {
        pahoSubscribe("big", 1);
        openAndConnect(0, "m95-big");
        byte[] data = new byte[1600];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) ('a' + i % 26);
        }
        promptFor("AT+QMTPUB=0,3,1,0,\"big\"");
        host.sendBytes(data);
        host.sendBytes(new byte[] {0x1A});
        assertThat(host.awaitFresh("+QMTPUB: 0,3,0")).isEqualTo("\r\nOK\r\n\r\n+QMTPUB: 0,3,0\r\n");
        assertThat(pahoNext().message().getPayload()).containsExactly(Arrays.copyOf(data, 1548));
    }

    @Test
    void escCancelsThePublish() throws Exception {
        pahoSubscribe("esc", 1);
        openAndConnect(0, "m95-esc");
        promptFor("AT+QMTPUB=0,4,1,0,\"esc\"");
        host.sendBytes(latin1("never sent\u001b"));
        assertThat(host.awaitFresh("\r\nOK\r\n")).isEqualTo("\r\nOK\r\n");
        // the id is free again and nothing reached the broker
        promptFor("AT+QMTPUB=0,4,1,0,\"esc\"");
        host.sendBytes(latin1("sent\u001a"));
        host.awaitFresh("+QMTPUB: 0,4,0");
        assertThat(pahoNext().text()).isEqualTo("sent");
        assertThat(pahoInbox.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void receivedPayloadIsUnquotedToTheEndOfTheLine() throws Exception {
        openAndConnect(0, "m95-recv");
        host.command("AT+QMTSUB=0,1,\"in/#\",1", "+QMTSUB: 0,1,");
        pahoPublish("in/q", latin1("a \"quoted\", b,c"), 1);
        Matcher m = host.awaitMatch("\r\n\\+QMTRECV: 0,(\\d+), \"in/q\",a \"quoted\", b,c\r\n");
        assertThat(Integer.parseInt(m.group(1))).isPositive();
        pahoPublish("in/z", latin1("\"all quoted\""), 0);
        host.awaitMatch("\r\n\\+QMTRECV: 0,0, \"in/z\",\"all quoted\"\r\n");
    }

    @Test
    void gsmGeneralCommands() {
        assertThat(host.command("ATI")).isEqualTo("\r\nQuectel_Ltd\r\nQuectel_M95\r\nRevision: M95FAR02A08\r\n\r\nOK\r\n");
        assertThat(host.command("AT+CGMM")).isEqualTo("\r\nQuectel_M95\r\n\r\nOK\r\n");
        assertThat(host.command("AT+CEREG?")).isEqualTo(error());
        assertThat(host.command("AT+CGREG?")).isEqualTo("\r\n+CGREG: 0,1\r\n\r\nOK\r\n");
        assertThat(host.command("AT+CREG?")).isEqualTo("\r\n+CREG: 0,1\r\n\r\nOK\r\n");
        assertThat(host.command("AT+CPSMS=0")).isEqualTo(error());
        assertThat(host.command("AT+CEDRXS=0")).isEqualTo(error());
        assertThat(host.command("AT+QEDRXCFG=0")).isEqualTo(error());
        assertThat(host.command("AT+QSCLK=0")).isEqualTo(ok());
        assertThat(host.command("AT+QICSGP=1,\"CMNET\",\"user\",\"" + TestSecrets.APN_PASSWORD + "\"")).isEqualTo(ok());
        assertThat(host.command("AT+QICSGP=1,\"CMNET\"")).isEqualTo(ok());
        assertThat(host.command("AT+QICSGP=1,1,\"CMNET\",\"\",\"\",1")).as("the BG95 form").isEqualTo(error());
        assertThat(host.command("AT+QIACT")).isEqualTo(ok());
        assertThat(host.command("AT+QIACT?")).isEqualTo(error());
        assertThat(host.command("AT+QFUPL=\"a.pem\",10")).isEqualTo(error());
        assertThat(host.command("AT+CSSLCFG=\"sslversion\",0,4")).isEqualTo(error());
    }
}
