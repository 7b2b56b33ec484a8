package io.cellmqtt.modem;

/** The broker refused a subscription (granted QoS 128 / failure): it is not asked again. */
public class SubscriptionRefusedException extends ResultException {
    private final String filter;

    public SubscriptionRefusedException(String message, String filter) {
        super(message, 128, Recovery.REPORT_AND_RETRY);
        this.filter = filter;
    }

    /** The filter the broker refused. */
    public String filter() {
        return filter;
    }
}
