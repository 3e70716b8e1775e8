package dev.gatehouse.it;

/**
 * Sources of small third-party plugins for {@link PluginJarBuilder}: what a plugin author would write
 * against gateway-api.
 */
public final class TestPlugins {

    private TestPlugins() {
    }

    /** Middleware type {@code addHeader} with options {@code {name, value}}: sets a response header, then calls the next handler. */
    public static final String ADD_HEADER_CLASS = "com.example.gatehouse.AddHeader";
    public static final String ADD_HEADER = """
            package com.example.gatehouse;

            import dev.gatehouse.api.Middleware;
            import org.eclipse.jetty.http.HttpField;
            import org.eclipse.jetty.server.Handler;
            import org.eclipse.jetty.server.Request;
            import org.eclipse.jetty.server.Response;
            import org.eclipse.jetty.util.Callback;
            import org.pf4j.Extension;

            @Extension
            public final class AddHeader implements Middleware<AddHeader.Config> {
                public record Config(String name, String value) {}

                @Override
                public String name() {
                    return "addHeader";
                }

                @Override
                public Class<Config> configType() {
                    return Config.class;
                }

                @Override
                public Handler.Wrapper create(Config config, dev.gatehouse.api.MiddlewareContext context) {
                    if (config == null || config.name() == null || config.name().isBlank()) {
                        throw new IllegalArgumentException("addHeader needs 'name'");
                    }
                    HttpField field = new HttpField(config.name(), config.value() == null ? "" : config.value());
                    return new Handler.Wrapper() {
                        @Override
                        public boolean handle(Request request, Response response, Callback callback) throws Exception {
                            response.getHeaders().put(field);
                            return super.handle(request, response, callback);
                        }
                    };
                }
            }
            """;

    /** Matcher {@code HeaderIs(`Name`, `value`)}: the request has that header with exactly that value. */
    public static final String HEADER_IS_CLASS = "com.example.gatehouse.HeaderIs";
    public static final String HEADER_IS = """
            package com.example.gatehouse;

            import dev.gatehouse.api.Matcher;
            import dev.gatehouse.api.RequestPredicate;
            import java.util.List;
            import org.pf4j.Extension;

            @Extension
            public final class HeaderIs implements Matcher {
                @Override
                public String name() {
                    return "HeaderIs";
                }

                @Override
                public RequestPredicate compile(List<String> arguments) {
                    Matcher.requireArguments(this, arguments, 2);
                    String header = arguments.get(0);
                    String value = arguments.get(1);
                    return request -> value.equals(request.request().getHeaders().get(header));
                }
            }
            """;

    /**
     * Middleware type {@code seenHeader} with option {@code {name}}: answers the response header {@code X-Seen} with
     * the values of that request header as the middleware sees them (joined by {@code " | "}; absent when none), then
     * calls the next handler. What a plugin reading the request would be told.
     */
    public static final String SEEN_HEADER_CLASS = "com.example.gatehouse.SeenHeader";
    public static final String SEEN_HEADER = """
            package com.example.gatehouse;

            import dev.gatehouse.api.Middleware;
            import dev.gatehouse.api.MiddlewareContext;
            import org.eclipse.jetty.server.Handler;
            import org.eclipse.jetty.server.Request;
            import org.eclipse.jetty.server.Response;
            import org.eclipse.jetty.util.Callback;
            import org.pf4j.Extension;

            @Extension
            public final class SeenHeader implements Middleware<SeenHeader.Config> {
                public record Config(String name) {}

                @Override
                public String name() {
                    return "seenHeader";
                }

                @Override
                public Class<Config> configType() {
                    return Config.class;
                }

                @Override
                public Handler.Wrapper create(Config config, MiddlewareContext context) {
                    String name = config.name();
                    return new Handler.Wrapper() {
                        @Override
                        public boolean handle(Request request, Response response, Callback callback) throws Exception {
                            java.util.List<String> values = request.getHeaders().getValuesList(name);
                            if (!values.isEmpty()) {
                                response.getHeaders().put("X-Seen", String.join(" | ", values));
                            }
                            return super.handle(request, response, callback);
                        }
                    };
                }
            }
            """;

    /** A plugin with {@code seenHeader}. */
    public static PluginJarBuilder seenHeaderPlugin(String id) {
        return PluginJarBuilder.plugin(id, "1.0.0").source(SEEN_HEADER_CLASS, SEEN_HEADER);
    }

    /** A plugin with {@code addHeader} and {@code HeaderIs}. */
    public static PluginJarBuilder headerPlugin(String id) {
        return PluginJarBuilder.plugin(id, "1.0.0")
                .source(ADD_HEADER_CLASS, ADD_HEADER)
                .source(HEADER_IS_CLASS, HEADER_IS);
    }
}
