package io.cellmqtt.link;

import io.cellmqtt.simulator.host.Pty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A modem whose port is gone lists the ports that exist in its error ({@link SerialLink#portsPresent()},
 * jSerialComm's {@code getCommPorts}) on every reopen attempt, while another modem in the same JVM may be
 * opening its own port.
 *
 * <p>Source: jSerialComm 2.11.0, {@code SerialPort_Posix.c}. {@code openPortNative} adds the port's
 * native record to a list shared by the whole JVM and only then opens the device and stores the fd in
 * it; {@code getCommPortsNative} frees every record in that list whose fd is not set and whose path it
 * did not enumerate (pseudo-terminals, {@code /dev/serial/by-id/...} links). A listing that falls into
 * that window frees the record the opening port goes on using: its reads and writes then use whatever
 * the freed memory holds as the fd. Seen in CI: the first write to a PTY the test had just opened
 * failed with "error 0", the read loop having already failed and closed the port.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SerialLinkOpenWhileListingTest {
    /** At most this many rounds, for at most {@link #RUN_NANOS}: without the fix, one in a few dozen went wrong. */
    private static final int ROUNDS = 300;
    /** Each opening waits for the listing under way (tens of ms in a container): bound the run's time too. */
    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(5);

    @Test
    void aPortOpenedWhilePortsAreListedKeepsWorking() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Thread lister = new Thread(() -> {
            while (!stop.get()) {
                SerialLink.portsPresent();
            }
        }, "port-lister");
        lister.setDaemon(true);
        List<String> failures = new ArrayList<>();
        lister.start();
        try (Pty first = Pty.open(); Pty second = Pty.open()) {
            // The first failure ends the run: a master reader left waiting would take the next round's bytes.
            long end = System.nanoTime() + RUN_NANOS;
            int round = 0;
            for (; round < ROUNDS && failures.isEmpty() && System.nanoTime() < end; round++) {
                String failure = openBothWriteAndClose(first, second, round);
                if (failure != null) {
                    failures.add("round " + round + ": " + failure);
                }
            }
            System.out.printf("%d rounds of two openings while another thread listed the ports%n", round);
        } finally {
            stop.set(true);
            lister.join(5_000);
        }
        assertThat(failures).as("opens that went wrong while another thread listed the ports").isEmpty();
    }

    /**
     * Opens both PTYs' slaves (a freed record is soon reused by the next port's record, and two links
     * then share one fd), writes a line to each and checks that each master got its own; null when all
     * went well.
     */
    private static String openBothWriteAndClose(Pty first, Pty second, int round) throws IOException {
        List<SerialLink> open = new ArrayList<>();
        try {
            for (Pty pty : List.of(first, second)) {
                try {
                    open.add(SerialLink.open(pty.slavePath(), 115200));
                } catch (LinkException e) {
                    return "open: " + e.getMessage();
                }
            }
            for (int i = 0; i < 2; i++) {
                byte[] line = ("AT+ROUND=" + round + "," + i + "\r").getBytes(StandardCharsets.US_ASCII);
                try {
                    open.get(i).write(line);
                } catch (IOException e) {
                    return "write to link " + i + ": " + e.getMessage();
                }
                Pty pty = i == 0 ? first : second;
                String got = readExactly(pty.input(), line.length);
                if (!got.equals(new String(line, StandardCharsets.US_ASCII))) {
                    return "master " + i + " read '" + got.replace("\r", "\\r") + "'";
                }
            }
            return null;
        } finally {
            open.forEach(SerialLink::close);
        }
    }

    /** What the master reads in its next {@code n} bytes, or less when 2 s pass first. */
    private static String readExactly(InputStream in, int n) {
        byte[] buf = new byte[n];
        int[] off = {0};
        // The master's read blocks until bytes come: read on a thread of its own and wait a bounded time.
        Thread reader = new Thread(() -> {
            try {
                while (off[0] < n) {
                    int r = in.read(buf, off[0], n - off[0]);
                    if (r < 0) {
                        return;
                    }
                    synchronized (off) {
                        off[0] += r;
                    }
                }
            } catch (IOException e) {
                // what was read so far is the answer
            }
        }, "pty-master-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            reader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (off) {
            return new String(buf, 0, off[0], StandardCharsets.US_ASCII);
        }
    }
}
