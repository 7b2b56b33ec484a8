package io.cellmqtt.at;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AtChannelTest {

    private FakeModem modem;
    private AtChannel channel;

    private AtChannel open(FakeModem.Script script) {
        modem = new FakeModem(script);
        channel = new AtChannel(modem.pipe, List.of(new QuectelRecvFraming()));
        channel.setResyncTiming(Duration.ofMillis(50), Duration.ofMillis(300), 5);
        channel.start();
        return channel;
    }

    @AfterEach
    void tearDown() {
        if (channel != null) {
            channel.close();
        }
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

    @Test
    void okReply() throws Exception {
        open((line, m) -> m.send("\r\nOK\r\n"));
        AtResponse r = channel.execute(AtCommand.of("AT"));
        assertThat(r.result()).isEqualTo("OK");
        assertThat(r.lines()).isEmpty();
        assertThat(modem.hostText()).isEqualTo("AT\r");
    }

    @Test
    void errorRepliesFailWithTheResult() {
        open((line, m) -> {
            switch (line) {
                case "AT+A" -> m.send("\r\nERROR\r\n");
                case "AT+B" -> m.send("\r\n+CME ERROR: 8508\r\n");
                case "AT+C" -> m.send("\r\n+CMS ERROR: 500\r\n");
                default -> m.send("\r\nNO CARRIER\r\n");
            }
        });
        assertThatThrownBy(() -> channel.execute(AtCommand.of("AT+A"))).isInstanceOfSatisfying(AtErrorException.class,
                e -> {
                    assertThat(e.result()).isEqualTo("ERROR");
                    assertThat(e.code()).isEqualTo(-1);
                    assertThat(e.command()).isEqualTo("AT+A");
                });
        assertThat(failure(channel.submit(AtCommand.of("AT+B")))).isInstanceOfSatisfying(AtErrorException.class,
                e -> assertThat(e.code()).isEqualTo(8508));
        assertThat(failure(channel.submit(AtCommand.of("AT+C")))).isInstanceOfSatisfying(AtErrorException.class,
                e -> assertThat(e.code()).isEqualTo(500));
        assertThat(failure(channel.submit(AtCommand.of("ATD")))).isInstanceOfSatisfying(AtErrorException.class,
                e -> assertThat(e.result()).isEqualTo("NO CARRIER"));
    }

    @Test
    void prefixedReplyLines() throws Exception {
        open((line, m) -> m.send("\r\n+CSQ: 20,99\r\n\r\nOK\r\n"));
        AtResponse r = channel.execute(AtCommand.of("AT+CSQ").withReplyPrefix("+CSQ:"));
        assertThat(r.lines()).containsExactly("+CSQ: 20,99");
        assertThat(r.line()).isEqualTo("+CSQ: 20,99");
    }

    @Test
    void bareReplyLines() throws Exception {
        open((line, m) -> m.send("\r\nQuectel\r\nBG95-M3\r\nRevision: BG95M3LAR02A03\r\n\r\nOK\r\n"));
        AtResponse r = channel.execute(AtCommand.of("ATI").withBareReply());
        assertThat(r.lines()).containsExactly("Quectel", "BG95-M3", "Revision: BG95M3LAR02A03");
    }

    @Test
    void linesNotMatchingTheReplyPrefixAreUrcsNotReply() throws Exception {
        List<AtEvent> urcs = new CopyOnWriteArrayList<>();
        open((line, m) -> m.send("\r\n+CSQ: 20,99\r\n+QMTSTAT: 0,1\r\nRING\r\nOK\r\n"));
        channel.onUrc("+QMTSTAT:", urcs::add);
        AtResponse r = channel.execute(AtCommand.of("AT+CSQ").withReplyPrefix("+CSQ:"));
        assertThat(r.lines()).containsExactly("+CSQ: 20,99");
        await().untilAsserted(() -> assertThat(urcs).containsExactly(new AtEvent.Line("+QMTSTAT: 0,1")));
    }

    @Test
    void urcsWithNoCommandInFlightGoToHandlersByLongestPrefix() throws Exception {
        List<String> general = new CopyOnWriteArrayList<>();
        List<AtEvent> recv = new CopyOnWriteArrayList<>();
        open((line, m) -> m.send("\r\nOK\r\n"));
        channel.onUrc("+QMT", e -> general.add(((AtEvent.Line) e).text()));
        channel.onUrc("+QMTRECV:", recv::add);
        byte[] payload = {'a', '"', '\r', '\n', 0};
        modem.send("\r\n+QMTSTAT: 0,1\r\n");
        modem.send(concat(ascii("\r\n+QMTRECV: 0,1,\"t\",5,\""), payload, ascii("\"\r\n")));
        modem.send("\r\n+QMTRECV: 0,3\r\n");
        await().untilAsserted(() -> assertThat(recv).hasSize(2));
        assertThat(recv.get(0)).isEqualTo(new AtEvent.Framed("+QMTRECV: 0,1,\"t\",5,\"", payload));
        assertThat(recv.get(1)).isEqualTo(new AtEvent.Line("+QMTRECV: 0,3"));
        assertThat(general).containsExactly("+QMTSTAT: 0,1");
    }

    @Test
    void aThrowingHandlerDoesNotStopDispatch() {
        List<String> seen = new CopyOnWriteArrayList<>();
        open((line, m) -> m.send("\r\nOK\r\n"));
        channel.onUrc("+X:", e -> {
            seen.add(((AtEvent.Line) e).text());
            throw new IllegalStateException("boom");
        });
        assertThat(channel.isOpen()).isTrue();
        sendQuietly("\r\n+X: 1\r\n+X: 2\r\n");
        await().untilAsserted(() -> assertThat(seen).containsExactly("+X: 1", "+X: 2"));
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void deferredUrcArrivingAfterOk() throws Exception {
        List<AtEvent> handler = new CopyOnWriteArrayList<>();
        open((line, m) -> m.send("\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n"));
        channel.onUrc("+QMTOPEN:", handler::add);
        CompletableFuture<String> opened = channel.expectUrc("+QMTOPEN: 0,", Duration.ofSeconds(5));
        AtResponse r = get(channel.submit(AtCommand.of("AT+QMTOPEN=0,\"broker\",1883")));
        assertThat(r.result()).isEqualTo("OK");
        assertThat(opened.get(5, TimeUnit.SECONDS)).isEqualTo("+QMTOPEN: 0,0");
        assertThat(handler).isEmpty();
    }

    @Test
    void deferredUrcArrivingBeforeOk() throws Exception {
        open((line, m) -> m.send("\r\n+QMTCONN: 0,0,0\r\nOK\r\n"));
        CompletableFuture<String> connected = channel.expectUrc("+QMTCONN: 0,", Duration.ofSeconds(5));
        AtResponse r = get(channel.submit(AtCommand.of("AT+QMTCONN=0,\"c\"")));
        assertThat(r.lines()).isEmpty();
        assertThat(connected.get(5, TimeUnit.SECONDS)).isEqualTo("+QMTCONN: 0,0,0");
    }

    @Test
    void waitersAreServedOldestFirstAndEachConsumesOneUrc() throws Exception {
        List<AtEvent> handler = new CopyOnWriteArrayList<>();
        open((line, m) -> m.send("\r\nOK\r\n"));
        channel.onUrc("+QMTPUB:", handler::add);
        CompletableFuture<String> first = channel.expectUrc("+QMTPUB: 0,", Duration.ofSeconds(5));
        CompletableFuture<String> second = channel.expectUrc("+QMTPUB: 0,", Duration.ofSeconds(5));
        modem.send("\r\n+QMTPUB: 0,1,0\r\n+QMTPUB: 0,2,0\r\n+QMTPUB: 0,3,0\r\n");
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("+QMTPUB: 0,1,0");
        assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("+QMTPUB: 0,2,0");
        await().untilAsserted(() -> assertThat(handler).containsExactly(new AtEvent.Line("+QMTPUB: 0,3,0")));
    }

    @Test
    void expectUrcTimesOutAndCancellingUnregisters() throws Exception {
        List<AtEvent> handler = new CopyOnWriteArrayList<>();
        open((line, m) -> m.send("\r\nOK\r\n"));
        channel.onUrc("+QMTSUB:", handler::add);
        CompletableFuture<String> late = channel.expectUrc("+QMTSUB: 0,", Duration.ofMillis(100));
        assertThat(failure(late)).isInstanceOf(AtTimeoutException.class).hasMessageContaining("+QMTSUB: 0,")
                .hasMessageContaining("100 ms");
        CompletableFuture<String> cancelled = channel.expectUrc("+QMTSUB: 0,", Duration.ofSeconds(5));
        assertThat(cancelled.cancel(false)).isTrue();
        modem.send("\r\n+QMTSUB: 0,1,0,1\r\n");
        await().untilAsserted(() -> assertThat(handler).containsExactly(new AtEvent.Line("+QMTSUB: 0,1,0,1")));
    }

    @Test
    void commandTimeoutNamesTheCommandAndTheChannelRecovers() throws Exception {
        open(FakeModem.withResync((line, m) -> {
            if (!line.equals("AT+SLOW")) {
                m.send("\r\nOK\r\n");
            }
        }));
        Throwable t = failure(channel.submit(AtCommand.of("AT+SLOW").withTimeout(Duration.ofMillis(150))));
        assertThat(t).isInstanceOf(AtTimeoutException.class).hasMessageContaining("AT+SLOW")
                .hasMessageContaining("150 ms");
        assertThat(((AtException) t).command()).isEqualTo("AT+SLOW");
        assertThat(channel.execute(AtCommand.of("AT+FAST")).result()).isEqualTo("OK");
        assertThat(modem.commands).endsWith("AT+FAST");
    }

    @Test
    void commandsRunOneAtATimeInSubmissionOrder() throws Exception {
        open((line, m) -> m.send("\r\n+N: " + line.substring(5) + "\r\nOK\r\n"));
        List<CompletableFuture<AtResponse>> fs = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            fs.add(channel.submit(AtCommand.of("AT+N=" + i).withReplyPrefix("+N:")));
        }
        for (int i = 0; i < 20; i++) {
            assertThat(get(fs.get(i)).line()).isEqualTo("+N: " + i);
        }
        assertThat(modem.commands).hasSize(20);
        assertThat(modem.commands.get(0)).isEqualTo("AT+N=0");
        assertThat(modem.commands.get(19)).isEqualTo("AT+N=19");
    }

    @Test
    void dataPhaseWritesExactlyTheBytesAfterThePrompt() throws Exception {
        byte[] payload = {'a', '\r', 0x1A};
        AtomicReference<byte[]> received = new AtomicReference<>();
        open((line, m) -> {
            m.send("\r\n> ");
            received.set(m.readData(3));
            m.send("\r\nOK\r\n\r\n+QMTPUB: 0,1,0\r\n");
        });
        CompletableFuture<String> acked = channel.expectUrc("+QMTPUB: 0,1,", Duration.ofSeconds(5));
        AtResponse r = get(channel.submit(AtCommand.of("AT+QMTPUB=0,1,1,0,\"t\",3").withData(payload)));
        assertThat(r.result()).isEqualTo("OK");
        assertThat(acked.get(5, TimeUnit.SECONDS)).isEqualTo("+QMTPUB: 0,1,0");
        assertThat(received.get()).containsExactly(payload);
        assertThat(modem.hostBytes()).containsExactly(concat(ascii("AT+QMTPUB=0,1,1,0,\"t\",3\r"), payload));
    }

    @Test
    void dataIsNotWrittenBeforeThePrompt() throws Exception {
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
        CompletableFuture<AtResponse> f = channel.submit(AtCommand.of("AT+D=2").withData(ascii("xy")));
        await().until(() -> modem.commands.size() == 1);
        assertThat(modem.hostText()).isEqualTo("AT+D=2\r"); // nothing more while there is no prompt
        go.complete(null);
        get(f);
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
        Throwable t = failure(channel.submit(AtCommand.of("AT+QMTPUB=0,1,1,0,\"t\",3").withData(ascii("abc"))));
        assertThat(t).isInstanceOfSatisfying(AtErrorException.class, e -> assertThat(e.code()).isEqualTo(8508));
        channel.execute(AtCommand.of("AT"));
        assertThat(modem.hostText()).isEqualTo("AT+QMTPUB=0,1,1,0,\"t\",3\rAT\r");
    }

    @Test
    void missingPromptTimesOutThenResynchronisesAndTheNextCommandSucceeds() throws Exception {
        open(FakeModem.withResync((line, m) -> {
            if (line.startsWith("AT+CSQ")) {
                m.send("\r\n+CSQ: 18,99\r\n\r\nOK\r\n");
            }
            // AT+QMTPUB: no prompt ever
        }));
        Throwable t = failure(channel.submit(AtCommand.of("AT+QMTPUB=0,1,1,0,\"t\",3").withData(ascii("abc"))
                .withTimeout(Duration.ofMillis(200))));
        assertThat(t).isInstanceOf(AtTimeoutException.class).hasMessageContaining("prompt")
                .hasMessageContaining("AT+QMTPUB=0,1,1,0,\"t\",3");
        AtResponse r = channel.execute(AtCommand.of("AT+CSQ").withReplyPrefix("+CSQ:"));
        assertThat(r.line()).isEqualTo("+CSQ: 18,99");
        assertThat(modem.hostText()).isEqualTo("AT+QMTPUB=0,1,1,0,\"t\",3\r" + "\u001b" + "AT\r" + "AT+CSQ\r");
        assertThat(modem.escapes).isEqualTo(1);
    }

    @Test
    void resyncRetriesAtUntilOkAndDiscardsStrayLines() throws Exception {
        AtomicInteger ats = new AtomicInteger();
        List<AtEvent> urcs = new CopyOnWriteArrayList<>();
        open((line, m) -> {
            switch (line) {
                case "AT+SLOW" -> m.send("\r\n+SLOW: partial\r\n");
                case "AT" -> {
                    if (ats.incrementAndGet() < 3) {
                        m.send("\r\ngarbage\r\n+QMTSTAT: 0,1\r\n"); // no OK yet
                    } else {
                        m.send("\r\nOK\r\n");
                    }
                }
                default -> m.send("\r\nOK\r\n");
            }
        });
        channel.onUrc("+QMTSTAT:", urcs::add);
        assertThat(failure(channel.submit(AtCommand.of("AT+SLOW").withData(ascii("z"))
                .withTimeout(Duration.ofMillis(150))))).isInstanceOf(AtTimeoutException.class);
        assertThat(channel.execute(AtCommand.of("AT+NEXT")).result()).isEqualTo("OK");
        assertThat(ats.get()).isEqualTo(3);
        assertThat(modem.commands).containsExactly("AT+SLOW", "AT", "AT", "AT", "AT+NEXT");
        assertThat(urcs).hasSize(2); // URCs are not lost while resynchronising
    }

    @Test
    void echoIsTolerated() throws Exception {
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
        assertThat(channel.execute(AtCommand.of("ATI").withBareReply()).lines()).containsExactly("Quectel", "BG95-M3");
        assertThat(channel.execute(AtCommand.of("AT+QMTPUB=0,0,0,0,\"t\",2").withData(ascii("hi"))).result())
                .isEqualTo("OK");
        assertThat(channel.execute(AtCommand.of("ATE0")).lines()).isEmpty();
    }

    @Test
    void chainedCommandsFromCompletionStagesDoNotDeadlock() throws Exception {
        open((line, m) -> m.send("\r\n+V: " + line + "\r\nOK\r\n"));
        CompletableFuture<String> chained = channel.submit(AtCommand.of("AT+A").withReplyPrefix("+V:"))
                .thenCompose(a -> channel.submit(AtCommand.of("AT+B").withReplyPrefix("+V:")))
                .thenApply(b -> {
                    try {
                        // a synchronous execute from a completion stage is allowed too
                        return b.line() + "|" + channel.execute(AtCommand.of("AT+C").withReplyPrefix("+V:")).line();
                    } catch (AtException e) {
                        throw new IllegalStateException(e);
                    }
                });
        assertThat(chained.get(10, TimeUnit.SECONDS)).isEqualTo("+V: AT+B|+V: AT+C");
    }

    @Test
    void completionsDoNotRunOnTheReaderThread() throws Exception {
        open((line, m) -> m.send("\r\nOK\r\n"));
        AtomicReference<String> readerThread = new AtomicReference<>();
        channel.onUrc("+T", e -> readerThread.set(Thread.currentThread().getName()));
        sendQuietly("\r\n+T\r\n");
        await().until(() -> readerThread.get() != null);
        String completer = channel.submit(AtCommand.of("AT"))
                .thenApply(r -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);
        assertThat(completer).isNotEqualTo(readerThread.get());
    }

    @Test
    void linkLossFailsEverythingAndNotifiesOnce() throws Exception {
        AtomicInteger lost = new AtomicInteger();
        AtomicReference<Throwable> lostCause = new AtomicReference<>();
        open((line, m) -> {
            // never answers
        });
        channel.onLinkLost(c -> {
            lost.incrementAndGet();
            lostCause.set(c);
        });
        CompletableFuture<AtResponse> inFlight = channel.submit(AtCommand.of("AT+ONE").withTimeout(Duration.ofSeconds(20)));
        CompletableFuture<AtResponse> queued = channel.submit(AtCommand.of("AT+TWO"));
        CompletableFuture<String> waiter = channel.expectUrc("+QMTOPEN:", Duration.ofSeconds(20));
        await().until(() -> modem.commands.contains("AT+ONE"));
        modem.pipe.disconnect();
        assertThat(failure(inFlight)).isInstanceOf(LinkLostException.class).hasMessageContaining("AT+ONE");
        assertThat(failure(queued)).isInstanceOf(LinkLostException.class).hasMessageContaining("AT+TWO");
        assertThat(failure(waiter)).isInstanceOf(LinkLostException.class);
        await().untilAsserted(() -> assertThat(lost.get()).isEqualTo(1));
        assertThat(lostCause.get()).isNotNull();
        assertThat(channel.isOpen()).isFalse();
        assertThat(failure(channel.submit(AtCommand.of("AT")))).isInstanceOf(LinkLostException.class);
        assertThat(failure(channel.expectUrc("+X", Duration.ofSeconds(1)))).isInstanceOf(LinkLostException.class);
        assertThatThrownBy(() -> channel.execute(AtCommand.of("AT"))).isInstanceOf(LinkLostException.class);
        assertThat(lost.get()).isEqualTo(1);
    }

    @Test
    void closeFailsPendingWithoutCallingLinkLost() throws Exception {
        AtomicInteger lost = new AtomicInteger();
        open((line, m) -> {
        });
        channel.onLinkLost(c -> lost.incrementAndGet());
        CompletableFuture<AtResponse> inFlight = channel.submit(AtCommand.of("AT+ONE").withTimeout(Duration.ofSeconds(20)));
        CompletableFuture<AtResponse> queued = channel.submit(AtCommand.of("AT+TWO"));
        await().until(() -> modem.commands.contains("AT+ONE"));
        channel.close();
        assertThat(failure(inFlight)).isInstanceOf(LinkLostException.class);
        assertThat(failure(queued)).isInstanceOf(LinkLostException.class);
        assertThat(modem.pipe.isOpen()).isFalse();
        assertThat(modem.pipe.modemInput().read(new byte[16])).isEqualTo(-1);
        assertThat(lost.get()).isZero();
    }

    @Test
    void cancellingAQueuedCommandRemovesIt() throws Exception {
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
        CompletableFuture<AtResponse> first = channel.submit(AtCommand.of("AT+BLOCK"));
        CompletableFuture<AtResponse> second = channel.submit(AtCommand.of("AT+CANCELLED"));
        CompletableFuture<AtResponse> third = channel.submit(AtCommand.of("AT+THIRD"));
        await().until(() -> modem.commands.contains("AT+BLOCK"));
        assertThat(second.cancel(false)).isTrue();
        release.complete(null);
        get(first);
        get(third);
        assertThat(modem.commands).containsExactly("AT+BLOCK", "AT+THIRD");
    }

    @Test
    void secretsNeverShowInExceptions() throws Exception {
        String secret = "s3cr3t-pw";
        String text = "AT+QMTCONN=0,\"client\",\"user\",\"" + secret + "\"";
        String masked = "AT+QMTCONN=0,\"client\",\"user\",\"***\"";
        open(FakeModem.withResync((line, m) -> {
            if (line.contains("\"x\"")) {
                return; // times out
            }
            m.send("\r\n+CME ERROR: 8506\r\n");
        }));
        modem.echo = true;
        Throwable error = failure(channel.submit(AtCommand.of(text).withLogText(masked)));
        assertThat(error).isInstanceOf(AtErrorException.class);
        assertThat(error.getMessage()).contains(masked).doesNotContain(secret);
        assertThat(((AtException) error).command()).doesNotContain(secret);

        String slow = text.replace("client", "x");
        Throwable timeout = failure(channel.submit(AtCommand.of(slow).withLogText("AT+QMTCONN=0,\"x\",***")
                .withTimeout(Duration.ofMillis(100))));
        assertThat(timeout).isInstanceOf(AtTimeoutException.class);
        assertThat(timeout.getMessage()).doesNotContain(secret);

        CompletableFuture<AtResponse> lostOne = channel.submit(AtCommand.of(slow).withLogText("AT+QMTCONN=***")
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
        String secret = "AT+QMTCONN=0,\"c\",\"u\",\"pw123\"";
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
        channel.onUrc("AT", seen::add);
        channel.onUrc("+LATE:", seen::add);
        Throwable t = failure(channel.submit(AtCommand.of(secret).withLogText("AT+QMTCONN=0,\"c\",\"u\",***")
                .withTimeout(Duration.ofMillis(100))));
        assertThat(t).isInstanceOf(AtTimeoutException.class);
        timedOut.complete(null);
        await().untilAsserted(() -> assertThat(seen).containsExactly(new AtEvent.Line("+LATE: 1")));
        assertThat(channel.execute(AtCommand.of("AT+NEXT")).result()).isEqualTo("OK");
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
        channel.onUrc("+QMT", urcs::add);
        List<CompletableFuture<AtResponse>> fs = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            fs.add(channel.submit(AtCommand.of("AT+N=" + i).withReplyPrefix("+N:")));
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
        channel.onUrc("+QMTRECV:", handler::add);
        AtResponse r = channel.execute(AtCommand.of("AT+QMTRECV=0").withReplyPrefix("+QMTRECV:"));
        assertThat(r.framed()).containsExactly(new AtEvent.Framed("+QMTRECV: 0,1,\"t/1\",5,\"", p1),
                new AtEvent.Framed("+QMTRECV: 0,2,\"t/2\",2,\"", p2));
        assertThat(handler).isEmpty();
    }

    private void sendQuietly(String s) {
        try {
            modem.send(s);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
