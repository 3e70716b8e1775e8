package dev.gatehouse.api;

import org.eclipse.jetty.server.Handler;

/**
 * What the gateway offers a middleware while it is being created, beyond its options: other elements of
 * the same configuration. Given to {@link Middleware#create(Object, MiddlewareContext)}; only valid during
 * that call (keep what it returns, not the context).
 */
public interface MiddlewareContext {

    /**
     * The handler of a service of the configuration being built, such as the one an {@code errors}
     * middleware takes its pages from.
     *
     * <p>The handler is shared with the routers that use the service, and the gateway starts and stops it:
     * call its {@code handle} method, never set it as a wrapper's child.
     *
     * @param name {@code name@provider}, or {@code name} for a service of the middleware's own provider
     * @throws IllegalArgumentException when there is no such service or it is disabled by an error; let it
     *     propagate from {@code create}, the gateway reports it on the routers using the middleware
     */
    Handler service(String name);

    /**
     * Request attributes that the gateway sets for middlewares.
     */
    final class Attributes {

        /**
         * Set on the request (to the {@link Throwable}) when the gateway answered the request itself because
         * the service's servers could not be reached (connection refused or failed, or no server available),
         * before any of the request was sent to a server and before any byte of its body was read from the
         * client. The request can then be sent again: a middleware that retries removes the attribute and
         * discards the gateway's error response, which it holds back until it knows.
         */
        public static final String NOT_FORWARDED = "dev.gatehouse.notForwarded";

        /**
         * Set (to a {@link String}) by an authentication middleware to the user it authenticated; the access log
         * shows it as {@code ClientUsername} (the user of the common log format), as Traefik does.
         */
        public static final String CLIENT_USERNAME = "dev.gatehouse.clientUsername";

        private Attributes() {
        }
    }
}
