package dev.gatehouse.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.runtime.TestRuntimes;
import dev.gatehouse.core.http.ForwardedHeadersPolicy;
import dev.gatehouse.core.router.Route;
import dev.gatehouse.core.router.RoutingTable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The path semantics through a real GatewayServer: what Jetty lets through (Traefik routes these; Jetty's
 * default compliance answers 400), the path a rule sees, and the path that would be forwarded upstream, on one
 * entry point with {@code http.sanitizePath} on (the default) and one with it off.
 */
class RequestPathEndToEndTest {

    private static GatewayServer server;

    /** Every request matches; the route answers with the routing path and the path-and-query it would forward. */
    private static RoutingTable echo() {
        Handler handler = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Content.Sink.write(response, true, "forwarded=" + request.getHttpURI().getPathQuery(), callback);
                return true;
            }
        };
        return new RoutingTable(List.of(new Route("echo@test", 1, request -> {
            request.request().setAttribute("routing", request.path());
            return true;
        }, new Handler.Wrapper(handler) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                StringBuilder shown = new StringBuilder();
                String.valueOf(request.getAttribute("routing")).codePoints().forEach(c -> shown.append(c < 128
                        ? Character.toString(c) : "<U+" + Integer.toHexString(c).toUpperCase(Locale.ROOT) + ">"));
                response.getHeaders().put("X-Routing-Path", shown.toString());
                return super.handle(request, response, callback);
            }
        })));
    }

    @BeforeAll
    static void start() throws Exception {
        ForwardedHeadersPolicy none = ForwardedHeadersPolicy.TRUST_NONE;
        server = new GatewayServer(List.of(new ListenerSpec("web", "127.0.0.1", 0, none, true),
                new ListenerSpec("raw", "127.0.0.1", 0, none, false)), 503, Duration.ofSeconds(1), null);
        server.start();
        server.swap(TestRuntimes.of(echo(), echo()));
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    /**
     * target | routing and forwarded path with sanitizePath | routing and forwarded path without | the routing path
     * where it differs from the forwarded one ({@code -} where it does not): rules see every escape but the
     * reserved ones decoded, as Traefik's routing path (non-ASCII shown as &lt;U+hex&gt;).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " | ", textBlock = """
            /products          | /products          | /products          | -
            /a%2Fb             | /a%2Fb             | /a%2Fb             | -
            /a%2fb             | /a%2Fb             | /a%2Fb             | -
            /a/../b            | /b                 | /a/../b            | -
            /a/%2e%2e/b        | /b                 | /a/../b            | -
            //x                | /x                 | //x                | -
            /100%25            | /100%25            | /100%25            | -
            /%2541             | /%2541             | /%2541             | -
            /%41%7e            | /A~                | /A~                | -
            /a%3Fb             | /a%3Fb             | /a%3Fb             | -
            /a;b               | /a;b               | /a;b               | -
            /foo/bar//         | /foo/bar/          | /foo/bar//         | -
            /caf%C3%A9         | /caf%C3%A9         | /caf%C3%A9         | /caf<U+E9>
            /caf%FF            | /caf%FF            | /caf%FF            | /caf<U+FFFD>
            /foo%20bar%2F%3a   | /foo%20bar%2F%3A   | /foo%20bar%2F%3A   | /foo bar%2F%3A
            /a/%2e/b/.         | /a/b               | /a/./b/.           | -
            """)
    void routesWhatTraefikRoutes(String target, String sanitised, String unsanitised, String routing) throws IOException {
        String routed = routing.equals("-") ? sanitised : routing;
        assertEquals("200 " + routed + " forwarded=" + sanitised + "?q=1", get("web", target + "?q=1"));
        routed = routing.equals("-") ? unsanitised : routing;
        assertEquals("200 " + routed + " forwarded=" + unsanitised + "?q=1", get("raw", target + "?q=1"));
    }

    /** As Traefik's entry points by default (Go's AllowQuerySemicolons): a ';' in the query is a '&'. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " | ", textBlock = """
            /x?a=1;b=2         | /x?a=1&b=2
            /a%2Fb?a=1;;b      | /a%2Fb?a=1&&b
            /x?a=1%3Bb         | /x?a=1%3Bb
            /x;p?a             | /x;p?a
            """)
    void querySemicolonsAreSeparators(String target, String forwarded) throws IOException {
        assertTrue(get("web", target).endsWith(" forwarded=" + forwarded), get("web", target));
    }

    /** Writes the request line as given, byte for byte: clients and URI classes would clean it themselves. */
    private static String get(String entryPoint, String target) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port(entryPoint)), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(bytes);
            String response = bytes.toString(StandardCharsets.UTF_8);
            String status = response.substring(9, 12);
            String routing = response.lines().filter(l -> l.startsWith("X-Routing-Path: ")).findFirst()
                    .map(l -> l.substring(16)).orElse("-");
            String body = response.substring(response.indexOf("\r\n\r\n") + 4);
            return status + " " + routing + " " + body;
        }
    }
}
