package dev.gatehouse.plugins.middlewares;

import dev.gatehouse.api.ForwardedHeaders;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;

/**
 * A real Jetty server with one middleware in front of a "next" handler that records what it received (method,
 * raw path, query, headers, body) and answers as the test says. Requests are raw HTTP/1.1 text through a
 * {@link LocalConnector}, so tests control every byte, as Traefik's tests control an {@code http.Request}.
 */
public final class MiddlewareTester implements AutoCloseable {

    /** What the next handler saw. */
    public record Seen(String method, String path, String pathQuery, HttpFields headers, byte[] body) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    /** How the next handler answers. */
    @FunctionalInterface
    public interface Responder {
        void respond(Request request, Response response, Callback callback) throws Exception;
    }

    /** The gateway's URI compliance: Jetty's default plus what Jetty calls ambiguous but Traefik routes. */
    static final UriCompliance URI_COMPLIANCE = UriCompliance.DEFAULT.with("gatehouse",
            UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
            UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT,
            UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT,
            UriCompliance.Violation.AMBIGUOUS_PATH_PARAMETER,
            UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
            UriCompliance.Violation.SUSPICIOUS_PATH_CHARACTERS,
            UriCompliance.Violation.BAD_UTF8_ENCODING,
            UriCompliance.Violation.TRUNCATED_UTF8_ENCODING);

    private final Server server = new Server();
    private final TrustingConnector connector;
    private final AtomicReference<Seen> seen = new AtomicReference<>();
    private volatile Responder responder = (request, response, callback) -> {
        response.setStatus(200);
        callback.succeeded();
    };

    /** A local connector that, like an entry point, says whether forwarding headers are trusted. */
    static final class TrustingConnector extends LocalConnector implements ForwardedHeaders.Source {
        volatile boolean trusted;

        TrustingConnector(Server server) {
            super(server);
        }

        @Override
        public boolean trustsForwardedHeaders(Request request) {
            return trusted;
        }
    }

    public MiddlewareTester(Handler.Wrapper middleware) throws Exception {
        connector = new TrustingConnector(server);
        connector.getConnectionFactory(HttpConnectionFactory.class).getHttpConfiguration().setUriCompliance(URI_COMPLIANCE);
        // As an entry point with maxHeaderBytes raised (up to 16 MiB): middlewares see headers longer than Jetty's 8 KiB.
        connector.getConnectionFactory(HttpConnectionFactory.class).getHttpConfiguration().setRequestHeaderSize(1 << 20);
        server.addConnector(connector);
        middleware.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                byte[] body = Content.Source.asInputStream(request).readAllBytes();
                seen.set(new Seen(request.getMethod(), request.getHttpURI().getPath(), request.getHttpURI().getPathQuery(),
                        HttpFields.build(request.getHeaders()).asImmutable(), body));
                responder.respond(request, response, callback);
                return true;
            }
        });
        server.setHandler(middleware);
        server.start();
    }

    public MiddlewareTester trustForwardedHeaders(boolean trusted) {
        connector.trusted = trusted;
        return this;
    }

    public MiddlewareTester respond(Responder responder) {
        this.responder = responder;
        return this;
    }

    /** GET {@code target} with the given header lines. */
    public HttpTester.Response get(String target, String... headerLines) throws Exception {
        return send("GET", target, null, headerLines);
    }

    /** Sends a request (Host: localhost unless a Host line is given) and returns the parsed response. */
    public HttpTester.Response send(String method, String target, String body, String... headerLines) throws Exception {
        seen.set(null);
        StringBuilder raw = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        boolean host = false;
        for (String line : headerLines) {
            host |= line.regionMatches(true, 0, "Host:", 0, 5);
            raw.append(line).append("\r\n");
        }
        if (!host) {
            raw.append("Host: localhost\r\n");
        }
        if (body != null) {
            raw.append("Content-Length: ").append(body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).append("\r\n");
        }
        raw.append("Connection: close\r\n\r\n");
        if (body != null) {
            raw.append(body);
        }
        ByteBuffer response = connector.getResponse(ByteBuffer.wrap(raw.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                10, TimeUnit.SECONDS);
        return HttpTester.parseResponse(response);
    }

    /** Sends raw request bytes as written (head, blank line and body) and returns the parsed response. */
    public HttpTester.Response sendRaw(String raw) throws Exception {
        seen.set(null);
        ByteBuffer response = connector.getResponse(ByteBuffer.wrap(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                10, TimeUnit.SECONDS);
        return HttpTester.parseResponse(response);
    }

    /** What the next handler received in the last request, or null when the middleware answered itself. */
    public Seen seen() {
        return seen.get();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
