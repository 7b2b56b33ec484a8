package io.cellmqtt.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellmqtt.simulator.secrets.TestSecrets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/** The BC26 as reference 002 shows it, down to the timestamped session at its end. */
class Bc26SimulatorTest extends ModelFlowSupport {

    @Override
    String model() {
        return "bc26";
    }

    @Test
    void theDocumentsSession() throws Exception {
        pahoSubscribe("value", 1);
        assertThat(host.command("AT+QMTOPEN=0,\"127.0.0.1\"," + broker.port(), "+QMTOPEN: 0,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
        assertThat(host.command("AT+QMTCONN=0,\"DSI2598plus\",\"USERNAME\",\"" + TestSecrets.MQTT_PASSWORD + "\"", "+QMTCONN: 0,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTCONN: 0,0,0\r\n");
        assertThat(host.command("AT+QMTSUB=0,1,\"value\",2", "+QMTSUB: 0,1,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTSUB: 0,1,0,2\r\n");
        host.consume();
        host.send("AT+QMTPUB=0,1,1,0,\"value\",\"123\"\r");
        // the modem is subscribed to its own topic: the message comes back to it
        Matcher recv = host.awaitMatch("\r\n\\+QMTRECV: 0,(\\d+),\"value\",\"123\"\r\n");
        assertThat(Integer.parseInt(recv.group(1))).isPositive();
        assertThat(host.awaitFresh("+QMTPUB: 0,1,0\r\n")).startsWith("\r\nOK\r\n").contains("\r\n+QMTPUB: 0,1,0\r\n");
        assertThat(pahoNext().text()).isEqualTo("123");
        host.consume();
        // the broker then closes the connection: +QMTSTAT: 0,5 may follow, as on the BG95
        assertThat(host.command("AT+QMTDISC=0", "+QMTDISC: 0,")).startsWith("\r\nOK\r\n\r\n+QMTDISC: 0,0\r\n");
    }

    @Test
    void powerSavingOffAndGeneralCommands() {
        assertThat(host.command("AT+CPSMS=0")).isEqualTo(ok());
        assertThat(host.command("AT+QEDRXCFG=0")).isEqualTo(ok());
        assertThat(host.command("AT+QSCLK=0")).isEqualTo(ok());
        assertThat(host.command("AT+CEDRXS=0")).isEqualTo(error());
        assertThat(host.command("AT+QSSLCFG=\"sslversion\",2,4")).isEqualTo(error());
        assertThat(host.command("AT+QFUPL=\"cacert.pem\",10")).isEqualTo(error());
        assertThat(host.command("AT+CEREG?")).isEqualTo("\r\n+CEREG: 0,1\r\n\r\nOK\r\n");
        assertThat(host.command("ATI")).isEqualTo("\r\nQuectel_Ltd\r\nQuectel_BC26\r\nRevision: BC26NBR01A10\r\n\r\nOK\r\n");
        assertThat(host.command("AT+CGMM")).isEqualTo("\r\nQuectel_BC26\r\n\r\nOK\r\n");
        assertThat(host.command("AT+GSN")).isEqualTo("\r\n866425030000005\r\n\r\nOK\r\n");
        assertThat(host.command("AT+CPIN?")).isEqualTo("\r\n+CPIN: READY\r\n\r\nOK\r\n");
    }

    @Test
    void configurationKeysOfTheModelOnly() {
        assertThat(host.command("AT+QMTCFG=\"version\",0,4")).isEqualTo(ok());
        assertThat(host.command("AT+QMTCFG=\"keepalive\",0,120")).isEqualTo(ok());
        assertThat(host.command("AT+QMTCFG=\"keepalive\",0")).isEqualTo("\r\n+QMTCFG: \"keepalive\",120\r\n\r\nOK\r\n");
        assertThat(host.command("AT+QMTCFG=\"session\",0,1")).isEqualTo(ok());
        assertThat(host.command("AT+QMTCFG=\"timeout\",0,5,3,0")).isEqualTo(ok());
        assertThat(host.command("AT+QMTCFG=\"will\",0,1,1,0,\"dev/lwt\",\"gone\"")).isEqualTo(ok());
        for (String key : new String[] {"ssl", "pdpcid", "recv/mode", "aliauth", "bogus"}) {
            assertThat(host.command("AT+QMTCFG=\"" + key + "\",0,1")).as(key).isEqualTo(error());
        }
        assertThat(host.command("AT+QMTCFG=?")).isEqualTo("\r\n"
                + "+QMTCFG: \"version\",(0-5),(3,4)\r\n"
                + "+QMTCFG: \"keepalive\",(0-5),(0-3600)\r\n"
                + "+QMTCFG: \"session\",(0-5),(0,1)\r\n"
                + "+QMTCFG: \"timeout\",(0-5),(1-60),(0-10),(0,1)\r\n"
                + "+QMTCFG: \"will\",(0-5),(0,1),(0-2),(0,1),\"length\",\"length\"\r\n\r\nOK\r\n");
    }

    @Test
    void inlineAndCtrlZPublishButNoFixedLengthOrPubex() throws Exception {
        pahoSubscribe("nb/#", 1);
        openAndConnect(0, "bc26-forms");
        assertThat(host.command("AT+QMTPUBEX=0,1,1,0,\"nb/x\",\"x\"")).isEqualTo(error());
        assertThat(host.command("AT+QMTPUB=0,1,1,0,\"nb/x\",3")).as("fixed length").isEqualTo(error());
        assertThat(host.command("AT+QMTRECV=0")).isEqualTo(error());
        assertThat(host.command("AT+QMTPUB=0,1,1,0,\"nb/x\",\"" + "m".repeat(1025) + "\"")).isEqualTo(error());

        String max = "k".repeat(1024);
        assertThat(host.command("AT+QMTPUB=0,2,1,0,\"nb/inline\",\"" + max + "\"", "+QMTPUB: 0,2,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTPUB: 0,2,0\r\n");
        assertThat(pahoNext().text()).isEqualTo(max);
        assertThat(host.command("AT+QMTPUB=0,0,0,0,\"nb/inline\",\"a,b\"", "+QMTPUB: 0,0,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTPUB: 0,0,0\r\n");
        assertThat(pahoNext().text()).isEqualTo("a,b");

        assertThat(promptFor("AT+QMTPUB=0,3,1,0,\"nb/data\"")).isEqualTo("\r\n> ");
        host.sendBytes(latin1("say \"hi\",\r\nbye\u001a"));
        assertThat(host.awaitFresh("+QMTPUB: 0,3,")).isEqualTo("\r\nOK\r\n\r\n+QMTPUB: 0,3,0\r\n");
        assertThat(pahoNext().text()).isEqualTo("say \"hi\",\r\nbye");

        promptFor("AT+QMTPUB=0,4,1,0,\"nb/data\"");
        host.sendBytes(latin1("cancelled\u001b"));
        assertThat(host.awaitFresh("\r\nOK\r\n")).isEqualTo("\r\nOK\r\n");
        assertThat(pahoInbox.poll(200, TimeUnit.MILLISECONDS)).isNull();
        assertThat(host.all()).doesNotContain("+QMTPUB: 0,4,");
    }

    @Test
    void receivedPayloadIsQuotedWithoutLength() throws Exception {
        openAndConnect(0, "bc26-recv");
        host.command("AT+QMTSUB=0,1,\"in/#\",0", "+QMTSUB: 0,1,");
        pahoPublish("in/a", latin1("x\"y\",z"), 0);
        host.awaitFresh("\r\n+QMTRECV: 0,0,\"in/a\",\"x\"y\",z\"\r\n");
    }
}
