package io.cellmqtt.at;

/**
 * Benchmarks only: reaches the package-private {@link QuectelRecvRecord} so that the record resolver can be
 * measured without the digester around it. Lives in the component's package (the class path has no modules);
 * changes nothing in the component.
 */
public final class RecordProbe {

    private final QuectelRecvRecord record;

    public RecordProbe(int maxTopic, int maxPayload) {
        record = new QuectelRecvRecord(maxTopic, maxPayload);
    }

    /**
     * Reads one record: {@code header} up to and including the quote that opens the topic (as the digester hands
     * it over), then {@code body[0..length)} until the record is decided.
     *
     * @return the outcome's name: MESSAGE, AMBIGUOUS, LINE, TORN, UNFRAMEABLE, or PENDING if the body ran out
     */
    public String resolve(byte[] header, byte[] body, int length) {
        record.open(header, header.length);
        record.feed(body, 0, length);
        return record.outcome().name();
    }

    /** After {@link #resolve} returned MESSAGE: the payload, as the digester takes it. */
    public byte[] payload() {
        return record.payload();
    }
}
