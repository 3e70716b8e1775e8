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
     * The qualified name of the middleware being created, {@code name@provider} (such as {@code limit-api@file}): the
     * same in every gateway instance that loads the same configuration, so a middleware can name state it shares
     * with the other instances by it (the {@code rateLimit} middleware's buckets in Redis, as Traefik names them).
     * Null where the caller does not know it (a test's context).
     */
    default String middlewareName() {
        return null;
    }

    /**
     * Request attributes that middlewares set for the gateway. (Whether a request was forwarded is not an attribute:
     * see {@link dev.gatehouse.api.http.ForwardingListener}.)
     */
    final class Attributes {

        /**
         * Set (to a {@link String}) by an authentication middleware to the user it authenticated; the access log
         * shows it as {@code ClientUsername} (the user of the common log format), as Traefik does.
         */
        public static final String CLIENT_USERNAME = "dev.gatehouse.clientUsername";

        private Attributes() {
        }
    }
}
