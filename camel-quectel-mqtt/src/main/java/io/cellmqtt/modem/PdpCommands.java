package io.cellmqtt.modem;

import io.cellmqtt.at.AtCommand;
import io.cellmqtt.at.AtCommandLine;

import java.util.ArrayList;
import java.util.List;

/**
 * The commands that define the PDP context (APN and credentials) in the form the model's
 * {@link ModemProfile#pdpSetup()} names. Activation, where the model needs it, is bring-up's
 * business: it depends on what the modem answers.
 */
final class PdpCommands {
    private PdpCommands() {
    }

    /**
     * @throws IllegalArgumentException if a value can't be quoted, or credentials are given for a
     *                                  model whose APN command has no place for them
     */
    static List<AtCommand> define(ModemProfile profile, ModemSettings settings) {
        int cid = settings.pdpContextId();
        String apn = settings.apn();
        String user = settings.apnUserName() == null ? "" : settings.apnUserName();
        String pass = settings.apnPassword() == null ? "" : settings.apnPassword();
        AtCommandLine.requireQuotable("apn", apn);
        AtCommandLine.requireQuotableSecret("apnUserName", user);
        AtCommandLine.requireQuotableSecret("apnPassword", pass);
        boolean credentials = !user.isEmpty() || !pass.isEmpty();
        List<AtCommand> commands = new ArrayList<>();
        switch (profile.pdpSetup()) {
            case QICSGP_QIACT -> {
                // <context_type> 1 = IPv4; <authentication> 0 none, 3 PAP or CHAP.
                commands.add(AtCommandLine.write("+QICSGP").integer(cid).integer(1).quoted("apn", apn)
                        .quotedConfidential("apnUserName", user).quotedSecret("apnPassword", pass)
                        .integer(credentials ? 3 : 0).command());
            }
            case QICSGP_GPRS -> {
                // The first parameter is the GPRS bearer mode (1), not a context id.
                commands.add(AtCommandLine.write("+QICSGP").integer(1).quoted("apn", apn)
                        .quotedConfidential("apnUserName", user).quotedSecret("apnPassword", pass).command());
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
                    commands.add(AtCommandLine.write("+CGAUTH").integer(cid).integer(1)
                            .quotedSecret("apnPassword", pass).quotedConfidential("apnUserName", user).command());
                }
            }
        }
        return commands;
    }

    private static AtCommand cgdcont(int cid, String apn) {
        return AtCommandLine.write("+CGDCONT").integer(cid).quoted("PDP type", "IP").quoted("apn", apn).command();
    }
}
