package dev.gatehouse.core.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.core.config.dynamic.RouterTlsConfig;
import dev.gatehouse.core.config.ConfigMappers;
import dev.gatehouse.core.plugin.ExtensionRegistry;
import dev.gatehouse.core.proxy.UpstreamClient;
import dev.gatehouse.core.tls.CertificateDemands;
import dev.gatehouse.core.tls.TlsManager;
import dev.gatehouse.core.tracing.Tracing;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;

/**
 * What stays the same from one runtime to the next: the static configuration and the gateway's parts that every
 * runtime is built with. Made with {@link #builder}; what a test does not set keeps the default named there.
 *
 * @param entryPoints every entry point's name, in index order
 * @param defaultEntryPoints those that routers without {@code entryPoints} attach to
 * @param extensions the middleware types and matchers plugins provide
 * @param upstream the client of the default transport; null only in tests without load balancers
 * @param internalServices services the gateway provides itself ({@code api@internal}, {@code ping@internal})
 * @param mapper the strict configuration mapper, for middleware options
 * @param server the Jetty server that middleware handlers belong to
 * @param scheduler where health checks and passive health recoveries run (never request threads); null disables
 *     them ({@code gatehouse check}, tests)
 * @param entryPointTls {@code entryPoints.<ep>.http.tls} per entry point index (null where absent): the TLS settings
 *     of the routers on that entry point that have none of their own; null for none at all
 * @param tls the certificates and TLS options; null when the gateway serves no TLS
 * @param certificateDemands receives what routers with a {@code certResolver} need; null when no resolver is
 *     configured
 * @param entryPointMiddlewares {@code entryPoints.<name>.http.middlewares} by entry point name, put in front of the
 *     middlewares of every router on that entry point; names without {@code @provider} are qualified with the
 *     provider of each router, as Traefik does
 * @param providersPrecedence {@code providers.precedence}: among routers of equal priority, those of the provider
 *     listed first are tried first (lower case provider names); null orders equal priorities by name
 * @param defaultRuleSyntax {@code core.defaultRuleSyntax}: the syntax of the rules of routers that set no
 *     {@code ruleSyntax} ({@code v3} unless {@code v2})
 * @param tracing spans for routers, middlewares and services; null when {@code tracing} is not configured
 */
public record RuntimeSettings(
        List<String> entryPoints,
        List<String> defaultEntryPoints,
        ExtensionRegistry extensions,
        UpstreamClient upstream,
        Map<String, Handler> internalServices,
        ObjectMapper mapper,
        Server server,
        ScheduledExecutorService scheduler,
        List<RouterTlsConfig> entryPointTls,
        TlsManager tls,
        CertificateDemands certificateDemands,
        Map<String, List<String>> entryPointMiddlewares,
        List<String> providersPrecedence,
        String defaultRuleSyntax,
        Tracing tracing) {

    public RuntimeSettings {
        entryPoints = List.copyOf(entryPoints);
        defaultEntryPoints = List.copyOf(defaultEntryPoints);
        internalServices = Map.copyOf(internalServices);
        entryPointTls = entryPointTls == null ? null : new ArrayList<>(entryPointTls);
        entryPointMiddlewares = Map.copyOf(entryPointMiddlewares);
        providersPrecedence = providersPrecedence == null ? null : List.copyOf(providersPrecedence);
    }

    /**
     * Settings for these entry points, routers without {@code entryPoints} attaching to all of them, with no fixed
     * routes, no internal services, no TLS, no health checks and no tracing until told otherwise.
     */
    public static Builder builder(List<String> entryPoints, ExtensionRegistry extensions) {
        return new Builder(entryPoints, extensions);
    }

    /** Sets what differs from the defaults of {@link RuntimeSettings#builder}. */
    public static final class Builder {
        private final List<String> entryPoints;
        private final ExtensionRegistry extensions;
        private List<String> defaultEntryPoints;
        private UpstreamClient upstream;
        private Map<String, Handler> internalServices = Map.of();
        private ObjectMapper mapper;
        private Server server;
        private ScheduledExecutorService scheduler;
        private List<RouterTlsConfig> entryPointTls;
        private TlsManager tls;
        private CertificateDemands certificateDemands;
        private Map<String, List<String>> entryPointMiddlewares = Map.of();
        private List<String> providersPrecedence;
        private String defaultRuleSyntax;
        private Tracing tracing;

        private Builder(List<String> entryPoints, ExtensionRegistry extensions) {
            this.entryPoints = entryPoints;
            this.extensions = extensions;
            this.defaultEntryPoints = entryPoints;
        }

        public Builder defaultEntryPoints(List<String> names) {
            this.defaultEntryPoints = names;
            return this;
        }

        public Builder upstream(UpstreamClient client) {
            this.upstream = client;
            return this;
        }

        public Builder internalServices(Map<String, Handler> services) {
            this.internalServices = services;
            return this;
        }

        public Builder mapper(ObjectMapper strictMapper) {
            this.mapper = strictMapper;
            return this;
        }

        public Builder server(Server jetty) {
            this.server = jetty;
            return this;
        }

        public Builder healthScheduler(ScheduledExecutorService healthScheduler) {
            this.scheduler = healthScheduler;
            return this;
        }

        public Builder entryPointTls(List<RouterTlsConfig> byEntryPointIndex) {
            this.entryPointTls = byEntryPointIndex;
            return this;
        }

        public Builder tls(TlsManager manager, CertificateDemands demands) {
            this.tls = manager;
            this.certificateDemands = demands;
            return this;
        }

        public Builder entryPointMiddlewares(Map<String, List<String>> byEntryPointName) {
            this.entryPointMiddlewares = byEntryPointName;
            return this;
        }

        public Builder providersPrecedence(List<String> providers) {
            this.providersPrecedence = providers;
            return this;
        }

        public Builder defaultRuleSyntax(String syntax) {
            this.defaultRuleSyntax = syntax;
            return this;
        }

        public Builder tracing(Tracing spans) {
            this.tracing = spans;
            return this;
        }

        /** The settings; the strict configuration mapper and a Jetty server of their own when none was given. */
        public RuntimeSettings build() {
            return new RuntimeSettings(entryPoints, defaultEntryPoints, extensions, upstream,
                    internalServices, mapper == null ? ConfigMappers.strictMapper() : mapper,
                    server == null ? new Server() : server, scheduler, entryPointTls, tls, certificateDemands,
                    entryPointMiddlewares, providersPrecedence, defaultRuleSyntax, tracing);
        }
    }
}
