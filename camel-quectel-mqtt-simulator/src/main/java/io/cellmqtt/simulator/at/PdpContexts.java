package io.cellmqtt.simulator.at;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The modem's PDP contexts (1–16) and which of them are active. A simulator starts as a modem that
 * has been up for a while with context 1 active; after a reboot none is, until the host activates
 * one again ({@code AT+QIACT=<cid>}).
 */
public final class PdpContexts {

    private final Set<Integer> active = ConcurrentHashMap.newKeySet();

    public PdpContexts() {
        active.add(1);
    }

    public boolean active(int cid) {
        return active.contains(cid);
    }

    public void activate(int cid) {
        active.add(cid);
    }

    /** True if the context was active. */
    public boolean deactivate(int cid) {
        return active.remove(cid);
    }

    /** Deactivates every context; returns those that were active, in order. */
    public synchronized List<Integer> deactivateAll() {
        List<Integer> was = list();
        active.clear();
        return was;
    }

    /** The active contexts, in order. */
    public List<Integer> list() {
        return active.stream().sorted().toList();
    }
}
