package io.cellmqtt.modem;

import java.util.concurrent.CompletableFuture;

/** Compares what a Quectel modem says it stored ({@code +QFUPL: <size>,<checksum>}) with what was sent. */
final class UploadCheck {
    private UploadCheck() {
    }

    /**
     * {@code line} is {@code +QFUPL: <size>,<checksum>} or {@code +QSECWRITE: <size>,<checksum>},
     * the checksum in hexadecimal. A mismatch fails; the uploader then deletes the file, as after
     * any failed upload, so that its name, which promises this content, never stays on a corrupted copy.
     */
    static CompletableFuture<Void> quectel(CertificateStore store, CertificateFile f, String line) {
        int colon = line.indexOf(':');
        int comma = line.indexOf(',', colon + 1);
        int size = -1;
        int checksum = -1;
        if (colon > 0 && comma > colon) {
            try {
                size = Integer.parseInt(line.substring(colon + 1, comma).trim());
                checksum = Integer.parseInt(line.substring(comma + 1).trim(), 16);
            } catch (NumberFormatException e) {
                size = -1;
            }
        }
        int ours = f.quectelChecksum();
        if (size == f.size() && checksum == ours) {
            return CompletableFuture.completedFuture(null);
        }
        String why = line.isEmpty() ? "the modem reported no size and checksum"
                : "the modem reports " + line.trim() + ", we sent " + f.size() + " bytes with checksum "
                        + Integer.toHexString(ours);
        return CompletableFuture.failedFuture(new ModemException("uploading " + f + " as "
                + store.reference(f.name()) + " failed: " + why + "; it is uploaded again at the next attempt"));
    }
}
