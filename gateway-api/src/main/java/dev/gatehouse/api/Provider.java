package dev.gatehouse.api;

/**
 * A source of dynamic configuration: watches something (files, Docker, a key-value store) and pushes
 * the whole configuration it sees, each time it changes.
 *
 * <p>A provider is enabled by its key in the static configuration's {@code providers} section. The
 * options below that key are bound to {@link #configType()}:
 *
 * <pre>{@code
 * providers:
 *   file:                      # name() == "file"
 *     directory: /etc/gatehouse/dynamic
 *     watch: true
 * }</pre>
 *
 * <p>A provider always publishes complete snapshots, never deltas: the gateway drops a snapshot equal
 * to the previous one, throttles bursts ({@code providers.providersThrottleDuration}), names every
 * element {@code name@provider} and validates each element on its own, so a provider never needs to
 * know what a router or a middleware means.
 *
 * <pre>{@code
 * @Extension
 * public final class StaticProvider implements Provider<StaticProvider.Config> {
 *     public record Config(String rule, String url) {}
 *     public String name() { return "static"; }
 *     public Class<Config> configType() { return Config.class; }
 *     public Running start(Config config, ProviderContext context) {
 *         context.publish(ConfigurationSnapshot.of(ConfigurationFragment.of("static provider", Map.of(
 *             "http", Map.of(
 *                 "routers", Map.of("app", Map.of("rule", config.rule(), "service", "app")),
 *                 "services", Map.of("app", Map.of("loadBalancer",
 *                     Map.of("servers", List.of(Map.of("url", config.url()))))))))));
 *         return () -> { };
 *     }
 * }
 * }</pre>
 *
 * @param <C> the provider's options type
 */
public interface Provider<C> extends ConfigurableExtension<C> {

    /**
     * Starts watching and publishes the first snapshot as soon as it has one. Must not block for long:
     * watch on a thread of the provider's own, and stop that thread in {@link Running#close()}.
     *
     * @param config the bound options
     * @param context where snapshots go
     * @return a handle that stops the provider
     * @throws Exception when the provider cannot start at all (for example a configured file that does
     *     not exist); the gateway reports it with the provider's name and goes on without it
     */
    Running start(C config, ProviderContext context) throws Exception;

    /** A started provider. Closing it stops watching and releases what it holds; it may be called once. */
    @FunctionalInterface
    interface Running extends AutoCloseable {
        @Override
        void close() throws Exception;
    }
}
