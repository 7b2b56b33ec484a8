package io.cellmqtt.at;

import java.util.List;

/**
 * The reply to one command: its information lines and the final result line ({@code OK}).
 * Error results do not make a response: they raise {@link AtErrorException}.
 *
 * @param lines  the information lines, in order
 * @param result the final result line ({@code OK})
 * @param framed reply lines a {@link PayloadFraming} claimed (e.g. the {@code +QMTRECV:} lines of
 *               an {@code AT+QMTRECV=} buffer read whose prefix is the command's reply prefix),
 *               in order; their headers are not in {@link #lines()}
 */
public record AtResponse(List<String> lines, String result, List<AtEvent.Framed> framed) {
    public AtResponse {
        lines = List.copyOf(lines);
        framed = framed == null ? List.of() : List.copyOf(framed);
    }

    public AtResponse(List<String> lines, String result) {
        this(lines, result, List.of());
    }

    /** The first reply line, or throws if there is none. */
    public String line() {
        if (lines.isEmpty()) {
            throw new IllegalStateException("no information line before " + result);
        }
        return lines.get(0);
    }
}
