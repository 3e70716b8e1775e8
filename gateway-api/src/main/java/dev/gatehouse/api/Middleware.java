package dev.gatehouse.api;

import org.eclipse.jetty.server.Handler;

/**
 * A middleware type, such as {@code stripPrefix} or {@code basicAuth}: something that looks at or
 * changes a request on its way to a service, or answers it itself.
 *
 * <p>In dynamic configuration a middleware is declared under its type's {@link #name()}, and its
 * options are bound to {@link #configType()} once per configuration:
 *
 * <pre>{@code
 * http:
 *   middlewares:
 *     strip-api:
 *       stripPrefix:                   # name() == "stripPrefix"
 *         prefixes: ["/api"]
 * }</pre>
 *
 * <p>{@link #create(Object, MiddlewareContext)} returns a Jetty {@link Handler.Wrapper}; the gateway sets the next handler
 * of the chain as its child. Handle the request and return {@code true} (completing the callback), or
 * pass it on with {@code super.handle(...)}. Do not block: the request is on the selector thread that read it,
 * which other connections wait on. A handler whose work may block or take long (a blocking call, a slow hash) says
 * so by returning {@code InvocationType.BLOCKING} from {@code getInvocationType()}; the gateway then runs the
 * requests of its routers on a pool thread. A {@code Handler.Wrapper} that does not override it is taken to be as
 * non-blocking as the rest of its chain.
 *
 * <pre>{@code
 * @Extension
 * public final class AddHeader implements Middleware<AddHeader.Config> {
 *     public record Config(String name, String value) {}
 *     public String name() { return "addHeader"; }
 *     public Class<Config> configType() { return Config.class; }
 *     public Handler.Wrapper create(Config config, MiddlewareContext context) {
 *         HttpField field = new HttpField(config.name(), config.value());   // built once
 *         return new Handler.Wrapper() {
 *             public boolean handle(Request request, Response response, Callback callback) throws Exception {
 *                 response.getHeaders().add(field);
 *                 return super.handle(request, response, callback);
 *             }
 *         };
 *     }
 * }
 * }</pre>
 *
 * @param <C> the options type
 */
public interface Middleware<C> extends ConfigurableExtension<C> {

    /**
     * Builds the handler for one use of the middleware. Called when a configuration is loaded, once
     * for each router that uses the middleware, never per request.
     *
     * @param config the bound options
     * @param context the rest of the configuration being built, such as the services an {@code errors} middleware
     *     takes its pages from; only valid during this call (keep what it returns, not the context). A middleware
     *     that needs nothing more ignores it.
     * @throws IllegalArgumentException when the options are invalid; the message says which and why,
     *     and the gateway disables the routers that use this middleware, naming it
     */
    Handler.Wrapper create(C config, MiddlewareContext context) throws Exception;

    /**
     * What in these options is deprecated and how to replace it, one sentence each (empty when nothing is). The
     * gateway logs each at WARN, naming the middleware, every time it loads a configuration that declares it; the
     * middleware still works. For Traefik's deprecated names and options that Traefik v3 still accepts with a
     * warning ({@code ipWhiteList}, {@code headers.sslRedirect}).
     */
    default java.util.List<String> deprecations(C config) {
        return java.util.List.of();
    }
}
