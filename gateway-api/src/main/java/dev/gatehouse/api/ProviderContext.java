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
     * non-blocking; may be called from any thread, as often as the source changes.
     */
    void publish(ConfigurationSnapshot snapshot);
}
