package io.cellmqtt.modem;

import java.time.Duration;

/**
 * How to reach and bring up one modem. Immutable.
 *
 * @param serialPort         device path, {@code COMn} or {@code tcp://host:port}
 * @param baudRate           serial speed (ignored for tcp://)
 * @param model              {@code auto} or a profile name ({@code bg95}, ...)
 * @param apn                PDP context APN, or null to leave the modem's context as it is
 * @param apnUserName        may be null
 * @param apnPassword        secret; may be null
 * @param pdpContextId       1-16
 * @param disablePowerSaving switch PSM, eDRX and sleep off during bring-up
 * @param registrationTimeout how long registration is polled every second; after that, every ten seconds
 * @param recoveryDelay      the first wait before reopening a lost port, probing a silent modem or bringing
 *                           it up again; doubles with each failure (with jitter) up to {@code maxRecoveryDelay}
 * @param maxRecoveryDelay   the cap of that backoff
 */
public record ModemSettings(String serialPort, int baudRate, String model, String apn, String apnUserName,
        String apnPassword, int pdpContextId, boolean disablePowerSaving, Duration registrationTimeout,
        Duration recoveryDelay, Duration maxRecoveryDelay) {

    /** Recovery backoff from 1 s up to 60 s. */
    public ModemSettings(String serialPort, int baudRate, String model, String apn, String apnUserName,
            String apnPassword, int pdpContextId, boolean disablePowerSaving, Duration registrationTimeout) {
        this(serialPort, baudRate, model, apn, apnUserName, apnPassword, pdpContextId, disablePowerSaving,
                registrationTimeout, Duration.ofSeconds(1), Duration.ofSeconds(60));
    }

    public static ModemSettings of(String serialPort) {
        return new ModemSettings(serialPort, 115200, "auto", null, null, null, 1, false, Duration.ofSeconds(60));
    }

    public ModemSettings withRecoveryDelays(Duration first, Duration max) {
        return new ModemSettings(serialPort, baudRate, model, apn, apnUserName, apnPassword, pdpContextId,
                disablePowerSaving, registrationTimeout, first, max);
    }

    @Override
    public String toString() {
        return "ModemSettings[serialPort=" + serialPort + ", baudRate=" + baudRate + ", model=" + model + ", apn="
                + apn + ", apnUserName=" + apnUserName + ", apnPassword=" + (apnPassword == null ? null : "***")
                + ", pdpContextId=" + pdpContextId + ", disablePowerSaving=" + disablePowerSaving + ", recoveryDelay="
                + recoveryDelay.toMillis() + "-" + maxRecoveryDelay.toMillis() + " ms]";
    }
}
