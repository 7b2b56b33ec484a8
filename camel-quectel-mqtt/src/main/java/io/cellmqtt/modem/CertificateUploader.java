package io.cellmqtt.modem;

import io.cellmqtt.loop.ModemLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Puts the certificates and keys the clients of one modem use onto it, each once: before a client
 * configures SSL, the store's inventory says which of its files the modem holds; the others are
 * uploaded (and verified where the modem reports a checksum). Files of ours that no client of this
 * modem uses are deleted, so the modem's small file system does not fill up: a while after the last
 * client configured ({@link #CLEANUP_DELAY}), so that the routes of an application that starts
 * together have all said which files they use (deleting at once, the first route would delete the
 * files of the second, which would then upload them again). Files the component did not name
 * ({@link CertificateFile#PREFIX}) are never touched. Runs on the modem's loop; one client's turn
 * at a time.
 */
final class CertificateUploader {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateUploader.class);

    /** How long after the last client configured its files the unused ones of ours are deleted. */
    static final Duration CLEANUP_DELAY = Duration.ofSeconds(60);
    /** {@link #CLEANUP_DELAY}, shorter in tests of this package. */
    static volatile Duration cleanupDelay = CLEANUP_DELAY;

    private final String port;
    private final ModemLoop loop;
    private final CertificateStore store;
    private ModemLoop.Timer cleanup;
    /**
     * The names each client index uses. A stopped client's stay: it may be started again (or be
     * reconnecting) and must not find its key deleted; a later application start forgets them.
     */
    private final Map<Integer, Set<String>> inUse = new HashMap<>();
    /** Names found on the modem or uploaded since it was last brought up. */
    private final Set<String> known = new HashSet<>();
    private CompletableFuture<Void> turn = CompletableFuture.completedFuture(null);

    CertificateUploader(String port, ModemLoop loop, CertificateStore store) {
        this.port = port;
        this.loop = loop;
        this.store = store;
    }

    String reference(String name) {
        return store.reference(name);
    }

    /** The modem restarted or was replaced: what it holds is looked at again. */
    void forget() {
        known.clear();
    }

    /** Makes sure the modem holds {@code files}, the certificates of client {@code index}. */
    CompletableFuture<Void> ensure(int index, List<CertificateFile> files) {
        Set<String> names = new HashSet<>();
        files.forEach(f -> names.add(f.name()));
        inUse.put(index, names);
        if (files.isEmpty() || known.containsAll(names)) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> mine = turn.<Void>handle((v, e) -> null).thenCompose(v -> check(files));
        turn = mine;
        mine.thenRun(this::cleanUpLater);
        return mine;
    }

    private CompletableFuture<Void> check(List<CertificateFile> files) {
        List<CertificateFile> missing = new ArrayList<>();
        for (CertificateFile f : files) {
            if (!known.contains(f.name())) {
                missing.add(f);
            }
        }
        if (missing.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return store.inventory(files).thenCompose(inventory -> {
            known.addAll(inventory.held());
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (CertificateFile f : files) {
                if (!inventory.held().contains(f.name())) {
                    if (inventory.present().contains(f.name())) {
                        // there, but not this content (cut short, corrupted): the modems do not overwrite
                        chain = chain.thenCompose(v -> deleteStale(f.name()));
                    }
                    chain = chain.thenCompose(v -> upload(f));
                }
            }
            return chain;
        });
    }

    private void cleanUpLater() {
        if (cleanup != null) {
            cleanup.cancel();
        }
        cleanup = loop.schedule(cleanupDelay, () -> {
            cleanup = null;
            turn = turn.<Void>handle((v, e) -> null).thenCompose(v -> store.inventory(List.of())).thenCompose(inventory -> {
                Set<String> used = new HashSet<>();
                inUse.values().forEach(used::addAll);
                CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
                for (String other : inventory.othersOfOurs()) {
                    if (!used.contains(other)) {
                        chain = chain.thenCompose(v -> deleteStale(other));
                    }
                }
                return chain;
            }).<Void>handle((v, e) -> {
                if (e != null) {
                    LOG.debug("{}: looking for unused files failed: {}", port, Failures.cause(e).getMessage());
                }
                return null;
            });
        });
    }

    private CompletableFuture<Void> upload(CertificateFile f) {
        LOG.info("{}: uploading {} as {}", port, f, store.reference(f.name()));
        return store.upload(f).handle((v, e) -> {
            if (e == null) {
                known.add(f.name());
                LOG.info("{}: {} is on the modem", port, store.reference(f.name()));
                return CompletableFuture.<Void>completedFuture(null);
            }
            Throwable c = Failures.cause(e);
            ModemException failure = c instanceof ModemException m ? m : new ModemException("uploading " + f + " as "
                    + store.reference(f.name()) + " failed: " + c.getMessage() + "; it is uploaded again at the next attempt", c);
            // What was stored under the name may be incomplete or filler: it must not be taken for this content.
            return store.delete(f.name()).handle((x, y) -> null)
                    .thenCompose(x -> CompletableFuture.<Void>failedFuture(failure));
        }).thenCompose(x -> x);
    }

    private CompletableFuture<Void> deleteStale(String name) {
        LOG.info("{}: deleting {}: no client of this modem uses it, or it is not the content its name promises", port,
                store.reference(name));
        return store.delete(name).handle((v, e) -> {
            if (e != null) {
                LOG.warn("{}: deleting {} failed: {}", port, store.reference(name), Failures.cause(e).getMessage());
            }
            return null;
        });
    }
}
