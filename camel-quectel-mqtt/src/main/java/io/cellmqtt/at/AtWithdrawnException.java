package io.cellmqtt.at;

/** The command was taken back before any of it was written: the modem never saw it. */
public class AtWithdrawnException extends AtException {
    public AtWithdrawnException(String command, String message) {
        super(command, message);
    }
}
