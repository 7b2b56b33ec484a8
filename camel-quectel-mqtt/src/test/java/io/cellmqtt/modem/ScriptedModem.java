package io.cellmqtt.modem;

import io.cellmqtt.link.PipeLink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A modem that follows a script on in-memory pipes: it waits for exactly the bytes the script
 * expects the host to write, then answers what the script says. Any other byte is a failure,
 * so a transcript test asserts the exact bytes the component writes.
 */
final class ScriptedModem implements AutoCloseable {
    private final PipeLink link = PipeLink.create("scripted");
    private final List<Step> steps = new ArrayList<>();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private Thread thread;

    /**
     * {@code bytes == null} from the host: it closes the link without writing anything more.
     * A step with a {@code gate} waits for the test to open it before the script goes on.
     */
    private record Step(boolean fromHost, byte[] bytes, CompletableFuture<?> gate) {
        Step(boolean fromHost, byte[] bytes) {
            this(fromHost, bytes, null);
        }
    }

    PipeLink link() {
        return link;
    }

    /** The host must write exactly these bytes next. */
    ScriptedModem expect(String hostBytes) {
        return expect(hostBytes.getBytes(StandardCharsets.ISO_8859_1));
    }

    ScriptedModem expect(byte[] hostBytes) {
        steps.add(new Step(true, hostBytes));
        return this;
    }

    /**
     * The host closes the link and writes nothing more before it does: for failures that must
     * happen before a byte of the failing step goes out.
     */
    ScriptedModem expectClosed() {
        steps.add(new Step(true, null));
        return this;
    }

    /** The script waits here until the test completes {@code gate} (a failed gate ends the script). */
    ScriptedModem pause(CompletableFuture<?> gate) {
        steps.add(new Step(false, new byte[0], gate));
        return this;
    }

    /** The modem sends these bytes. */
    ScriptedModem send(String modemBytes) {
        steps.add(new Step(false, modemBytes.getBytes(StandardCharsets.ISO_8859_1)));
        return this;
    }

    /** The modem sends each line framed as {@code \r\n<line>\r\n}. */
    ScriptedModem lines(String... lines) {
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            b.append("\r\n").append(l).append("\r\n");
        }
        return send(b.toString());
    }

    /** {@code command\r} from the host, answered by the given lines. */
    ScriptedModem on(String command, String... reply) {
        return expect(command + "\r").lines(reply);
    }

    /** The usual BG95 bring-up, answered as the simulated BG95 would. */
    ScriptedModem bringUp() {
        return bringUp("Quectel", "BG95-M3", "Revision: BG95M3LAR02A03");
    }

    /** The usual bring-up of a modem whose ATI prints {@code atiLines}, registered on LTE. */
    ScriptedModem bringUp(String... atiLines) {
        return identify(atiLines).imeiAndSim().on("AT+CEREG?", "+CEREG: 0,1", "OK");
    }

    /** Synchronisation, echo off, verbose errors, and ATI answered with {@code atiLines}. */
    ScriptedModem identify(String... atiLines) {
        return on("AT", "OK")
                .on("ATE0", "OK")
                .on("AT+CMEE=2", "OK")
                .expect("ATI\r").send("\r\n" + String.join("\r\n", atiLines) + "\r\n\r\nOK\r\n");
    }

    /** {@code AT+GSN} and {@code AT+CPIN?}, answered as every simulated model answers them. */
    ScriptedModem imeiAndSim() {
        return on("AT+GSN", "866425030000001", "OK")
                .on("AT+CPIN?", "+CPIN: READY", "OK");
    }

    /** Each command from the host, answered {@code OK}. */
    ScriptedModem ok(String... commands) {
        for (String c : commands) {
            on(c, "OK");
        }
        return this;
    }

    /** The QMTCFG sequence MqttClient sends for {@code index} with default settings. */
    ScriptedModem defaultConfig(int index) {
        return on("AT+QMTCFG=\"version\"," + index + ",4", "OK")
                .on("AT+QMTCFG=\"pdpcid\"," + index + ",1", "OK")
                .on("AT+QMTCFG=\"ssl\"," + index + ",0", "OK")
                .on("AT+QMTCFG=\"keepalive\"," + index + ",120", "OK")
                .on("AT+QMTCFG=\"session\"," + index + ",1", "OK")
                .on("AT+QMTCFG=\"timeout\"," + index + ",5,3,0", "OK")
                .on("AT+QMTCFG=\"will\"," + index + ",0", "OK")
                .on("AT+QMTCFG=\"recv/mode\"," + index + ",0,1", "OK");
    }

    /** Bring-up, default configuration of client 0, then a successful open and connect. */
    ScriptedModem connected(String host, int port, String clientId) {
        return bringUp().defaultConfig(0)
                .expect("AT+QMTOPEN=0,\"" + host + "\"," + port + "\r").lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"" + clientId + "\"\r").lines("OK", "+QMTCONN: 0,0,0");
    }

    /**
     * An older BG96 (BG96MAR02A04M1G) that refuses {@code AT+QMTCFG="version"} and {@code "recv/mode"}
     * (its document, reference 000, sets neither), brought up, configured and connected as client 0
     * to {@code broker:1883} as {@code dev}: messages then come in the length-less form.
     */
    ScriptedModem bg96WithoutRecvModeConnected() {
        return bringUp("Quectel", "BG96", "Revision: BG96MAR02A04M1G")
                .on("AT+QMTCFG=\"version\",0,4", "ERROR")
                .ok("AT+QMTCFG=\"pdpcid\",0,1", "AT+QMTCFG=\"ssl\",0,0", "AT+QMTCFG=\"keepalive\",0,120",
                        "AT+QMTCFG=\"session\",0,1", "AT+QMTCFG=\"timeout\",0,5,3,0", "AT+QMTCFG=\"will\",0,0")
                .on("AT+QMTCFG=\"recv/mode\",0,0,1", "+CME ERROR: 50")
                .expect("AT+QMTOPEN=0,\"broker\",1883\r").lines("OK", "+QMTOPEN: 0,0")
                .expect("AT+QMTCONN=0,\"dev\"\r").lines("OK", "+QMTCONN: 0,0,0");
    }

    ScriptedModem start() {
        thread = new Thread(this::run, "scripted-modem");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void run() {
        InputStream in = link.modemInput();
        OutputStream out = link.modemOutput();
        try {
            for (int i = 0; i < steps.size(); i++) {
                Step s = steps.get(i);
                if (s.gate != null) {
                    s.gate.get();
                } else if (s.fromHost && s.bytes == null) {
                    byte[] rest = in.readAllBytes();
                    synchronized (written) {
                        written.write(rest);
                    }
                    if (rest.length > 0) {
                        throw new AssertionError("step " + i + ": expected the host to close the link but it wrote <"
                                + show(rest) + ">");
                    }
                } else if (s.fromHost) {
                    byte[] got = in.readNBytes(s.bytes.length);
                    synchronized (written) {
                        written.write(got);
                    }
                    if (!Arrays.equals(got, s.bytes)) {
                        throw new AssertionError("step " + i + ": expected the host to write <" + show(s.bytes)
                                + "> but it wrote <" + show(got) + ">");
                    }
                } else {
                    out.write(s.bytes);
                    out.flush();
                }
            }
            finished.complete(null);
        } catch (IOException | RuntimeException | AssertionError | java.util.concurrent.ExecutionException e) {
            finished.completeExceptionally(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished.completeExceptionally(e);
        }
    }

    /** Waits for the whole script to have run; rethrows a mismatch. */
    void awaitFinished(Duration timeout) throws Exception {
        try {
            finished.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw new AssertionError(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("script not finished after " + timeout + "; host wrote so far: <"
                    + show(written()) + ">");
        }
    }

    byte[] written() {
        synchronized (written) {
            return written.toByteArray();
        }
    }

    static String show(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xFF;
            if (c == '\r') {
                s.append("\\r");
            } else if (c == '\n') {
                s.append("\\n");
            } else if (c < 0x20 || c >= 0x7F) {
                s.append(String.format("\\x%02X", c));
            } else {
                s.append((char) c);
            }
        }
        return s.toString();
    }

    @Override
    public void close() {
        link.disconnect();
        if (thread != null) {
            thread.interrupt();
        }
    }
}
