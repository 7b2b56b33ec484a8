package io.cellmqtt.modem;

import io.cellmqtt.at.AtCommand;
import io.cellmqtt.at.AtCommandLine;

/** The credentials tail that both dialects' CONNECT commands end with. */
final class ConnectCommands {

    private ConnectCommands() {
    }

    /**
     * {@code head[,"user"[,"password"]]}. The log text, which is all the channel ever logs or puts
     * in an exception, shows the password as {@code "***"}; a bad user name's or password's error
     * names the option, never the value.
     */
    static AtCommand withCredentials(AtCommandLine head, MqttClientSettings s) {
        if (s.userName() != null || s.password() != null) {
            head.quotedConfidential("userName", s.userName() == null ? "" : s.userName());
            if (s.password() != null) {
                head.quotedSecret("password", s.password());
            }
        }
        return head.command();
    }
}
