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
     * Checks a subscription filter: not empty, {@code +} a whole level, {@code #} the whole last level.
     *
     * @param what names the filter in the error, e.g. {@code topic}
     * @throws IllegalArgumentException naming the filter
     */
    public static void requireValidFilter(String what, String filter) {
        if (filter.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("+") && !level.equals("+")) {
                throw new IllegalArgumentException(what + " \"" + filter
                        + "\" is not a valid topic filter: '+' must be a whole level");
            }
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                throw new IllegalArgumentException(what + " \"" + filter
                        + "\" is not a valid topic filter: '#' must be the whole last level");
            }
        }
    }

    /**
     * Checks a publish topic: not empty, no wildcard.
     *
     * @throws IllegalArgumentException naming the topic and the wildcard
     */
    public static void requirePublishTopic(String what, String topic) {
        if (topic.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        int plus = topic.indexOf('+');
        int hash = topic.indexOf('#');
        if (plus >= 0 || hash >= 0) {
            char w = plus >= 0 && (hash < 0 || plus < hash) ? '+' : '#';
            throw new IllegalArgumentException(what + " \"" + topic + "\" contains the wildcard '" + w
                    + "': publish topics cannot have wildcards");
        }
    }
}
