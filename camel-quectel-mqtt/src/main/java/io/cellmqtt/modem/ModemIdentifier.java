package io.cellmqtt.modem;

import io.cellmqtt.at.AtCommand;
import io.cellmqtt.at.AtCommandLine;
import io.cellmqtt.at.AtErrorException;
import io.cellmqtt.at.AtResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Tells which model a modem is and reads its IMEI, from an {@code ATI} reply already read: the
 * model ATI names ({@code Model:} line, else its second line), else the one {@code AT+CGMM} names;
 * an explicit {@code modem=} wins over both. One use per bring-up; runs on the modem's loop.
 */
final class ModemIdentifier {
    private static final Logger LOG = LoggerFactory.getLogger(ModemIdentifier.class);

    /** What was found: the profile, and the identity with the model string that named it. */
    record Found(ModemProfile profile, ModemIdentity identity) {
    }

    private record Named(ModemProfile profile, String model) {
    }

    private final String port;
    private final String configuredModel;
    private final Function<AtCommand, CompletableFuture<AtResponse>> exec;

    /**
     * @param port            the port's name, for messages
     * @param configuredModel the {@code modem=} option: a profile name, {@code auto} or null
     * @param exec            runs a command on the modem; fails with a {@link ModemException} that says
     *                        which step failed (or that the bring-up was superseded)
     */
    ModemIdentifier(String port, String configuredModel, Function<AtCommand, CompletableFuture<AtResponse>> exec) {
        this.port = port;
        this.configuredModel = configuredModel;
        this.exec = exec;
    }

    CompletableFuture<Found> identify(AtiReply ati) {
        AtCommand gsn = AtCommandLine.execute("+GSN").command().withBareReply();
        return chooseProfile(ati).thenCompose(named -> exec.apply(gsn)
                .thenCompose(r -> {
                    Optional<String> imei = r.lines().stream().map(String::trim)
                            .filter(l -> l.matches("\\d{14,17}")).findFirst();
                    if (imei.isEmpty()) {
                        return CompletableFuture.failedFuture(new ModemException(port + ": AT+GSN gave no IMEI"));
                    }
                    return CompletableFuture.completedFuture(new Found(named.profile(),
                            new ModemIdentity(ati.manufacturer(), named.model(), ati.revision(), imei.get())));
                }));
    }

    private CompletableFuture<Named> chooseProfile(AtiReply ati) {
        if (configuredModel != null && !configuredModel.equalsIgnoreCase("auto")) {
            Optional<ModemProfile> named = ModemProfile.byName(configuredModel);
            if (named.isEmpty()) {
                return CompletableFuture.failedFuture(new ModemException("modem=" + configuredModel
                        + " is not supported; supported: auto, " + ModemProfile.supportedNames()));
            }
            ModemProfile p = named.get();
            if (ModemProfile.byIdentity(ati.model()).filter(found -> found != p).isPresent()) {
                LOG.warn("{}: modem={} but the modem says it is '{}'", port, p.name(), ati.model());
            }
            return CompletableFuture.completedFuture(new Named(p, ati.model()));
        }
        Optional<ModemProfile> fromAti = ModemProfile.byIdentity(ati.model());
        if (fromAti.isPresent()) {
            return CompletableFuture.completedFuture(new Named(fromAti.get(), ati.model()));
        }
        return exec.apply(AtCommandLine.execute("+CGMM").command().withBareReply()).handle((r, e) -> {
            Throwable c = e == null ? null : Failures.cause(e);
            // A modem without AT+CGMM answers ERROR: then ATI is all there is. Anything else (a timeout,
            // a lost port) ends the bring-up with exec's message.
            if (c != null && !(c instanceof AtErrorException) && !(c.getCause() instanceof AtErrorException)) {
                throw new CompletionException(c);
            }
            String cgmm = r == null ? "" : r.lines().stream().map(String::trim).filter(l -> !l.isEmpty()).findFirst()
                    .orElse("");
            Optional<ModemProfile> fromCgmm = ModemProfile.byIdentity(cgmm);
            if (fromCgmm.isPresent()) {
                return new Named(fromCgmm.get(), cgmm);
            }
            throw new CompletionException(new ModemException(port + ": modem=auto can't tell which model this is: "
                    + "ATI said " + ati.lines().stream().map(AtStrings::printable).toList() + ", AT+CGMM said '"
                    + AtStrings.printable(cgmm) + "'; supported models: " + ModemProfile.supportedNames()
                    + " (if it is one of them, set modem= to its name)"));
        });
    }
}
