package dev.gatehouse.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * {@code experimental}: the Traefik features marked experimental that a Traefik file may switch on.
 *
 * @param fastProxy Traefik's alternative HTTP/1.1 proxy; accepted with no effect, since Gatehouse has one proxy
 * @param plugins Traefik's Yaegi (Go source) and WASM plugins, which Gatehouse cannot run: refused with a message
 *        that points to Gatehouse plugins
 * @param localPlugins the same, loaded from a local folder: refused likewise
 * @param otlpLogs allows {@code log.otlp} and {@code accessLog.otlp}, as Traefik requires (default false)
 */
public record ExperimentalConfig(FastProxyConfig fastProxy, Map<String, JsonNode> plugins,
        Map<String, JsonNode> localPlugins, Boolean otlpLogs) {

    /** Why a Traefik plugin cannot be used, and what to do instead. */
    public static final String TRAEFIK_PLUGINS_UNSUPPORTED = "Traefik plugins (Yaegi Go source or WASM) cannot run in "
            + "Gatehouse; remove '{key}' and use a Gatehouse plugin instead (a Java jar in the plugins folder, "
            + "see docs/plugins.md)";

    public ExperimentalConfig {
        if (plugins != null) {
            throw new InvalidValueException("plugins", TRAEFIK_PLUGINS_UNSUPPORTED);
        }
        if (localPlugins != null) {
            throw new InvalidValueException("localPlugins", TRAEFIK_PLUGINS_UNSUPPORTED);
        }
    }

    /**
     * {@code experimental.fastProxy}: enabled by presence as in Traefik ({@code --experimental.fastProxy}).
     *
     * @param debug Traefik: debug logs of the fast proxy; no effect here
     */
    @EnabledByPresence
    public record FastProxyConfig(Boolean debug) {
    }
}
