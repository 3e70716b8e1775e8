package dev.gatehouse.core.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.it.Poll;
import dev.gatehouse.it.RawHttp;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lean client (issue 18's measurement prototype) between two real local Jetty servers: a proxy whose one handler
 * forwards with it, and a backend. Each test checks that the lean path itself carried the request (its pool holds
 * the connection afterwards), so the benchmark's numbers come from a path that works.
 */
class LeanUpstreamClientTest {

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<Server> servers = new CopyOnWriteArrayList<>();
    /** The backend's view of which of its connections (remote ports) carried requests. */
    private final Set<Integer> backendConnections = ConcurrentHashMap.newKeySet();
    private LeanUpstreamClient client;

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

    /** Answers with the request's line and headers, then {@code extra} bytes of 'x', as one write or in 8 KiB chunks. */
    private int backend(int extra, boolean chunked) throws Exception {
        return serve(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                backendConnections.add(((java.net.InetSocketAddress) request.getConnectionMetaData()
                        .getRemoteSocketAddress()).getPort());
                StringBuilder text = new StringBuilder(request.getMethod() + " " + request.getHttpURI().getPathQuery() + "\n");
                request.getHeaders().forEach(field -> text.append(field.getName()).append(": ").append(field.getValue()).append('\n'));
                text.append("x".repeat(extra));
                byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
                response.getHeaders().put("X-Backend", "lean");
                if (!chunked) {
                    response.getHeaders().put("Content-Length", body.length);
                    response.write(true, ByteBuffer.wrap(body), callback);
                    return true;
                }
                writeInChunks(response, body, 0, callback);
                return true;
            }
        });
    }

    private static void writeInChunks(Response response, byte[] body, int from, Callback callback) {
        int to = Math.min(body.length, from + 8192);
        boolean last = to == body.length;
        response.write(last, ByteBuffer.wrap(body, from, to - from), last ? callback
                : Callback.from(() -> writeInChunks(response, body, to, callback), callback::failed));
    }

    private int proxyTo(String serverUrl) throws Exception {
        client = new LeanUpstreamClient(new JettyUpstreamClient(UpstreamSettings.DEFAULTS, null), UpstreamSettings.DEFAULTS,
                null);
        client.start();
        UpstreamServer server = UpstreamServer.parse(serverUrl);
        return serve(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                client.forward(request, response, callback, server, false, new UpstreamClient.Outcome() {
                    @Override
                    public UpstreamServer unreachable(Throwable failure) {
                        events.add("unreachable");
                        return null;
                    }

                    @Override
                    public void responseBegun(int status) {
                        events.add("begun " + status);
                    }

                    @Override
                    public void completed(Throwable failure) {
                        events.add(failure == null ? "completed" : "failed");
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

    private static RawHttp.Response get(int proxy, String target) throws Exception {
        return RawHttp.exchange(proxy, "GET " + target + " HTTP/1.1\r\nHost: app.example\r\nConnection: close\r\n"
                + "X-Forwarded-For: 203.0.113.9\r\nProxy-Authorization: secret");
    }

    private void awaitIdle(UpstreamServer server, int count) throws InterruptedException {
        Poll.until("the lean pool keeps the connection", Duration.ofSeconds(5),
                () -> client.idleConnections(server) == count, () -> "idle: " + client.idleConnections(server));
    }

    @Test
    void forwardsASmallGetWithTheRequestHeadersAsTheJettyClientDoesAndKeepsTheConnection() throws Exception {
        String url = "http://127.0.0.1:" + backend(0, false);
        int proxy = proxyTo(url);

        RawHttp.Response response = get(proxy, "/items?id=7");

        assertEquals(200, response.status());
        assertEquals(List.of("lean"), response.all("X-Backend"));
        String received = response.bodyText();
        assertTrue(received.startsWith("GET /items?id=7\n"), received);
        assertTrue(received.contains("Host: 127.0.0.1:"), "the server's own Host without passHostHeader: " + received);
        assertTrue(received.contains("X-Forwarded-For: 203.0.113.9, 127.0.0.1\n"), received);
        assertFalse(received.contains("Proxy-Authorization"), "hop-by-hop headers stay behind: " + received);
        assertFalse(received.toLowerCase().contains("connection:"), received);
        Poll.until("the exchange completed", Duration.ofSeconds(5), () -> events.size() >= 2, events::toString);
        assertEquals(List.of("begun 200", "completed"), events);
        awaitIdle(UpstreamServer.parse(url), 1);
    }

    @Test
    void reusesOneKeptAliveConnectionForRequestsOneAfterAnother() throws Exception {
        String url = "http://127.0.0.1:" + backend(0, false);
        int proxy = proxyTo(url);

        for (int i = 0; i < 5; i++) {
            assertEquals(200, get(proxy, "/" + i).status());
            awaitIdle(UpstreamServer.parse(url), 1);
        }

        assertEquals(1, backendConnections.size(), "one server connection for all: " + backendConnections);
    }

    @Test
    void concurrentKeptAliveRequestsAllSucceedOnPooledConnections() throws Exception {
        String url = "http://127.0.0.1:" + backend(0, false);
        int proxy = proxyTo(url);
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + proxy + "/load")).timeout(Duration.ofSeconds(10)).build();
        List<java.util.concurrent.CompletableFuture<Integer>> statuses = new java.util.ArrayList<>();
        // 8 clients, 100 requests each: a response that arrives before its request's writer has left the write
        // must not let another request write on the connection too early.
        for (int client = 0; client < 8; client++) {
            java.util.concurrent.CompletableFuture<Integer> chain = java.util.concurrent.CompletableFuture.completedFuture(200);
            for (int i = 0; i < 100; i++) {
                chain = chain.thenCompose(previous -> previous != 200
                        ? java.util.concurrent.CompletableFuture.completedFuture(previous)
                        : http.sendAsync(request, java.net.http.HttpResponse.BodyHandlers.discarding())
                                .thenApply(java.net.http.HttpResponse::statusCode));
            }
            statuses.add(chain);
        }
        for (java.util.concurrent.CompletableFuture<Integer> status : statuses) {
            assertEquals(200, status.get(30, java.util.concurrent.TimeUnit.SECONDS));
        }
        assertTrue(backendConnections.size() <= 16, "pooled server connections: " + backendConnections.size());
    }

    @Test
    void streamsAOneMebibyteBodyWithContentLength() throws Exception {
        String url = "http://127.0.0.1:" + backend(1024 * 1024, false);
        int proxy = proxyTo(url);

        RawHttp.Response response = get(proxy, "/big");

        assertEquals(200, response.status());
        int length = Integer.parseInt(response.all("Content-Length").get(0));
        assertEquals(length, response.body().length);
        assertTrue(response.bodyText().endsWith("x".repeat(1024 * 1024)));
        awaitIdle(UpstreamServer.parse(url), 1);
    }

    @Test
    void passesAChunkedResponseOnChunked() throws Exception {
        String url = "http://127.0.0.1:" + backend(100_000, true);
        int proxy = proxyTo(url);

        RawHttp.Response response = get(proxy, "/chunked");

        assertEquals(200, response.status());
        // Streamed as it came, not gathered into a length (to a client that closes, Jetty ends it with the connection).
        assertEquals(List.of(), response.all("Content-Length"));
        assertTrue(response.bodyText().startsWith("GET /chunked\n"), response.bodyText());
        assertTrue(response.bodyText().endsWith("x".repeat(100_000)));
        awaitIdle(UpstreamServer.parse(url), 1);
    }

    /**
     * A backend on a plain socket that reads one request head per connection, writes {@code answer} and closes the
     * connection (though the answer says keep-alive, as a server whose idle timeout just fired); counts connections.
     */
    private static ServerSocket rawBackend(String answer, AtomicInteger accepted) throws java.io.IOException {
        ServerSocket listener = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread backend = new Thread(() -> {
            while (!listener.isClosed() && accepted.get() < 10) {
                try (Socket socket = listener.accept()) {
                    accepted.incrementAndGet();
                    readHead(socket.getInputStream());
                    OutputStream out = socket.getOutputStream();
                    out.write(answer.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (Exception e) {
                    return;
                }
            }
        });
        backend.setDaemon(true);
        backend.start();
        return listener;
    }

    @Test
    void aConnectionTheServerClosedWhileIdleIsReplacedWithoutAnError() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        try (ServerSocket listener = rawBackend("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", accepted)) {
            int proxy = proxyTo("http://127.0.0.1:" + listener.getLocalPort());

            for (int i = 0; i < 3; i++) {
                RawHttp.Response response = get(proxy, "/" + i);
                assertEquals(200, response.status(), "request " + i);
                assertEquals("ok", response.bodyText());
            }
            assertEquals(3, accepted.get(), "a new connection for each request");
            assertFalse(events.contains("failed"), events.toString());
        }
    }

    @Test
    void anInterimResponseIsSkippedForTheFinalOne() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        try (ServerSocket listener = rawBackend("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Final: yes\r\n\r\nfinal", accepted)) {
            int proxy = proxyTo("http://127.0.0.1:" + listener.getLocalPort());

            RawHttp.Response response = get(proxy, "/");

            assertEquals(200, response.status());
            assertEquals(List.of("yes"), response.all("X-Final"));
            assertEquals(List.of(), response.all("Link"), "the interim response's headers are not the final one's");
            assertEquals("final", response.bodyText());
        }
    }

    @Test
    void aClientThatDoesNotReadHoldsTheServerBackInsteadOfTheGatewayBufferingItsBody() throws Exception {
        int total = 64 * 1024 * 1024;
        AtomicInteger written = new AtomicInteger();
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        int backend = serve(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.getHeaders().put("Content-Length", total);
                writeCounted(response, chunk, total, written, callback);
                return true;
            }
        });
        int proxy = proxyTo("http://127.0.0.1:" + backend);

        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", proxy), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /huge HTTP/1.1\r\nHost: app.example\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            // The server's writes stop once the socket buffers on the way are full: a stall, waited for by
            // sampling until the count stays the same for three samples.
            int[] lastSeen = {-1, 0};
            Poll.until("the server's writes stall", Duration.ofSeconds(10), () -> {
                int now = written.get();
                lastSeen[1] = now == lastSeen[0] && now > 0 ? lastSeen[1] + 1 : 0;
                lastSeen[0] = now;
                return lastSeen[1] >= 10;
            }, () -> written.get() + " bytes written");
            assertTrue(written.get() < total / 2, "the gateway held back the server: " + written.get() + " of " + total);

            long read = 0;
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[256 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                read += n;
            }
            assertTrue(read > total, "the whole body (and the head) came once read: " + read);
        }
    }

    private static void writeCounted(Response response, byte[] chunk, int left, AtomicInteger written, Callback callback) {
        int size = Math.min(chunk.length, left);
        boolean last = size == left;
        response.write(last, ByteBuffer.wrap(chunk, 0, size), Callback.from(() -> {
            written.addAndGet(size);
            if (last) {
                callback.succeeded();
            } else {
                writeCounted(response, chunk, left - size, written, callback);
            }
        }, callback::failed));
    }

    @Test
    void anUnreachableServerIsAnswered502AndToldToTheOutcome() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        int proxy = proxyTo("http://127.0.0.1:" + closed);

        assertEquals(502, get(proxy, "/").status());
        assertTrue(events.contains("unreachable"), events.toString());
    }

    private static void readHead(InputStream in) throws java.io.IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int b; matched < 4 && (b = in.read()) >= 0; ) {
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }
}
