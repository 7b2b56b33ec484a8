package io.cellmqtt.modem;

import io.cellmqtt.at.AtEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class SimcomReceiverTest {
    private final SimcomReceiver receiver = new SimcomReceiver(1024, 10240);

    private static AtEvent line(String text) {
        return new AtEvent.Line(text);
    }

    private static AtEvent framed(String header, String bytes) {
        return new AtEvent.Framed(header, bytes.getBytes(StandardCharsets.ISO_8859_1));
    }

    private ReceivedMessage feed(AtEvent... events) {
        ReceivedMessage last = null;
        for (int i = 0; i < events.length; i++) {
            ReceivedMessage m = receiver.accept(events[i]);
            if (m != null) {
                assertThat(i).as("a message completes only at its end line").isEqualTo(events.length - 1);
            }
            last = m;
        }
        return last;
    }

    @Test
    void wholeMessageInChunks() {
        ReceivedMessage m = feed(line("+CMQTTRXSTART: 1,6,7"),
                framed("+CMQTTRXTOPIC: 1,3", "a/b"), framed("+CMQTTRXTOPIC: 1,3", "/cd"),
                framed("+CMQTTRXPAYLOAD: 1,3", "x\r\n"), framed("+CMQTTRCPAYLOAD: 1,4", "\"y\"z"),
                line("+CMQTTRXEND: 1"));
        assertThat(m.clientIndex()).isEqualTo(1);
        assertThat(m.topic()).isEqualTo("a/b/cd");
        assertThat(new String(m.payload(), StandardCharsets.ISO_8859_1)).isEqualTo("x\r\n\"y\"z");
        assertThat(m.messageId()).isZero();
    }

    @Test
    void emptyPayloadHasNoPayloadLine() {
        ReceivedMessage m = feed(line("+CMQTTRXSTART: 0,1,0"), framed("+CMQTTRXTOPIC: 0,1", "t"),
                line("+CMQTTRXEND: 0"));
        assertThat(m.payload()).isEmpty();
    }

    @Test
    void utf8Topic() {
        byte[] topic = "température/日本".getBytes(StandardCharsets.UTF_8);
        ReceivedMessage m = feed(line("+CMQTTRXSTART: 0," + topic.length + ",1"),
                new AtEvent.Framed("+CMQTTRXTOPIC: 0," + topic.length, topic), framed("+CMQTTRXPAYLOAD: 0,1", "x"),
                line("+CMQTTRXEND: 0"));
        assertThat(m.topic()).isEqualTo("température/日本");
    }

    @Test
    void missingBytesAtTheEndDropTheMessage() {
        assertThat(feed(line("+CMQTTRXSTART: 0,1,5"), framed("+CMQTTRXTOPIC: 0,1", "t"),
                framed("+CMQTTRXPAYLOAD: 0,4", "four"), line("+CMQTTRXEND: 0"))).isNull();
        assertThat(feed(line("+CMQTTRXSTART: 0,2,0"), framed("+CMQTTRXTOPIC: 0,1", "t"),
                line("+CMQTTRXEND: 0"))).isNull();
    }

    @Test
    void moreBytesThanAnnouncedDropTheMessage() {
        assertThat(feed(line("+CMQTTRXSTART: 0,1,2"), framed("+CMQTTRXTOPIC: 0,1", "t"),
                framed("+CMQTTRXPAYLOAD: 0,3", "abc"), line("+CMQTTRXEND: 0"))).isNull();
        assertThat(feed(line("+CMQTTRXSTART: 0,1,2"), framed("+CMQTTRXTOPIC: 0,2", "tt"),
                framed("+CMQTTRXPAYLOAD: 0,2", "ab"), line("+CMQTTRXEND: 0"))).isNull();
    }

    @Test
    void piecesOutOfOrderDropTheMessage() {
        // payload before the whole topic
        assertThat(feed(line("+CMQTTRXSTART: 0,2,1"), framed("+CMQTTRXTOPIC: 0,1", "t"),
                framed("+CMQTTRXPAYLOAD: 0,1", "p"), framed("+CMQTTRXTOPIC: 0,1", "u"), line("+CMQTTRXEND: 0")))
                .isNull();
        // no start
        assertThat(feed(framed("+CMQTTRXTOPIC: 0,1", "t"), framed("+CMQTTRXPAYLOAD: 0,1", "p"),
                line("+CMQTTRXEND: 0"))).isNull();
        // a length line that was not framed (its bytes were read as lines)
        assertThat(feed(line("+CMQTTRXSTART: 0,1,1"), line("+CMQTTRXTOPIC: 0,1"), line("t"),
                framed("+CMQTTRXPAYLOAD: 0,1", "p"), line("+CMQTTRXEND: 0"))).isNull();
        // malformed start
        assertThat(feed(line("+CMQTTRXSTART: 0,x"), framed("+CMQTTRXTOPIC: 0,1", "t"), line("+CMQTTRXEND: 0")))
                .isNull();
    }

    @Test
    void aNewStartReplacesAnUnfinishedMessage() {
        ReceivedMessage m = feed(line("+CMQTTRXSTART: 0,1,9"), framed("+CMQTTRXTOPIC: 0,1", "t"),
                framed("+CMQTTRXPAYLOAD: 0,2", "ab"),
                line("+CMQTTRXSTART: 0,1,1"), framed("+CMQTTRXTOPIC: 0,1", "u"), framed("+CMQTTRXPAYLOAD: 0,1", "c"),
                line("+CMQTTRXEND: 0"));
        assertThat(m.topic()).isEqualTo("u");
        assertThat(m.payload()).isEqualTo(new byte[] {'c'});
    }

    @Test
    void indexesAreAssembledApart() {
        assertThat(receiver.accept(line("+CMQTTRXSTART: 0,1,1"))).isNull();
        assertThat(receiver.accept(line("+CMQTTRXSTART: 1,1,1"))).isNull();
        assertThat(receiver.accept(framed("+CMQTTRXTOPIC: 1,1", "b"))).isNull();
        assertThat(receiver.accept(framed("+CMQTTRXTOPIC: 0,1", "a"))).isNull();
        assertThat(receiver.accept(framed("+CMQTTRXPAYLOAD: 0,1", "0"))).isNull();
        assertThat(receiver.accept(framed("+CMQTTRXPAYLOAD: 1,1", "1"))).isNull();
        assertThat(receiver.accept(line("+CMQTTRXEND: 1")).topic()).isEqualTo("b");
        assertThat(receiver.accept(line("+CMQTTRXEND: 0")).topic()).isEqualTo("a");
    }

    @Test
    void resetDropsTheUnfinishedMessageOfThatIndexOnly() {
        receiver.accept(line("+CMQTTRXSTART: 0,1,0"));
        receiver.accept(framed("+CMQTTRXTOPIC: 0,1", "a"));
        receiver.accept(line("+CMQTTRXSTART: 1,1,0"));
        receiver.accept(framed("+CMQTTRXTOPIC: 1,1", "b"));
        receiver.reset(0);
        assertThat(receiver.accept(line("+CMQTTRXEND: 0"))).isNull();
        assertThat(receiver.accept(line("+CMQTTRXEND: 1")).topic()).isEqualTo("b");
    }
}
