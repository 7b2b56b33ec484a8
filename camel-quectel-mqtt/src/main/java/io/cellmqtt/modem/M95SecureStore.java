package io.cellmqtt.modem;

import io.cellmqtt.at.AtChannel;
import io.cellmqtt.at.AtCommand;
import io.cellmqtt.at.AtCommandLine;
import io.cellmqtt.at.AtErrorException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The M95's secure storage in RAM (the older QMT note, reference 003, and the M95 SSL note):
 * {@code AT+QSECWRITE="RAM:<name>",<size>,<timeout>} answers {@code CONNECT}, takes exactly size
 * bytes and reports {@code +QSECWRITE: <size>,<checksum>}; {@code AT+QSECREAD="RAM:<name>"}
 * reports {@code +QSECREAD: <good>,<checksum>}; {@code AT+QSECDEL} deletes. RAM files are gone
 * after a restart, and there is no listing: each wanted file is read back, and one whose checksum
 * is ours is held.
 */
final class M95SecureStore implements CertificateStore {
    private final AtChannel channel;

    M95SecureStore(AtChannel channel) {
        this.channel = channel;
    }

    @Override
    public String reference(String name) {
        return "RAM:" + name;
    }

    @Override
    public CompletableFuture<Inventory> inventory(List<CertificateFile> wanted) {
        Set<String> held = new HashSet<>();
        Set<String> present = new HashSet<>();
        List<AtCommand> reads = new ArrayList<>();
        try {
            for (CertificateFile f : wanted) { // every line built, so refused, before the first is written
                reads.add(AtCommandLine.write("+QSECREAD").quoted("file name", reference(f.name())).command()
                        .withReplyPrefix("+QSECREAD:"));
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int i = 0; i < wanted.size(); i++) {
            CertificateFile f = wanted.get(i);
            AtCommand read = reads.get(i);
            chain = chain.thenCompose(v -> channel.submit(read).result().handle((r, e) -> {
                        if (e != null) {
                            if (!(Failures.cause(e) instanceof AtErrorException)) {
                                throw new java.util.concurrent.CompletionException(Failures.cause(e));
                            }
                            return null; // no such file
                        }
                        String line = r.lines().stream().findFirst().orElse("");
                        String[] fields = line.substring(line.indexOf(':') + 1).split(",");
                        try {
                            if (fields.length >= 2 && Integer.parseInt(fields[0].trim()) == 1) {
                                present.add(f.name());
                                if (Integer.parseInt(fields[1].trim(), 16) == f.quectelChecksum()) {
                                    held.add(f.name());
                                }
                            }
                        } catch (NumberFormatException ignored) {
                            // not understood: uploaded again
                        }
                        return null;
                    }));
        }
        return chain.thenApply(v -> new Inventory(held, present, List.of()));
    }

    @Override
    public CompletableFuture<Void> upload(CertificateFile f) {
        AtCommand c;
        try {
            c = AtCommandLine.write("+QSECWRITE").quoted("file name", reference(f.name())).dataLength(f.content())
                    .integer(100).command();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        c = c.withPromptLine("CONNECT").withReplyPrefix("+QSECWRITE:")
                .withLostPrompt(AtCommand.LostPrompt.FILL_ANNOUNCED_LENGTH)
                .withTimeout(AtCommand.DEFAULT_TIMEOUT.plus(Duration.ofMillis(f.size())));
        return channel.submit(c).result().thenCompose(r ->
                UploadCheck.quectel(this, f, r.lines().stream().findFirst().orElse("")));
    }

    @Override
    public CompletableFuture<Void> delete(String name) {
        AtCommand c;
        try {
            c = AtCommandLine.write("+QSECDEL").quoted("file name", reference(name)).command();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return channel.submit(c).result().thenApply(r -> null);
    }
}
