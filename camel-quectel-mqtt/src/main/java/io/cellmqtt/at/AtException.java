package io.cellmqtt.at;

/** A command did not succeed. Messages name the command by its log text, never a secret. */
public class AtException extends Exception {
    private final String command;

    public AtException(String command, String message, Throwable cause) {
        super(message, cause);
        this.command = command;
    }

    public AtException(String command, String message) {
        this(command, message, null);
    }

    /** The command's log text (secrets masked), or null if none was in flight. */
    public String command() {
        return command;
    }
}
