package io.cellmqtt.at;

/** The modem answered {@code ERROR}, {@code +CME ERROR: n} or {@code +CMS ERROR: n}. */
public class AtErrorException extends AtException {
    private final String result;

    public AtErrorException(String command, String result) {
        super(command, command + " failed: " + result);
        this.result = result;
    }

    /** The final result line as the modem sent it, e.g. {@code +CME ERROR: 8508}. */
    public String result() {
        return result;
    }

    /** The numeric code of a {@code +CME ERROR}/{@code +CMS ERROR}, or -1. */
    public int code() {
        int colon = result.indexOf(':');
        if (colon < 0) {
            return -1;
        }
        try {
            return Integer.parseInt(result.substring(colon + 1).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
