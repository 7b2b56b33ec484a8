package io.cellmqtt.modem;

import io.cellmqtt.at.AtChannel;
import io.cellmqtt.at.AtCommand;
import io.cellmqtt.at.AtCommandLine;
import io.cellmqtt.at.AtErrorException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Quectel's user file system (BG95, BG77, BG600L, BG96): {@code AT+QFLST="*"} lists
 * {@code +QFLST: "<name>",<size>}; {@code AT+QFUPL="UFS:<name>",<size>,<timeout>} answers
 * {@code CONNECT}, takes exactly size bytes and reports {@code +QFUPL: <size>,<checksum>};
 * {@code AT+QFDEL} deletes (Quectel FILE application note; the BG96 guide, reference 000, uploads
 * its certificates with {@code AT+QFUPL} and names them in {@code AT+QSSLCFG}). A file the list
 * shows with the right size is taken as held: its name carries its content's hash.
 */
final class QuectelFileStore implements CertificateStore {
    private static final String UFS = "UFS:";

    private final AtChannel channel;

    QuectelFileStore(AtChannel channel) {
        this.channel = channel;
    }

    @Override
    public String reference(String name) {
        return UFS + name;
    }

    @Override
    public CompletableFuture<Inventory> inventory(List<CertificateFile> wanted) {
        AtCommand list = AtCommandLine.write("+QFLST").quoted("pattern", "*").command().withReplyPrefix("+QFLST:");
        return channel.submit(list).result().handle((r, e) -> {
            Map<String, Integer> sizes = new HashMap<>();
            if (e != null) {
                Throwable c = Failures.cause(e);
                if (!(c instanceof AtErrorException)) {
                    throw new java.util.concurrent.CompletionException(c);
                }
                // an empty file system may answer an error (+CME ERROR: 405, file not found)
            } else {
                for (String line : r.lines()) {
                    Listed l = Listed.parse(line);
                    if (l != null) {
                        sizes.put(l.name, l.size);
                    }
                }
            }
            Set<String> held = new HashSet<>();
            Set<String> present = new HashSet<>();
            Set<String> names = new HashSet<>();
            for (CertificateFile f : wanted) {
                names.add(f.name());
                Integer size = sizes.get(f.name());
                if (size != null) {
                    present.add(f.name());
                }
                if (size != null && size == f.size()) {
                    held.add(f.name());
                }
            }
            List<String> others = new ArrayList<>();
            for (String n : sizes.keySet()) {
                if (n.startsWith(CertificateFile.PREFIX) && !names.contains(n)) {
                    others.add(n);
                }
            }
            return new Inventory(held, present, others);
        });
    }

    /** {@code +QFLST: "UFS:name",size} or {@code +QFLST: "name",size}. */
    private record Listed(String name, int size) {
        static Listed parse(String line) {
            int open = line.indexOf('"');
            int close = open < 0 ? -1 : line.indexOf('"', open + 1);
            if (close < 0) {
                return null;
            }
            String name = line.substring(open + 1, close);
            if (name.startsWith(UFS)) {
                name = name.substring(UFS.length());
            }
            int comma = line.indexOf(',', close);
            try {
                return new Listed(name, comma < 0 ? -1 : Integer.parseInt(line.substring(comma + 1).trim()));
            } catch (NumberFormatException e) {
                return new Listed(name, -1);
            }
        }
    }

    @Override
    public CompletableFuture<Void> upload(CertificateFile f) {
        AtCommand c;
        try {
            c = AtCommandLine.write("+QFUPL").quoted("file name", reference(f.name())).dataLength(f.content())
                    .integer(60).command();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        c = c.withPromptLine("CONNECT").withReplyPrefix("+QFUPL:")
                // the modem counts the bytes: a lost CONNECT is answered with filler, never ESC and a probe
                .withLostPrompt(AtCommand.LostPrompt.FILL_ANNOUNCED_LENGTH)
                .withTimeout(AtCommand.DEFAULT_TIMEOUT.plus(Duration.ofMillis(f.size())));
        return channel.submit(c).result().thenCompose(r -> {
            String line = r.lines().stream().findFirst().orElse("");
            return UploadCheck.quectel(this, f, line);
        });
    }

    @Override
    public CompletableFuture<Void> delete(String name) {
        AtCommand c;
        try {
            c = AtCommandLine.write("+QFDEL").quoted("file name", reference(name)).command();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return channel.submit(c).result().thenApply(r -> null);
    }
}
