package dev.gatehouse.plugins.file;

import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.api.ProviderContext;

/**
 * Hands snapshots to the gateway: only ones that differ from the last one sent, and none once closed,
 * so that nothing arrives after {@code Running.close()} returns, even if the watch thread was mid-read.
 */
final class SnapshotPublisher implements AutoCloseable {

    private final ProviderContext context;
    private ConfigurationSnapshot last;
    private boolean closed;
    /** Whether the gateway was told that the files cannot be read, and not yet that they can. */
    private boolean unavailable;

    SnapshotPublisher(ProviderContext context) {
        this.context = context;
    }

    /**
     * Publishes {@code snapshot} unless it equals the previous one (and the files were readable since: the first
     * one after {@link #unavailable} is published anyway, so the gateway learns that they are readable again);
     * returns whether it changed.
     */
    synchronized boolean publish(ConfigurationSnapshot snapshot) {
        if (closed || (snapshot.equals(last) && !unavailable)) {
            return false;
        }
        boolean changed = !snapshot.equals(last);
        unavailable = false;
        last = snapshot;
        // Holding the lock is fine: ProviderContext.publish is documented as cheap and non-blocking.
        context.publish(snapshot);
        return changed;
    }

    /** Tells the gateway that the files cannot be read now; the last snapshot keeps serving. */
    synchronized void unavailable(String problem) {
        if (!closed) {
            unavailable = true;
            context.reportUnavailable(problem);
        }
    }

    /**
     * The files were read again and hold what was published last: after {@link #unavailable}, publishes the last
     * snapshot once more (the gateway drops it as unchanged, and shows the provider up); otherwise nothing.
     */
    synchronized void readAgainUnchanged() {
        if (unavailable && last != null) {
            publish(last);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
