package com.example.gatehouse.requestid;

import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/**
 * Middleware type {@code requestId}: gives every request an id that the backend and the client both see.
 * A request that arrives with the header keeps its value; one without gets a fresh random id. Either way the
 * response carries the same header, so a client can quote it when reporting a problem.
 *
 * <pre>{@code
 * http:
 *   middlewares:
 *     rid:
 *       requestId:
 *         headerName: X-Correlation-Id   # optional, default X-Request-Id
 * }</pre>
 */
@Extension
public final class RequestIdMiddleware implements Middleware<RequestIdMiddleware.Config> {

    /** The default header, as most proxies and tracing tools name it. */
    public static final String DEFAULT_HEADER = "X-Request-Id";

    /**
     * The options.
     *
     * @param headerName the header that carries the id; {@code X-Request-Id} when absent
     */
    public record Config(String headerName) {
    }

    @Override
    public String name() {
        return "requestId";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        // Everything decided here, once per configuration; nothing below is parsed per request.
        String header = config == null || config.headerName() == null ? DEFAULT_HEADER : config.headerName().strip();
        if (header.isEmpty() || !header.chars().allMatch(RequestIdMiddleware::isTokenChar)) {
            throw new IllegalArgumentException("requestId: headerName '" + header + "' is not a valid header name");
        }
        return new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String id = request.getHeaders().get(header);
                Request forwarded = request;
                if (id == null || id.isBlank()) {
                    id = newId();
                    HttpFields withId = HttpFields.build(request.getHeaders()).put(header, id).asImmutable();
                    forwarded = new Request.Wrapper(request) {
                        @Override
                        public HttpFields getHeaders() {
                            return withId;
                        }
                    };
                }
                response.getHeaders().put(header, id);
                return super.handle(forwarded, response, callback);
            }
        };
    }

    /**
     * A random version-4 UUID. {@link ThreadLocalRandom} rather than {@link java.util.UUID#randomUUID()}: an id
     * needs to be unique, not unguessable, and SecureRandom may contend or block on the request path.
     */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;               // version 4
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;   // IETF variant
        return new java.util.UUID(high, low).toString();
    }

    private static boolean isTokenChar(int c) {
        return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }
}
