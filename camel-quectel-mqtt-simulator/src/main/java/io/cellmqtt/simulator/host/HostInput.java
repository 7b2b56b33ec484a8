package io.cellmqtt.simulator.host;

import java.io.IOException;

/** Blocking byte source from the host, shared by the line reader and the data phases. */
public interface HostInput {
    /** Next byte 0–255, or -1 when the host side is gone. */
    int read() throws IOException;

    /** Exactly {@code len} bytes, whatever they are (a data phase taken by length); null if the host went away first. */
    default byte[] readExactly(int len) throws IOException {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            int v = read();
            if (v < 0) {
                return null;
            }
            b[i] = (byte) v;
        }
        return b;
    }
}
