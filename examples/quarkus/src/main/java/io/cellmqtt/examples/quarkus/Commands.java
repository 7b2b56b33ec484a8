package io.cellmqtt.examples.quarkus;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The commands the plant received, in arrival order, each exactly the bytes that were published. A real
 * application would act on them here (open a valve, change a set point); this one keeps them, so a test or a
 * REST resource can look.
 */
@ApplicationScoped
public class Commands {

    private final List<byte[]> received = new CopyOnWriteArrayList<>();

    void received(byte[] payload) {
        received.add(payload);
    }

    /** What arrived so far, oldest first. */
    public List<byte[]> received() {
        return List.copyOf(received);
    }
}
