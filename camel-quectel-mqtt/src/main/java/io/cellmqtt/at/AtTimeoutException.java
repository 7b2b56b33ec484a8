package io.cellmqtt.at;

/** No final result (or no {@code > } prompt) within the command's timeout. */
public class AtTimeoutException extends AtException {
    public AtTimeoutException(String command, String message) {
        super(command, message);
    }
}
