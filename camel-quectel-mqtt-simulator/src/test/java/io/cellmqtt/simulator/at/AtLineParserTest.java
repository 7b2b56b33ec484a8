package io.cellmqtt.simulator.at;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellmqtt.simulator.secrets.TestSecrets;
import org.junit.jupiter.api.Test;

class AtLineParserTest {

    @Test
    void passwordsAreMaskedInLogsOnly() {
        assertThat(AtInterpreter.maskSecrets("AT+QMTCONN=0,\"id\",\"user\",\"" + TestSecrets.MQTT_PASSWORD + "\""))
                .isEqualTo("AT+QMTCONN=0,\"id\",\"user\",\"***\"");
        assertThat(AtInterpreter.maskSecrets("AT+QMTCONN=0,\"id\"")).isEqualTo("AT+QMTCONN=0,\"id\"");
    }

    @Test
    void parserKeepsCommasAndBytesInsideQuotes() {
        AtCommand c = AtLineParser.parse("+QMTPUBEX=0,1,1,0,\"a/b\",\"x,y\"".getBytes()).orElseThrow();
        assertThat(c.name()).isEqualTo("+QMTPUBEX");
        assertThat(c.type()).isEqualTo(AtCommand.Type.WRITE);
        assertThat(c.argCount()).isEqualTo(6);
        assertThat(c.arg(5).text()).isEqualTo("x,y");
        assertThat(c.arg(4).quoted()).isTrue();
        assertThat(AtLineParser.parse("+QMTOPEN?".getBytes()).orElseThrow().type()).isEqualTo(AtCommand.Type.READ);
        assertThat(AtLineParser.parse("+QMTOPEN=?".getBytes()).orElseThrow().type()).isEqualTo(AtCommand.Type.TEST);
    }
}
