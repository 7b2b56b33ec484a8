package io.cellmqtt.e2e;

import io.cellmqtt.simulator.SimulatedModem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 6, failure 9: SIGTERM to an application is a routine stop, not a fault. Before, jSerialComm's
 * JVM shutdown hook closed the serial port under the component while Camel was still running: the
 * log said the port was lost and the client was reconnecting, the modem never got
 * {@code AT+QMTDISC}/{@code AT+QMTCLOSE}, and the broker kept (then dropped) the connection so the
 * will announced the gateway dead on every restart.
 */
class GracefulShutdownTest {
    private final MoquetteBroker broker;
    private final SimulatedModem modem = SimulatedModem.bg95();
    private CheckingClient checker;
    private Process app;

    GracefulShutdownTest() throws Exception {
        broker = new MoquetteBroker();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (app != null) {
            app.destroyForcibly();
        }
        modem.close();
        if (checker != null) {
            checker.close();
        }
        broker.stop();
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void sigtermDisconnectsCleanlyAndLogsNoFault() throws Exception {
        broker.start();
        String pty = modem.openPty();
        checker = new CheckingClient(broker, "checker-" + UUID.randomUUID());
        checker.subscribe("shutdown/#", 1);
        Path log = Files.createTempFile("cellmqtt-shutdown", ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        app = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ShutdownApp.class.getName(),
                pty, broker.url(), "shutdown-" + UUID.randomUUID())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> !checker.on("shutdown/readings").isEmpty());

        app.destroy(); // SIGTERM
        assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("the application exits").isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);

        List<String> commands = modem.commandLog();
        assertThat(commands).as(output).anyMatch(c -> c.startsWith("AT+QMTDISC="));
        assertThat(commands).as(output).anyMatch(c -> c.startsWith("AT+QMTCLOSE="));
        assertThat(output).doesNotContainIgnoringCase("lost").doesNotContainIgnoringCase("reconnecting");
        // Had the connection been left open, the modem going away now would make the broker publish the will.
        modem.close();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> checker.on("shutdown/will").isEmpty());
    }
}
