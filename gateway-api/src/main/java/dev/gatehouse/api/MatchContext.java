package dev.gatehouse.api;

import org.eclipse.jetty.server.Request;

/**
 * A request as the rule matchers see it: the values every matcher needs are normalised once per
 * request by the gateway, so that matchers compare and never parse.
 *
 * <pre>{@code
 * RequestPredicate apiOnExample = request ->
 *         request.host().equals("example.com") && request.path().startsWith("/api/");
 * }</pre>
 */
public interface MatchContext {

    /**
     * The request's host in lower case, without the port: from the request URL when it is absolute,
     * else from the {@code Host} header; empty when there is none.
     */
    String host();

    /**
     * The path as routing sees it, as Traefik's routing path: {@code .} and {@code ..} segments and repeated
     * slashes cleaned, and every percent-encoded character decoded (as UTF-8: {@code /caf%C3%A9} is
     * {@code /café}, {@code /a%20b} is {@code /a b}) except RFC 3986's reserved characters and {@code %},
     * which stay encoded with upper-case hex ({@code %2F}, {@code %3F}, {@code %25}). Never empty: at least
     * {@code /}.
     */
    String path();

    /** The Jetty request, for the method, headers, query and connection. Do not read its body. */
    Request request();
}
