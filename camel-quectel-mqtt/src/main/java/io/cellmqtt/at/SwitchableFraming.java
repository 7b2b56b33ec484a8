package io.cellmqtt.at;

import java.util.List;

/**
 * A framing whose rules are chosen after the channel started: the receive URCs, and so the
 * framing, depend on the modem model, which is known only once {@code ATI} has been answered.
 * Until {@link #use} is called it claims nothing. The list is swapped atomically, so the reader
 * thread sees either the old rules or the new ones, never a mix.
 */
public final class SwitchableFraming implements PayloadFraming {

    private volatile List<PayloadFraming> framings = List.of();

    /** From now on, claim what the first of {@code rules} (in order) claims. */
    public void use(List<PayloadFraming> rules) {
        framings = List.copyOf(rules);
    }

    @Override
    public int payloadLength(byte[] line, int length) {
        for (PayloadFraming f : framings) {
            int n = f.payloadLength(line, length);
            if (n >= 0) {
                return n;
            }
        }
        return -1;
    }

    /** The closing byte of the rule that claims {@code line}. */
    @Override
    public int closingByte(byte[] line, int length) {
        for (PayloadFraming f : framings) {
            if (f.payloadLength(line, length) >= 0) {
                return f.closingByte(line, length);
            }
        }
        return -1;
    }

    @Override
    public int payloadAfterLine(byte[] line, int length) {
        for (PayloadFraming f : framings) {
            int n = f.payloadAfterLine(line, length);
            if (n >= 0) {
                return n;
            }
        }
        return -1;
    }
}
