package dev.gatehouse.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.core.config.dynamic.ServersTransportConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The static configuration: what is fixed for the life of the process (entry points, providers,
 * plugins folder, logging). Key names are Traefik's. See {@code docs/configuration/static.md}.
 *
 * @param entryPoints the listening sockets by name, in declaration order; never null
 * @param providers the configuration providers; null when none is configured
 * @param ping the {@code /ping} health endpoint; null when disabled
 * @param log logging; null means the defaults
 * @param plugins where plugins are loaded from; null means the defaults
 * @param serversTransport how the gateway talks to backends of services that name no transport; null means the
 *        defaults. The type of a dynamic {@code http.serversTransports} entry, of which only Traefik's static options
 *        may be set here ({@link StaticConfigurationLoader} refuses the others)
 * @param demo the built-in demo routes; null when disabled
 * @param accessLog the access log; null when disabled
 * @param metrics metrics; null when disabled
 * @param api the API; null when disabled
 * @param certificatesResolvers resolver name to its declaration, one type key and its options
 *        ({@code le: {acme: {email: ...}}}); the options are bound by the plugin that provides the type
 * @param tlsEngine Gatehouse only: which TLS implementation serves TLS entry points, {@code auto}, {@code jdk} or
 *        {@code conscrypt}, any case; null means {@code auto}. Stored lower case.
 * @param global Traefik's {@code checkNewVersion}/{@code sendAnonymousUsage}: accepted, no effect; null when absent
 * @param tracing OpenTelemetry tracing; null when disabled
 * @param experimental Traefik's experimental features ({@code fastProxy}: no effect; plugins: refused); null when
 *        absent
 * @param core Traefik's {@code core.defaultRuleSyntax}; null when absent
 * @param ocsp OCSP stapling (Traefik v3.4+); null when absent (off)
 * @param storage Gatehouse only: the store several gateways share for certificates (etcd, Redis); null when absent
 *        (each gateway keeps them in its own files)
 */
public record StaticConfiguration(
        Map<String, EntryPointConfig> entryPoints,
        ProvidersConfig providers,
        PingConfig ping,
        LogConfig log,
        PluginsConfig plugins,
        ServersTransportConfig serversTransport,
        DemoConfig demo,
        AccessLogConfig accessLog,
        MetricsConfig metrics,
        ApiConfig api,
        Map<String, JsonNode> certificatesResolvers,
        String tlsEngine,
        GlobalConfig global,
        ExperimentalConfig experimental,
        TracingConfig tracing,
        CoreConfig core,
        OcspConfig ocsp,
        StorageConfig storage) {

    /** The values of {@code tlsEngine}. */
    public static final Set<String> TLS_ENGINES = Set.of("auto", "jdk", "conscrypt");

    /** Traefik's rule, kept so that a file valid for Gatehouse is valid for Traefik. */
    static final String OTLP_LOGS_EXPERIMENTAL = "{key} needs the experimental OTLP logs feature, as in Traefik: "
            + "add experimental.otlpLogs: true (--experimental.otlpLogs=true)";

    public StaticConfiguration {
        if (tlsEngine != null) {
            tlsEngine = tlsEngine.trim().toLowerCase(Locale.ROOT);
            if (!TLS_ENGINES.contains(tlsEngine)) {
                throw new InvalidValueException("tlsEngine",
                        "invalid TLS engine '" + tlsEngine + "' (expected auto, jdk or conscrypt)");
            }
        }
        certificatesResolvers = certificatesResolvers == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(certificatesResolvers));
        boolean otlpLogsAllowed = experimental != null && experimental.otlpLogs() != null && experimental.otlpLogs();
        if (!otlpLogsAllowed && log != null && log.otlp() != null) {
            throw new InvalidValueException("log.otlp", OTLP_LOGS_EXPERIMENTAL.replace("{key}", "log.otlp"));
        }
        if (!otlpLogsAllowed && accessLog != null && accessLog.otlp() != null) {
            throw new InvalidValueException("accessLog.otlp", OTLP_LOGS_EXPERIMENTAL.replace("{key}", "accessLog.otlp"));
        }
        entryPoints = entryPoints == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(entryPoints));
    }

    public String tlsEngineOrDefault() {
        return tlsEngine == null ? "auto" : tlsEngine;
    }

    public ProvidersConfig providersOrDefault() {
        return providers == null ? new ProvidersConfig(null, null) : providers;
    }

    public LogConfig logOrDefault() {
        return log == null ? new LogConfig(null, null, null, null, null, null, null, null, null) : log;
    }

    public PluginsConfig pluginsOrDefault() {
        return plugins == null ? new PluginsConfig(null, null, null) : plugins;
    }

    public CoreConfig coreOrDefault() {
        return core == null ? new CoreConfig(null) : core;
    }

    public ServersTransportConfig serversTransportOrDefault() {
        return serversTransport == null
                ? new ServersTransportConfig(null, null, null, null, null, null, null, null, null) : serversTransport;
    }
}
