package io.cellmqtt.at;

import io.cellmqtt.link.LinkListener;
import io.cellmqtt.loop.ModemLoop;
import io.cellmqtt.loop.ModemThreads;
import io.cellmqtt.simulator.secrets.TestSecrets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The AT channel on its event loop, against a scripted modem on in-memory pipes: reply vs URC,
 * data phases, timeouts and resynchronising, withdrawing, losing the link, secrets.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AtChannelTest {

    private FakeModem modem;
    private ScheduledExecutorService loopThread;
    private ExecutorService readerThread;
    private ModemLoop loop;
    private AtChannel channel;
    private final List<String> health = new CopyOnWriteArrayList<>();

    /** The channel on its loop over {@code script}'s pipe, attached the way a modem attaches it. */
    private AtChannel open(FakeModem.Script script) throws Exception {
        modem = new FakeModem(script);
        loopThread = ModemThreads.standalone().newLoop("test");
        readerThread = ModemThreads.standalone().newReader("test");
        loop = new ModemLoop("test", loopThread);
        channel = new AtChannel(loop, "pipe", List.of(new QuectelRecvFraming(4096)));
        channel.setResyncTiming(Duration.ofMillis(50), Duration.ofMillis(300), 5);
        channel.setListener(new ChannelListener() {
            @Override
            public void onResynchronised(boolean echoOn) {
                health.add("resynchronised" + (echoOn ? " with echo" : ""));
            }

            @Override
            public void onUnresponsive(String why) {
                health.add("unresponsive");
            }

            @Override
            public void onWriteFailed(Exception cause) {
                health.add("write failed");
            }

            @Override
            public void onEcho() {
                health.add("echo");
            }
        });
        modem.pipe.start(new LinkListener() {
            @Override
            public void onBytes(byte[] buffer, int offset, int length) {
                byte[] chunk = java.util.Arrays.copyOfRange(buffer, offset, offset + length);
                loop.post(() -> channel.onBytes(chunk, 0, chunk.length));
            }

            @Override
            public void onClosed(Throwable cause) {
                loop.post(() -> {
                    health.add(cause == null ? "closed" : "lost");
                    channel.detach(cause);
                });
            }
        }, readerThread);
        onLoop(() -> channel.attach(modem.pipe));
        return channel;
    }

    @AfterEach
    void tearDown() {
        if (modem != null) {
            modem.close();
        }
        if (loopThread != null) {
            loopThread.shutdownNow();
            readerThread.shutdownNow();
        }
    }

    private void onLoop(Runnable r) throws Exception {
        loop.call(() -> {
            r.run();
            return null;
        }, Duration.ofSeconds(5));
    }

    private AtRequest request(AtCommand c) throws Exception {
        return loop.call(() -> channel.submit(c), Duration.ofSeconds(5));
    }

    private CompletableFuture<AtResponse> submit(AtCommand c) throws Exception {
        return request(c).result();
    }

    private AtResponse execute(AtCommand c) throws Exception {
        return get(submit(c));
    }

    private void onUrc(String prefix, UrcHandler h) throws Exception {
        onLoop(() -> channel.onUrc(prefix, h));
    }

    private static AtResponse get(CompletableFuture<AtResponse> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("did not fail: " + e, e);
        }
        throw new AssertionError("completed normally");
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A receive URC whose end cannot be told (a topic's false length, a forged OK in the payload):
     * the forged OK answers no command, nothing is read until the line was quiet, and then the
     * channel answers AT again (a command whose OK was discarded times out and resynchronises).
     */
    @Test
    void afterAnUnframeableReceiveUrcTheChannelAnswersAtAgainOnceTheLineWasQuiet() throws Exception {
        // the modem never answers AT+Y: only the publisher's payload does
        open(FakeModem.withResync((line, m) -> {
            if (!line.equals("AT+Y")) {
                m.send("\r\nOK\r\n");
            }
        }));
        onLoop(() -> channel.setQuietPeriod(Duration.ofMillis(100)));
        CompletableFuture<AtResponse> inFlight = submit(AtCommand.of("AT+Y").withTimeout(Duration.ofMillis(1500)));
        await().atMost(Duration.ofSeconds(5)).until(() -> modem.hostText().contains("AT+Y\r"));
        modem.send("\r\n+QMTRECV: 0,1,\"cmd/x\",5,\"\",10,\"\r\nOK\r\nXYZW\"\r\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> channel.framingStats().framingErrors() == 1);
        await().atMost(Duration.ofSeconds(10)).until(inFlight::isDone);
        assertThat(inFlight).as("answered by the payload's OK").isCompletedExceptionally();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(execute(AtCommand.of("AT")).result()).isEqualTo("OK"));
    }

    @Test
    void okReply() throws Exception {
        open((line, m) -> m.send("\r\nOK\r\n"));
        AtResponse r = execute(AtCommand.of("AT"));
        assertThat(r.result()).isEqualTo("OK");
        assertThat(r.lines()).isEmpty();
        assertThat(modem.hostText()).isEqualTo("AT\r");
    }

    @Test
    void errorRepliesFailWithTheResult() throws Exception {
        open((line, m) -> {
            switch (line) {
                case "AT+A" -> m.send("\r\nERROR\r\n");
                case "AT+B" -> m.send("\r\n+CME ERROR: 8508\r\n");
                case "AT+C" -> m.send("\r\n+CMS ERROR: 500\r\n");
                default -> m.send("\r\nNO CARRIER\r\n");
            }
        });
        assertThat(failure(submit(AtCommand.of("AT+A")))).isInstanceOfSatisfying(AtErrorException.class, e -> {
            assertThat(e.result()).isEqualTo("ERROR");
            assertThat(e.code()).isEqualTo(-1);
            assertThat(e.command()).isEqualTo("AT+A");
        });
        assertThat(failure(submit(AtCommand.of("AT+B")))).isInstanceOfSatisfying(AtErrorException.class,
                e -> assertThat(e.code()).isEqualTo(8508));
        assertThat(failure(submit(AtCommand.of("AT+C")))).isInstanceOfSatisfying(AtErrorException.class,
                e -> assertThat(e.code()).isEqualTo(500));
        assertThat(failure(submit(AtCommand.of("ATD")))).isInstanceOfSatisfying(AtErrorException.class,
                e -> assertThat(e.result()).isEqualTo("NO CARRIER"));
    }

    @Test
    void prefixedReplyLines() throws Exception {
        open((line, m) -> m.send("\r\n+CSQ: 20,99\r\n\r\nOK\r\n"));
        AtResponse r = execute(AtCommand.of("AT+CSQ").withReplyPrefix("+CSQ:"));
        assertThat(r.lines()).containsExactly("+CSQ: 20,99");
        assertThat(r.line()).isEqualTo("+CSQ: 20,99");
    }

    @Test
    void bareReplyLines() throws Exception {
        open((line, m) -> m.send("\r\nQuectel\r\nBG95-M3\r\nRevision: BG95M3LAR02A03\r\n\r\nOK\r\n"));
        AtResponse r = execute(AtCommand.of("ATI").withBareReply());
        assertThat(r.lines()).containsExactly("Quectel", "BG95-M3", "Revision: BG95M3LAR02A03");
    }

    @Test
    void linesNotMatchingTheReplyPrefixAreUrcsNotReply() throws Exception {
        List<AtEvent> urcs = new CopyOnWriteArrayList<>();
        open((line, m) -> m.send("\r\n+CSQ: 20,99\r\n+QMTSTAT: 0,1\r\nRING\r\nOK\r\n"));
        onUrc("+QMTSTAT:", urcs::add);
        AtResponse r = execute(AtCommand.of("AT+CSQ").withReplyPrefix("+CSQ:"));
        assertThat(r.lines()).containsExactly("+CSQ: 20,99");
        assertThat(urcs).containsExactly(new AtEvent.Line("+QMTSTAT: 0,1"));
    }

    @Test
    void urcsWithNoCommandInFlightGoToHandlersByLongestPrefix() throws Exception {
        List<String> general = new CopyOnWriteArrayList<>();
        List<AtEvent> recv = new CopyOnWriteArrayList<>();
        List<String> boot = new CopyOnWriteArrayList<>();
        open((line, m) -> m.send("\r\nOK\r\n"));
        onUrc("+QMT", e -> general.add(((AtEvent.Line) e).text()));
        onUrc("+QMTRECV:", recv::add);
        onUrc("RDY", e -> boot.add(((AtEvent.Line) e).text()));
        byte[] payload = {'a', '"', '\r', '\n', 0};
        modem.send("\r\n+QMTSTAT: 0,1\r\n");
        modem.send(concat(ascii("\r\n+QMTRECV: 0,1,\"t\",5,\""), payload, ascii("\"\r\n")));
        modem.send("\r\n+QMTRECV: 0,3\r\n\r\nRDY\r\n");
        await().untilAsserted(() -> assertThat(boot).hasSize(1));
        assertThat(recv.get(0)).isEqualTo(new AtEvent.Framed("+QMTRECV: 0,1,\"t\",5,\"", payload));
        assertThat(recv.get(1)).isEqualTo(new AtEvent.Line("+QMTRECV: 0,3"));
        assertThat(general).containsExactly("+QMTSTAT: 0,1");
    }

    @Test
    void aThrowingHandlerDoesNotStopDispatch() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        open((line, m) -> m.send("\r\nOK\r\n"));
        onUrc("+X:", e -> {
            seen.add(((AtEvent.Line) e).text());
            throw new IllegalStateException("boom");
        });
        modem.send("\r\n+X: 1\r\n+X: 2\r\n");
        await().untilAsserted(() -> assertThat(seen).containsExactly("+X: 1", "+X: 2"));
        assertThat(execute(AtCommand.of("AT")).result()).isEqualTo("OK");
    }

    @Test
    void aResultUrcArrivingBeforeOrAfterOkGoesToItsHandler() throws Exception {
        List<AtEvent> handler = new CopyOnWriteArrayList<>();
        open((line, m) -> m.send(line.startsWith("AT+QMTOPEN") ? "\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n"
                : "\r\n+QMTCONN: 0,0,0\r\nOK\r\n"));
        onUrc("+QMT", handler::add);
        assertThat(execute(AtCommand.of("AT+QMTOPEN=0,\"broker\",1883")).lines()).isEmpty();
        assertThat(execute(AtCommand.of("AT+QMTCONN=0,\"c\"")).lines()).isEmpty();
        await().untilAsserted(() -> assertThat(handler).containsExactly(new AtEvent.Line("+QMTOPEN: 0,0"),
                new AtEvent.Line("+QMTCONN: 0,0,0")));
    }

    @Test
    void commandTimeoutNamesTheCommandAndTheChannelResynchronisesAtOnce() throws Exception {
        open(FakeModem.withResync((line, m) -> {
            if (!line.equals("AT+SLOW")) {
                m.send("\r\nOK\r\n");
            }
        }));
        Throwable t = failure(submit(AtCommand.of("AT+SLOW").withTimeout(Duration.ofMillis(150))));
        assertThat(t).isInstanceOf(AtTimeoutException.class).hasMessageContaining("AT+SLOW")
                .hasMessageContaining("150 ms");
        assertThat(((AtException) t).command()).isEqualTo("AT+SLOW");
        // Without waiting for a next command: a silent modem is found out even when nothing else is to be sent.
        await().until(() -> health.contains("resynchronised"));
        assertThat(modem.hostText()).isEqualTo("AT+SLOW\r\u001bAT+CMEE?\r");
        assertThat(execute(AtCommand.of("AT+FAST")).result()).isEqualTo("OK");
        assertThat(modem.commands).endsWith("AT+FAST");
    }

    /**
     * The timed-out command's final result comes late, after the resynchronising probe was written.
     * It is not the probe's answer: the probe's is known by its {@code +CMEE:} line. Had the late OK
     * ended the resync, the probe's own OK would have come while the next command waited, and every
     * answer from then on would have belonged to the command before.
     */
    @Test
    void aLateResultOfTheTimedOutCommandIsNotTakenForTheProbesAnswer() throws Exception {
        open((line, m) -> {
            switch (line) {
                case "AT+SLOW" -> { } // answered late, below
                case "AT+CMEE?" -> m.send("\r\nOK\r\n\r\n+CMEE: 2\r\n\r\nOK\r\n"); // AT+SLOW's OK, then the probe's
                case "AT+NEXT" -> m.send("\r\n+NEXT: 1\r\n\r\nOK\r\n");
                default -> m.send("\r\nERROR\r\n");
            }
        });
        assertThat(failure(submit(AtCommand.of("AT+SLOW").withTimeout(Duration.ofMillis(100)))))
                .isInstanceOf(AtTimeoutException.class);
        assertThat(execute(AtCommand.of("AT+NEXT").withReplyPrefix("+NEXT:")).lines()).containsExactly("+NEXT: 1");
        assertThat(modem.commands).containsExactly("AT+SLOW", "AT+CMEE?", "AT+NEXT");
    }

    /**
     * Two probes went out; the first one's answer ends the resync, the second one's comes while the
     * next command waits. It is known by its {@code +CMEE:} line and is not that command's answer.
     */
    @Test
    void aProbesAnswerThatComesAfterTheResyncIsNeverTheNextCommandsAnswer() throws Exception {
        AtomicInteger probes = new AtomicInteger();
        open((line, m) -> {
            switch (line) {
                case "AT+SLOW" -> { }
                case "AT+CMEE?" -> {
                    if (probes.incrementAndGet() == 2) {
                        m.send("\r\n+CMEE: 2\r\n\r\nOK\r\n"); // the first probe's answer, late
                    }
                }
                case "AT+NEXT" -> m.send("\r\n+CMEE: 2\r\n\r\nOK\r\n\r\n+NEXT: 1\r\n\r\nOK\r\n");
                default -> m.send("\r\nERROR\r\n");
            }
        });
        assertThat(failure(submit(AtCommand.of("AT+SLOW").withTimeout(Duration.ofMillis(100)))))
                .isInstanceOf(AtTimeoutException.class);
        assertThat(execute(AtCommand.of("AT+NEXT").withReplyPrefix("+NEXT:")).lines()).containsExactly("+NEXT: 1");
    }

    @Test
    void aTimedOutPlainAtNeedsNoResync() throws Exception {
        AtomicInteger ats = new AtomicInteger();
        open((line, m) -> {
            if (ats.incrementAndGet() > 1) {
                m.send("\r\nOK\r\n");
            }
        });
        assertThat(failure(submit(AtCommand.of("AT").withTimeout(Duration.ofMillis(100)))))
                .isInstanceOf(AtTimeoutException.class);
        assertThat(execute(AtCommand.of("AT")).result()).isEqualTo("OK");
        assertThat(modem.hostText()).isEqualTo("AT\rAT\r");
    }

    @Test
    void resynchronisingThatGetsNoOkReportsTheModemUnresponsiveAndFailsWhatWaits() throws Exception {
        open((line, m) -> {
            // silent
        });
        CompletableFuture<AtResponse> slow = submit(AtCommand.of("AT+SLOW").withTimeout(Duration.ofMillis(100)));
        CompletableFuture<AtResponse> queued = submit(AtCommand.of("AT+NEXT"));
        assertThat(failure(slow)).isInstanceOf(AtTimeoutException.class);
        assertThat(failure(queued)).isInstanceOf(AtTimeoutException.class).hasMessageContaining("does not answer");
        await().until(() -> health.contains("unresponsive"));
        // Five probes after the ESC, then nothing until the owner probes again.
        assertThat(modem.commands).containsExactly("AT+SLOW", "AT+CMEE?", "AT+CMEE?", "AT+CMEE?", "AT+CMEE?",
                "AT+CMEE?");
    }

    @Test
    void anEchoOfTheResyncProbeSaysTheModemRestarted() throws Exception {
        open(FakeModem.withResync((line, m) -> {
            if (line.equals("AT+SLOW")) {
                m.echo = true; // the modem restarts while the command waits: echo is back on
            }
        }));
        assertThat(failure(submit(AtCommand.of("AT+SLOW").withTimeout(Duration.ofMillis(100)))))
                .isInstanceOf(AtTimeoutException.class);
        await().until(() -> health.contains("resynchronised with echo"));
    }

    @Test
    void anEchoedCommandIsToleratedAndReported() throws Exception {
        open((line, m) -> {
            if (line.equals("ATI")) {
                m.send("\r\nQuectel\r\nBG95-M3\r\n\r\nOK\r\n");
            } else if (line.startsWith("AT+QMTPUB")) {
                m.send("\r\n> ");
                m.readData(2);
                m.send("\r\nOK\r\n");
            } else {
                m.send("\r\nOK\r\n");
            }
        });
        modem.echo = true;
        assertThat(execute(AtCommand.of("ATI").withBareReply()).lines()).containsExactly("Quectel", "BG95-M3");
        assertThat(execute(AtCommand.of("AT+QMTPUB=0,0,0,0,\"t\",2").withData(ascii("hi"))).result()).isEqualTo("OK");
        assertThat(execute(AtCommand.of("ATE0")).lines()).isEmpty();
        assertThat(health).contains("echo");
    }

    @Test
    void commandsRunOneAtATimeInSubmissionOrder() throws Exception {
        open((line, m) -> m.send("\r\n+N: " + line.substring(5) + "\r\nOK\r\n"));
        List<CompletableFuture<AtResponse>> fs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            fs.add(submit(AtCommand.of("AT+N=" + i).withReplyPrefix("+N:")));
        }
        for (int i = 0; i < 20; i++) {
            assertThat(get(fs.get(i)).line()).isEqualTo("+N: " + i);
        }
        assertThat(modem.commands).hasSize(20);
        assertThat(modem.commands.get(0)).isEqualTo("AT+N=0");
        assertThat(modem.commands.get(19)).isEqualTo("AT+N=19");
    }

    @Test
    void dataPhaseWritesExactlyTheBytesAfterThePromptAndSaysWhenAllWasSent() throws Exception {
        byte[] payload = {'a', '\r', 0x1A};
        AtomicReference<byte[]> received = new AtomicReference<>();
        List<AtEvent> results = new CopyOnWriteArrayList<>();
        open((line, m) -> {
            m.send("\r\n> ");
            received.set(m.readData(3));
            m.send("\r\nOK\r\n\r\n+QMTPUB: 0,1,0\r\n");
        });
        onUrc("+QMTPUB:", results::add);
        AtomicInteger sentCalls = new AtomicInteger();
        AtRequest r = loop.call(() -> channel.submit(AtCommand.of("AT+QMTPUB=0,1,1,0,\"t\",3").withData(payload),
                sentCalls::incrementAndGet), Duration.ofSeconds(5));
        assertThat(get(r.result()).result()).isEqualTo("OK");
        assertThat(r.sent()).isTrue();
        assertThat(sentCalls).hasValue(1);
        await().untilAsserted(() -> assertThat(results).containsExactly(new AtEvent.Line("+QMTPUB: 0,1,0")));
        assertThat(received.get()).containsExactly(payload);
        assertThat(modem.hostBytes()).containsExactly(concat(ascii("AT+QMTPUB=0,1,1,0,\"t\",3\r"), payload));
    }

    @Test
    void dataIsNotWrittenBeforeThePromptAndTheCommandIsNotSentUntilItIs() throws Exception {
        CompletableFuture<Void> go = new CompletableFuture<>();
        open((line, m) -> {
            try {
                go.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IOException(e);
            }
            m.send("\r\n> ");
            m.readData(2);
            m.send("\r\nOK\r\n");
        });
        AtRequest r = request(AtCommand.of("AT+D=2").withData(ascii("xy")));
        await().until(() -> modem.commands.size() == 1);
        assertThat(modem.hostText()).isEqualTo("AT+D=2\r"); // nothing more while there is no prompt
        assertThat(loop.call(r::sent, Duration.ofSeconds(5))).isFalse();
        go.complete(null);
        get(r.result());
        assertThat(modem.hostText()).isEqualTo("AT+D=2\rxy");
    }

    @Test
    void errorInsteadOfPromptFailsTheCommandAndWritesNoData() throws Exception {
        open((line, m) -> {
            if (line.startsWith("AT+QMTPUB")) {
                m.send("\r\n+CME ERROR: 8508\r\n");
            } else {
                m.send("\r\nOK\r\n");
            }
        });
        AtRequest r = request(AtCommand.of("AT+QMTPUB=0,1,1,0,\"t\",3").withData(ascii("abc")));
        assertThat(failure(r.result())).isInstanceOfSatisfying(AtErrorException.class,
                e -> assertThat(e.code()).isEqualTo(8508));
        assertThat(r.sent()).isFalse();
        execute(AtCommand.of("AT"));
        assertThat(modem.hostText()).isEqualTo("AT+QMTPUB=0,1,1,0,\"t\",3\rAT\r");
    }

    /**
     * A command with a data phase is answered with the prompt, or refused with an error before it;
     * never with OK before its data. An OK that arrives while the prompt is awaited is another
     * command's (a doubled or late final result): taking it for this command's answer ended the
     * command without its data, and the modem, prompting anyway, took the next command for the data.
     */
    @Test
    void anOkWhileThePromptIsAwaitedIsNotTheAnswerAndTheDataStillGoesAfterThePrompt() throws Exception {
        AtomicReference<byte[]> received = new AtomicReference<>();
        open((line, m) -> {
            if (line.startsWith("AT+QMTPUB")) {
                m.send("\r\nOK\r\n"); // the previous command's result, doubled
                m.send("\r\n> ");
                received.set(m.readData(3));
            }
            m.send("\r\nOK\r\n");
        });
        AtRequest r = request(AtCommand.of("AT+QMTPUB=0,1,1,0,\"t\",3").withData(ascii("abc")));
        assertThat(get(r.result()).result()).isEqualTo("OK");
        assertThat(r.sent()).isTrue();
        assertThat(received.get()).containsExactly(ascii("abc"));
        execute(AtCommand.of("AT"));
        assertThat(modem.hostText()).isEqualTo("AT+QMTPUB=0,1,1,0,\"t\",3\rabcAT\r");
    }

    @Test
    void missingPromptTimesOutThenResynchronisesAndTheNextCommandSucceeds() throws Exception {
        open(FakeModem.withResync((line, m) -> {
            if (line.startsWith("AT+CSQ")) {
                m.send("\r\n+CSQ: 18,99\r\n\r\nOK\r\n");
            }
            // AT+QMTPUB: no prompt ever
        }));
        Throwable t = failure(submit(AtCommand.of("AT+QMTPUB=0,1,1,0,\"t\",3").withData(ascii("abc"))
                .withTimeout(Duration.ofMillis(200))));
        assertThat(t).isInstanceOf(AtTimeoutException.class).hasMessageContaining("prompt")
                .hasMessageContaining("AT+QMTPUB=0,1,1,0,\"t\",3");
        AtResponse r = execute(AtCommand.of("AT+CSQ").withReplyPrefix("+CSQ:"));
        assertThat(r.line()).isEqualTo("+CSQ: 18,99");
        assertThat(modem.hostText()).isEqualTo("AT+QMTPUB=0,1,1,0,\"t\",3\r" + "\u001b" + "AT+CMEE?\r" + "AT+CSQ\r");
        assertThat(modem.escapes).isEqualTo(1);
    }

    /**
     * Issue 7: SIM7600 reference 001, section 5 ("the SIM7600 module responds with {@code >}") and
     * users' SIM7600EI, SIM7600G-H and SIM7670G logs: the prompt is a bare {@code >}, nothing after
     * it until the data. Waiting for {@code "> "} timed out and the resync bytes became the data.
     */
    @Test
    void aBarePromptIsThePromptAndTheDataFollowsItExactly() throws Exception {
        AtomicReference<byte[]> received = new AtomicReference<>();
        open((line, m) -> {
            m.send("\r\n>");
            received.set(m.readData(8));
            m.send("\r\nOK\r\n");
        });
        AtRequest r = request(AtCommand.of("AT+CMQTTTOPIC=0,8").withData(ascii("PubTopic")));
        assertThat(get(r.result()).result()).isEqualTo("OK");
        assertThat(received.get()).containsExactly(ascii("PubTopic"));
        assertThat(modem.hostText()).isEqualTo("AT+CMQTTTOPIC=0,8\rPubTopic");
    }

    @Test
    void aPromptFollowedByCrLfIsThePrompt() throws Exception {
        AtomicReference<byte[]> received = new AtomicReference<>();
        open((line, m) -> {
            m.send("\r\n>\r\n");
            received.set(m.readData(3));
            m.send("\r\nOK\r\n");
        });
        AtRequest r = request(AtCommand.of("AT+CMQTTPAYLOAD=0,3").withData(ascii("a>b")));
        assertThat(get(r.result()).result()).isEqualTo("OK");
        assertThat(received.get()).containsExactly(ascii("a>b"));
    }

    /** Outside a data command, a line that starts with {@code >} is a line: here a URC's. */
    @Test
    void aLineStartingWithGreaterThanOutsideADataCommandIsALine() throws Exception {
        List<AtEvent> urcs = new CopyOnWriteArrayList<>();
        open((line, m) -> m.send("\r\n> not a prompt\r\n\r\nOK\r\n"));
        onUrc("> not", urcs::add);
        assertThat(execute(AtCommand.of("AT+X")).result()).isEqualTo("OK");
        await().untilAsserted(() -> assertThat(urcs).containsExactly(new AtEvent.Line("> not a prompt")));
    }

    /**
     * Issue 7, point 2: a SIMCom input whose prompt did not come (lost on the way, or the modem still
     * waiting) is completed with the announced number of filler bytes, never with ESC and the probe,
     * which a waiting modem takes as the data. Here the modem took the command and waits, silently:
     * it gets exactly 5 filler bytes, and the probe after them is answered as a command.
     */
    @Test
    void aSimcomInputWithoutItsPromptIsFilledToItsLengthBeforeTheProbe() throws Exception {
        AtomicReference<byte[]> taken = new AtomicReference<>();
        open(FakeModem.withResync((line, m) -> {
            if (line.startsWith("AT+CMQTTPAYLOAD")) {
                taken.set(m.readData(5)); // the prompt was lost on the wire: the modem waits for 5 bytes
                m.send("\r\nOK\r\n");
            } else if (line.equals("AT")) {
                m.send("\r\nOK\r\n");
            }
        }));
        Throwable t = failure(submit(AtCommand.of("AT+CMQTTPAYLOAD=0,5").withData(ascii("hello"))
                .withLostPrompt(AtCommand.LostPrompt.FILL_ANNOUNCED_LENGTH).withTimeout(Duration.ofMillis(200))));
        assertThat(t).isInstanceOf(AtTimeoutException.class).hasMessageContaining("prompt");
        assertThat(execute(AtCommand.of("AT")).result()).isEqualTo("OK");
        assertThat(taken.get()).containsExactly(ascii("#####"));
        assertThat(modem.hostText()).startsWith("AT+CMQTTPAYLOAD=0,5\r#####\rAT+CMEE?\r");
        assertThat(modem.escapes).isZero();
    }

    /** The same recovery, where the modem never took the command: the filler is a line without AT. */
    @Test
    void theFillerIsHarmlessToAModemThatNeverTookTheCommand() throws Exception {
        open(FakeModem.withResync((line, m) -> {
            if (!line.startsWith("AT")) {
                m.send("\r\nERROR\r\n"); // "#####": no command
            } else if (line.equals("AT")) {
                m.send("\r\nOK\r\n");
            }
            // AT+CMQTTTOPIC: lost, no answer
        }));
        assertThat(failure(submit(AtCommand.of("AT+CMQTTTOPIC=0,5").withData(ascii("topic"))
                .withLostPrompt(AtCommand.LostPrompt.FILL_ANNOUNCED_LENGTH).withTimeout(Duration.ofMillis(200)))))
                .isInstanceOf(AtTimeoutException.class);
        assertThat(execute(AtCommand.of("AT")).result()).isEqualTo("OK");
        assertThat(modem.commands).containsExactly("AT+CMQTTTOPIC=0,5", "#####", "AT+CMEE?", "AT");
    }

    /** A prompt that comes after its command timed out is no prompt: the data is not written then. */
    @Test
    void aLatePromptAfterTheTimeoutIsNotAnsweredWithData() throws Exception {
        open(FakeModem.withResync((line, m) -> {
            if (line.equals("AT")) {
                m.send("\r\nOK\r\n");
            }
            // AT+QMTPUB: no prompt in time; it comes later, below
        }));
        assertThat(failure(submit(AtCommand.of("AT+QMTPUB=0,1,1,0,\"t\",3").withData(ascii("abc"))
                .withTimeout(Duration.ofMillis(150))))).isInstanceOf(AtTimeoutException.class);
        modem.send("\r\n> ");
        assertThat(execute(AtCommand.of("AT")).result()).isEqualTo("OK");
        assertThat(modem.hostText()).doesNotContain("abc");
    }

    @Test
    void resyncRetriesTheProbeUntilAnsweredDispatchesKnownUrcsAndDiscardsStrayLines() throws Exception {
        AtomicInteger ats = new AtomicInteger();
        List<AtEvent> urcs = new CopyOnWriteArrayList<>();
        open((line, m) -> {
            switch (line) {
                case "AT+SLOW" -> m.send("\r\n+SLOW: partial\r\n");
                case "AT+CMEE?" -> {
                    if (ats.incrementAndGet() < 3) {
                        m.send("\r\ngarbage\r\n+QMTSTAT: 0,1\r\n"); // no answer yet
                    } else {
                        m.send("\r\n+CMEE: 2\r\n\r\nOK\r\n");
                    }
                }
                default -> m.send("\r\nOK\r\n");
            }
        });
        onUrc("+QMTSTAT:", urcs::add);
        assertThat(failure(submit(AtCommand.of("AT+SLOW").withData(ascii("z")).withTimeout(Duration.ofMillis(150)))))
                .isInstanceOf(AtTimeoutException.class);
        assertThat(execute(AtCommand.of("AT+NEXT")).result()).isEqualTo("OK");
        assertThat(ats.get()).isEqualTo(3);
        assertThat(modem.commands).containsExactly("AT+SLOW", "AT+CMEE?", "AT+CMEE?", "AT+CMEE?", "AT+NEXT");
        assertThat(urcs).hasSize(2); // URCs are not lost while resynchronising
    }

    @Test
    void chainedCommandsFromCompletionStagesRunOnTheLoop() throws Exception {
        open((line, m) -> m.send("\r\n+V: " + line + "\r\nOK\r\n"));
        CompletableFuture<String> chained = loop.call(() -> channel.submit(AtCommand.of("AT+A").withReplyPrefix("+V:"))
                .result()
                .thenCompose(a -> channel.submit(AtCommand.of("AT+B").withReplyPrefix("+V:")).result())
                .thenApply(b -> b.line() + "@" + (loop.inLoop() ? "loop" : Thread.currentThread().getName())),
                Duration.ofSeconds(5));
        assertThat(chained.get(10, TimeUnit.SECONDS)).isEqualTo("+V: AT+B@loop");
    }

    @Test
    void handlersAndResultsRunOnTheLoopNeverOnTheReader() throws Exception {
        open((line, m) -> m.send("\r\nOK\r\n"));
        AtomicReference<String> handlerThread = new AtomicReference<>();
        onUrc("+T", e -> handlerThread.set(Thread.currentThread().getName()));
        modem.send("\r\n+T\r\n");
        await().until(() -> handlerThread.get() != null);
        String completer = loop.call(() -> channel.submit(AtCommand.of("AT")).result()
                .thenApply(r -> Thread.currentThread().getName()), Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
        assertThat(handlerThread.get()).startsWith("cellmqtt-loop-test");
        assertThat(completer).isEqualTo(handlerThread.get());
    }

    @Test
    void aLostLinkFailsEverythingAndLaterCommandsFailAtOnce() throws Exception {
        open((line, m) -> {
            // never answers
        });
        CompletableFuture<AtResponse> inFlight = submit(AtCommand.of("AT+ONE").withTimeout(Duration.ofSeconds(20)));
        CompletableFuture<AtResponse> queued = submit(AtCommand.of("AT+TWO"));
        await().until(() -> modem.commands.contains("AT+ONE"));
        modem.pipe.disconnect();
        assertThat(failure(inFlight)).isInstanceOf(LinkLostException.class).hasMessageContaining("AT+ONE");
        assertThat(failure(queued)).isInstanceOf(LinkLostException.class).hasMessageContaining("AT+TWO");
        await().until(() -> health.contains("lost"));
        assertThat(loop.call(channel::isAttached, Duration.ofSeconds(5))).isFalse();
        assertThat(failure(submit(AtCommand.of("AT")))).isInstanceOf(LinkLostException.class);
    }

    @Test
    void abandoningFailsWhatWaitsAndResynchronisesBeforeTheNextCommand() throws Exception {
        AtomicInteger next = new AtomicInteger();
        open(FakeModem.withResync((line, m) -> {
            if (line.equals("AT+NEXT")) {
                next.incrementAndGet();
                m.send("\r\nOK\r\n");
            }
        }));
        CompletableFuture<AtResponse> inFlight = submit(AtCommand.of("AT+ONE").withTimeout(Duration.ofSeconds(20)));
        CompletableFuture<AtResponse> queued = submit(AtCommand.of("AT+TWO"));
        await().until(() -> modem.commands.contains("AT+ONE"));
        onLoop(() -> channel.abandon(new IllegalStateException("the modem restarted")));
        assertThat(failure(inFlight)).hasMessageContaining("the modem restarted");
        assertThat(failure(queued)).hasMessageContaining("AT+TWO").hasMessageContaining("the modem restarted");
        assertThat(execute(AtCommand.of("AT+NEXT")).result()).isEqualTo("OK");
        assertThat(modem.commands).containsExactly("AT+ONE", "AT+CMEE?", "AT+NEXT");
        assertThat(modem.escapes).isEqualTo(1);
    }

    @Test
    void aQueuedCommandCanBeWithdrawnAWrittenOneCannot() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        open((line, m) -> {
            if (line.equals("AT+BLOCK")) {
                try {
                    release.get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IOException(e);
                }
            }
            m.send("\r\nOK\r\n");
        });
        AtRequest first = request(AtCommand.of("AT+BLOCK"));
        AtRequest second = request(AtCommand.of("AT+WITHDRAWN"));
        AtRequest third = request(AtCommand.of("AT+THIRD"));
        await().until(() -> modem.commands.contains("AT+BLOCK"));
        assertThat(loop.call(first::withdraw, Duration.ofSeconds(5))).isFalse();
        assertThat(loop.call(second::withdraw, Duration.ofSeconds(5))).isTrue();
        assertThat(failure(second.result())).isInstanceOf(AtWithdrawnException.class)
                .hasMessageContaining("AT+WITHDRAWN");
        release.complete(null);
        get(first.result());
        get(third.result());
        assertThat(modem.commands).containsExactly("AT+BLOCK", "AT+THIRD");
    }

    @Test
    void secretsNeverShowInExceptions() throws Exception {
        String secret = TestSecrets.MQTT_PASSWORD;
        String text = "AT+QMTCONN=0,\"client\",\"user\",\"" + secret + "\"";
        String masked = "AT+QMTCONN=0,\"client\",\"user\",\"***\"";
        open(FakeModem.withResync((line, m) -> {
            if (line.contains("\"x\"")) {
                return; // times out
            }
            m.send("\r\n+CME ERROR: 8506\r\n");
        }));
        modem.echo = true;
        Throwable error = failure(submit(AtCommand.of(text).withLogText(masked)));
        assertThat(error).isInstanceOf(AtErrorException.class);
        assertThat(error.getMessage()).contains(masked).doesNotContain(secret);
        assertThat(((AtException) error).command()).doesNotContain(secret);

        String slow = text.replace("client", "x");
        Throwable timeout = failure(submit(AtCommand.of(slow).withLogText("AT+QMTCONN=0,\"x\",***")
                .withTimeout(Duration.ofMillis(100))));
        assertThat(timeout).isInstanceOf(AtTimeoutException.class);
        assertThat(timeout.getMessage()).doesNotContain(secret);

        CompletableFuture<AtResponse> lostOne = submit(AtCommand.of(slow).withLogText("AT+QMTCONN=***")
                .withTimeout(Duration.ofSeconds(20)));
        await().until(() -> modem.commands.stream().filter(slow::equals).count() == 2);
        modem.pipe.disconnect();
        Throwable lost = failure(lostOne);
        assertThat(lost).isInstanceOf(LinkLostException.class);
        assertThat(lost.getMessage()).doesNotContain(secret);
        assertThat(String.valueOf(lost.getCause())).doesNotContain(secret);
        assertThat(AtCommand.of(text).withLogText(masked).toString()).doesNotContain(secret);
    }

    @Test
    void aLateEchoOfASecretCommandIsNeverDispatched() throws Exception {
        String secret = "AT+QMTCONN=0,\"c\",\"u\",\"" + TestSecrets.MQTT_PASSWORD + "\"";
        CompletableFuture<Void> timedOut = new CompletableFuture<>();
        open(FakeModem.withResync((line, m) -> {
            if (line.equals(secret)) {
                try {
                    timedOut.get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IOException(e);
                }
                m.send(line + "\r\r\n+LATE: 1\r\n"); // echo arrives after the timeout
            } else {
                m.send("\r\nOK\r\n");
            }
        }));
        List<AtEvent> seen = new CopyOnWriteArrayList<>();
        onUrc("AT", seen::add);
        onUrc("+LATE:", seen::add);
        Throwable t = failure(submit(AtCommand.of(secret).withLogText("AT+QMTCONN=0,\"c\",\"u\",***")
                .withTimeout(Duration.ofMillis(100))));
        assertThat(t).isInstanceOf(AtTimeoutException.class);
        timedOut.complete(null); // the echo and a URC come late, while the channel resynchronises
        await().until(() -> health.contains("resynchronised"));
        await().untilAsserted(() -> assertThat(seen).containsExactly(new AtEvent.Line("+LATE: 1")));
        assertThat(execute(AtCommand.of("AT+NEXT")).result()).isEqualTo("OK");
        assertThat(seen).containsExactly(new AtEvent.Line("+LATE: 1"));
    }

    @Test
    void repliesAndInterleavedUrcsSplitIntoTinyChunksStayApart() throws Exception {
        List<AtEvent> urcs = new CopyOnWriteArrayList<>();
        open((line, m) -> {
            String n = line.substring("AT+N=".length());
            byte[] payload = {'"', '\r', '\n', (byte) Integer.parseInt(n)};
            m.send(concat(ascii("\r\n+N: " + n + "\r\n+QMTRECV: 0," + n + ",\"t\",4,\""), payload,
                    ascii("\"\r\n+QMTSTAT: 0," + n + "\r\nOK\r\n")));
        });
        modem.chunking = new java.util.Random(42);
        onUrc("+QMT", urcs::add);
        List<CompletableFuture<AtResponse>> fs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            fs.add(submit(AtCommand.of("AT+N=" + i).withReplyPrefix("+N:")));
        }
        for (int i = 0; i < 40; i++) {
            assertThat(get(fs.get(i)).lines()).containsExactly("+N: " + i);
        }
        await().untilAsserted(() -> assertThat(urcs).hasSize(80));
        for (int i = 0; i < 40; i++) {
            assertThat(urcs.get(2 * i)).isEqualTo(new AtEvent.Framed("+QMTRECV: 0," + i + ",\"t\",4,\"",
                    new byte[] {'"', '\r', '\n', (byte) i}));
            assertThat(urcs.get(2 * i + 1)).isEqualTo(new AtEvent.Line("+QMTSTAT: 0," + i));
        }
    }

    @Test
    void framedReplyLinesOfABufferReadBelongToTheReply() throws Exception {
        byte[] p1 = {'{', '"', 'a', '"', '}'};
        byte[] p2 = {'\r', '\n'};
        open((line, m) -> {
            m.send(concat(ascii("\r\n+QMTRECV: 0,1,\"t/1\",5,\""), p1, ascii("\"\r\n")));
            m.send(concat(ascii("+QMTRECV: 0,2,\"t/2\",2,\""), p2, ascii("\"\r\n\r\nOK\r\n")));
        });
        List<AtEvent> handler = new CopyOnWriteArrayList<>();
        onUrc("+QMTRECV:", handler::add);
        AtResponse r = execute(AtCommand.of("AT+QMTRECV=0").withReplyPrefix("+QMTRECV:"));
        assertThat(r.framed()).containsExactly(new AtEvent.Framed("+QMTRECV: 0,1,\"t/1\",5,\"", p1),
                new AtEvent.Framed("+QMTRECV: 0,2,\"t/2\",2,\"", p2));
        assertThat(handler).isEmpty();
    }

    @Test
    void touchingTheChannelOffTheLoopIsRefused() throws Exception {
        open((line, m) -> m.send("\r\nOK\r\n"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> channel.submit(AtCommand.of("AT")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("event loop");
    }
}
