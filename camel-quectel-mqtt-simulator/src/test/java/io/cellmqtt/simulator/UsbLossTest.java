package io.cellmqtt.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A USB modem vanishing and coming back, seen through jSerialComm as the component sees it: the
 * open port's reads fail, the stable path disappears, then points at a new pseudo-terminal.
 */
class UsbLossTest {

    private static final String OK = "\r\nOK\r\n";
    private static EmbeddedBroker broker;
    private SimulatedModem modem;
    private MqttClient paho;
    private final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
    private SerialHost host;

    @BeforeAll
    static void startBroker() {
        broker = new EmbeddedBroker();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @BeforeEach
    void start() throws Exception {
        modem = SimulatedModem.bg95();
        paho = new MqttClient(broker.url(), "paho-usb", new MemoryPersistence());
        paho.connect(new MqttConnectOptions());
        paho.subscribe("u/#", 1, (t, m) -> inbox.add(t + "=" + new String(m.getPayload(), StandardCharsets.UTF_8)));
    }

    @AfterEach
    void stop() throws Exception {
        if (host != null) {
            host.close();
        }
        paho.disconnect();
        paho.close();
        modem.close();
    }

    private static Path target(Path link) throws Exception {
        return Files.readSymbolicLink(link);
    }

    private void openAndConnect(SerialHost h, String clientId) {
        assertThat(h.command("AT+QMTOPEN=0,\"127.0.0.1\"," + broker.port(), "+QMTOPEN: 0,0\r\n"))
                .isEqualTo(OK + "\r\n+QMTOPEN: 0,0\r\n");
        assertThat(h.command("AT+QMTCONN=0,\"" + clientId + "\"", "+QMTCONN: 0,0,0\r\n"))
                .isEqualTo(OK + "\r\n+QMTCONN: 0,0,0\r\n");
    }

    /** Unplugs, checks what the host sees while the device is away, returns the new pts once back. */
    private Path loseAndRegain(Path link, boolean reboot) throws Exception {
        Path before = target(link);
        CompletableFuture<String> back = modem.faults().usbLoss(Duration.ofMillis(400), reboot);
        assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).as("the device node is gone").isFalse();
        await().atMost(FakeHost.TIMEOUT).until(host::lost);
        String pts = back.get(5, TimeUnit.SECONDS);
        assertThat(target(link)).isEqualTo(Path.of(pts)).isNotEqualTo(before);
        host.close();
        host = null;
        return Path.of(pts);
    }

    @Test
    void withoutRebootTheHostReopensTheSamePathAndFindsItsConnection() throws Exception {
        Path link = Path.of(modem.openUsbPort());
        assertThat(link.getFileName().toString()).isEqualTo("ttyUSB2");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(target(link).toString()).startsWith("/dev/pts/");
        host = new SerialHost(link.toString());
        assertThat(host.command("ATE0")).endsWith(OK);
        openAndConnect(host, "usb-keep");

        loseAndRegain(link, false);
        host = new SerialHost(link.toString());
        assertThat(host.command("AT+QMTCONN?")).isEqualTo("\r\n+QMTCONN: 0,3\r\n" + OK);
        assertThat(host.command("AT+QMTPUBEX=0,1,1,0,\"u/keep\",\"still\"", "+QMTPUB: 0,1,0\r\n"))
                .isEqualTo(OK + "\r\n+QMTPUB: 0,1,0\r\n");
        assertThat(inbox.poll(10, TimeUnit.SECONDS)).isEqualTo("u/keep=still");
        assertThat(modem.faults().counts()).containsEntry(io.cellmqtt.simulator.fault.Faults.Kind.USB_LOSS, 1L);
    }

    @Test
    void withRebootTheWillIsPublishedAndTheBootLinesWaitOnTheNewPort() throws Exception {
        Path link = Path.of(modem.openUsbPort());
        host = new SerialHost(link.toString());
        assertThat(host.command("ATE0")).endsWith(OK);
        assertThat(host.command("AT+QMTCFG=\"will\",0,1,1,0,\"u/will\",\"gone\"")).isEqualTo(OK);
        openAndConnect(host, "usb-reboot");

        loseAndRegain(link, true);
        assertThat(inbox.poll(10, TimeUnit.SECONDS)).isEqualTo("u/will=gone");
        host = new SerialHost(link.toString());
        assertThat(host.awaitFresh("APP RDY\r\n")).isEqualTo("\r\nRDY\r\n\r\nAPP RDY\r\n");
        host.consume();
        host.send("AT\r");
        assertThat(host.awaitFresh(OK)).isEqualTo("AT\r" + OK);
    }

    @Test
    void aLossDuringADataPhaseSendsNothingAndLeavesTheMessageIdFree() throws Exception {
        Path link = Path.of(modem.openUsbPort());
        host = new SerialHost(link.toString());
        assertThat(host.command("ATE0")).endsWith(OK);
        openAndConnect(host, "usb-data");
        host.consume();
        host.send("AT+QMTPUB=0,1,1,0,\"u/data\",10\r");
        host.awaitFresh("> ");
        host.send("abc");

        loseAndRegain(link, false);
        host = new SerialHost(link.toString());
        assertThat(host.command("AT+QMTCONN?")).isEqualTo("\r\n+QMTCONN: 0,3\r\n" + OK);
        assertThat(host.command("AT+QMTPUBEX=0,1,1,0,\"u/data\",\"whole\"", "+QMTPUB: 0,1,0\r\n"))
                .isEqualTo(OK + "\r\n+QMTPUB: 0,1,0\r\n");
        assertThat(inbox.poll(10, TimeUnit.SECONDS)).isEqualTo("u/data=whole");
        assertThat(inbox.poll(200, TimeUnit.MILLISECONDS)).as("the torn publish never left").isNull();
    }
}
