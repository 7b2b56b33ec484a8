package io.cellmqtt.link;

/** Receives what a {@link Link} reads. Called on the link's reader thread only. */
public interface LinkListener {

    /** {@code length} bytes from {@code buffer[offset]}; the buffer is reused after the call. */
    void onBytes(byte[] buffer, int offset, int length);

    /** The link is gone: {@code cause} is null for a deliberate {@link Link#close()}. */
    void onClosed(Throwable cause);
}
