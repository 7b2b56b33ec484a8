package io.cellmqtt.modem;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Where a model keeps certificate files, with its own commands: Quectel's UFS
 * ({@code AT+QFUPL}, {@code AT+QFLST}, {@code AT+QFDEL}), the M95's secure RAM storage
 * ({@code AT+QSECWRITE}, {@code AT+QSECREAD}, {@code AT+QSECDEL}) or SIMCom's certificate store
 * ({@code AT+CCERTDOWN}, {@code AT+CCERTLIST}, {@code AT+CCERTDELE}). Runs on the modem's loop.
 */
interface CertificateStore {

    /**
     * What the modem holds of {@code wanted} intact ({@code held}), which of the wanted names it has
     * at all ({@code present}: a file there but not intact must be deleted before it is stored again,
     * since the modems refuse to overwrite: Quectel {@code +CME ERROR: 407}, SIMCom {@code ERROR}),
     * and the other files of ours it holds.
     */
    record Inventory(Set<String> held, Set<String> present, List<String> othersOfOurs) {
    }

    /** How the SSL configuration commands name a file of this store ({@code "UFS:x"}, {@code "RAM:x"}, {@code "x"}). */
    String reference(String name);

    CompletableFuture<Inventory> inventory(List<CertificateFile> wanted);

    /**
     * Stores {@code file} under its name; fails with a {@link ModemException} when the modem
     * refuses it or reports a size or checksum other than what was sent.
     */
    CompletableFuture<Void> upload(CertificateFile file);

    CompletableFuture<Void> delete(String name);

    /** The store of a model, from the upload command its profile names. */
    static CertificateStore of(ModemProfile profile, io.cellmqtt.at.AtChannel channel) {
        String upload = profile.certUpload();
        if (upload == null) {
            return null;
        }
        return switch (upload) {
            case "AT+QFUPL" -> new QuectelFileStore(channel);
            case "AT+QSECWRITE" -> new M95SecureStore(channel);
            case "AT+CCERTDOWN" -> new SimcomCertStore(channel);
            default -> null;
        };
    }
}
