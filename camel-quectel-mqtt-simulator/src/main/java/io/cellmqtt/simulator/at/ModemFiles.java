package io.cellmqtt.simulator.at;

import io.cellmqtt.simulator.host.HostInput;
import io.cellmqtt.simulator.host.HostOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.regex.Pattern;

/**
 * The modem's file system as far as certificates go: the upload commands take their bytes from the
 * host and keep them by name, and the SSL contexts read them back when a TLS connection is made.
 *
 * <p>Names: on the BG95/BG96 family a file lives in UFS, and {@code "UFS:cacert.pem"} and
 * {@code "cacert.pem"} name the same file (the BG96 FILE AT Commands Manual's AT+QFLST lists it as
 * {@code "UFS:<name>"}; reference 004 section 5.2 uploads {@code "cacert.pem"} and configures
 * {@code "cacert.pem"}). The M95 writes into {@code "RAM:<name>"} (reference 003 section 5.2), and
 * RAM files are lost when the module restarts; UFS files and the SIM7600's certificates are in
 * flash and survive a reboot. Every file survives the host closing and reopening the port.
 */
public final class ModemFiles {

    /** Larger uploads are refused before the data phase: certificates are a few KiB. */
    static final int MAX_FILE = 64 * 1024;
    /** AT+QFUPL's ACK mode acknowledges every block of this size with {@code A} (BG96 FILE manual, AT+QFUPL note 4). */
    static final int ACK_BLOCK = 1024;
    private static final String OK = AtInterpreter.OK;
    private static final String ERROR = AtInterpreter.ERROR;

    /*
     * Quectel FILE error codes (+CME ERROR: <err>). 407 "file already exists": AT+QFUPL of a name that
     * is in UFS; public host code that uploads certificates to Quectel modules handles it as such
     * ("+CME ERROR: 407 = file already exists; verify with QFLST instead", and "+CME ERROR: 407" ->
     * AT+QFDEL then AT+QFUPL again; code found with find_string "CME ERROR: 407"). 418: AT+QFDEL of a
     * file that is not there, in an EC25 provisioning tool's published log (it deletes before each
     * upload: "modem response '+CME ERROR: 418' not expected", then +QFUPL and +QFLST: "UFS:client.crt",851).
     */
    static final int FILE_EXISTS = 407;
    static final int DELETE_FAILED = 418;

    /** One stored file as the modem reports it, and how many times a file of that name was uploaded. */
    public record StoredFile(String name, int size, int checksum, int uploads) {
        @Override
        public String toString() {
            return name + " (" + size + " bytes, checksum " + Integer.toHexString(checksum) + ", uploaded " + uploads + "x)";
        }
    }

    private final HostOutput out;
    private final Map<String, byte[]> files = new ConcurrentSkipListMap<>();
    /** Upload commands per name since the simulator started; deleting or rebooting does not reset it. */
    private final Map<String, AtomicInteger> uploads = new ConcurrentHashMap<>();
    private volatile IntFunction<String> cmeError = code -> ERROR;
    /** Uploads still to be corrupted on the line ({@link #corruptNext}). */
    private final AtomicInteger corruptNext = new AtomicInteger();

    public ModemFiles(HostOutput out) {
        this.out = out;
    }

    /** How an ME error is written under the host's AT+CMEE setting. */
    void errors(IntFunction<String> cmeError) {
        this.cmeError = cmeError;
    }

    /** The same file under every spelling: {@code UFS:} is the default storage and is dropped. */
    public static String canonical(String name) {
        return name.regionMatches(true, 0, "UFS:", 0, 4) ? name.substring(4) : name;
    }

    /** A stored file's bytes, or null. */
    public byte[] read(String name) {
        byte[] b = name == null ? null : files.get(canonical(name));
        return b == null ? null : b.clone();
    }

    public boolean exists(String name) {
        return name != null && files.containsKey(canonical(name));
    }

    /** Every stored file, by name. */
    public List<StoredFile> list() {
        List<StoredFile> l = new ArrayList<>();
        files.forEach((n, b) -> l.add(new StoredFile(n, b.length, checksum(b), uploads(n))));
        return List.copyOf(l);
    }

    /** How many upload commands stored a file under this name (0 if none ever did). */
    public int uploads(String name) {
        AtomicInteger n = uploads.get(canonical(name));
        return n == null ? 0 : n.get();
    }

    /** Every upload command that stored a file, whatever its name. */
    public int totalUploads() {
        return uploads.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** The modem restarted: RAM files are gone (reference 003 keeps certificates "in RAM"), flash files stay. */
    void reboot() {
        files.keySet().removeIf(n -> n.regionMatches(true, 0, "RAM:", 0, 4));
    }

    /** The next {@code count} uploads arrive with one bit flipped (a fault a test injects). */
    public void corruptNext(int count) {
        corruptNext.addAndGet(Math.max(0, count));
    }

    /** Applies an injected line error to bytes as received: one bit of the middle byte flipped. */
    private void lineErrors(byte[] data) {
        if (corruptNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            data[data.length / 2] ^= 0x01;
        }
    }

    private void store(String name, byte[] data) {
        String n = canonical(name);
        files.put(n, data);
        uploads.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet();
    }

    // ---- Quectel BG95 / BG96: AT+QFUPL, AT+QFLST, AT+QFDEL -------------------------------------

    /**
     * {@code AT+QFUPL="name",size[,timeout[,ackmode]]}: {@code CONNECT}, exactly size bytes, then
     * {@code +QFUPL: <upload_size>,<checksum>} and OK (reference 004 section 5.2: {@code +QFUPL: 1758,384a}).
     * A name already in UFS is refused with 407 before CONNECT. With ackmode 1 the modem writes
     * {@code A} after each 1 KiB block it took, and the host sends the next block only then (BG96
     * FILE AT Commands Manual, AT+QFUPL note 4). The upload timeout is not simulated: the modem
     * waits for the bytes as long as the host is there.
     */
    String qfupl(AtCommand c, HostInput in) throws IOException {
        if (c.type() == AtCommand.Type.TEST) {
            out.line("+QFUPL: <filename>,(1-" + MAX_FILE + "),(1-65535),(0,1)");
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() < 2 || c.argCount() > 4 || !c.arg(0).quoted()) {
            return ERROR;
        }
        String name = c.arg(0).text();
        int size = c.intArg(1);
        int ack = c.argCount() > 3 ? c.intArg(3) : 0;
        if (c.argCount() > 2) {
            int timeout = c.intArg(2);
            if (timeout < 1 || timeout > 65535) {
                return ERROR;
            }
        }
        if (canonical(name).isEmpty() || size < 1 || size > MAX_FILE || ack < 0 || ack > 1) {
            return ERROR;
        }
        if (files.containsKey(canonical(name))) {
            return cmeError.apply(FILE_EXISTS);
        }
        return upload(c, in, name, size, ack == 1);
    }

    /** {@code CONNECT}, the bytes, {@code +<cmd>: size,checksum}, OK: QFUPL and QSECWRITE alike. */
    private String upload(AtCommand c, HostInput in, String name, int size, boolean ackMode) throws IOException {
        out.line("CONNECT");
        byte[] data = new byte[size];
        int got = 0;
        while (got < size) {
            int n = ackMode ? Math.min(ACK_BLOCK, size - got) : size - got;
            byte[] part = in.readExactly(n);
            if (part == null) {
                return ERROR;
            }
            System.arraycopy(part, 0, data, got, n);
            got += n;
            if (ackMode && got < size) {
                out.raw(new byte[] {'A'});
            }
        }
        lineErrors(data);
        store(name, data);
        out.line(c.name() + ": " + size + "," + Integer.toHexString(checksum(data)));
        return OK;
    }

    /**
     * {@code AT+QFLST} and {@code AT+QFLST="*"} list every UFS file, {@code AT+QFLST="<pattern>"} the
     * matching ones, each as {@code +QFLST: "UFS:<name>",<size>} (BG96 FILE AT Commands Manual 2.2;
     * the {@code "UFS:"} spelling as real modules print it, e.g. {@code +QFLST: "UFS:client.crt",851}
     * in the EC25 log cited above). A pattern that matches nothing lists nothing.
     */
    String qflst(AtCommand c) {
        if (c.type() == AtCommand.Type.TEST) {
            return OK;
        }
        String pattern;
        if (c.type() == AtCommand.Type.EXEC) {
            pattern = "*";
        } else if (c.type() == AtCommand.Type.WRITE && c.argCount() == 1) {
            pattern = canonical(c.arg(0).text());
        } else {
            return ERROR;
        }
        Pattern p = glob(pattern);
        List<String> lines = new ArrayList<>();
        files.forEach((n, b) -> {
            if (!n.regionMatches(true, 0, "RAM:", 0, 4) && p.matcher(n).matches()) {
                lines.add("+QFLST: \"UFS:" + n + "\"," + b.length);
            }
        });
        if (!lines.isEmpty()) {
            out.block(lines);
        }
        return OK;
    }

    /** {@code AT+QFDEL="<name>"} or {@code "*"} (every UFS file); a name that is not there: 418. */
    String qfdel(AtCommand c) {
        if (c.type() == AtCommand.Type.TEST) {
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() != 1) {
            return ERROR;
        }
        String name = canonical(c.arg(0).text());
        if (name.equals("*")) {
            files.keySet().removeIf(n -> !n.regionMatches(true, 0, "RAM:", 0, 4));
            return OK;
        }
        return files.remove(name) != null ? OK : cmeError.apply(DELETE_FAILED);
    }

    private static Pattern glob(String pattern) {
        StringBuilder b = new StringBuilder();
        for (char ch : pattern.toCharArray()) {
            b.append(ch == '*' ? ".*" : ch == '?' ? "." : Pattern.quote(String.valueOf(ch)));
        }
        return Pattern.compile(b.toString());
    }

    // ---- Quectel M95: AT+QSECWRITE, AT+QSECREAD, AT+QSECDEL -------------------------------------

    /**
     * {@code AT+QSECWRITE="RAM:<name>",size[,timeout]}: {@code CONNECT}, the bytes,
     * {@code +QSECWRITE: <size>,<checksum>}, OK (reference 003 section 5.2:
     * {@code +QSECWRITE: 1758,384a}, the same checksum QFUPL reports for the same file in reference
     * 004). Only {@code RAM:} names are taken: the note writes every certificate there. Writing a
     * name again replaces the file.
     */
    String qsecwrite(AtCommand c, HostInput in) throws IOException {
        if (c.type() == AtCommand.Type.TEST) {
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() < 2 || c.argCount() > 3 || !c.arg(0).quoted()) {
            return ERROR;
        }
        String name = c.arg(0).text();
        int size = c.intArg(1);
        if (!ramName(name) || size < 1 || size > MAX_FILE) {
            return ERROR;
        }
        return upload(c, in, name, size, false);
    }

    /**
     * {@code AT+QSECREAD="RAM:<name>"}: {@code +QSECREAD: <good>,<checksum>} with good 1 and the
     * file's checksum when it is there. The form is from public M95/MC60 host code (TinyGSM's MC60:
     * "AT+QSECREAD=<filename> Responds with +QSECREAD=<good>,<checksum>", and a Quectel GSM AWS example
     * showing {@code AT+QSECREAD="RAM:cacert.pem"} answered {@code +QSECREAD: 1,4c30}); a file that is
     * not there reads as good 0 (host code maps a {@code "+QSECREAD: 0,"} prefix to "certificate
     * incorrect"), with checksum 0.
     */
    String qsecread(AtCommand c) {
        if (c.type() == AtCommand.Type.TEST) {
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() != 1) {
            return ERROR;
        }
        byte[] b = files.get(canonical(c.arg(0).text()));
        out.line("+QSECREAD: " + (b == null ? "0,0" : "1," + Integer.toHexString(checksum(b))));
        return OK;
    }

    /** {@code AT+QSECDEL="RAM:<name>"}: OK, or ERROR when there is no such file. */
    String qsecdel(AtCommand c) {
        if (c.type() == AtCommand.Type.TEST) {
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() != 1) {
            return ERROR;
        }
        return files.remove(canonical(c.arg(0).text())) != null ? OK : ERROR;
    }

    private static boolean ramName(String name) {
        return name.length() > 4 && name.substring(0, 4).toUpperCase(Locale.ROOT).equals("RAM:");
    }

    // ---- SIMCom SIM7600: AT+CCERTDOWN, AT+CCERTLIST, AT+CCERTDELE -------------------------------

    /**
     * {@code AT+CCERTDOWN="name",size}: the firmware's prompt, exactly size bytes, OK (reference 001
     * section 2). Reference 001 says "before sending the certificates, any previous certificates have
     * to be deleted": a name already stored is refused with ERROR.
     */
    String ccertdown(AtCommand c, HostInput in) throws IOException {
        if (c.type() == AtCommand.Type.TEST) {
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() != 2) {
            return ERROR;
        }
        String name = c.arg(0).text();
        int size = c.intArg(1);
        if (name.isEmpty() || size < 1 || size > MAX_FILE || files.containsKey(name)) {
            return ERROR;
        }
        out.raw(out.firmware().prompt().bytes()); // the firmware's prompt form (Firmware.withPrompt)
        byte[] data = in.readExactly(size);
        if (data == null) {
            return ERROR;
        }
        lineErrors(data);
        store(name, data);
        return OK;
    }

    /** {@code AT+CCERTLIST}: one {@code +CCERTLIST: "name"} per stored file, as reference 001 section 2 prints them. */
    String ccertlist(AtCommand c) {
        if (c.type() != AtCommand.Type.EXEC) {
            return c.type() == AtCommand.Type.TEST ? OK : ERROR;
        }
        List<String> lines = files.keySet().stream().map(n -> "+CCERTLIST: \"" + n + "\"").toList();
        if (!lines.isEmpty()) {
            out.block(lines); // one block, as reference 001 prints the list
        }
        return OK;
    }

    /** {@code AT+CCERTDELE="name"} (reference 001 section 2): ERROR when there is no such file. */
    String ccertdele(AtCommand c) {
        if (c.type() == AtCommand.Type.TEST) {
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() != 1) {
            return ERROR;
        }
        return files.remove(c.arg(0).text()) != null ? OK : ERROR;
    }

    /**
     * Quectel's upload checksum, as the BG96 FILE AT Commands Manual defines {@code <checksum>} of
     * AT+QFUPL (section 2.4, note 2): "a 16 bit checksum based on bitwise XOR. If the number of the
     * characters is odd, set the last character as the high 8 bit, and the low 8 bit as 0, and then use
     * an XOR operator to calculate the checksum" (the same wording in the UC20/UGxx FILE manuals).
     * Printed in lower-case hex without leading zeros, as references 003/004 and real modules print it
     * ({@code 384a}; {@code +QFUPL: 227,d35} in the EC25 log).
     */
    public static int checksum(byte[] data) {
        int x = 0;
        for (int i = 0; i < data.length; i += 2) {
            int hi = data[i] & 0xFF;
            int lo = i + 1 < data.length ? data[i + 1] & 0xFF : 0;
            x ^= (hi << 8) | lo;
        }
        return x;
    }
}
