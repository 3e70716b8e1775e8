package dev.gatehouse.core.config;

import java.util.List;

/**
 * {@code entryPoints.<name>.http}: how HTTP requests on the entry point are treated before routing.
 *
 * @param sanitizePath remove {@code .}/{@code ..} segments and repeated slashes from the request path before
 *        routing, and forward the cleaned path upstream; default true, as in Traefik
 * @param redirections send every request on this entry point to another one instead of routing it
 * @param middlewares middlewares put in front of the middlewares of every router on this entry point, as
 *        Traefik's; a name without {@code @provider} is looked up in each router's own provider
 * @param tls routers on this entry point without {@code tls} of their own get these TLS settings (and so serve
 *        HTTPS); null when absent
 * @param maxHeaderBytes the largest request header section accepted, in bytes (request line and headers in HTTP/1.1,
 *        header fields as HTTP/2 counts them); a larger one is answered 431. Default {@value #DEFAULT_MAX_HEADER_BYTES}
 *        (Traefik's is 1 MiB); at most {@value #MAX_MAX_HEADER_BYTES}
 * @param encodedCharacters which percent-encoded characters request paths may hold; null means all of them
 * @param encodeQuerySemicolons send a query's unencoded {@code ;} as {@code %3B} (so it is part of a value) instead
 *        of reading it as a {@code &} separator; default false, as in Traefik
 * @param underscoreHeadersStrategy what happens to request headers with {@code _} in their names, before routing:
 *        {@code keep} (the default), {@code delete} them, or {@code reject} the request with 400
 */
public record EntryPointHttpConfig(Boolean sanitizePath, RedirectionsConfig redirections, List<String> middlewares,
        EntryPointTlsConfig tls, Integer maxHeaderBytes, EncodedCharactersConfig encodedCharacters,
        Boolean encodeQuerySemicolons, String underscoreHeadersStrategy) {

    /** Traefik's values of {@code underscoreHeadersStrategy}. */
    public enum UnderscoreHeaders { KEEP, DELETE, REJECT }

    /** Gatehouse's default request header limit: what browsers and APIs send fits, with room to spare. */
    public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

    /**
     * The highest {@code maxHeaderBytes} taken: every connection may hold a buffer this large (and an HTTP/2 one four
     * times that), so a limit is kept on what one setting can cost.
     */
    public static final int MAX_MAX_HEADER_BYTES = 16 * 1024 * 1024;

    public EntryPointHttpConfig {
        if (maxHeaderBytes != null && (maxHeaderBytes < 1024 || maxHeaderBytes > MAX_MAX_HEADER_BYTES)) {
            throw new InvalidValueException("maxHeaderBytes", "invalid value " + maxHeaderBytes
                    + " for '{key}' (expected bytes from 1024 to " + MAX_MAX_HEADER_BYTES + ")");
        }
        // Traefik's values, as it spells them ("" is its default, keep)
        if (underscoreHeadersStrategy != null && !underscoreHeadersStrategy.isEmpty()
                && !List.of("keep", "delete", "reject").contains(underscoreHeadersStrategy)) {
            throw new InvalidValueException("underscoreHeadersStrategy", "invalid value '" + underscoreHeadersStrategy
                    + "' for '{key}' (expected keep, delete or reject)");
        }
    }

    public boolean encodeQuerySemicolonsOrDefault() {
        return Boolean.TRUE.equals(encodeQuerySemicolons);
    }

    public UnderscoreHeaders underscoreHeadersOrDefault() {
        return underscoreHeadersStrategy == null || underscoreHeadersStrategy.isEmpty() ? UnderscoreHeaders.KEEP
                : UnderscoreHeaders.valueOf(underscoreHeadersStrategy.toUpperCase(java.util.Locale.ROOT));
    }

    /** The hex codes of the encoded characters refused in request paths ({@code 2F} for {@code %2F}); empty by default. */
    public java.util.Set<String> deniedEncodedCharacters() {
        return encodedCharacters == null ? java.util.Set.of() : encodedCharacters.deniedHexCodes();
    }

    public int maxHeaderBytesOrDefault() {
        return maxHeaderBytes == null ? DEFAULT_MAX_HEADER_BYTES : maxHeaderBytes;
    }

    public boolean sanitizePathOrDefault() {
        return sanitizePath == null || sanitizePath;
    }

    public List<String> middlewaresOrDefault() {
        return middlewares == null ? List.of() : middlewares;
    }
}
