package dev.gatehouse.api;

/**
 * Given to a {@link Provider} when it starts: the place its snapshots go.
 *
 * <pre>{@code
 * public Running start(Config config, ProviderContext context) {
 *     WatchThread watcher = new WatchThread(config.directory(), snapshot -> context.publish(snapshot));
 *     watcher.start();
 *     return watcher::shutdown;
 * }
 * }</pre>
 */
public interface ProviderContext {

    /**
     * Replaces everything this provider published before with {@code snapshot}. Cheap and
     * non-blocking; may be called from any thread, as often as the source changes. Each call also says that
     * the source was read successfully: the gateway shows the provider as up, with the time of this call.
     */
    void publish(ConfigurationSnapshot snapshot);

    /**
     * Says that the source cannot be read now (an engine that does not answer, a watched folder that is gone);
     * the gateway keeps serving what this provider published last, does not wait for its first snapshot at
     * start, and shows the provider as down with {@code problem} in its API ({@code /api/providers}), its
     * dashboard, its metrics ({@code provider_up}) and {@code gatehouse check}, until the next
     * {@link #publish}. A provider that publishes only changed snapshots publishes its next one even when it
     * is unchanged, so that the gateway learns that the source is readable again.
     *
     * <pre>{@code
     * context.reportUnavailable("cannot reach the engine at unix:///var/run/docker.sock: the socket does not "
     *         + "exist; start Docker or set providers.docker.endpoint");
     * }</pre>
     *
     * <p>Call it when the state changes, not on each retry. The default does nothing, for contexts that
     * do not track health (a test's).
     *
     * @param problem for a user: what cannot be read, where, and how to fix it; no exception class names
     */
    default void reportUnavailable(String problem) {
    }
}
