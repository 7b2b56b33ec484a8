package io.cellmqtt.modem;

import java.util.HashSet;
import java.util.Set;

/**
 * MQTT packet identifiers 1-65535, unique among those in use, handed out in increasing order
 * (wrapping) as the reference notes recommend. Not thread-safe: the owner synchronises.
 */
final class MessageIds {
    private final Set<Integer> inUse = new HashSet<>();
    private int last;

    int acquire() {
        if (inUse.size() >= 65535) {
            throw new IllegalStateException("all 65535 message ids are in use");
        }
        do {
            last = last == 65535 ? 1 : last + 1;
        } while (inUse.contains(last));
        inUse.add(last);
        return last;
    }

    void release(int id) {
        inUse.remove(id);
    }
}
