package io.cellmqtt.at;

import java.util.List;

/**
 * The reply to one command: its information lines and the final result line ({@code OK}).
 * Error results do not make a response: they raise {@link AtErrorException}.
 */
public record AtResponse(List<String> lines, String result) {
    public AtResponse {
        lines = List.copyOf(lines);
    }

    /** The first reply line, or throws if there is none. */
    public String line() {
        if (lines.isEmpty()) {
            throw new IllegalStateException("no information line before " + result);
        }
        return lines.get(0);
    }
}
