package dev.gatehouse.core;

import com.google.inject.AbstractModule;
import dev.gatehouse.api.Storages;
import dev.gatehouse.core.storage.FileStorages;
import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.core.config.LoadedConfiguration;
import java.nio.file.Path;

/**
 * What extensions can ask for in their constructors. Only {@code gateway-api} types are bound: a plugin
 * never sees the core's classes.
 */
final class GatewayModule extends AbstractModule {

    private final LoadedConfiguration configuration;

    GatewayModule(LoadedConfiguration configuration) {
        this.configuration = configuration;
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
        });
        // The bundled storage: one file per location (see FileStorage).
        bind(Storages.class).toInstance(new FileStorages(loaded::resolve));
    }
}
