package io.cellmqtt.modem;

import io.cellmqtt.at.AtChannel;
import io.cellmqtt.at.AtCommand;
import io.cellmqtt.link.Link;
import io.cellmqtt.link.LinkListener;
import io.cellmqtt.loop.ModemLoop;
import io.cellmqtt.loop.ModemThreads;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A real {@link AtChannel} on its event loop over a link that records every byte the host writes
 * and answers like an agreeable modem: a prompt where a command takes data ({@code CONNECT} for
 * Quectel's file uploads), then {@code OK}, and the success URC the MQTT commands report. It reads
 * the host's bytes with {@link StrictAtStream}'s rules, so it knows how much data follows a prompt;
 * a line that does not parse is answered {@code ERROR}. Cheap to make, for one try of a property.
 */
final class CommandCapture implements AutoCloseable {
    /** One loop thread for every capture: a capture is used by one try at a time. */
    private static final ScheduledExecutorService LOOP_THREAD = ModemThreads.standalone().newLoop("capture");
    private static final Duration WAIT = Duration.ofSeconds(5);

    final ModemLoop loop = new ModemLoop("capture", LOOP_THREAD);
    final AtChannel channel = new AtChannel(loop, "capture", List.of());
    private final AnsweringLink link = new AnsweringLink();

    CommandCapture() {
        Outcome attached = run(() -> {
            channel.attach(link);
            return CompletableFuture.completedFuture(null);
        });
        if (attached.failure() != null) {
            throw new IllegalStateException("attaching failed", attached.failure());
        }
    }

    /** What an operation did: the bytes it wrote, and how it ended. */
    record Outcome(byte[] written, Throwable failure) {
        boolean refused() {
            return failure instanceof IllegalArgumentException;
        }

        List<StrictAtStream.Unit> units() {
            return StrictAtStream.parse(written);
        }

        @Override
        public String toString() {
            return "wrote <" + ScriptedModem.show(written) + ">" + (failure == null ? "" : ", failed: " + failure);
        }
    }

    /**
     * Runs {@code operation} on the loop and waits for it to end. An {@link IllegalArgumentException}
     * thrown or returned is its refusal; the bytes are those written from its start to its end.
     */
    Outcome run(Supplier<CompletableFuture<?>> operation) {
        int from = link.size();
        Throwable failure = null;
        try {
            call(operation);
        } catch (TimeoutException e) {
            throw new AssertionError("the operation did not end within " + WAIT + "; written: <"
                    + ScriptedModem.show(link.bytesFrom(from)) + ">", e);
        } catch (Throwable t) {
            failure = t;
        }
        // the loop's queue is empty of this operation's work once its future completed there
        return new Outcome(link.bytesFrom(from), failure);
    }

    /** Submits {@code command} and waits for its end. */
    Outcome submit(AtCommand command) {
        return run(() -> channel.submit(command).result());
    }

    private void call(Supplier<CompletableFuture<?>> operation) throws Throwable {
        CompletableFuture<?> f = loop.submit(() -> {
            try {
                return operation.get().thenApply(v -> null);
            } catch (IllegalArgumentException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
        try {
            f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw Failures.cause(e);
        }
    }

    @Override
    public void close() {
        loop.close();
    }

    /** The link: records, and answers through the loop as the modem would through the reader. */
    private final class AnsweringLink implements Link {
        private final ByteArrayOutputStream all = new ByteArrayOutputStream();
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private StrictAtStream.Unit awaiting;
        private long remaining;
        private boolean untilCtrlZ;
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();

        synchronized int size() {
            return all.size();
        }

        synchronized byte[] bytesFrom(int from) {
            byte[] b = all.toByteArray();
            return Arrays.copyOfRange(b, Math.min(from, b.length), b.length);
        }

        @Override
        public String name() {
            return "capture";
        }

        @Override
        public void start(LinkListener listener, java.util.concurrent.Executor reader) {
        }

        @Override
        public void write(byte[] bytes) {
            synchronized (this) {
                all.writeBytes(bytes);
            }
            for (byte b : bytes) {
                take(b);
            }
        }

        private void take(byte b) {
            if (awaiting != null) {
                if (untilCtrlZ && b == 0x1A) {
                    finishData();
                } else {
                    data.write(b);
                    if (!untilCtrlZ && --remaining == 0) {
                        finishData();
                    }
                }
            } else if (b == '\r') {
                byte[] l = line.toByteArray();
                line.reset();
                commandLine(l);
            } else {
                line.write(b);
            }
        }

        private void commandLine(byte[] l) {
            StrictAtStream.Unit u;
            try {
                u = StrictAtStream.parseLine(l);
            } catch (AssertionError e) {
                answer("\r\nERROR\r\n");
                return;
            }
            StrictAtStream.DataKind kind = StrictAtStream.dataKind(u);
            if (kind.length() < 0 && !kind.ctrlZ()) {
                answer(reply(u, null));
                return;
            }
            boolean connect = u.name().equals("+QFUPL") || u.name().equals("+QSECWRITE");
            String prompt = connect ? "\r\nCONNECT\r\n" : "\r\n> ";
            if (kind.length() == 0) {
                answer(prompt + reply(u, new byte[0]));
                return;
            }
            awaiting = u;
            untilCtrlZ = kind.ctrlZ();
            remaining = kind.length();
            data.reset();
            answer(prompt);
        }

        private void finishData() {
            StrictAtStream.Unit u = awaiting;
            awaiting = null;
            answer(reply(u, data.toByteArray()));
        }

        private void answer(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            loop.post(() -> channel.onBytes(b, 0, b.length));
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    /** {@code OK}, and the result URC of the MQTT commands that report one: all successful. */
    private static String reply(StrictAtStream.Unit u, byte[] data) {
        List<StrictAtStream.Field> f = u.fields();
        String idx = f.isEmpty() ? "0" : String.valueOf(f.get(0) instanceof StrictAtStream.Num n ? n.value() : 0);
        String id = f.size() > 1 && f.get(1) instanceof StrictAtStream.Num n ? String.valueOf(n.value()) : "0";
        String ok = "\r\nOK\r\n";
        if (!u.form().equals("=")) {
            return u.name().equals("+CMQTTSTART") ? ok + "\r\n+CMQTTSTART: 0\r\n" : ok;
        }
        return switch (u.name()) {
            case "+QMTOPEN" -> ok + "\r\n+QMTOPEN: " + idx + ",0\r\n";
            case "+QMTCONN" -> ok + "\r\n+QMTCONN: " + idx + ",0,0\r\n";
            case "+QMTSUB" -> ok + "\r\n+QMTSUB: " + idx + "," + id + ",0,0\r\n";
            case "+QMTUNS" -> ok + "\r\n+QMTUNS: " + idx + "," + id + ",0\r\n";
            case "+QMTPUB", "+QMTPUBEX" -> ok + "\r\n+QMTPUB: " + idx + "," + id + ",0\r\n";
            case "+QMTDISC" -> ok + "\r\n+QMTDISC: " + idx + ",0\r\n";
            case "+QMTCLOSE" -> ok + "\r\n+QMTCLOSE: " + idx + ",0\r\n";
            case "+CMQTTCONNECT" -> ok + "\r\n+CMQTTCONNECT: " + idx + ",0\r\n";
            case "+CMQTTPUB" -> ok + "\r\n+CMQTTPUB: " + idx + ",0\r\n";
            case "+CMQTTSUB" -> ok + "\r\n+CMQTTSUB: " + idx + ",0\r\n";
            case "+CMQTTUNSUB" -> ok + "\r\n+CMQTTUNSUB: " + idx + ",0\r\n";
            case "+CMQTTDISC" -> ok + "\r\n+CMQTTDISC: " + idx + ",0\r\n";
            case "+QFUPL", "+QSECWRITE" -> "\r\n" + u.name() + ": " + data.length + ","
                    + Integer.toHexString(checksum(data)) + "\r\n" + ok;
            default -> ok;
        };
    }

    /** Quectel's upload checksum: XOR of 16-bit big-endian words. */
    private static int checksum(byte[] b) {
        int x = 0;
        for (int i = 0; i < b.length; i += 2) {
            x ^= ((b[i] & 0xFF) << 8) | (i + 1 < b.length ? b[i + 1] & 0xFF : 0);
        }
        return x;
    }
}
