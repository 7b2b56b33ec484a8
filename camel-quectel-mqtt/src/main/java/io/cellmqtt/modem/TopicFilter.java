package io.cellmqtt.modem;

/** MQTT topic filter matching ({@code +} one level, {@code #} the rest), for local dispatch. */
public final class TopicFilter {
    private TopicFilter() {
    }

    public static boolean hasWildcard(String topic) {
        return topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0;
    }

    /** MQTT 3.1.1 section 4.7: does {@code topic} match {@code filter}? */
    public static boolean matches(String filter, String topic) {
        // Topics starting with '$' are not matched by filters starting with a wildcard.
        if (!topic.isEmpty() && topic.charAt(0) == '$' && !filter.isEmpty()
                && (filter.charAt(0) == '+' || filter.charAt(0) == '#')) {
            return false;
        }
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length) {
                return false;
            }
            if (!f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }

    /**
     * Checks a subscription filter's wildcard placement.
     *
     * @throws IllegalArgumentException naming the filter
     */
    public static void requireValidFilter(String filter) {
        if (filter.isEmpty()) {
            throw new IllegalArgumentException("topic filter must not be empty");
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                throw new IllegalArgumentException(
                        "topic filter '" + filter + "': '#' must be a whole level and the last one");
            }
            if (level.contains("+") && !level.equals("+")) {
                throw new IllegalArgumentException("topic filter '" + filter + "': '+' must be a whole level");
            }
        }
    }
}
