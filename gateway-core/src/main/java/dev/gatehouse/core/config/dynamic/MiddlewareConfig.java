package dev.gatehouse.core.config.dynamic;

import java.util.Map;
import java.util.Objects;

/**
 * {@code http.middlewares.<name>}: one middleware, as declared. A declaration holds exactly one type key
 * ({@code stripPrefix: {prefixes: [/api]}}); the options are bound to the type's config record when the
 * configuration is built.
 *
 * @param type the middleware type, as the {@link dev.gatehouse.api.Middleware} extension names it
 * @param options the raw options under the type key
 */
public record MiddlewareConfig(String type, Map<String, Object> options) {

    public MiddlewareConfig {
        Objects.requireNonNull(type, "type");
        options = Immutables.map(options);
    }
}
