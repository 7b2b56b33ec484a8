package io.cellmqtt.modem;

import java.util.concurrent.CompletableFuture;

/** A publish handed to a dialect: its outcome, and whether the modem may have acted on it yet. */
interface Sending {

    /** Completes when the modem reported the broker's acknowledgement; fails otherwise. On the loop. */
    CompletableFuture<Void> result();

    /** True once the publish command went out whole: from then on the message may reach the broker. */
    boolean sent();

    /**
     * Takes the publish back if it has not gone out yet: it then never will, and {@link #result()}
     * fails. False if it is (or may be) on its way.
     */
    boolean withdraw();
}
