package dev.gatehouse.api;

/**
 * A store that several gateways share, such as etcd or Redis: where {@link Storage} keeps its entries when the
 * static configuration names it in its {@code storage} section. Without that section every {@link Storages#open}
 * gives the bundled file storage.
 *
 * <p>The options below the backend's key are bound to {@link #configType()}; {@code encryptionKey} beside it is the
 * gateway's (it encrypts {@link Storage#putSecret} values before they reach the backend):
 *
 * <pre>{@code
 * storage:
 *   etcd:                          # name() == "etcd"
 *     endpoints: ["10.0.0.1:2379"]
 *     rootKey: gatehouse
 *   encryptionKey: ...             # base64 of 32 random bytes, the same on every gateway
 * }</pre>
 *
 * <pre>{@code
 * @Extension
 * public final class ConsulStorageBackend implements StorageBackend<ConsulStorageBackend.Config> {
 *     public record Config(String endpoint, String rootKey) {}
 *     public String name() { return "consul"; }
 *     public Class<Config> configType() { return Config.class; }
 *     public Connected connect(Config config) throws Exception {
 *         return new ConsulStorage(config);   // get, put, list, delete, tryLock with a session, watch
 *     }
 * }
 * }</pre>
 *
 * <p>The store's keys are the {@link Storage} keys below the backend's root key ({@code gatehouse/acme/le/...}); a
 * backend's {@link Storage#tryLock} must be safe across processes (a lease the holder renews, so a crashed holder's
 * lock expires) and its {@link Storage#watch} must report changes other gateways make.
 *
 * @param <C> the options type
 */
public interface StorageBackend<C> extends ConfigurableExtension<C> {

    /**
     * Connects to the store. Called once, at start, before any certificate resolver starts; must not wait long
     * for a store that does not answer (the store may come later: operations then fail with an IOException that
     * says so, and watches resume by themselves).
     *
     * @param config the bound options
     * @return the store; closed when the gateway stops
     * @throws Exception when the options cannot work (a TLS file that cannot be read); the message names the key
     */
    Connected connect(C config) throws Exception;

    /** A connected store: a {@link Storage} that the gateway closes when it stops. */
    interface Connected extends Storage, AutoCloseable {
        @Override
        void close();
    }
}
