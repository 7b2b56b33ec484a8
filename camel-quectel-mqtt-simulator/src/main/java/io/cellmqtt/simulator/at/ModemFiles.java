package io.cellmqtt.simulator.at;

import io.cellmqtt.simulator.host.HostInput;
import io.cellmqtt.simulator.host.HostOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The modem's file system as far as certificates go: the upload commands take their bytes from
 * the host and keep them by name. TLS in the simulator trusts any server, so the contents are only
 * kept to be listed and counted.
 */
final class ModemFiles {

    /** Larger uploads are refused before the data phase: certificates are a few KiB. */
    static final int MAX_FILE = 64 * 1024;
    private static final String OK = AtInterpreter.OK;
    private static final String ERROR = AtInterpreter.ERROR;

    private final HostOutput out;
    private final Map<String, byte[]> files = new ConcurrentSkipListMap<>();

    ModemFiles(HostOutput out) {
        this.out = out;
    }

    /**
     * Quectel {@code AT+QFUPL="name",size[,timeout[,ackmode]]} and {@code AT+QSECWRITE="name",size[,timeout]}:
     * {@code CONNECT}, then exactly size bytes, then {@code +<cmd>: size,checksum} and OK.
     */
    String quectelUpload(AtCommand c, HostInput in) throws IOException {
        if (c.type() == AtCommand.Type.TEST) {
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() < 2 || c.argCount() > 4 || !c.arg(0).quoted()) {
            return ERROR;
        }
        String name = c.arg(0).text();
        int size = c.intArg(1);
        if (name.isEmpty() || size < 1 || size > MAX_FILE) {
            return ERROR;
        }
        out.line("CONNECT");
        byte[] data = in.readExactly(size);
        if (data == null) {
            return ERROR;
        }
        files.put(name, data);
        out.line(c.name() + ": " + size + "," + Integer.toHexString(checksum(data)));
        return OK;
    }

    /** SIMCom {@code AT+CCERTDOWN="name",size}: prompt, exactly size bytes, OK. */
    String simcomDownload(AtCommand c, HostInput in) throws IOException {
        if (c.type() == AtCommand.Type.TEST) {
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() != 2 || !c.arg(0).quoted()) {
            return ERROR;
        }
        String name = c.arg(0).text();
        int size = c.intArg(1);
        if (name.isEmpty() || size < 1 || size > MAX_FILE) {
            return ERROR;
        }
        out.raw(out.firmware().prompt().bytes()); // the firmware's prompt form (Firmware.withPrompt)
        byte[] data = in.readExactly(size);
        if (data == null) {
            return ERROR;
        }
        files.put(name, data);
        return OK;
    }

    /** SIMCom {@code AT+CCERTLIST}: one {@code +CCERTLIST: "name"} per stored file. */
    String simcomList(AtCommand c) {
        if (c.type() != AtCommand.Type.EXEC) {
            return c.type() == AtCommand.Type.TEST ? OK : ERROR;
        }
        List<String> lines = files.keySet().stream().map(n -> "+CCERTLIST: \"" + n + "\"").toList();
        if (!lines.isEmpty()) {
            out.block(lines); // one block, as reference 001 prints the list
        }
        return OK;
    }

    /** SIMCom {@code AT+CCERTDELE="name"}: ERROR when there is no such file. */
    String simcomDelete(AtCommand c) {
        if (c.type() == AtCommand.Type.TEST) {
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() != 1) {
            return ERROR;
        }
        return files.remove(c.arg(0).text()) != null ? OK : ERROR;
    }

    /** Quectel's upload checksum: the XOR of the data taken as 16-bit big-endian words. */
    static int checksum(byte[] data) {
        int x = 0;
        for (int i = 0; i < data.length; i += 2) {
            int hi = data[i] & 0xFF;
            int lo = i + 1 < data.length ? data[i + 1] & 0xFF : 0;
            x ^= (hi << 8) | lo;
        }
        return x;
    }

}
