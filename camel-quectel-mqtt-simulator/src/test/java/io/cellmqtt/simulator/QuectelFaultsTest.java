package io.cellmqtt.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellmqtt.simulator.fault.Faults;
import io.cellmqtt.simulator.fault.Faults.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every fault of {@link Faults} on a BG95 over in-memory pipes, against an embedded broker: the
 * exact bytes the host sees and what the broker sees (the will, or nothing).
 */
class QuectelFaultsTest extends ModelFlowSupport {

    private static final Duration QUIET = Duration.ofMillis(300);

    @Override
    String model() {
        return "bg95";
    }

    private Faults faults() {
        return modem.faults();
    }

    private void will(int idx, String topic) {
        assertThat(host.command("AT+QMTCFG=\"will\"," + idx + ",1,1,0,\"" + topic + "\",\"gone\"")).isEqualTo(ok());
    }

    private void expectWill(String topic) throws InterruptedException {
        Received r = pahoNext();
        assertThat(r.topic()).isEqualTo(topic);
        assertThat(r.text()).isEqualTo("gone");
    }

    /** Asserts the host receives nothing for a while (a fault that must stay silent). */
    private void nothingFor(Duration d) {
        host.consume();
        await().during(d).atMost(d.plusSeconds(2)).until(() -> host.fresh().isEmpty());
    }

    @Test
    void dropConnectionReportsStat1AndTheBrokerPublishesTheWill() throws Exception {
        pahoSubscribe("f/will/#", 1);
        will(0, "f/will/drop");
        openAndConnect(0, "f-drop");
        host.consume();
        faults().dropConnection(0);
        assertThat(host.awaitFresh("+QMTSTAT")).isEqualTo("\r\n+QMTSTAT: 0,1\r\n");
        expectWill("f/will/drop");
        assertThat(host.command("AT+QMTCONN?")).isEqualTo(ok());

        // no connection up: counted, nothing written
        faults().dropConnection(0);
        faults().dropConnection(3);
        nothingFor(QUIET);
        assertThat(faults().counts()).containsEntry(Kind.DROP_CONNECTION, 3L);
        // the index opens again
        openAndConnect(0, "f-drop");
    }

    @Test
    void pingTimeoutReportsStat2() throws Exception {
        pahoSubscribe("f/will/#", 1);
        will(2, "f/will/ping");
        openAndConnect(2, "f-ping");
        host.consume();
        faults().pingTimeout(2);
        assertThat(host.awaitFresh("+QMTSTAT")).isEqualTo("\r\n+QMTSTAT: 2,2\r\n");
        expectWill("f/will/ping");
        assertThat(faults().counts()).containsEntry(Kind.PING_TIMEOUT, 1L);
    }

    @Test
    void pdpDeactivationCutsEveryConnectionAndOpenFailsUntilTheContextIsActivatedAgain() throws Exception {
        pahoSubscribe("f/will/#", 1);
        will(0, "f/will/pdp0");
        will(1, "f/will/pdp1");
        openAndConnect(0, "f-pdp0");
        openAndConnect(1, "f-pdp1");
        host.consume();
        faults().deactivatePdp();
        assertThat(host.awaitFresh("pdpdeact\",1\r\n"))
                .isEqualTo("\r\n+QMTSTAT: 0,1\r\n\r\n+QMTSTAT: 1,1\r\n\r\n+QIURC: \"pdpdeact\",1\r\n");
        assertThat(java.util.Set.of(pahoNext().topic(), pahoNext().topic())).containsExactlyInAnyOrder("f/will/pdp0", "f/will/pdp1");

        assertThat(host.command("AT+QIACT?")).isEqualTo(ok());
        assertThat(host.command("AT+QMTOPEN=0,\"127.0.0.1\"," + broker.port(), "+QMTOPEN: 0,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: 0,3\r\n");
        assertThat(host.command("AT+QIACT=1")).isEqualTo(ok());
        assertThat(host.command("AT+QIACT?")).isEqualTo("\r\n+QIACT: 1,1,1,\"10.0.0.2\"\r\n" + ok());
        openAndConnect(0, "f-pdp0");

        // the host deactivating the context itself is accepted and cuts what runs on it
        assertThat(host.command("AT+QIDEACT=1", "+QMTSTAT")).isEqualTo("\r\nOK\r\n\r\n+QMTSTAT: 0,1\r\n");
        assertThat(host.command("AT+QIACT?")).isEqualTo(ok());
    }

    @Test
    void rebootLosesEveryStateSaysNothingWhileBootingThenPrintsItsBootLines() throws Exception {
        pahoSubscribe("f/will/#", 1);
        assertThat(host.command("AT+CMEE=2")).isEqualTo(ok());
        assertThat(host.command("AT+QMTCFG=\"keepalive\",0,30")).isEqualTo(ok());
        will(0, "f/will/reboot");
        openAndConnect(0, "f-reboot");
        host.consume();

        CompletableFuture<Void> booted = faults().reboot(Duration.ofMillis(1500));
        host.send("AT\r"); // ignored: the modem is booting
        nothingFor(Duration.ofMillis(600));
        expectWill("f/will/reboot");
        booted.get(5, TimeUnit.SECONDS);
        assertThat(host.awaitFresh("APP RDY\r\n")).isEqualTo("\r\nRDY\r\n\r\nAPP RDY\r\n");
        host.consume();

        // echo is on again, and every setting is back to its default
        host.send("AT\r");
        assertThat(host.awaitFresh("OK\r\n")).isEqualTo("AT\r\r\nOK\r\n");
        host.command("ATE0");
        assertThat(host.command("AT+CMEE?")).isEqualTo("\r\n+CMEE: 0\r\n" + ok());
        assertThat(host.command("AT+QMTCFG=\"keepalive\",0")).isEqualTo("\r\n+QMTCFG: \"keepalive\",120\r\n" + ok());
        assertThat(host.command("AT+QMTCFG=\"will\",0")).isEqualTo("\r\n+QMTCFG: \"will\",0\r\n" + ok());
        assertThat(host.command("AT+QMTCONN?")).isEqualTo(ok());
        assertThat(host.command("AT+QIACT?")).isEqualTo(ok());
        assertThat(host.command("AT+QMTOPEN=0,\"127.0.0.1\"," + broker.port(), "+QMTOPEN: 0,"))
                .isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: 0,3\r\n");
        assertThat(host.command("AT+QIACT=1")).isEqualTo(ok());
        openAndConnect(0, "f-reboot");
        assertThat(faults().counts()).containsEntry(Kind.REBOOT, 1L);
    }

    @Test
    void aRebootDuringADataPhaseAbandonsTheCommand() throws Exception {
        pahoSubscribe("f/abandoned", 1);
        openAndConnect(0, "f-abandon");
        promptFor("AT+QMTPUB=0,5,1,0,\"f/abandoned\",10");
        host.sendBytes(latin1("abc"));
        faults().reboot(Duration.ofMillis(200)).get(5, TimeUnit.SECONDS);
        assertThat(host.awaitFresh("APP RDY\r\n")).isEqualTo("\r\nRDY\r\n\r\nAPP RDY\r\n");
        host.consume();
        // the next bytes are the rebooted modem's: a command, echoed, no answer of the lost publish
        host.send("AT\r");
        assertThat(host.awaitFresh("OK\r\n")).isEqualTo("AT\r\r\nOK\r\n");
        assertThat(pahoInbox.poll(200, TimeUnit.MILLISECONDS)).as("nothing published").isNull();
    }

    @Test
    void silenceDiscardsInputWritesNothingAndLosesUrcsButKeepsTheConnection() throws Exception {
        openAndConnect(0, "f-silent");
        assertThat(host.command("AT+QMTSUB=0,1,\"f/s\",1", "+QMTSUB: 0,1,")).isEqualTo("\r\nOK\r\n\r\n+QMTSUB: 0,1,0,1\r\n");
        host.consume();
        CompletableFuture<Void> over = faults().silence(Duration.ofMillis(1500));
        host.send("AT+QMTCONN?\r");
        pahoPublish("f/s", "during".getBytes(StandardCharsets.UTF_8), 1);
        nothingFor(Duration.ofMillis(700));
        over.get(5, TimeUnit.SECONDS);
        assertThat(host.all()).doesNotContain("during").doesNotContain("+QMTCONN: 0,3");
        assertThat(host.command("AT+QMTCONN?")).isEqualTo("\r\n+QMTCONN: 0,3\r\n" + ok());
        pahoPublish("f/s", "after".getBytes(StandardCharsets.UTF_8), 1);
        assertThat(host.awaitFresh("\"after\"\r\n")).matches("\r\n\\+QMTRECV: 0,\\d+,\"f/s\",\"after\"\r\n");
    }

    @Test
    void delayedRepliesArriveLateAndInOrderTheirResultUrcToo() {
        Duration delay = Duration.ofMillis(700);
        faults().delayReplies(2, delay);
        host.consume();
        long t0 = System.nanoTime();
        host.send("AT\r");
        await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> host.fresh().isEmpty());
        assertThat(host.awaitFresh("OK\r\n")).isEqualTo(ok());
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(delay);

        host.consume();
        long t1 = System.nanoTime();
        host.send("AT+QMTOPEN=0,\"127.0.0.1\"," + broker.port() + "\r");
        assertThat(host.awaitFresh("+QMTOPEN: 0,0\r\n")).isEqualTo("\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
        assertThat(Duration.ofNanos(System.nanoTime() - t1)).isGreaterThanOrEqualTo(delay);

        // the third command is answered at once again
        long t2 = System.nanoTime();
        assertThat(host.command("AT")).isEqualTo(ok());
        assertThat(Duration.ofNanos(System.nanoTime() - t2)).isLessThan(delay);
    }

    @Test
    void aDuplicatedReplyRepeatsTheFinalResultAndTheResultUrcButPublishesOnce() throws Exception {
        pahoSubscribe("f/dup", 1);
        openAndConnect(0, "f-dup");
        faults().duplicateNextReply();
        host.consume();
        host.send("AT+QMTPUBEX=0,5,1,0,\"f/dup\",\"x\"\r");
        host.awaitMatch("(\\+QMTPUB: 0,5,0\r\n.*){2}");
        assertThat(host.fresh()).isEqualTo("\r\nOK\r\n\r\nOK\r\n\r\n+QMTPUB: 0,5,0\r\n\r\n+QMTPUB: 0,5,0\r\n");
        assertThat(pahoNext().text()).isEqualTo("x");
        assertThat(pahoInbox.poll(300, TimeUnit.MILLISECONDS)).as("published once").isNull();

        faults().duplicateNextReply();
        host.consume();
        host.send("AT+NOPE\r");
        host.awaitMatch("(ERROR\r\n.*){2}");
        assertThat(host.fresh()).isEqualTo("\r\nERROR\r\n\r\nERROR\r\n");
        assertThat(host.command("AT")).isEqualTo(ok());
    }

    @Test
    void garbageAndATornUrcGoOutBetweenReplies() {
        host.consume();
        faults().garbage(new byte[] {0, (byte) 0xFF, 'x', '\r'});
        assertThat(host.awaitFresh("x\r")).isEqualTo("\u0000\u00FFx\r");
        host.consume();
        faults().truncatedUrc("+QMTRECV: 0,1,\"t\",\"hello\"", 9);
        assertThat(host.awaitFresh("REC\r\n")).isEqualTo("\r\n+QMTREC\r\n");

        // during a data phase they wait for its final result, as URCs do
        openAndConnect(0, "f-garbage");
        promptFor("AT+QMTPUB=0,6,1,0,\"f/g\",2");
        faults().garbage(latin1("#noise#"));
        host.sendBytes(latin1("ok"));
        host.awaitFresh("+QMTPUB: 0,6,0\r\n");
        assertThat(host.fresh()).isEqualTo("\r\nOK\r\n#noise#\r\n+QMTPUB: 0,6,0\r\n");
        assertThat(faults().counts()).containsEntry(Kind.GARBAGE, 2L).containsEntry(Kind.TRUNCATED_URC, 1L);
    }

    @Test
    void aDroppedPromptLosesTheCommandAndItsDataIsReadAsInput() throws Exception {
        pahoSubscribe("f/p", 1);
        openAndConnect(0, "f-prompt");
        faults().dropPrompts(1);
        host.consume();
        host.send("AT+QMTPUB=0,7,1,0,\"f/p\",5\r");
        nothingFor(QUIET);
        host.send("hello"); // the payload the host sends after its prompt wait: just bytes to the modem
        nothingFor(QUIET);
        // the next line ends the noise: the modem finds the AT in it, as real ones skip noise before AT
        assertThat(host.command("AT")).isEqualTo(ok());
        assertThat(modem.commandLog()).endsWith("AT+QMTPUB=0,7,1,0,\"f/p\",5", "AT");
        assertThat(pahoInbox.poll(200, TimeUnit.MILLISECONDS)).as("nothing published").isNull();

        // the message id was not taken: the same publish now works
        assertThat(promptFor("AT+QMTPUB=0,7,1,0,\"f/p\",5")).isEqualTo("\r\n> ");
        host.sendBytes(latin1("hello"));
        assertThat(host.awaitFresh("+QMTPUB: 0,7,0\r\n")).isEqualTo("\r\nOK\r\n\r\n+QMTPUB: 0,7,0\r\n");
        assertThat(pahoNext().text()).isEqualTo("hello");
    }

    @Test
    void writeChunkingKeepsTheBytesAndIsCounted() {
        faults().setWriteChunking(42, 1);
        assertThat(host.command("ATI")).isEqualTo("\r\nQuectel\r\nBG95-M3\r\nRevision: BG95M3LAR02A03\r\n" + ok());
        modem.setWriteChunking(0, 0);
        assertThat(faults().counts()).containsEntry(Kind.WRITE_CHUNKING, 2L).containsEntry(Kind.REBOOT, 0L);
    }
}
