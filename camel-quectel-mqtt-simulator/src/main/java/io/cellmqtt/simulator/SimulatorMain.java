package io.cellmqtt.simulator;

import java.util.concurrent.CountDownLatch;

/**
 * Runs a simulated modem until killed: {@code --pty} (default) prints "PTY: /dev/pts/N",
 * {@code --tcp PORT} prints "TCP: PORT" (PORT 0 = any free port); {@code --model NAME} picks the
 * model (default bg95).
 */
public final class SimulatorMain {

    private SimulatorMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean tcp = false;
        int port = 0;
        String model = "bg95";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pty" -> tcp = false;
                case "--model" -> model = args[++i];
                case "--tcp" -> {
                    tcp = true;
                    if (i + 1 < args.length) {
                        port = Integer.parseInt(args[++i]);
                    }
                }
                default -> {
                    System.err.println("usage: SimulatorMain [--pty | --tcp PORT] [--model bg95|bg77|bg600l|bg96|bc26|m95|sim7600]");
                    System.exit(2);
                }
            }
        }
        SimulatedModem modem = SimulatedModem.of(model);
        Runtime.getRuntime().addShutdownHook(new Thread(modem::close, "sim-shutdown"));
        if (tcp) {
            System.out.println("TCP: " + modem.listenTcp(port));
        } else {
            System.out.println("PTY: " + modem.openPty());
        }
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
