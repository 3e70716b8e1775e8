package dev.gatehouse.core.runtime;

import dev.gatehouse.api.FailureReasons;
import dev.gatehouse.core.config.dynamic.ServersTransportConfig;
import dev.gatehouse.core.proxy.UpstreamClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream clients of the {@code http.serversTransports}, kept across reloads: a runtime built from a
 * configuration whose transport is equal (as a value) to one a previous runtime uses gets that same client, with
 * its warm connection pool and its connections in use (WebSocket tunnels, long downloads), instead of a new one.
 * Each runtime holds a {@link Lease} on every client it uses; a client is stopped when the last lease on it is
 * released, that is when the last runtime using it has retired (after its last request and tunnel ended). This is
 * Traefik's way too: its transport manager keeps the transports whose configuration did not change. The
 * certificate files a transport names ({@code rootCAs}, {@code certificates}) count as part of its configuration:
 * a file renewed since is read again by a new client at the next reload, as it was before transports were kept.
 *
 * <p>Used from the configuration thread (acquire) and the retiring thread (release), never on a request.
 */
final class SharedTransports {

    private static final Logger LOG = LoggerFactory.getLogger(SharedTransports.class);

    /** Makes and starts the client of a transport configuration; throws what is wrong with the configuration. */
    @FunctionalInterface
    interface Factory {
        UpstreamClient start(ServersTransportConfig config) throws Exception;
    }

    private final Factory factory;
    private final Map<Key, Shared> byKey = new HashMap<>();

    SharedTransports(Factory factory) {
        this.factory = factory;
    }

    /**
     * A lease on the client of that configuration: the running one when a runtime uses an equal configuration
     * already, else a new one, started. Stop the lease to give it back.
     */
    synchronized Lease acquire(ServersTransportConfig config) throws Exception {
        Key key = Key.of(config);
        Shared shared = byKey.get(key);
        if (shared == null) {
            shared = new Shared(key, factory.start(config));
            byKey.put(key, shared);
        }
        shared.leases++;
        Lease lease = new Lease(shared);
        lease.start();
        return lease;
    }

    /** How many distinct transport clients are running now (for tests). */
    synchronized int running() {
        return byKey.size();
    }

    private void release(Shared shared) {
        synchronized (this) {
            if (--shared.leases > 0) {
                return;
            }
            byKey.remove(shared.key);
        }
        // Outside the lock: stopping waits for the client's threads, and a build may want another transport meanwhile.
        try {
            shared.client.stop();
        } catch (Exception e) {
            LOG.warn("Stopping a servers transport no configuration uses any more: {}", FailureReasons.of(e));
        }
    }

    /**
     * What makes two transports the same: their configuration (a value: bound again from the files at each reload)
     * and the last-modified time and size of each certificate file it names.
     */
    private record Key(ServersTransportConfig config, List<String> files) {

        static Key of(ServersTransportConfig config) {
            List<String> files = new ArrayList<>();
            config.rootCAs().forEach(ca -> files.add(stamp(ca)));
            for (ServersTransportConfig.Certificate certificate : config.certificates()) {
                files.add(stamp(certificate.certFile()));
                files.add(stamp(certificate.keyFile()));
            }
            return new Key(config, files);
        }

        private static String stamp(String fileOrContent) {
            String value = fileOrContent == null ? "" : fileOrContent.strip();
            if (value.isEmpty() || value.startsWith("-----BEGIN")) {
                return "";   // PEM text: part of the configuration itself
            }
            try {
                BasicFileAttributes file = Files.readAttributes(Path.of(value), BasicFileAttributes.class);
                return file.lastModifiedTime() + " " + file.size();
            } catch (IOException | InvalidPathException e) {
                return "unreadable";   // making the client reports it
            }
        }
    }

    /** One running client and how many runtimes hold it. */
    private static final class Shared {
        final Key key;
        final UpstreamClient client;
        int leases;

        Shared(Key key, UpstreamClient client) {
            this.key = key;
            this.client = client;
        }
    }

    /**
     * One runtime's hold on a shared client; a {@link LifeCycle} so that the runtime stops it with the rest of what
     * it started. Stopping it more than once gives the client back once.
     */
    final class Lease extends AbstractLifeCycle {
        private final Shared shared;
        private boolean released;

        private Lease(Shared shared) {
            this.shared = shared;
        }

        UpstreamClient client() {
            return shared.client;
        }

        @Override
        protected void doStop() {
            synchronized (this) {
                if (released) {
                    return;
                }
                released = true;
            }
            release(shared);
        }

        @Override
        public String toString() {
            return "servers transport client " + shared.key.config();
        }
    }
}
