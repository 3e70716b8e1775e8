package dev.gatehouse.it;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A real HTTP server on 127.0.0.1 and a free port that answers every request with its own name and what it
 * received: {@code backend=<name>} and one {@code header: Name: value} line per request header, the
 * method and the path with query. Counts requests and accepted connections.
 */
public final class TestBackend implements AutoCloseable {

    private final String name;
    private final Server server;
    private final ServerConnector connector;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger closedConnections = new AtomicInteger();

    private final String scheme;

    private TestBackend(String name, Handler handler) throws Exception {
        this(name, handler, null, false);
    }

    /**
     * @param tls HTTPS with this context (client certificates as it says), or null for plain HTTP
     * @param h2c also accept HTTP/2 in clear text (prior knowledge)
     */
    private TestBackend(String name, Handler handler, org.eclipse.jetty.util.ssl.SslContextFactory.Server tls,
            boolean h2c) throws Exception {
        this.name = name;
        this.scheme = tls != null ? "https" : "http";
        // A small pool: tests start many backends at once on a small machine.
        QueuedThreadPool threads = new QueuedThreadPool(32, 2);
        threads.setName("backend-" + name);
        server = new Server(threads);
        // A backend that accepts every path Traefik would forward (%2F, %25...), so tests see what the gateway sent.
        HttpConfiguration http = new HttpConfiguration();
        http.setUriCompliance(UriCompliance.UNSAFE);
        if (tls != null) {
            http.addCustomizer(new org.eclipse.jetty.server.SecureRequestCustomizer(false));
            connector = new ServerConnector(server, tls, new HttpConnectionFactory(http));
        } else if (h2c) {
            connector = new ServerConnector(server, new HttpConnectionFactory(http),
                    new org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory(http));
        } else {
            connector = new ServerConnector(server, new HttpConnectionFactory(http));
        }
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.addEventListener(new Connection.Listener() {
            @Override
            public void onOpened(Connection connection) {
                connections.incrementAndGet();
            }

            @Override
            public void onClosed(Connection connection) {
                closedConnections.incrementAndGet();
            }
        });
        server.addConnector(connector);
        server.setHandler(new Counting(handler != null ? handler : new Echo()));
        server.start();
    }

    /** A backend that echoes what it received. */
    public static TestBackend echo(String name) throws Exception {
        return new TestBackend(name, null);
    }

    /**
     * A backend that echoes like {@link #echo} but answers only {@code delay} after the request arrived
     * (without holding a thread). Like every backend, it counts a request as soon as it arrives.
     */
    public static TestBackend delayed(String name, Duration delay) throws Exception {
        TestBackend[] self = new TestBackend[1];
        Handler delaying = new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Echo echo = self[0].new Echo();
                request.getComponents().getScheduler().schedule(() -> {
                    try {
                        echo.respond(request, response, callback);
                    } catch (Throwable x) {
                        callback.failed(x);
                    }
                }, delay.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            }
        };
        self[0] = new TestBackend(name, delaying);
        return self[0];
    }

    /** An HTTPS backend with custom behaviour and TLS settings. */
    public static TestBackend tls(String name, org.eclipse.jetty.util.ssl.SslContextFactory.Server tls, Handler handler)
            throws Exception {
        return new TestBackend(name, handler, tls, false);
    }

    /** A backend that also speaks HTTP/2 in clear text. */
    public static TestBackend h2c(String name, Handler handler) throws Exception {
        return new TestBackend(name, handler, null, true);
    }

    /** A backend with custom behaviour. */
    public static TestBackend with(String name, Handler handler) throws Exception {
        return new TestBackend(name, handler);
    }

    public String url() {
        return scheme + "://127.0.0.1:" + connector.getLocalPort();
    }

    public int port() {
        return connector.getLocalPort();
    }

    public int requests() {
        return requests.get();
    }

    /** How many connections the backend accepted. */
    public int connections() {
        return connections.get();
    }

    /** How many of those are closed now (by either side). */
    public int closedConnections() {
        return closedConnections.get();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    public String name() {
        return name;
    }

    /** Counts every request, whatever handler answers it. */
    private final class Counting extends Handler.Wrapper {
        Counting(Handler handler) {
            super(handler);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            requests.incrementAndGet();
            return super.handle(request, response, callback);
        }
    }

    private final class Echo extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            respond(request, response, callback);
            return true;
        }

        void respond(Request request, Response response, Callback callback) {
            StringBuilder body = new StringBuilder();
            body.append("backend=").append(name).append('\n');
            body.append("method=").append(request.getMethod()).append('\n');
            body.append("uri=").append(request.getHttpURI().getPathQuery()).append('\n');
            for (HttpField field : request.getHeaders()) {
                body.append("header: ").append(field.getName()).append(": ").append(field.getValue()).append('\n');
            }
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
            response.getHeaders().put("X-Backend", name);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
            response.write(true, ByteBuffer.wrap(bytes), callback);
        }
    }
}
