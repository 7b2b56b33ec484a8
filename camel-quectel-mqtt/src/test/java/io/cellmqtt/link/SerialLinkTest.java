package io.cellmqtt.link;

import com.fazecast.jSerialComm.SerialPort;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SerialLinkTest {

    @Test
    void missingDeviceNamesItAndListsThePortsPresent() {
        String path = "/dev/ttyUSB-cellmqtt-does-not-exist";
        String[] present = Arrays.stream(SerialPort.getCommPorts()).map(SerialPort::getSystemPortPath).sorted()
                .toArray(String[]::new);
        assertThatThrownBy(() -> Links.open(path, 115200))
                .isInstanceOf(LinkException.class)
                .hasMessageStartingWith("serial port " + path + " not found; ")
                .satisfies(e -> {
                    if (present.length == 0) {
                        assertThat(e.getMessage()).endsWith("no serial ports present");
                    } else {
                        assertThat(e.getMessage()).endsWith("ports present: " + String.join(", ", present));
                    }
                });
    }

    @Test
    void aPathThatIsNotASerialPortCannotBeOpened() {
        // exists but is a directory: openPort fails, the message still names it
        assertThatThrownBy(() -> Links.open("/tmp", 115200))
                .isInstanceOf(LinkException.class)
                .hasMessageContaining("/tmp")
                .hasMessageContaining("present");
    }

    @Test
    void badBaudRateIsRefused() {
        assertThatThrownBy(() -> Links.open("/dev/ttyS0", 0)).isInstanceOf(LinkException.class)
                .hasMessageContaining("/dev/ttyS0");
    }
}
