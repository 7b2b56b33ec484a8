package io.cellmqtt.modem;

import java.util.Arrays;

/** Reads the integer fields of result URCs such as {@code +QMTPUB: 0,12,0}. */
final class UrcFields {
    private UrcFields() {
    }

    /** The leading integer fields after the {@code +XXX:} prefix; stops at the first non-integer. */
    static int[] ints(String line) {
        int colon = line.indexOf(':');
        String[] parts = line.substring(colon + 1).split(",");
        int[] values = new int[parts.length];
        int n = 0;
        for (String p : parts) {
            try {
                values[n++] = Integer.parseInt(p.trim());
            } catch (NumberFormatException e) {
                n--;
                break;
            }
        }
        return Arrays.copyOf(values, n);
    }
}
