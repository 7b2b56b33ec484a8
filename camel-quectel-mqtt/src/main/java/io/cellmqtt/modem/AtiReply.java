package io.cellmqtt.modem;

import java.util.List;

/**
 * What {@code ATI} printed, read the two ways modems print it: Quectel's bare lines
 * ({@code Quectel}, {@code BG95-M3}, {@code Revision: ...}) and SIMCom's labelled ones
 * ({@code Manufacturer: ...}, {@code Model: ...}, {@code Revision: ...}).
 *
 * @param manufacturer the {@code Manufacturer:} line's value, else the first line
 * @param model        the {@code Model:} line's value, else the second line unless that is
 *                     another labelled line ({@code Revision: ...}), else empty
 * @param revision     the {@code Revision:} line's value, or empty
 * @param lines        every line as printed, for error messages
 */
record AtiReply(String manufacturer, String model, String revision, List<String> lines) {

    AtiReply {
        lines = List.copyOf(lines);
    }

    static AtiReply parse(List<String> ati) {
        List<String> lines = ati.stream().map(String::trim).filter(l -> !l.isEmpty()).toList();
        String manufacturer = labelled(lines, "Manufacturer:");
        if (manufacturer == null) {
            manufacturer = lines.isEmpty() ? "" : lines.get(0);
        }
        String model = labelled(lines, "Model:");
        if (model == null) {
            model = lines.size() > 1 && !lines.get(1).matches("[A-Za-z][A-Za-z ]*:.*") ? lines.get(1) : "";
        }
        String revision = labelled(lines, "Revision:");
        return new AtiReply(manufacturer, model, revision == null ? "" : revision, lines);
    }

    private static String labelled(List<String> lines, String label) {
        return lines.stream().filter(l -> l.regionMatches(true, 0, label, 0, label.length()))
                .map(l -> l.substring(label.length()).trim()).findFirst().orElse(null);
    }
}
