package io.cellmqtt.simulator.broker;

import java.time.Clock;
import java.util.List;

/**
 * What one TLS connection of the modem is made of: the bytes of the files its SSL context names (as
 * stored on the modem, null where none is named), what the context's security level asks for, the
 * protocol versions its {@code sslversion} allows, and whether the server certificate's validity is
 * checked against the modem's clock.
 *
 * @param caCert the CA file's bytes, or null
 * @param clientCert the client certificate file's bytes, or null
 * @param clientKey the client key file's bytes, or null
 * @param verifyServer the server's chain must lead to {@code caCert}
 * @param presentClient the client certificate and key are offered when the server asks for one
 * @param protocols JDK protocol names ({@code TLSv1.2}); empty when the version asked for is none the JDK can do
 * @param checkTime certificates must be valid at {@code clock}'s instant
 * @param clock the modem's clock
 * @param missing why a file the context needs is not there (a name that is not on the modem, or no
 *     name where the security level needs one), or null when nothing is missing
 */
public record TlsSpec(byte[] caCert, byte[] clientCert, byte[] clientKey, boolean verifyServer,
        boolean presentClient, List<String> protocols, boolean checkTime, Clock clock, String missing) {

    @Override
    public String toString() {
        // never the files' contents: a key must not reach a log
        return "TlsSpec[verifyServer=" + verifyServer + ", presentClient=" + presentClient + ", protocols="
                + protocols + ", checkTime=" + checkTime + ", missing=" + missing + "]";
    }
}
