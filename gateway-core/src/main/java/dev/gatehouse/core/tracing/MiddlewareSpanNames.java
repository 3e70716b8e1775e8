package dev.gatehouse.core.tracing;

import java.util.Locale;
import java.util.Map;

/** The names Traefik gives the spans of its middlewares (their Go type names), by middleware type key. */
final class MiddlewareSpanNames {

    private static final Map<String, String> TRAEFIK = Map.ofEntries(
            Map.entry("addprefix", "AddPrefix"),
            Map.entry("basicauth", "BasicAuth"),
            Map.entry("digestauth", "DigestAuth"),
            Map.entry("forwardauth", "ForwardAuth"),
            Map.entry("buffering", "Buffer"),
            Map.entry("circuitbreaker", "CircuitBreaker"),
            Map.entry("compress", "Compress"),
            Map.entry("contenttype", "ContentType"),
            Map.entry("errors", "CustomError"),
            Map.entry("grpcweb", "GRPCWeb"),
            Map.entry("headers", "Headers"),
            Map.entry("ipallowlist", "IPAllowLister"),
            Map.entry("ipwhitelist", "IPWhiteLister"),
            Map.entry("inflightreq", "InFlightReq"),
            Map.entry("passtlsclientcert", "PassClientTLSCert"),
            Map.entry("ratelimit", "RateLimiter"),
            Map.entry("redirectregex", "Redirect"),
            Map.entry("redirectscheme", "Redirect"),
            Map.entry("replacepath", "ReplacePath"),
            Map.entry("replacepathregex", "ReplacePathRegex"),
            Map.entry("retry", "Retry"),
            Map.entry("stripprefix", "StripPrefix"),
            Map.entry("stripprefixregex", "StripPrefixRegex"));

    private MiddlewareSpanNames() {
    }

    /** Traefik's span name for the type; a plugin's own type gets its key with a capital first letter. */
    static String of(String typeKey) {
        String known = TRAEFIK.get(typeKey.toLowerCase(Locale.ROOT));
        if (known != null) {
            return known;
        }
        return typeKey.isEmpty() ? "Middleware" : Character.toUpperCase(typeKey.charAt(0)) + typeKey.substring(1);
    }
}
