package io.cellmqtt.modem;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What one modem model can do, in one place: the dialect and its limits. Code asks the profile
 * instead of testing the model name.
 *
 * @param name              the {@code modem=} option value, e.g. {@code bg95}
 * @param identities        ATI / AT+CGMM model strings that identify it (prefix match, upper case)
 * @param clientIndexes     number of MQTT client indexes (0..n-1)
 * @param maxPayload        largest publish payload in bytes (fixed-length QMTPUB)
 * @param maxInlinePayload  largest payload of the quoted one-line publish (QMTPUBEX), 0 if none
 * @param maxTopicLength    largest topic in bytes the profile accepts
 * @param maxWillLength     largest will topic and will message in bytes
 * @param maxInflight       publishes the modem keeps in flight per client
 */
public record ModemProfile(String name, List<String> identities, int clientIndexes, int maxPayload,
        int maxInlinePayload, int maxTopicLength, int maxWillLength, int maxInflight) {

    /** Quectel BG95 / BG77 / BG600L, from the BG95&amp;BG77&amp;BG600L MQTT application note 1.2. */
    public static final ModemProfile BG95 = new ModemProfile("bg95", List.of("BG95"), 6, 4096, 560, 255, 255, 5);

    private static final List<ModemProfile> ALL = List.of(BG95);

    /** The profile for a {@code modem=} value other than {@code auto}. */
    public static Optional<ModemProfile> byName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return ALL.stream().filter(p -> p.name.equals(wanted)).findFirst();
    }

    /** The profile whose identity the modem's model string starts with. */
    public static Optional<ModemProfile> byIdentity(String model) {
        String upper = model.trim().toUpperCase(Locale.ROOT);
        return ALL.stream().filter(p -> p.identities.stream().anyMatch(upper::startsWith)).findFirst();
    }

    public static List<String> supportedNames() {
        return ALL.stream().map(ModemProfile::name).toList();
    }
}
