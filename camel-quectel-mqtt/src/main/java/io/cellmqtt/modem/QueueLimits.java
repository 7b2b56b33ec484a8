package io.cellmqtt.modem;

/**
 * How much one MQTT client may hold for others: the two places where what comes in can outpace what
 * goes out. Each entry holds one message, so the memory a client can hold is about the bound times
 * the model's largest payload ({@link ModemProfile#maxPayload()}: 4096 bytes on the BG95 family,
 * 10240 on the SIM7600).
 *
 * @param maxPendingPublishes  publishes accepted and not yet settled (acknowledged, or failed): waiting
 *                             for the connection, in the in-flight window, or handed to the AT port and
 *                             not yet answered for; QoS 0 ones too. A publish past it is refused with
 *                             {@link ModemBackedUpException}, at once or once no room came in time
 * @param maxPendingDeliveries received messages waiting for slow listeners; a message past it is
 *                             dropped and counted ({@link ClientStats#droppedDeliveries()})
 */
public record QueueLimits(int maxPendingPublishes, int maxPendingDeliveries) {

    /** 1000 of each: 4 MiB per client and direction on a BG95 at its largest payload, 10 MiB on a SIM7600. */
    public static final QueueLimits DEFAULT = new QueueLimits(1000, 1000);

    /** @throws IllegalArgumentException if a bound is less than 1 */
    public QueueLimits {
        if (maxPendingPublishes < 1) {
            throw new IllegalArgumentException("maxPendingPublishes=" + maxPendingPublishes + " must be at least 1");
        }
        if (maxPendingDeliveries < 1) {
            throw new IllegalArgumentException("maxPendingDeliveries=" + maxPendingDeliveries + " must be at least 1");
        }
    }
}
