package io.cellmqtt.simulator;

import java.io.IOException;

/** Blocking byte source from the host, shared by the line reader and the data phases. */
interface HostInput {
    /** Next byte 0–255, or -1 when the host side is gone. */
    int read() throws IOException;
}
