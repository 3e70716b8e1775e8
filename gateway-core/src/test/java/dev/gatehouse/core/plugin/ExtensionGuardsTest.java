package dev.gatehouse.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guards between the core and a plugin's code on the request path, on a real local Jetty server: a plugin's
 * exception costs its request (500, logged with the plugin's id) and nothing else; an exception of the gateway's own
 * handlers further down is not blamed on the plugin.
 */
class ExtensionGuardsTest {

    private static final Logger PLUGIN_LOG = Logger.getLogger("dev.gatehouse.plugins");

    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final HttpClient client = HttpClient.newHttpClient();
    private final AtomicInteger reachedNext = new AtomicInteger();
    private Server server;

    @BeforeEach
    void captureThePluginLog() {
        PLUGIN_LOG.addHandler(capture);
    }

    @AfterEach
    void stop() throws Exception {
        PLUGIN_LOG.removeHandler(capture);
        if (server != null) {
            server.stop();
        }
    }

    /** Serves {@code plugin}'s handler guarded, in front of {@code next} (the gateway's own rest of the chain). */
    private void serve(org.eclipse.jetty.server.Handler.Wrapper plugin, org.eclipse.jetty.server.Handler next)
            throws Exception {
        ExtensionGuards.GuardHandler guard = new ExtensionGuards.GuardHandler(plugin, "middleware type boom", "my-plugin");
        guard.setHandler(next);
        serve(guard);
    }

    private void serve(org.eclipse.jetty.server.Handler handler) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<LogRecord> warnings() {
        return logged.stream().filter(r -> r.getLevel() == Level.WARNING).toList();
    }

    /** The rest of the chain: answers 200 "next". */
    private org.eclipse.jetty.server.Handler next() {
        return new org.eclipse.jetty.server.Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                reachedNext.incrementAndGet();
                response.setStatus(200);
                Content.Sink.write(response, true, "next", callback);
                return true;
            }
        };
    }

    @Test
    void aPluginHandlerThatThrowsCostsItsRequestA500LoggedWithThePluginId() throws Exception {
        serve(new org.eclipse.jetty.server.Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (request.getHeaders().get("X-Boom") != null) {
                    throw new IllegalStateException("plugin bug");
                }
                return super.handle(request, response, callback);
            }
        }, next());

        assertEquals(500, get("/x", "X-Boom", "1").statusCode());
        assertEquals(0, reachedNext.get(), "the request did not go on");
        assertEquals(1, warnings().size());
        assertEquals("Plugin my-plugin: middleware type boom failed on GET /x, answered 500:"
                + " java.lang.IllegalStateException: plugin bug", warnings().get(0).getMessage());

        HttpResponse<String> after = get("/x");
        assertEquals(200, after.statusCode(), "the next request is served: the failure cost one request");
        assertEquals("next", after.body());
    }

    @Test
    void aPluginThatFailsOnEveryRequestIsLoggedOncePerWindow() throws Exception {
        serve(new org.eclipse.jetty.server.Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                throw new IllegalStateException("plugin bug");
            }
        }, next());

        for (int i = 0; i < 50; i++) {
            assertEquals(500, get("/x").statusCode());
        }
        assertEquals(1, warnings().size(), "50 failing requests within seconds log one line");
        assertEquals("Plugin my-plugin: middleware type boom failed on GET /x, answered 500:"
                + " java.lang.IllegalStateException: plugin bug", warnings().get(0).getMessage());
    }

    @Test
    void anExceptionOfTheGatewaysOwnHandlersAfterThePluginIsNotBlamedOnIt() throws Exception {
        serve(new org.eclipse.jetty.server.Handler.Wrapper(), new org.eclipse.jetty.server.Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                throw new IllegalStateException("gateway bug");
            }
        });

        assertEquals(500, get("/x").statusCode(), "Jetty answers the gateway's own failure");
        assertTrue(warnings().isEmpty(), "no plugin is named: " + logged);
    }

    @Test
    void aPluginThatThrowsAfterTheChainAnsweredDoesNotAnswerTwice() throws Exception {
        serve(new org.eclipse.jetty.server.Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                super.handle(request, response, callback);
                throw new IllegalStateException("plugin bug after the chain");
            }
        }, next());

        HttpResponse<String> response = get("/x");
        assertEquals(200, response.statusCode(), "the chain's answer stands");
        assertEquals("next", response.body());
        assertTrue(warnings().isEmpty(), "the request was no longer the plugin's: " + logged);
    }

    @Test
    void aMatcherPredicateThatThrowsFailsItsRequestAndNamesThePluginAndTheMatcher() throws Exception {
        RequestPredicate throwing = new RequestPredicate() {
            @Override
            public boolean test(MatchContext request) {
                throw new IllegalArgumentException("matcher bug");
            }

            @Override
            public Set<String> possibleHosts() {
                return Set.of("a.example");
            }
        };
        Matcher matcher = new Matcher() {
            @Override
            public String name() {
                return "Boom";
            }

            @Override
            public RequestPredicate compile(List<String> arguments) {
                return throwing;
            }
        };
        Matcher guarded = assertInstanceOf(Matcher.class, ExtensionGuards.guard(ExtensionKind.MATCHER, matcher, "my-plugin"));
        RequestPredicate predicate = guarded.compile(List.of());
        assertEquals(Set.of("a.example"), predicate.possibleHosts(), "the router's index still sees the hosts");

        List<Throwable> thrown = new CopyOnWriteArrayList<>();
        serve(new org.eclipse.jetty.server.Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                MatchContext context = new MatchContext() {
                    @Override
                    public String host() {
                        return "a.example";
                    }

                    @Override
                    public String path() {
                        return Request.getPathInContext(request);
                    }

                    @Override
                    public Request request() {
                        return request;
                    }
                };
                thrown.add(assertThrows(IllegalArgumentException.class, () -> predicate.test(context)));
                response.setStatus(204);
                callback.succeeded();
                return true;
            }
        });
        get("/match");
        assertEquals(1, thrown.size());
        assertEquals("matcher bug", thrown.get(0).getMessage(), "the plugin's exception goes on, unchanged");
        assertEquals(List.of("Plugin my-plugin: matcher Boom failed on GET /match, answered 500:"
                + " java.lang.IllegalArgumentException: matcher bug"), warnings().stream().map(LogRecord::getMessage).toList());
    }

    @Test
    void extensionsThatDoNotRunOnRequestsAreNotWrapped() {
        Matcher matcher = new Matcher() {
            @Override
            public String name() {
                return "Plain";
            }

            @Override
            public RequestPredicate compile(List<String> arguments) {
                return null;
            }
        };
        assertEquals(null, ((Matcher) ExtensionGuards.guard(ExtensionKind.MATCHER, matcher, "p")).compile(List.of()),
                "a matcher that compiles nothing stays nothing");
        dev.gatehouse.api.NamedExtension provider = () -> "provider";
        for (ExtensionKind kind : ExtensionKind.values()) {
            if (kind != ExtensionKind.MATCHER && kind != ExtensionKind.MIDDLEWARE && kind != ExtensionKind.TCP_MATCHER) {
                assertSame(provider, ExtensionGuards.guard(kind, provider, "p"), kind + " is not on the request path");
            }
        }
    }

    @Test
    void aTcpMatcherThatThrowsDoesNotMatchAndNamesThePlugin() throws Exception {
        dev.gatehouse.api.TcpMatcher throwing = new dev.gatehouse.api.TcpMatcher() {
            @Override
            public String name() {
                return "Broken";
            }

            @Override
            public dev.gatehouse.api.TcpPredicate compile(List<String> arguments) {
                return connection -> {
                    throw new IllegalStateException("boom");
                };
            }
        };
        dev.gatehouse.api.TcpMatcher guarded = (dev.gatehouse.api.TcpMatcher) ExtensionGuards.guard(
                ExtensionKind.TCP_MATCHER, throwing, "tcp-plugin");
        dev.gatehouse.core.tcp.TcpMatch connection = new dev.gatehouse.core.tcp.TcpMatch("a.test", List.of(),
                java.net.InetAddress.getByName("192.0.2.1"), 443);
        assertEquals(false, guarded.compile(List.of()).test(connection));
    }
}
