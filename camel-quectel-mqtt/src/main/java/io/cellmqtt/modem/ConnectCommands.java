package io.cellmqtt.modem;

import io.cellmqtt.at.AtCommand;

/** The credentials tail that both dialects' CONNECT commands end with. */
final class ConnectCommands {

    private ConnectCommands() {
    }

    /**
     * {@code head[,"user"[,"password"]]}. The log text, which is all the channel ever logs or puts
     * in an exception, shows the password as {@code "***"}; a bad password's error names the
     * option, never the value.
     */
    static AtCommand withCredentials(String head, MqttClientSettings s) {
        StringBuilder text = new StringBuilder(head);
        StringBuilder log = new StringBuilder(head);
        if (s.userName() != null || s.password() != null) {
            String user = s.userName() == null ? "" : s.userName();
            text.append(',').append(AtStrings.quote("userName", user));
            log.append(',').append('"').append(user).append('"');
            if (s.password() != null) {
                AtStrings.requireQuotableSecret("password", s.password());
                text.append(",\"").append(s.password()).append('"');
                log.append(",\"***\"");
            }
        }
        return AtCommand.of(text.toString()).withLogText(log.toString());
    }
}
