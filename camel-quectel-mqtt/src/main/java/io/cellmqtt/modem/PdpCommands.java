package io.cellmqtt.modem;

import io.cellmqtt.at.AtCommand;

import java.util.ArrayList;
import java.util.List;

/**
 * The commands that define the PDP context (APN and credentials) in the form the model's
 * {@link ModemProfile#pdpSetup()} names. Activation, where the model needs it, is bring-up's
 * business: it depends on what the modem answers.
 */
final class PdpCommands {
    /** What logs and exceptions show instead of the APN password. */
    static final String MASK = "\"***\"";

    private PdpCommands() {
    }

    /**
     * @throws IllegalArgumentException if a value can't be quoted, or credentials are given for a
     *                                  model whose APN command has no place for them
     */
    static List<AtCommand> define(ModemProfile profile, ModemSettings settings) {
        int cid = settings.pdpContextId();
        String apn = AtStrings.quote("apn", settings.apn());
        String user = settings.apnUserName() == null ? "" : settings.apnUserName();
        String pass = settings.apnPassword() == null ? "" : settings.apnPassword();
        String quotedUser = AtStrings.quote("apnUserName", user);
        AtStrings.requireQuotableSecret("apnPassword", pass);
        String secret = '"' + pass + '"';
        boolean credentials = !user.isEmpty() || !pass.isEmpty();
        List<AtCommand> commands = new ArrayList<>();
        switch (profile.pdpSetup()) {
            case QICSGP_QIACT -> {
                // <context_type> 1 = IPv4; <authentication> 0 none, 3 PAP or CHAP.
                int auth = credentials ? 3 : 0;
                String head = "AT+QICSGP=" + cid + ",1," + apn + "," + quotedUser + ",";
                commands.add(AtCommand.of(head + secret + "," + auth).withLogText(head + MASK + "," + auth));
            }
            case QICSGP_GPRS -> {
                // The first parameter is the GPRS bearer mode (1), not a context id.
                String head = "AT+QICSGP=1," + apn + "," + quotedUser + ",";
                commands.add(AtCommand.of(head + secret).withLogText(head + MASK));
            }
            case CGDCONT -> {
                if (credentials) {
                    throw new IllegalArgumentException("apnUserName/apnPassword can't be used with " + profile.name()
                            + ": its APN is set with AT+CGDCONT, which has no credentials");
                }
                commands.add(cgdcont(cid, apn));
            }
            case CGDCONT_CGAUTH -> {
                commands.add(cgdcont(cid, apn));
                if (credentials) {
                    // <auth_type> 1 = PAP; SIMCom's order is password, then user name.
                    String head = "AT+CGAUTH=" + cid + ",1,";
                    commands.add(AtCommand.of(head + secret + "," + quotedUser)
                            .withLogText(head + MASK + "," + quotedUser));
                }
            }
        }
        return commands;
    }

    private static AtCommand cgdcont(int cid, String quotedApn) {
        return AtCommand.of("AT+CGDCONT=" + cid + ",\"IP\"," + quotedApn);
    }
}
