package dev.gatehouse.plugins.kv;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.api.Provider;
import dev.gatehouse.api.ProviderContext;
import dev.gatehouse.api.config.KeyValueLayout;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key-value provider's life, on a thread of its own: watch the root key, read everything under it, publish it as a
 * snapshot in Traefik's KV layout, and read again after every change (changes that arrive while reading are folded
 * into one more read; the gateway throttles what is published). While the store cannot be read, the gateway keeps
 * what was published last; the provider says it is unavailable once, logs one warning, retries with a backoff
 * bounded by {@link #MAX_BACKOFF}, and says it is back (one log line) with a full read.
 *
 * <p>A store that answers no event while nothing changes is probed every {@link #PROBE_INTERVAL}, so an outage is
 * seen within seconds even when the watch itself would only resume silently.
 *
 * <p>Why not the file provider's {@code SnapshotPublisher}: what the two share is small (no publish once closed, done
 * here under {@link #lock}), and the rest differs. The file provider re-reads on a timer as well as on events and
 * must skip identical snapshots and re-announce the last one after an outage; this loop reads only after a change
 * or after a failure, and its read after a failure is a full publish anyway. Sharing it would also make the file
 * provider's jar carry kv-support (each KV plugin shades its own copy).
 */
public final class KvProviderLoop implements Provider.Running {

    private static final Logger LOG = LoggerFactory.getLogger(KvProviderLoop.class);

    /** The first wait after a failure; doubled up to {@link #MAX_BACKOFF}. */
    static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** How often a quiet store is probed. */
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(2);

    private final String name;
    private final String rootKey;
    private final KeyValueStore store;
    private final ProviderContext context;
    private final Thread thread;
    private final Object lock = new Object();
    private boolean dirty;
    private Throwable watchFailure;
    private volatile boolean closed;

    /**
     * @param name the provider's name ({@code etcd}), for origins and log lines
     * @param rootKey the root key the configuration is under
     */
    public KvProviderLoop(String name, String rootKey, KeyValueStore store, ProviderContext context) {
        this.name = requireNonNull(name, "name");
        this.rootKey = KeyValueLayout.withoutTrailingSlash(requireNonNull(rootKey, "rootKey"));
        this.store = requireNonNull(store, "store");
        this.context = requireNonNull(context, "context");
        this.thread = new Thread(this::run, "gatehouse-provider-" + name);
        this.thread.setDaemon(true);
    }

    /** Starts the thread; the first snapshot follows as soon as the store answers. */
    public void start() {
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        synchronized (lock) {
            closed = true;   // under the lock: publish() sees it, so nothing is published once close() returns
            lock.notifyAll();
        }
        thread.interrupt();
        thread.join(5000);
    }

    /** Whether the provider's thread still runs (it ends after {@link #close()}, once a read under way returns). */
    boolean running() {
        return thread.isAlive();
    }

    private void changed() {
        synchronized (lock) {
            dirty = true;
            lock.notifyAll();
        }
    }

    private void broken(Throwable failure) {
        synchronized (lock) {
            if (watchFailure == null) {
                watchFailure = failure;
            }
            lock.notifyAll();
        }
    }

    private void run() {
        String prefix = rootKey + "/";
        Duration backoff = FIRST_BACKOFF;
        String down = null; // the problem reported, while the store is unavailable
        while (!closed) {
            AutoCloseable watch = null;
            try {
                synchronized (lock) {
                    watchFailure = null;
                    dirty = false;
                }
                // Watch first, then read: a change between the two is seen twice rather than missed.
                watch = store.watch(prefix, this::changed, this::broken);
                down = readAndPublish(prefix, down);
                backoff = FIRST_BACKOFF;
                while (!closed) {
                    Throwable failure;
                    boolean reread;
                    synchronized (lock) {
                        if (!dirty && watchFailure == null) {
                            lock.wait(PROBE_INTERVAL.toMillis());
                        }
                        failure = watchFailure;
                        reread = dirty;
                        dirty = false;
                    }
                    if (closed) {
                        break;
                    }
                    if (failure != null) {
                        throw failure instanceof Exception e ? e : new Exception(failure);
                    }
                    if (reread) {
                        down = readAndPublish(prefix, down);
                    } else {
                        store.probe(prefix);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (closed) {
                    break;
                }
            } catch (Exception | LinkageError e) {
                if (closed) {
                    break;
                }
                down = report(store.describeFailure(e), down);
                LOG.debug("provider {}: failure details", name, e);
            } finally {
                closeQuietly(watch);
            }
            if (closed) {
                break;
            }
            try {
                store.reset();
            } catch (RuntimeException e) {
                LOG.debug("provider {}: dropping the connection failed", name, e);
            }
            try {
                Thread.sleep(backoff.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /**
     * Reads everything under {@code prefix} and publishes it; returns the problem the provider is down for now (null
     * once published). A read past {@link StoreRead}'s limits is reported like an outage, but the watch goes on and
     * nothing is read again until something changes: reading tens of megabytes again every few seconds would load
     * the store and the gateway for nothing.
     *
     * @param down the problem reported before, or null
     */
    private String readAndPublish(String prefix, String down) throws Exception {
        StoreRead read;
        try {
            read = store.readAll(prefix);
        } catch (StoreRead.LimitExceeded e) {
            return report(e.getMessage(), down);
        }
        publish(read);
        if (down != null) {
            LOG.info("provider {}: configuration read anew (the problem before: {})", name, down);
        }
        return null;
    }

    /** Says once that the provider is down for {@code problem}; returns it as the problem now reported. */
    private String report(String problem, String down) {
        if (!problem.equals(down)) {
            if (down == null) {
                LOG.warn("provider {}: {}; serving the last configuration read, retrying", name, problem);
            } else {
                LOG.warn("provider {}: {}", name, problem);
            }
            context.reportUnavailable(problem);
        }
        return problem;
    }

    private void publish(StoreRead read) {
        ConfigurationSnapshot snapshot = new ConfigurationSnapshot(
                KeyValueLayout.fragments(name, rootKey, read.pairs(), read.oversized()));
        synchronized (lock) {
            // A read that outlived close()'s wait (a store answering slowly) must not reach the gateway afterwards.
            if (!closed) {
                context.publish(snapshot);   // cheap and non-blocking, as ProviderContext documents
            }
        }
    }

    private void closeQuietly(AutoCloseable watch) {
        if (watch == null) {
            return;
        }
        try {
            watch.close();
        } catch (Exception e) {
            LOG.debug("provider {}: closing the watch failed", name, e);
        }
    }
}
