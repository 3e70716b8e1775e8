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
     * The path as routing sees it: percent-encoded unreserved characters decoded, {@code .} and
     * {@code ..} segments and repeated slashes cleaned; reserved characters such as {@code %2F} stay
     * encoded. Never empty: at least {@code /}.
     */
    String path();

    /** The Jetty request, for the method, headers, query and connection. Do not read its body. */
    Request request();
}
