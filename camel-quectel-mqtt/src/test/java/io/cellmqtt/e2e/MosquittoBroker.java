package io.cellmqtt.e2e;

import org.awaitility.Awaitility;

import java.io.File;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The {@code mosquitto} binary, when the machine has it (CI installs it), on a loopback port. */
final class MosquittoBroker implements TestBroker {
    private final int port;
    private final Path config;
    private Process process;

    MosquittoBroker() throws Exception {
        this.port = MoquetteBroker.freePort();
        this.config = Files.createTempFile("mosquitto", ".conf");
        Files.writeString(config, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n");
        config.toFile().deleteOnExit();
    }

    /** The path of the mosquitto binary, or null: looked up on PATH and in /usr/sbin. */
    static String binary() {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            File f = new File(dir, "mosquitto");
            if (f.isFile() && f.canExecute()) {
                return f.getAbsolutePath();
            }
        }
        return null;
    }

    static boolean available() {
        return binary() != null;
    }

    @Override
    public String name() {
        return "mosquitto";
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public synchronized void start() throws Exception {
        process = new ProcessBuilder(binary(), "-c", config.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Awaitility.await("mosquitto listening on " + port).atMost(Duration.ofSeconds(10)).until(this::accepting);
    }

    private boolean accepting() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host(), port), 200);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public synchronized void stop() {
        if (process != null) {
            process.destroy();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }
}
