package io.cellmqtt.modem;

/**
 * What one MQTT CONNECT identifies itself with. Checked on construction against what the modem's
 * {@code AT+QMTCONN} can carry, so a credential that would break the command never reaches it.
 * {@link #toString()} never shows the password.
 *
 * @param clientId MQTT client identifier, 1-256 bytes
 * @param userName may be null; at most 512 bytes
 * @param password secret; may be null; at most 512 bytes
 */
public record MqttCredentials(String clientId, String userName, String password) {

    static final int MAX_CLIENT_ID = 256;
    static final int MAX_USER_NAME = 512;
    static final int MAX_PASSWORD = 512;

    /** @throws IllegalArgumentException naming the field and the limit, never showing the user name or password */
    public MqttCredentials {
        if (clientId == null || clientId.isEmpty()) {
            throw new IllegalArgumentException("clientId must not be empty");
        }
        AtStrings.requireQuotable("clientId", clientId);
        requireLength("clientId", clientId, MAX_CLIENT_ID);
        if (userName != null) {
            AtStrings.requireQuotableSecret("userName", userName);
            requireLength("userName", userName, MAX_USER_NAME);
        }
        if (password != null) {
            AtStrings.requireQuotableSecret("password", password);
            requireLength("password", password, MAX_PASSWORD);
        }
    }

    private static void requireLength(String what, String value, int limit) {
        int length = AtStrings.utf8Length(value);
        if (length > limit) {
            throw new IllegalArgumentException(what + " of " + length + " bytes exceeds the limit of " + limit + " bytes");
        }
    }

    @Override
    public String toString() {
        return "MqttCredentials[clientId=" + clientId + ", userName=" + userName + ", password="
                + (password == null ? null : "***") + "]";
    }
}
