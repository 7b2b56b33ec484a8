package io.cellmqtt.link;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.EOFException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TcpLinkTest {

    @Test
    void talksToALocalServerAndReportsEofAsLoss() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String uri = "tcp://127.0.0.1:" + server.getLocalPort();
            Link link = Links.open(uri, 115200);
            assertThat(link).isInstanceOf(TcpLink.class);
            assertThat(link.name()).isEqualTo(uri);
            PipeLinkTest.Recorder r = new PipeLinkTest.Recorder();
            link.start(r, LinkTests.READER);
            try (Socket modem = server.accept()) {
                assertThat(((TcpLink) link).tcpNoDelay()).isTrue();
                link.write("AT+CSQ\r".getBytes(StandardCharsets.US_ASCII));
                InputStream in = modem.getInputStream();
                assertThat(new String(in.readNBytes(7), StandardCharsets.US_ASCII)).isEqualTo("AT+CSQ\r");
                modem.getOutputStream().write("\r\n+CSQ: 20,99\r\n\r\nOK\r\n".getBytes(StandardCharsets.US_ASCII));
                await().until(() -> r.text().equals("\r\n+CSQ: 20,99\r\n\r\nOK\r\n"));
                assertThat(link.isOpen()).isTrue();
            }
            assertThat(r.closed.get(5, TimeUnit.SECONDS)).isInstanceOf(EOFException.class)
                    .hasMessageContaining(uri);
            assertThat(r.closedCount.get()).isEqualTo(1);
            link.close();
            assertThat(link.isOpen()).isFalse();
        }
    }

    @Test
    void deliberateCloseReportsNull() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Link link = TcpLink.open("tcp://127.0.0.1:" + server.getLocalPort());
            PipeLinkTest.Recorder r = new PipeLinkTest.Recorder();
            link.start(r, LinkTests.READER);
            try (Socket modem = server.accept()) {
                link.close();
                assertThat(r.closed.get(5, TimeUnit.SECONDS)).isNull();
                assertThat(modem.getInputStream().read()).isEqualTo(-1);
            }
            assertThatThrownBy(() -> link.write(new byte[] {1})).isInstanceOf(LinkException.class);
        }
    }

    @Test
    void badUrisAreRefusedNamingThem() {
        for (String uri : new String[] {"tcp://", "tcp://host", "tcp://host:99999", "tcp://host:80/path", "tcp:// bad:1"}) {
            assertThatThrownBy(() -> Links.open(uri, 115200)).as(uri).isInstanceOf(LinkException.class)
                    .hasMessageContaining(uri);
        }
    }

    @Test
    void refusedConnectionNamesTheAddress() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String uri = "tcp://127.0.0.1:" + port;
        assertThatThrownBy(() -> Links.open(uri, 115200)).isInstanceOf(LinkException.class)
                .hasMessageContaining(uri);
    }
}
