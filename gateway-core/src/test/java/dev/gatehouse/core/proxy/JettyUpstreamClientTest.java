package dev.gatehouse.core.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.it.Poll;
import dev.gatehouse.it.RawHttp;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The upstream client between two real local Jetty servers: a proxy whose one handler forwards with it, and a
 * backend that answers with what it received.
 */
class JettyUpstreamClientTest {

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final List<Server> servers = new CopyOnWriteArrayList<>();
    private JettyUpstreamClient client;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.stop();
        }
        for (Server server : servers) {
            server.stop();
        }
    }

    private int serve(Handler handler) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
        servers.add(server);
        return connector.getLocalPort();
    }

    /** Answers 201 with the method, target, Host and the headers it got, one per line, and the body it read. */
    private int echoBackend() throws Exception {
        return serve(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                StringBuilder text = new StringBuilder(request.getMethod() + " " + request.getHttpURI().getPathQuery() + "\n");
                request.getHeaders().forEach(field -> text.append(field.getName()).append(": ").append(field.getValue()).append('\n'));
                text.append("body: ").append(Content.Source.asString(request, StandardCharsets.UTF_8));
                response.setStatus(201);
                response.getHeaders().put("X-Backend", "echo");
                response.getHeaders().put("Keep-Alive", "timeout=5");
                Content.Sink.write(response, true, text.toString(), callback);
                return true;
            }
        });
    }

    /** A proxy that forwards every request to {@code serverUrl}, recording what the outcome is told. */
    private int proxyTo(String serverUrl, boolean passHostHeader, UpstreamSettings settings) throws Exception {
        return proxyTo(serverUrl, passHostHeader, settings, null);
    }

    /** As {@link #proxyTo(String, boolean, UpstreamSettings)}, looking names up with {@code resolver} (null: Jetty's). */
    private int proxyTo(String serverUrl, boolean passHostHeader, UpstreamSettings settings,
            org.eclipse.jetty.util.SocketAddressResolver resolver) throws Exception {
        client = new JettyUpstreamClient(settings, null);
        if (resolver != null) {
            client.resolveNamesWith(resolver);
        }
        client.start();
        UpstreamServer server = UpstreamServer.parse(serverUrl);
        return serve(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                client.forward(request, response, callback, server, passHostHeader, new UpstreamClient.Outcome() {
                    @Override
                    public UpstreamServer unreachable(Throwable failure) {
                        events.add("unreachable");
                        failures.add(failure);
                        return null;
                    }

                    @Override
                    public void responseBegun(int status) {
                        events.add("begun " + status);
                    }

                    @Override
                    public void completed(Throwable failure) {
                        events.add(failure == null ? "completed" : "failed");
                        if (failure != null) {
                            failures.add(failure);
                        }
                    }

                    @Override
                    public void clientFailed(Throwable failure) {
                        events.add("client failed");
                    }
                });
                return true;
            }
        });
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void forwardsMethodTargetAndBodyAndStreamsTheServersAnswerBack() throws Exception {
        int proxy = proxyTo("http://127.0.0.1:" + echoBackend(), true, UpstreamSettings.DEFAULTS);

        RawHttp.Response response = RawHttp.exchange(proxy, "POST /api/items?id=7 HTTP/1.1\r\nHost: app.example\r\n"
                + "Content-Length: 5\r\nConnection: close", "hello".getBytes(StandardCharsets.UTF_8));

        assertEquals(201, response.status());
        assertEquals(List.of("echo"), response.all("X-Backend"));
        String received = response.bodyText();
        assertTrue(received.startsWith("POST /api/items?id=7\n"), received);
        assertTrue(received.endsWith("body: hello"), received);
        assertTrue(received.contains("Host: app.example\n"), "passHostHeader keeps the client's Host: " + received);
        // The exchange completes once the last byte is written, which the client may read first.
        Poll.until("the exchange completed", Duration.ofSeconds(5), () -> events.size() >= 2, events::toString);
        assertEquals(List.of("begun 201", "completed"), events);
    }

    @Test
    void hopByHopHeadersAndTheOnesConnectionNamesStayOnTheirHop() throws Exception {
        int proxy = proxyTo("http://127.0.0.1:" + echoBackend(), true, UpstreamSettings.DEFAULTS);

        RawHttp.Response response = RawHttp.exchange(proxy, "GET / HTTP/1.1\r\nHost: app.example\r\n"
                + "Connection: close, X-Hop\r\nX-Hop: secret\r\nKeep-Alive: timeout=5\r\n"
                + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\nX-End-To-End: kept");

        String received = response.bodyText();
        assertTrue(received.contains("X-End-To-End: kept\n"), received);
        for (String hop : List.of("X-Hop", "Keep-Alive", "Proxy-Authorization")) {
            assertFalse(received.contains(hop + ":"), hop + " reached the server: " + received);
        }
        assertTrue(response.all("Keep-Alive").isEmpty(), "the server's Keep-Alive is not the client's");
    }

    @Test
    void withoutPassHostHeaderTheServerGetsItsOwnHost() throws Exception {
        int backend = echoBackend();
        int proxy = proxyTo("http://127.0.0.1:" + backend, false, UpstreamSettings.DEFAULTS);

        String received = RawHttp.exchange(proxy, "GET / HTTP/1.1\r\nHost: app.example\r\nConnection: close").bodyText();

        assertTrue(received.contains("Host: 127.0.0.1:" + backend + "\n"), received);
    }

    @Test
    void aServerThatRefusesTheConnectionIsReportedUnreachableAndAnswered502() throws Exception {
        int proxy = proxyTo("http://127.0.0.1:" + closedPort(), true, UpstreamSettings.DEFAULTS);

        RawHttp.Response response = RawHttp.exchange(proxy, "GET / HTTP/1.1\r\nHost: app.example\r\nConnection: close");

        assertEquals(502, response.status());
        assertEquals("unreachable", events.get(0), "the service layer hears first that the request never left: " + events);
        assertTrue(JettyUpstreamClient.isUnreachable(failures.get(0)), String.valueOf(failures.get(0)));
        assertInstanceOf(ConnectException.class, rootCause(failures.get(0)));
    }

    /**
     * A server whose name does not exist was never reached either: the service may send the request elsewhere
     * and holds it against the server (passive health), as for a refused connection. (Jetty's resolver fails the
     * request with the lookup's UnknownHostException.)
     */
    @Test
    void aServerNameThatDoesNotResolveIsReportedUnreachableAndAnswered502() throws Exception {
        int proxy = proxyTo("http://nothing.invalid:8080", true, UpstreamSettings.DEFAULTS, new InvalidNamesResolver());

        RawHttp.Response response = RawHttp.exchange(proxy, "GET / HTTP/1.1\r\nHost: app.example\r\nConnection: close");

        assertEquals(502, response.status());
        assertEquals(List.of("unreachable", "failed"), events);
        assertInstanceOf(java.net.UnknownHostException.class, rootCause(failures.get(0)));
    }

    @Test
    void aServerSlowerThanTheResponseHeaderTimeoutIsAnswered504() throws Exception {
        CompletableFuture<Void> released = new CompletableFuture<>();
        int slow = serve(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                // Answers only when the test ends: the proxy must give up on its own.
                released.thenRun(() -> {
                    response.setStatus(200);
                    callback.succeeded();
                });
                return true;
            }
        });
        UpstreamSettings settings = new UpstreamSettings(Duration.ofSeconds(5), Duration.ofMillis(300),
                Duration.ofSeconds(90), 10);
        int proxy = proxyTo("http://127.0.0.1:" + slow, true, settings);
        try {
            long start = System.nanoTime();
            RawHttp.Response response = RawHttp.exchange(proxy, "GET / HTTP/1.1\r\nHost: app.example\r\nConnection: close");

            assertEquals(504, response.status());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "answered by the timeout, not the server");
            assertEquals(List.of("failed"), events);
            assertInstanceOf(TimeoutException.class, rootCause(failures.get(0)));
        } finally {
            released.complete(null);
        }
    }

    @Test
    void aProbeGivesTheServersStatusOrMinusOneWhenItCannotConnect() throws Exception {
        int backend = echoBackend();
        client = new JettyUpstreamClient(UpstreamSettings.DEFAULTS, null);
        client.start();

        CompletableFuture<Integer> up = new CompletableFuture<>();
        client.probe("GET", "http://127.0.0.1:" + backend + "/health", null, Map.of(), Duration.ofSeconds(5), false,
                up::complete);
        assertEquals(201, up.get(10, TimeUnit.SECONDS));

        CompletableFuture<Integer> down = new CompletableFuture<>();
        client.probe("GET", "http://127.0.0.1:" + closedPort() + "/health", null, Map.of(), Duration.ofSeconds(5), false,
                down::complete);
        assertEquals(-1, down.get(10, TimeUnit.SECONDS));
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    @Test
    void isUnreachableLooksThroughTheCausesButNotAtOtherFailures() {
        assertTrue(JettyUpstreamClient.isUnreachable(new RuntimeException(new ConnectException("refused"))));
        assertFalse(JettyUpstreamClient.isUnreachable(new TimeoutException("slow")));
        assertTrue(JettyUpstreamClient.isUnreachable(new RuntimeException(new UnknownHostException("nothing.invalid"))));
        // A lookup that timed out is a timeout, as a connection that timed out is: 504, not another server.
        assertFalse(JettyUpstreamClient.isUnreachable(
                new UnknownHostException("DNS timeout").initCause(new TimeoutException("no answer"))));
    }
}
