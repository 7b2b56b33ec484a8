package io.cellmqtt.link;

/** Opens the link a {@code serialPort} option names. */
public final class Links {
    private Links() {
    }

    /**
     * {@code tcp://host:port} opens a TCP socket; anything else is a serial device
     * ({@code /dev/ttyUSB2}, {@code /dev/pts/7}, {@code COM7}) opened with jSerialComm at 8N1.
     * A missing serial port fails with a message naming it and listing the ports that exist.
     */
    public static Link open(String serialPort, int baudRate) throws LinkException {
        if (serialPort == null || serialPort.isBlank()) {
            throw new LinkException("no serial port given; " + SerialLink.portsPresent());
        }
        if (serialPort.regionMatches(true, 0, "tcp:", 0, 4)) {
            return TcpLink.open(serialPort);
        }
        return SerialLink.open(serialPort, baudRate);
    }
}
