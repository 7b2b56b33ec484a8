package io.cellmqtt.simulator.host;

import java.io.IOException;

/** Where a {@link HostSession} delivers each command line it assembled: the AT interpreter. */
public interface LineHandler {

    /**
     * One line as received, without its terminator; {@code terminator} is the byte that ended it.
     * {@code in} is where a data phase (a payload after a prompt) reads its bytes from.
     */
    void onLine(byte[] line, int terminator, HostInput in) throws IOException;
}
