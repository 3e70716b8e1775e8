package dev.gatehouse.core.config;

/**
 * {@code ping}: the health endpoint {@code GET /ping}. Enabled by presence
 * ({@code --ping}, {@code ping: {}}).
 *
 * @param entryPoint the entry point serving {@code /ping}; default {@code gatehouse}
 * @param terminatingStatusCode the status answered while shutting down; default 503
 * @param manualRouting when true, no router is made for {@code /ping}: the user routes to it
 */
@EnabledByPresence
public record PingConfig(String entryPoint, Integer terminatingStatusCode, Boolean manualRouting) {

    public static final String DEFAULT_ENTRY_POINT = "gatehouse";

    public String entryPointOrDefault() {
        return entryPoint == null || entryPoint.isBlank() ? DEFAULT_ENTRY_POINT : entryPoint;
    }

    public int terminatingStatusCodeOrDefault() {
        return terminatingStatusCode == null ? 503 : terminatingStatusCode;
    }

    public boolean manualRoutingOrDefault() {
        return Boolean.TRUE.equals(manualRouting);
    }
}
