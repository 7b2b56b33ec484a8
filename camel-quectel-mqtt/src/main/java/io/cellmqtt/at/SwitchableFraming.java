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
    public int quotedRecord(byte[] line, int length) {
        for (PayloadFraming f : framings) {
            int n = f.quotedRecord(line, length);
            if (n >= 0) {
                return n;
            }
        }
        return -1;
    }

    /** The topic limit of the first rule that opens records (one dialect has one record form). */
    @Override
    public int maxRecordTopic() {
        for (PayloadFraming f : framings) {
            if (f.maxRecordTopic() > 0) {
                return f.maxRecordTopic();
            }
        }
        return 0;
    }

    @Override
    public int payloadAfterLine(byte[] line, int length) {
        for (PayloadFraming f : framings) {
            int n = f.payloadAfterLine(line, length);
            if (n != -1) {
                return n;
            }
        }
        return -1;
    }
}
