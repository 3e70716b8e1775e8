package dev.gatehouse.plugins.docker;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.api.Provider;
import dev.gatehouse.api.ProviderContext;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * Traefik's Docker provider: routers, services and middlewares from container labels, followed live through the
 * engine's events.
 *
 * <p>Each container becomes one {@link dev.gatehouse.api.ConfigurationFragment} whose origin is
 * {@code container <name>}, so every problem the gateway finds names the container to fix. Options that cannot
 * work (an endpoint that is not {@code unix://} or {@code tcp://}, an unsupported default-rule template, a bad
 * constraint expression, unreadable TLS files) stop the provider at start with a message naming the option; an
 * engine that is not reachable does not: the provider keeps retrying in the background.
 */
@Extension
public final class DockerProvider implements Provider<DockerProviderConfig> {

    private final GatewayEnvironment environment;

    @Inject
    public DockerProvider(GatewayEnvironment environment) {
        this.environment = requireNonNull(environment, "environment");
    }

    @Override
    public String name() {
        return "docker";
    }

    @Override
    public Class<DockerProviderConfig> configType() {
        return DockerProviderConfig.class;
    }

    @Override
    public Running start(DockerProviderConfig config, ProviderContext context) {
        requireNonNull(config, "config");
        requireNonNull(context, "context");
        ConfigBuilder builder = new ConfigBuilder(config);
        EngineClients clients = new EngineClients(config, environment);
        DockerWatcher watcher = new DockerWatcher(clients, builder, context, config.watch());
        watcher.start();
        return watcher;
    }
}
