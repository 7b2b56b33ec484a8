package io.cellmqtt.modem;

/** Where one modem stands; {@link Modem#reason()} says why. */
public enum ModemState {
    /** Opening its port (the first time; reopening after a loss is {@link #PORT_LOST}). */
    OPENING_PORT,
    /** Synchronising, echo off, verbose errors, identity, SIM: at start, after a restart, after the port came back. */
    BRINGING_UP,
    /** Waiting for the network registration. */
    REGISTERING,
    /** Defining or (re)activating the PDP context. */
    ACTIVATING_PDP,
    /** Up: MQTT clients may connect. */
    READY,
    /** The port went away (USB unplugged, socket closed): reopening the same path with backoff. */
    PORT_LOST,
    /** The modem does not answer (or powered down): probing with {@code AT}, with backoff. */
    UNRESPONSIVE,
    /** Being closed by its owner. */
    CLOSING,
    /** Closed. */
    CLOSED
}
