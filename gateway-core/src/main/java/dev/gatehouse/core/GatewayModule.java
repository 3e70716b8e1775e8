package dev.gatehouse.core;

import com.google.inject.AbstractModule;
import dev.gatehouse.api.Storages;
import dev.gatehouse.core.storage.GatewayStorages;
import dev.gatehouse.api.Counter;
import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.core.metrics.ExtensionCounters;
import dev.gatehouse.core.config.LoadedConfiguration;
import dev.gatehouse.core.tls.Pem;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;

/**
 * What extensions can ask for in their constructors. Only {@code gateway-api} types are bound: a plugin
 * never sees the core's classes.
 */
final class GatewayModule extends AbstractModule {

    private final LoadedConfiguration configuration;
    private final GatewayStorages storages;
    /** Where {@link GatewayEnvironment#counter} registers: read by every metrics backend. */
    private final ExtensionCounters counters;

    /** With the storage files only: for commands that start no certificate resolver ({@code plugins}). */
    GatewayModule(LoadedConfiguration configuration) {
        this(configuration, new GatewayStorages(configuration::resolve), new ExtensionCounters());
    }

    GatewayModule(LoadedConfiguration configuration, GatewayStorages storages, ExtensionCounters counters) {
        this.configuration = configuration;
        this.storages = storages;
        this.counters = counters;
    }

    @Override
    protected void configure() {
        LoadedConfiguration loaded = configuration;
        Path home = loaded.home() != null ? loaded.home() : loaded.baseDirectory();
        bind(GatewayEnvironment.class).toInstance(new GatewayEnvironment() {
            @Override
            public String version() {
                return Version.get();
            }

            @Override
            public Path home() {
                return home;
            }

            @Override
            public Path resolve(String path) {
                return loaded.resolve(path);
            }

            @Override
            public KeyManager[] clientCertificate(String cert, String key) throws IOException, GeneralSecurityException {
                Path base = loaded.baseDirectory();
                List<X509Certificate> chain = Pem.certificates(Pem.text(cert, base));
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                char[] password = "client".toCharArray();
                store.setKeyEntry("client", Pem.privateKey(Pem.text(key, base)), password,
                        chain.toArray(new X509Certificate[0]));
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(store, password);
                return factory.getKeyManagers();
            }

            @Override
            public Counter counter(String name, String help, String... labelNames) {
                // The caller's class loader is its plugin's: two plugins that chose one name are told, not merged.
                Class<?> caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).getCallerClass();
                return counters.registerFor(caller.getClassLoader(), name, help, labelNames);
            }
        });
        // The bundled storage, one file per location (see FileStorage), or the static storage section's shared store
        // once GatewayAssembly.connectStorage has connected it.
        bind(Storages.class).toInstance(storages);
    }
}
