package io.cellmqtt.modem;

import io.cellmqtt.at.AtChannel;
import io.cellmqtt.at.AtCommand;
import io.cellmqtt.at.AtCommandLine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * SIMCom's certificate store (SIM7600 guide, reference 001, section 2, and the SIM7600 SSL
 * manual): {@code AT+CCERTLIST} lists {@code +CCERTLIST: "<name>"}; {@code AT+CCERTDOWN="<name>",<len>}
 * answers the {@code >} prompt and takes exactly len bytes; {@code AT+CCERTDELE} deletes. The list
 * gives names only: a listed name is held, since it carries its content's hash.
 */
final class SimcomCertStore implements CertificateStore {
    private final AtChannel channel;

    SimcomCertStore(AtChannel channel) {
        this.channel = channel;
    }

    @Override
    public String reference(String name) {
        return name;
    }

    @Override
    public CompletableFuture<Inventory> inventory(List<CertificateFile> wanted) {
        AtCommand list = AtCommandLine.execute("+CCERTLIST").command().withReplyPrefix("+CCERTLIST:");
        return channel.submit(list).result().thenApply(r -> {
            Set<String> listed = new HashSet<>();
            for (String line : r.lines()) {
                int open = line.indexOf('"');
                int close = open < 0 ? -1 : line.indexOf('"', open + 1);
                if (close > open) {
                    listed.add(line.substring(open + 1, close));
                }
            }
            Set<String> held = new HashSet<>();
            Set<String> names = new HashSet<>();
            for (CertificateFile f : wanted) {
                names.add(f.name());
                if (listed.contains(f.name())) {
                    held.add(f.name());
                }
            }
            List<String> others = new ArrayList<>();
            for (String n : listed) {
                if (n.startsWith(CertificateFile.PREFIX) && !names.contains(n)) {
                    others.add(n);
                }
            }
            return new Inventory(held, held, others);
        });
    }

    @Override
    public CompletableFuture<Void> upload(CertificateFile f) {
        AtCommand c;
        try {
            c = AtCommandLine.write("+CCERTDOWN").quoted("file name", f.name()).dataLength(f.content()).command();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        c = c.withLostPrompt(AtCommand.LostPrompt.FILL_ANNOUNCED_LENGTH)
                .withTimeout(AtCommand.DEFAULT_TIMEOUT.plus(Duration.ofMillis(f.size())));
        return channel.submit(c).result().thenApply(r -> null);
    }

    @Override
    public CompletableFuture<Void> delete(String name) {
        AtCommand c;
        try {
            c = AtCommandLine.write("+CCERTDELE").quoted("file name", name).command();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return channel.submit(c).result().thenApply(r -> null);
    }
}
