package dev.gatehouse.plugins.kv;

/** What {@link KvProviderLoop} needs of a store: read a prefix, watch it, and say what went wrong. */
public interface KeyValueStore {

    /**
     * Every key under {@code prefix} with its value, within {@link StoreRead}'s bounds; throws when the store cannot
     * be read now, {@link StoreRead.LimitExceeded} when what is under {@code prefix} is too large to read.
     */
    StoreRead readAll(String prefix) throws Exception;

    /**
     * Starts watching {@code prefix}: {@code changed} runs after any change under it, {@code broken} when the watch
     * stops working (the connection is lost, the store refuses it). Throws when the watch cannot start now.
     *
     * @return stops the watch
     */
    AutoCloseable watch(String prefix, Runnable changed, java.util.function.Consumer<Throwable> broken) throws Exception;

    /**
     * A cheap round trip about {@code prefix} that throws when the store does not answer now: finds an outage while
     * nothing changes.
     */
    void probe(String prefix) throws Exception;

    /**
     * Drops the connections after a failure, so that the next attempt connects afresh instead of waiting for the
     * client library's own reconnect schedule (gRPC waits up to 2 minutes between attempts, lettuce 30 s).
     */
    default void reset() {
    }

    /** Why {@code failure} happened, for a user: no exception class names. */
    String describeFailure(Throwable failure);
}
