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

    SnapshotPublisher(ProviderContext context) {
        this.context = context;
    }

    /** Publishes {@code snapshot} unless it equals the previous one; returns whether it did. */
    synchronized boolean publish(ConfigurationSnapshot snapshot) {
        if (closed || snapshot.equals(last)) {
            return false;
        }
        last = snapshot;
        // Holding the lock is fine: ProviderContext.publish is documented as cheap and non-blocking.
        context.publish(snapshot);
        return true;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
