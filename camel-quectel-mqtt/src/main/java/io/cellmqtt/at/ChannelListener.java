package io.cellmqtt.at;

/** What the {@link AtChannel} tells its owner about the modem's health. Called on the event loop. */
public interface ChannelListener {

    /** After a timeout, resynchronising found the modem answering; {@code echoOn}: it echoed our {@code AT}. */
    void onResynchronised(boolean echoOn);

    /** Resynchronising after a timeout got no {@code OK}: the modem does not answer. */
    void onUnresponsive(String why);

    /** Writing to the link failed: it is as good as lost. */
    void onWriteFailed(Exception cause);

    /** A command came back echoed: echo is on, which it is not after bring-up unless the modem restarted. */
    void onEcho();

    /** A listener that ignores everything. */
    ChannelListener NONE = new ChannelListener() {
        @Override
        public void onResynchronised(boolean echoOn) {
        }

        @Override
        public void onUnresponsive(String why) {
        }

        @Override
        public void onWriteFailed(Exception cause) {
        }

        @Override
        public void onEcho() {
        }
    };
}
