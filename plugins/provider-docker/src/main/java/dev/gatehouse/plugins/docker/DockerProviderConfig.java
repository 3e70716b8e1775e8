package dev.gatehouse.plugins.docker;

import java.time.Duration;

/**
 * Options of the Docker provider, under {@code providers.docker}, with Traefik's names and defaults.
 *
 * <pre>{@code
 * providers:
 *   docker:
 *     endpoint: unix:///var/run/docker.sock   # or tcp://10.0.0.5:2376 with tls.ca|cert|key
 *     exposedByDefault: false
 *     defaultRule: Host(`{{ normalize .Name }}.example.com`)
 *     network: web
 *     constraints: Label(`team`,`blue`)
 * }</pre>
 *
 * @param endpoint the Docker engine: {@code unix:///path} or {@code tcp://host:port}
 * @param tls client TLS for a {@code tcp://} endpoint; absent means plain HTTP
 * @param watch follow the engine's event stream (default true); false reads the containers once
 * @param exposedByDefault route every container unless it says {@code traefik.enable=false} (default true)
 * @param defaultRule the rule of routers without a {@code rule} label, a template over the container
 * @param network the network whose address is used when a container has several
 * @param useBindPortIP reach containers through their published {@code hostIp:hostPort}
 * @param constraints a label expression a container must match to be routed at all
 * @param allowEmptyServices keep services of unhealthy or paused containers, with no servers (503)
 * @param httpClientTimeout how long a request to the engine (not the event stream) may take; default 30s
 */
public record DockerProviderConfig(
        String endpoint,
        Tls tls,
        Boolean watch,
        Boolean exposedByDefault,
        String defaultRule,
        String network,
        Boolean useBindPortIP,
        String constraints,
        Boolean allowEmptyServices,
        Duration httpClientTimeout) {

    public static final String DEFAULT_ENDPOINT = "unix:///var/run/docker.sock";
    public static final String DEFAULT_RULE = "Host(`{{ normalize .Name }}`)";

    public DockerProviderConfig {
        endpoint = blankToNull(endpoint) == null ? DEFAULT_ENDPOINT : endpoint.strip();
        watch = watch == null ? Boolean.TRUE : watch;
        exposedByDefault = exposedByDefault == null ? Boolean.TRUE : exposedByDefault;
        defaultRule = blankToNull(defaultRule) == null ? DEFAULT_RULE : defaultRule;
        network = blankToNull(network);
        useBindPortIP = useBindPortIP != null && useBindPortIP;
        constraints = blankToNull(constraints);
        allowEmptyServices = allowEmptyServices != null && allowEmptyServices;
        httpClientTimeout = httpClientTimeout == null || httpClientTimeout.isZero() ? Duration.ofSeconds(30) : httpClientTimeout;
    }

    /** All defaults: what {@code providers.docker: {}} gives. */
    public static DockerProviderConfig defaults() {
        return new DockerProviderConfig(null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * {@code providers.docker.tls}: PEM files for a TLS-protected {@code tcp://} endpoint.
     *
     * @param ca the certificate authority that signed the engine's certificate; absent means the JVM's trust store
     * @param cert the client certificate (with {@code key}) when the engine asks for one
     * @param key the client certificate's private key
     * @param insecureSkipVerify accept any engine certificate (testing only)
     */
    public record Tls(String ca, String cert, String key, Boolean insecureSkipVerify) {
        public Tls {
            ca = blankToNull(ca);
            cert = blankToNull(cert);
            key = blankToNull(key);
            insecureSkipVerify = insecureSkipVerify != null && insecureSkipVerify;
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
