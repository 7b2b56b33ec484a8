package io.cellmqtt.modem;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What went wrong, out of the wrappers that futures put around it. */
final class Failures {

    private Failures() {
    }

    /** The failure itself, without CompletionException / ExecutionException around it. */
    static Throwable cause(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** The message of {@link #cause}, or its class if it has none. */
    static String rootMessage(Throwable e) {
        Throwable c = cause(e);
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }
}
