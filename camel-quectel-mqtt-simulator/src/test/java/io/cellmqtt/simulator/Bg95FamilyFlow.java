package io.cellmqtt.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/** BG77 and BG600L: the BG95 application note (reference 004) under their own identities. */
abstract class Bg95FamilyFlow extends ModelFlowSupport {

    /** ATI's model line. */
    abstract String modelLine();

    @Test
    void identityAndTheBg95CommandSet() throws Exception {
        assertThat(host.command("AT+CGMM")).isEqualTo("\r\n" + modelLine() + "\r\n\r\nOK\r\n");
        assertThat(host.command("ATI")).startsWith("\r\nQuectel\r\n" + modelLine() + "\r\nRevision: ");
        pahoSubscribe("fam/#", 1);
        openAndConnect(0, model() + "-flow");
        assertThat(host.command("AT+QMTPUBEX=0,1,1,0,\"fam/x\",\"a,b\"", "+QMTPUB: 0,1,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTPUB: 0,1,0\r\n");
        assertThat(pahoNext().text()).isEqualTo("a,b");
        promptFor("AT+QMTPUB=0,2,1,0,\"fam/x\"");
        host.sendBytes(latin1("ctrl-z\u001a"));
        host.awaitFresh("\r\nOK\r\n\r\n+QMTPUB: 0,2,0\r\n");
        assertThat(pahoNext().text()).isEqualTo("ctrl-z");
        assertThat(host.command("AT+QMTCFG=\"recv/mode\",0,0,1")).isEqualTo(ok());
        host.command("AT+QMTSUB=0,3,\"in\",1", "+QMTSUB: 0,3,");
        pahoPublish("in", latin1("q\"x,"), 1);
        Matcher m = host.awaitMatch("\r\n\\+QMTRECV: 0,(\\d+),\"in\",4,\"q\"x,\"\r\n");
        assertThat(Integer.parseInt(m.group(1))).isPositive();
    }
}
