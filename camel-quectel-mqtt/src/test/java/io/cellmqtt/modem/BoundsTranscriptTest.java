package io.cellmqtt.modem;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10: what a client holds is bounded. Byte for byte on a scripted BG95: a publish past
 * {@code maxPendingPublishes} (QoS 0 and 1, while the connection is down, or while the AT port is
 * busy) fails with {@link ModemBackedUpException} at once, or after waiting for room within its
 * timeout, and is never written; received messages past {@code maxPendingDeliveries} are dropped
 * and counted, and so are messages no subscription matches.
 */
class BoundsTranscriptTest extends TranscriptTestBase {

    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void stopCallers() {
        callers.shutdownNow();
    }

    private static OutgoingMessage message(String payload, int qos) {
        return new OutgoingMessage("t", payload.getBytes(StandardCharsets.US_ASCII), qos, false);
    }

    /** The publish of {@code payload} to {@code t} with message id {@code id} (0 for QoS 0), and its result. */
    private static ScriptedModem published(ScriptedModem s, String payload, int qos, int id) {
        return s.expect("AT+QMTPUBEX=0," + id + "," + qos + ",0,\"t\",\"" + payload + "\"\r")
                .lines("OK", "+QMTPUB: 0," + id + ",0");
    }

    /**
     * Connected, then the broker drops the connection once {@code lost} completes; the reconnect
     * hangs (the modem has not yet reported the network connection open) until {@code back} does.
     */
    private ScriptedModem disconnectedUntil(CompletableFuture<Void> lost, CompletableFuture<Void> back) {
        return new ScriptedModem().connected("broker", 1883, "dev")
                .pause(lost).lines("+QMTSTAT: 0,1")
                .defaultConfig(0)
                .expect("AT+QMTOPEN=0,\"broker\",1883\r").lines("OK")
                .pause(back).lines("+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"dev\"\r").lines("OK", "+QMTCONN: 0,0,0");
    }

    private MqttClient startDisconnected(QueueLimits limits, CompletableFuture<Void> lost) throws Exception {
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev").withLimits(limits));
        client.start().get(10, TimeUnit.SECONDS);
        lost.complete(null);
        await().atMost(WAIT).until(() -> client.state() != MqttClientState.CONNECTED);
        return client;
    }

    private static void assertBackedUp(CompletableFuture<PublishReceipt> f, String... phrases) {
        assertThat(f).failsWithin(Duration.ZERO).withThrowableThat().havingCause()
                .isInstanceOfSatisfying(ModemBackedUpException.class, e -> {
                    assertThat(e.getMessage()).contains(phrases);
                    assertThat(e.modem()).isEqualTo("scripted");
                    assertThat(e.clientIndex()).isZero();
                });
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1})
    void publishesPastTheBoundFailAtOnceWhileTheConnectionIsDownAndAreNeverWritten(int qos) throws Exception {
        CompletableFuture<Void> lost = new CompletableFuture<>();
        CompletableFuture<Void> back = new CompletableFuture<>();
        script = disconnectedUntil(lost, back);
        for (int i = 1; i <= 3; i++) {
            published(script, "p" + i, qos, qos == 0 ? 0 : i);
        }
        // The marker, published after the refused ones: had they been queued, they would come first.
        published(script, "marker", qos, qos == 0 ? 0 : 4).start();
        MqttClient client = startDisconnected(new QueueLimits(3, 10), lost);

        List<CompletableFuture<PublishReceipt>> accepted = List.of(client.publish(message("p1", qos)),
                client.publish(message("p2", qos)), client.publish(message("p3", qos)));
        CompletableFuture<PublishReceipt> p4 = client.publish(message("p4", qos));
        CompletableFuture<PublishReceipt> p5 = client.publish(message("p5", qos));

        // Refused on the caller's thread, before anything was posted to the modem's loop.
        assertBackedUp(p4, "The modem on scripted, client 0 is backed up: 3 publishes wait for it",
                "maxPendingPublishes=3", "'t' is refused and will never be sent", "blockWhenFull=true");
        assertBackedUp(p5, "maxPendingPublishes=3");
        assertThat(accepted).noneMatch(CompletableFuture::isDone);

        back.complete(null);
        for (CompletableFuture<PublishReceipt> f : accepted) {
            assertThat(f.get(10, TimeUnit.SECONDS).qos()).isEqualTo(qos);
        }
        client.publish(message("marker", qos)).get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
        ClientStats stats = client.stats();
        assertThat(stats.rejectedPublishes()).isEqualTo(2);
        await().atMost(WAIT).until(() -> client.stats().acknowledged() == 4 && client.stats().failed() == 2);
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1})
    void withWaitForRoomAPublishWaitsWithinItsTimeoutAndFailsTheSameWayIfNoRoomCame(int qos) throws Exception {
        CompletableFuture<Void> lost = new CompletableFuture<>();
        CompletableFuture<Void> back = new CompletableFuture<>();
        script = disconnectedUntil(lost, back);
        published(script, "a", qos, qos == 0 ? 0 : 1);
        published(script, "b", qos, qos == 0 ? 0 : 2);
        // Not c: no room came within its time. d waited for room, and got it when a and b were settled.
        published(script, "d", qos, qos == 0 ? 0 : 3);
        published(script, "marker", qos, qos == 0 ? 0 : 4).start();
        MqttClient client = startDisconnected(new QueueLimits(2, 10), lost);

        CompletableFuture<PublishReceipt> a = client.publish(message("a", qos));
        CompletableFuture<PublishReceipt> b = client.publish(message("b", qos));
        long start = System.nanoTime();
        CompletableFuture<CompletableFuture<PublishReceipt>> c = CompletableFuture.supplyAsync(
                () -> client.publish(message("c", qos), Duration.ofMillis(300), true), callers);
        CompletableFuture<PublishReceipt> cResult = c.get(10, TimeUnit.SECONDS);
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertBackedUp(cResult, "2 publishes wait for it (maxPendingPublishes=2", "no room came within 300 ms",
                "'t' is refused and will never be sent");
        assertThat(waitedMs).isGreaterThanOrEqualTo(290);

        // d's caller waits for room (its thread blocks), a long time if need be.
        CompletableFuture<CompletableFuture<PublishReceipt>> d = CompletableFuture.supplyAsync(
                () -> client.publish(message("d", qos), Duration.ofSeconds(20), true), callers);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !d.isDone());

        back.complete(null);
        a.get(10, TimeUnit.SECONDS);
        b.get(10, TimeUnit.SECONDS);
        assertThat(d.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS).qos()).isEqualTo(qos);
        client.publish(message("marker", qos)).get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
        assertThat(client.stats().rejectedPublishes()).isEqualTo(1);
    }

    /**
     * QoS 0 publishes skip the in-flight window and go to the AT port's queue at once while
     * connected: they count as well until the modem answered for them.
     */
    @Test
    void qos0PublishesQueuedForTheAtPortCountAgainstTheBound() throws Exception {
        byte[] big = new byte[600]; // over QMTPUBEX's 560 bytes: the fixed-length form, with a prompt
        Arrays.fill(big, (byte) 'b');
        CompletableFuture<Void> prompt = new CompletableFuture<>();
        script = new ScriptedModem().connected("broker", 1883, "dev")
                // The big publish holds the AT port (no prompt yet) while the QoS 0 ones queue behind it.
                .expect("AT+QMTPUB=0,1,1,0,\"t\",600\r").pause(prompt)
                .send("\r\n> ").expect(big).lines("OK", "+QMTPUB: 0,1,0");
        published(script, "a", 0, 0);
        published(script, "b", 0, 0);
        published(script, "marker", 0, 0).start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev").withLimits(new QueueLimits(3, 10)));
        client.start().get(10, TimeUnit.SECONDS);

        CompletableFuture<PublishReceipt> bigOne = client.publish(new OutgoingMessage("t", big, 1, false));
        CompletableFuture<PublishReceipt> a = client.publish(message("a", 0));
        CompletableFuture<PublishReceipt> b = client.publish(message("b", 0));
        CompletableFuture<PublishReceipt> c = client.publish(message("c", 0));
        assertBackedUp(c, "3 publishes wait for it (maxPendingPublishes=3");

        prompt.complete(null);
        bigOne.get(10, TimeUnit.SECONDS);
        a.get(10, TimeUnit.SECONDS);
        b.get(10, TimeUnit.SECONDS);
        client.publish(message("marker", 0)).get(10, TimeUnit.SECONDS);
        script.awaitFinished(WAIT);
    }

    @Test
    void receivedMessagesPastTheBoundAreDroppedAndCountedAndUnmatchedOnesToo() throws Exception {
        CompletableFuture<Void> more = new CompletableFuture<>();
        script = new ScriptedModem().connected("broker", 1883, "dev")
                .expect("AT+QMTSUB=0,1,\"cmd\",1\r").lines("OK", "+QMTSUB: 0,1,0,1")
                .lines("+QMTRECV: 0,1,\"cmd\",2,\"m1\"")
                .pause(more)
                .lines("+QMTRECV: 0,2,\"cmd\",2,\"m2\"", "+QMTRECV: 0,3,\"cmd\",2,\"m3\"",
                        "+QMTRECV: 0,4,\"cmd\",2,\"m4\"", "+QMTRECV: 0,5,\"other\",2,\"xx\"",
                        "+QMTRECV: 0,6,\"cmd\",2,\"m5\"")
                .start();
        modem = Modem.open(ModemSettings.of("scripted"), script.link());
        MqttClient client = modem.createClient(settings("broker", 1883, "dev").withLimits(new QueueLimits(10, 2)));
        client.start().get(10, TimeUnit.SECONDS);
        List<String> got = new CopyOnWriteArrayList<>();
        CountDownLatch route = new CountDownLatch(1);
        client.subscribe("cmd", 1, m -> {
            got.add(new String(m.payload(), StandardCharsets.US_ASCII));
            try {
                route.await(); // a route that blocks
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> got.equals(List.of("m1")));

        more.complete(null);
        script.awaitFinished(WAIT);
        await().atMost(WAIT).until(() -> client.stats().received() == 6);
        ClientStats held = client.stats();
        // m1 is in the route; m2 and m3 wait (the bound); m4 and m5 are dropped; "other" matched nothing.
        assertThat(held.pendingDeliveries()).isEqualTo(2);
        assertThat(held.droppedDeliveries()).isEqualTo(2);
        assertThat(held.unmatchedMessages()).isEqualTo(1);
        assertThat(client.droppedDeliveries()).isEqualTo(2);
        assertThat(client.unmatchedMessages()).isEqualTo(1);

        route.countDown();
        await().atMost(WAIT).until(() -> got.size() == 3);
        assertThat(got).containsExactly("m1", "m2", "m3");
        assertThat(client.stats().pendingDeliveries()).isZero();
        assertThat(client.stats().droppedDeliveries()).isEqualTo(2);
    }

    @Test
    void boundsBelowOneAreRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new QueueLimits(0, 1))
                .hasMessage("maxPendingPublishes=0 must be at least 1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new QueueLimits(1, 0))
                .hasMessage("maxPendingDeliveries=0 must be at least 1");
    }
}
