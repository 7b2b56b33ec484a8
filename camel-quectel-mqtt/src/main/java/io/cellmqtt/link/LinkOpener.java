package io.cellmqtt.link;

/** Opens the link to one modem's AT port: at start, and again after the port was lost. */
@FunctionalInterface
public interface LinkOpener {

    /** @throws LinkException naming the port and why it cannot be opened now */
    Link open() throws LinkException;

    /** The port a {@code serialPort} option names, at {@code baudRate} ({@link Links#open}). */
    static LinkOpener of(String serialPort, int baudRate) {
        return () -> Links.open(serialPort, baudRate);
    }
}
