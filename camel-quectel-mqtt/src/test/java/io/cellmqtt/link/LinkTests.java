package io.cellmqtt.link;

import java.util.concurrent.Executor;

/** What the link tests share. */
final class LinkTests {
    /** A reader for a link under test: a new daemon thread per start, as the link's read loop needs one. */
    static final Executor READER = r -> {
        Thread t = new Thread(r, "link-test-reader");
        t.setDaemon(true);
        t.start();
    };

    private LinkTests() {
    }
}
