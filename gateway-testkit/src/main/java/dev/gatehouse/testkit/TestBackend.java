package dev.gatehouse.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A real HTTP server on {@code 127.0.0.1:0} that answers every request with 200 and a plain-text echo of
 * what it received, and remembers each request, so a test sees exactly what the gateway forwarded:
 *
 * <pre>{@code
 * GET /api/items?x=1
 * Host: 127.0.0.1:41234
 * X-Request-Id: 3f2c...
 * }</pre>
 *
 * <pre>{@code
 * try (TestBackend backend = TestBackend.start("app")) {
 *     ... gateway routes to backend.url() ...
 *     assertEquals("abc", backend.lastRequest().header("X-Request-Id"));
 * }
 * }</pre>
 */
public final class TestBackend implements AutoCloseable {

    /** A request as the backend received it. */
    public record ReceivedRequest(String method, String pathAndQuery, HttpFields headers) {

        /** The first value of a header, or {@code null}. */
        public String header(String name) {
            return headers.get(name);
        }
    }

    private final String name;
    private final Server server;
    private final ServerConnector connector;
    private final List<ReceivedRequest> received = new CopyOnWriteArrayList<>();

    private TestBackend(String name) {
        this.name = Objects.requireNonNull(name, "name");
        this.server = new Server();
        this.connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                HttpFields headers = HttpFields.build(request.getHeaders()).asImmutable();
                String target = request.getHttpURI().getPathQuery();
                received.add(new ReceivedRequest(request.getMethod(), target, headers));
                StringBuilder body = new StringBuilder(request.getMethod()).append(' ').append(target).append('\n');
                for (HttpField field : headers) {
                    body.append(field.getName()).append(": ").append(field.getValue()).append('\n');
                }
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
                response.getHeaders().put("X-Backend", TestBackend.this.name);
                Content.Sink.write(response, true, body.toString(), callback);
                return true;
            }
        });
    }

    /** Starts a backend; {@code name} comes back in every response's {@code X-Backend} header. */
    public static TestBackend start(String name) {
        TestBackend backend = new TestBackend(name);
        try {
            backend.server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start test backend " + name, e);
        }
        return backend;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://127.0.0.1:" + connector.getLocalPort();
    }

    public String name() {
        return name;
    }

    /** Every request received so far, oldest first. */
    public List<ReceivedRequest> requests() {
        return new ArrayList<>(received);
    }

    /** The most recent request; fails when there was none. */
    public ReceivedRequest lastRequest() {
        if (received.isEmpty()) {
            throw new AssertionError("backend " + name + " received no request");
        }
        return received.get(received.size() - 1);
    }

    /** Forgets the requests received so far. */
    public void clear() {
        received.clear();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop test backend " + name, e);
        }
    }

}
