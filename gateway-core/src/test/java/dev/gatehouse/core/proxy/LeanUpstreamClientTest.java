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
import org.eclipse.jetty.util.SocketAddressResolver;
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
    /** Jetty's client alone, for the tests that compare both. */
    private JettyUpstreamClient jettyClient;
    private final List<ServerSocket> listeners = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.stop();
        }
        if (jettyClient != null) {
            jettyClient.stop();
        }
        for (ServerSocket listener : listeners) {
            listener.close();
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

    /**
     * The server the proxy's handler runs in: a plain Jetty server here, whose connections to servers are the lean
     * client's own; an entry point's in {@link LeanUpstreamClientOnEntryPointTest}.
     */
    int proxyServer(Handler proxy) throws Exception {
        return serve(proxy);
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

    int proxyTo(String serverUrl) throws Exception {
        return proxyTo(serverUrl, UpstreamSettings.DEFAULTS);
    }

    private int proxyTo(String serverUrl, UpstreamSettings settings) throws Exception {
        client = new LeanUpstreamClient(new JettyUpstreamClient(settings, null), settings, null);
        client.start();
        return proxyWith(client, UpstreamServer.parse(serverUrl), false, events, null);
    }

    /** This client, whose Jetty client (and so itself) looks names up with {@code resolver}. */
    private LeanUpstreamClient leanClient(SocketAddressResolver resolver) throws Exception {
        JettyUpstreamClient delegate = new JettyUpstreamClient(UpstreamSettings.DEFAULTS, null);
        delegate.resolveNamesWith(resolver);
        client = new LeanUpstreamClient(delegate, UpstreamSettings.DEFAULTS, null);
        client.start();
        return client;
    }

    /** A proxy that forwards with Jetty's client alone, recording the outcome in {@code seen}. */
    private int jettyProxyTo(String serverUrl, List<String> seen) throws Exception {
        return jettyProxyTo(serverUrl, seen, null);
    }

    /** As {@link #jettyProxyTo(String, List)}, looking names up with {@code resolver} (null: Jetty's own). */
    private int jettyProxyTo(String serverUrl, List<String> seen, SocketAddressResolver resolver) throws Exception {
        jettyClient = new JettyUpstreamClient(UpstreamSettings.DEFAULTS, null);
        if (resolver != null) {
            jettyClient.resolveNamesWith(resolver);
        }
        jettyClient.start();
        return proxyWith(jettyClient, UpstreamServer.parse(serverUrl), false, seen, null);
    }

    /**
     * A proxy server whose one handler forwards with {@code upstream} to {@code server}, recording the outcome in
     * {@code seen}; an unreachable server is replaced by {@code instead} (once), as a service with another server does.
     */
    private int proxyWith(UpstreamClient upstream, UpstreamServer server, boolean passHostHeader, List<String> seen,
            UpstreamServer instead) throws Exception {
        return proxyServer(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                upstream.forward(request, response, callback, server, passHostHeader, new UpstreamClient.Outcome() {
                    private boolean replaced;

                    @Override
                    public UpstreamServer unreachable(Throwable failure) {
                        seen.add("unreachable");
                        if (instead != null && !replaced) {
                            replaced = true;
                            return instead;
                        }
                        return null;
                    }

                    @Override
                    public void responseBegun(int status) {
                        seen.add("begun " + status);
                    }

                    @Override
                    public void completed(Throwable failure) {
                        seen.add(failure == null ? "completed" : "failed");
                    }

                    @Override
                    public void clientFailed(Throwable failure) {
                        seen.add("client failed");
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
                    RawHttp.readHead(socket.getInputStream());
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

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void unaskedForInterimResponsesAreSkippedForTheFinalOne(boolean serverClosesAfterIt) throws Exception {
        RawBackend backend = new RawBackend("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nfinal", serverClosesAfterIt);
        int proxy = proxyTo(backend.url());

        RawHttp.Response response = get(proxy, "/");

        assertEquals(201, response.status());
        assertEquals("final", response.bodyText());
        assertEquals(List.of(), response.all("Link"));
    }

    /**
     * The server keeps the connection after its first answer, then closes it on reading the next request, without
     * answering (its idle timeout fired as the request arrived): the request goes again, once, on a new connection.
     */
    @Test
    void aRequestOnAPooledConnectionTheServerClosedIsSentOnceMoreOnANewOne() throws Exception {
        ServerSocket listener = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        listeners.add(listener);
        AtomicInteger accepted = new AtomicInteger();
        Thread acceptor = new Thread(() -> {
            while (!listener.isClosed() && accepted.get() < 10) {
                try {
                    Socket socket = listener.accept();
                    accepted.incrementAndGet();
                    Thread connection = new Thread(() -> {
                        try (socket) {
                            InputStream in = socket.getInputStream();
                            if (RawHttp.readHead(in) != null) {
                                socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                                        .getBytes(StandardCharsets.US_ASCII));
                                RawHttp.readHead(in);   // the next request: closed unanswered
                            }
                        } catch (Exception e) {
                            // the gateway closed it
                        }
                    });
                    connection.setDaemon(true);
                    connection.start();
                } catch (Exception e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        String url = "http://127.0.0.1:" + listener.getLocalPort();
        int proxy = proxyTo(url);

        assertEquals("ok", get(proxy, "/first").bodyText());
        awaitIdle(UpstreamServer.parse(url), 1);
        RawHttp.Response second = get(proxy, "/second");

        assertEquals(200, second.status());
        assertEquals("ok", second.bodyText());
        assertEquals(2, accepted.get(), "sent again on a second connection");
        Poll.until("both exchanges completed", Duration.ofSeconds(5),
                () -> events.stream().filter("completed"::equals).count() == 2, events::toString);
        assertFalse(events.contains("failed"), events.toString());
    }

    @Test
    void aBodyCutShortBreaksTheClientsConnectionOffInsteadOfEndingItCleanly() throws Exception {
        RawBackend backend = new RawBackend("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", true);
        int proxy = proxyTo(backend.url());

        String received = rawExchange(proxy, "GET /cut HTTP/1.1\r\nHost: app.example\r\n\r\n");

        assertTrue(received.startsWith("HTTP/1.1 200 "), received);
        assertTrue(received.contains("hello"), received);
        assertFalse(received.endsWith("0\r\n\r\n"), "no last chunk: the client can tell the body is incomplete: " + received);
        Poll.until("the exchange failed", Duration.ofSeconds(5), () -> events.contains("failed"), events::toString);
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

    @Test
    void aServerThatDoesNotTakeTheConnectionWithinTheDialTimeoutIsAnswered504() throws Exception {
        // A listener that accepts nothing, its queue filled: the kernel drops further connection attempts unanswered.
        ServerSocket full = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        listeners.add(full);
        List<java.nio.channels.SocketChannel> queued = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open();
                channel.configureBlocking(false);
                channel.connect(new java.net.InetSocketAddress("127.0.0.1", full.getLocalPort()));
                queued.add(channel);
            }
            int proxy = proxyTo("http://127.0.0.1:" + full.getLocalPort(),
                    new UpstreamSettings(Duration.ofMillis(300), Duration.ZERO, Duration.ofSeconds(90), 2));

            long start = System.nanoTime();
            RawHttp.Response response = get(proxy, "/");

            assertEquals(504, response.status(), "a timeout, as Traefik answers Go's dial timeout");
            // A timeout, not a refusal: held against the server, not passed to the next one (isUnreachable).
            Poll.until("the exchange failed", Duration.ofSeconds(5), () -> events.contains("failed"), events::toString);
            // Not the default dial timeout (30 s): the client's socket would have timed out first (10 s).
            assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(9)) < 0);
        } finally {
            for (java.nio.channels.SocketChannel channel : queued) {
                channel.close();
            }
        }
    }

    /**
     * A backend on plain sockets that answers every request head it reads with {@code answer} and keeps the
     * connection open (unless {@code closeAfterAnswer}), recording the request heads, the connections it accepted
     * and those the gateway closed. At most 20 connections, each served by its own daemon thread.
     */
    final class RawBackend {
        final ServerSocket listener;
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger closedByGateway = new AtomicInteger();
        final List<String> heads = new CopyOnWriteArrayList<>();

        RawBackend(String answer, boolean closeAfterAnswer) throws java.io.IOException {
            listener = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            listeners.add(listener);
            Thread acceptor = new Thread(() -> {
                while (!listener.isClosed() && accepted.get() < 20) {
                    try {
                        Socket socket = listener.accept();
                        accepted.incrementAndGet();
                        Thread connection = new Thread(() -> serve(socket, answer, closeAfterAnswer));
                        connection.setDaemon(true);
                        connection.start();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void serve(Socket socket, String answer, boolean closeAfterAnswer) {
            try (socket) {
                socket.setSoTimeout(20_000);
                InputStream in = socket.getInputStream();
                while (true) {
                    String head = RawHttp.readHead(in);
                    if (head == null) {
                        closedByGateway.incrementAndGet();
                        return;
                    }
                    heads.add(head);
                    socket.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
                    socket.getOutputStream().flush();
                    if (closeAfterAnswer) {
                        return;
                    }
                }
            } catch (Exception e) {
                closedByGateway.incrementAndGet();
            }
        }

        String url() {
            return "http://127.0.0.1:" + listener.getLocalPort();
        }
    }

    /** Sends {@code request} on a new connection and reads until the proxy closes it; what came, Date left out. */
    private static String rawExchange(int proxy, String request) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", proxy), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
                    all.write(buffer, 0, n);
                }
            } catch (java.net.SocketException reset) {
                all.write("<reset>".getBytes(StandardCharsets.ISO_8859_1));
            }
            return all.toString(StandardCharsets.ISO_8859_1).replaceAll("(?m)^Date: [^\r\n]*\r\n", "");
        }
    }

    private static final String GET_CLOSE = "GET /compare HTTP/1.1\r\nHost: app.example\r\nConnection: close\r\n\r\n";

    /**
     * The same answer of a server, read by the lean client and by Jetty's: the client gets the same bytes (status,
     * headers, body, or the same breaking off) and the outcome (passive health, the access log's status) is told
     * the same, for every way of framing a response and for hostile ones.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        // Content-Length and chunked together: refused by both parsers (request smuggling's other half).
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        // HTTP/1.0 without a length: the body ends with the connection.
        "HTTP/1.0 200 OK\r\nX-A: 1\r\n\r\nuntil the end",
        // HTTP/1.1 without a length: the same.
        "HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\nuntil the end",
        // A status line that is not one, a header line without a colon, a bad chunk size.
        "HTTP/1.1 abc OK\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nNo colon here\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        // Two different lengths.
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
        // No body for 204 and 304 whatever they say.
        "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\nETag: \"v1\"\r\n\r\n",
        // Trailers the client did not ask for, and hop-by-hop headers (also those Connection lists) stay behind.
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n2\r\nok\r\n0\r\nX-T: v\r\n\r\n",
        "HTTP/1.1 200 OK\r\nConnection: close, X-Drop\r\nX-Drop: 1\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nok",
        // Cut short: a Content-Length body, a chunked body, a head.
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
        "HTTP/1.1 200 OK\r\nContent-Le",
        // Nothing at all: the server closed the connection at once.
        "",
        // A header folded over two lines (obsolete).
        "HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\nok",
        // Lengths that are not lengths, statuses out of range, versions that are not HTTP/1.
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\nok",
        "HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
        "garbage\r\n\r\n",
    })
    void answersEveryResponseFramingAsJettysClientDoes(String answer) throws Exception {
        RawBackend backend = new RawBackend(answer, true);
        List<String> jettyEvents = new CopyOnWriteArrayList<>();
        int lean = proxyTo(backend.url());
        int jetty = jettyProxyTo(backend.url(), jettyEvents);

        String throughLean = rawExchange(lean, GET_CLOSE);
        String throughJetty = rawExchange(jetty, GET_CLOSE);

        assertEquals(throughJetty, throughLean, "the client gets the same");
        Poll.until("both exchanges ended", Duration.ofSeconds(5),
                () -> events.size() == jettyEvents.size() && !events.isEmpty() && isEnd(events) && isEnd(jettyEvents),
                () -> "lean " + events + ", jetty " + jettyEvents);
        assertEquals(jettyEvents, events, "the outcome is told the same");
    }

    @Test
    void answersAnOversizedResponseHeadAsJettysClientDoes() throws Exception {
        answersEveryResponseFramingAsJettysClientDoes("HTTP/1.1 200 OK\r\nX-Big: " + "b".repeat(64 * 1024)
                + "\r\nContent-Length: 2\r\n\r\nok");
    }

    /**
     * A server's response head is bounded (64 KiB), by both clients: beyond it the client gets a 502. (The entry
     * point's own bound on the head it writes, Jetty's 8 KiB, is lower still: the head that passes is below it.)
     */
    @Test
    void aResponseHeadOver64KiBIs502AndASmallerOnePasses() throws Exception {
        RawBackend big = new RawBackend("HTTP/1.1 200 OK\r\nX-Big: " + "b".repeat(70 * 1024)
                + "\r\nContent-Length: 2\r\n\r\nok", false);
        assertEquals(502, get(proxyTo(big.url()), "/").status());
        RawBackend fits = new RawBackend("HTTP/1.1 200 OK\r\nX-Big: " + "b".repeat(6 * 1024)
                + "\r\nContent-Length: 2\r\n\r\nok", false);
        assertEquals(200, get(proxyTo(fits.url()), "/").status());
    }

    @Test
    void answersAResponseHeadOfManyHeadersAsJettysClientDoes() throws Exception {
        answersEveryResponseFramingAsJettysClientDoes("HTTP/1.1 200 OK\r\n" + "X-Many: v\r\n".repeat(5_000)
                + "Content-Length: 2\r\n\r\nok");
    }

    /**
     * The one answer where the lean client differs from Jetty's on purpose: a switch of protocols the request did
     * not ask for is a 502, as in Traefik (Go's reverse proxy refuses it), where Jetty's client passed a bare 101 on
     * to a client that cannot use it.
     */
    @Test
    void aSwitchOfProtocolsNobodyAskedForIs502AsInTraefik() throws Exception {
        RawBackend backend = new RawBackend("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade"
                + "\r\n\r\nraw bytes", false);
        int proxy = proxyTo(backend.url());

        assertEquals(502, get(proxy, "/").status());
        Poll.until("the exchange failed", Duration.ofSeconds(5), () -> events.contains("failed"), events::toString);
        Poll.until("the server's connection closed", Duration.ofSeconds(5), () -> backend.closedByGateway.get() == 1,
                () -> backend.closedByGateway + " closed");
    }

    private static boolean isEnd(List<String> seen) {
        String last = seen.get(seen.size() - 1);
        return last.equals("completed") || last.equals("failed") || last.equals("client failed");
    }

    /** The same client request, sent on by both clients: the server gets the same head, byte for byte. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "GET /a/b/c;p=1?x=%20&y=%7E&&z=a+b HTTP/1.1\r\nHost: app.example\r\n",
        "GET http://app.example/absolute?q=1 HTTP/1.1\r\nHost: app.example\r\n",
        "HEAD /head HTTP/1.1\r\nHost: app.example:8080\r\nUser-Agent: curl\r\nAccept-Encoding: gzip\r\n",
        "GET /hop HTTP/1.1\r\nHost: app.example\r\nConnection: keep-alive, X-Secret\r\nX-Secret: 1\r\nTE: trailers\r\n"
                + "Keep-Alive: 5\r\nProxy-Authorization: basic x\r\nX-Forwarded-For: 203.0.113.9\r\nX-Two: 1\r\nX-Two: 2\r\n",
        "GET /length0 HTTP/1.1\r\nHost: app.example\r\nContent-Length: 0\r\nExpect: 100-continue\r\n",
        "GET /old HTTP/1.0\r\nHost: app.example\r\n",
        "GET /nohost HTTP/1.0\r\n",
    })
    void sendsTheSameRequestHeadAsJettysClient(String request) throws Exception {
        String answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        RawBackend leanBackend = new RawBackend(answer, false);
        RawBackend jettyBackend = new RawBackend(answer, false);
        client = new LeanUpstreamClient(new JettyUpstreamClient(UpstreamSettings.DEFAULTS, null),
                UpstreamSettings.DEFAULTS, null);
        client.start();
        jettyClient = new JettyUpstreamClient(UpstreamSettings.DEFAULTS, null);
        jettyClient.start();
        for (boolean passHostHeader : new boolean[] {false, true}) {
            int lean = proxyWith(client, UpstreamServer.parse(leanBackend.url()), passHostHeader, events, null);
            int jetty = proxyWith(jettyClient, UpstreamServer.parse(jettyBackend.url()), passHostHeader,
                    new CopyOnWriteArrayList<>(), null);

            String throughLean = rawExchange(lean, request + "Connection: close\r\n\r\n");
            String throughJetty = rawExchange(jetty, request + "Connection: close\r\n\r\n");

            assertEquals(throughJetty, throughLean);
            assertEquals(200, Integer.parseInt(throughLean.substring(9, 12)), throughLean);
            // Each proxy and backend has its own port, which a Host header may carry.
            String leanHead = leanBackend.heads.get(leanBackend.heads.size() - 1);
            String jettyHead = jettyBackend.heads.get(jettyBackend.heads.size() - 1)
                    .replace(":" + jettyBackend.listener.getLocalPort(), ":" + leanBackend.listener.getLocalPort())
                    .replace(":" + jetty + "\r\n", ":" + lean + "\r\n")
                    .replace("X-Forwarded-Port: " + jetty + "\r\n", "X-Forwarded-Port: " + lean + "\r\n");
            assertEquals(jettyHead, leanHead, "the server gets the same head (passHostHeader " + passHostHeader + ")");
        }
    }

    @Test
    void aResponseThatSaysConnectionCloseIsNotPooled() throws Exception {
        RawBackend backend = new RawBackend("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", false);
        int proxy = proxyTo(backend.url());

        for (int i = 0; i < 2; i++) {
            assertEquals("ok", get(proxy, "/" + i).bodyText());
        }

        assertEquals(2, backend.accepted.get(), "a new connection for each request");
        Poll.until("the gateway closed both", Duration.ofSeconds(5), () -> backend.closedByGateway.get() == 2,
                () -> backend.closedByGateway + " closed");
        assertEquals(0, client.idleConnections(UpstreamServer.parse(backend.url())));
    }

    @Test
    void aServerThatSendsMoreThanItsContentLengthLosesTheConnection() throws Exception {
        RawBackend backend = new RawBackend("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n"
                + "Content-Length: 8\r\n\r\nsmuggled", false);
        int proxy = proxyTo(backend.url());

        for (int i = 0; i < 2; i++) {
            RawHttp.Response response = get(proxy, "/" + i);
            assertEquals("ok", response.bodyText(), "never the bytes after the length");
        }

        assertEquals(2, backend.accepted.get(), "the connection with extra bytes is not used again");
    }

    @Test
    void headAndNotModifiedResponsesEndWithoutABodyAndKeepTheConnection() throws Exception {
        RawBackend backend = new RawBackend("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", false);
        int proxy = proxyTo(backend.url());
        UpstreamServer server = UpstreamServer.parse(backend.url());

        for (int i = 0; i < 3; i++) {
            RawHttp.Response response = RawHttp.exchange(proxy, "HEAD /" + i + " HTTP/1.1\r\nHost: app.example\r\n"
                    + "Connection: close");
            assertEquals(200, response.status());
            assertEquals(List.of("1000"), response.all("Content-Length"));
            assertEquals(0, response.body().length);
            awaitIdle(server, 1);
        }

        assertEquals(1, backend.accepted.get(), "one connection for the three");
    }

    @Test
    void aClientThatGoesAwayMidBodyClosesTheServersConnection() throws Exception {
        int total = 64 * 1024 * 1024;
        byte[] chunk = new byte[64 * 1024];
        AtomicInteger written = new AtomicInteger();
        java.util.concurrent.CountDownLatch serverFailed = new java.util.concurrent.CountDownLatch(1);
        int backend = serve(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.getHeaders().put("Content-Length", total);
                writeCounted(response, chunk, total, written, Callback.from(callback::succeeded, failure -> {
                    serverFailed.countDown();
                    callback.failed(failure);
                }));
                return true;
            }
        });
        String url = "http://127.0.0.1:" + backend;
        int proxy = proxyTo(url);

        try (Socket socket = new Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", proxy), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /huge HTTP/1.1\r\nHost: app.example\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertTrue(socket.getInputStream().read(new byte[1024]) > 0, "the response began");
        }

        assertTrue(serverFailed.await(10, java.util.concurrent.TimeUnit.SECONDS),
                "the server's write failed: the gateway closed its connection");
        Poll.until("the exchange ended as the client's failure", Duration.ofSeconds(5),
                () -> events.contains("client failed"), events::toString);
        assertEquals(0, client.idleConnections(UpstreamServer.parse(url)));
        assertFalse(events.contains("failed"), "not held against the server: " + events);
    }

    @Test
    void idleConnectionsAreBoundedPerServerAndClosedAfterIdleConnTimeout() throws Exception {
        // Three requests at once on three connections; the pool keeps one, and closes it after 300 ms idle.
        java.util.concurrent.CountDownLatch allArrived = new java.util.concurrent.CountDownLatch(3);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        int backend = serve(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                backendConnections.add(((java.net.InetSocketAddress) request.getConnectionMetaData()
                        .getRemoteSocketAddress()).getPort());
                allArrived.countDown();
                release.await(10, java.util.concurrent.TimeUnit.SECONDS);
                response.write(true, ByteBuffer.wrap("ok".getBytes(StandardCharsets.US_ASCII)), callback);
                return true;
            }
        });
        String url = "http://127.0.0.1:" + backend;
        UpstreamServer server = UpstreamServer.parse(url);
        int proxy = proxyTo(url, new UpstreamSettings(Duration.ofSeconds(5), Duration.ZERO, Duration.ofMillis(300), 1));

        List<java.util.concurrent.CompletableFuture<RawHttp.Response>> responses = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            responses.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return get(proxy, "/slow");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        assertTrue(allArrived.await(10, java.util.concurrent.TimeUnit.SECONDS), "three requests at the server");
        release.countDown();
        for (java.util.concurrent.CompletableFuture<RawHttp.Response> response : responses) {
            assertEquals(200, response.get(10, java.util.concurrent.TimeUnit.SECONDS).status());
        }

        assertEquals(3, backendConnections.size());
        Poll.until("the pool kept one idle connection", Duration.ofSeconds(2),
                () -> client.idleConnections(server) == 1, () -> "idle: " + client.idleConnections(server));
        Poll.until("the idle connection closed after idleConnTimeout", Duration.ofSeconds(5),
                () -> client.idleConnections(server) == 0 && client.serversWithConnections() == 0,
                () -> "idle: " + client.idleConnections(server) + ", servers: " + client.serversWithConnections());
    }

    @Test
    void aServerSilentPastResponseHeaderTimeoutIsAnswered504AndLosesTheConnection() throws Exception {
        // Reads the request and never answers.
        RawBackend backend = new RawBackend("", false);
        int proxy = proxyTo(backend.url(), new UpstreamSettings(Duration.ofSeconds(5), Duration.ofMillis(300),
                Duration.ofSeconds(90), 200));

        long start = System.nanoTime();
        RawHttp.Response response = get(proxy, "/silent");

        assertEquals(504, response.status());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "answered after the timeout");
        Poll.until("the exchange failed", Duration.ofSeconds(5), () -> events.contains("failed"), events::toString);
        assertEquals(List.of("failed"), events, "held against the server, not sent elsewhere");
        Poll.until("the server's connection closed", Duration.ofSeconds(5), () -> backend.closedByGateway.get() == 1,
                () -> backend.closedByGateway + " closed");
        assertEquals(1, backend.accepted.get(), "not sent again on another connection");
    }

    @Test
    void responseHeaderTimeoutEndsWithTheHeadSoASlowBodyStillComesWhole() throws Exception {
        int backend = serve(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.getHeaders().put("Content-Length", 4);
                // The head now, the body's second half after five times the timeout.
                response.write(false, ByteBuffer.wrap("ab".getBytes(StandardCharsets.US_ASCII)), Callback.from(() ->
                        new Thread(() -> {
                            try {
                                Thread.sleep(1_000);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            response.write(true, ByteBuffer.wrap("cd".getBytes(StandardCharsets.US_ASCII)), callback);
                        }).start(), callback::failed));
                return true;
            }
        });
        String url = "http://127.0.0.1:" + backend;
        int proxy = proxyTo(url, new UpstreamSettings(Duration.ofSeconds(5), Duration.ofMillis(200),
                Duration.ofSeconds(90), 200));

        RawHttp.Response response = get(proxy, "/slow-body");

        assertEquals(200, response.status());
        assertEquals("abcd", response.bodyText());
        awaitIdle(UpstreamServer.parse(url), 1);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"0, 1", "-1, 3"})
    void maxIdleConnsPerHostIsReadAsGoReadsIt(int maxIdleConnsPerHost, int connectionsForThreeRequests) throws Exception {
        RawBackend backend = new RawBackend("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false);
        int proxy = proxyTo(backend.url(), new UpstreamSettings(Duration.ofSeconds(5), Duration.ZERO,
                Duration.ofSeconds(90), maxIdleConnsPerHost));

        for (int i = 0; i < 3; i++) {
            assertEquals("ok", get(proxy, "/" + i).bodyText());
            int done = i + 1;
            // The connection went back to the pool, or was closed (each request's end waited for before the next).
            Poll.until("the connection was kept or closed", Duration.ofSeconds(5),
                    () -> client.idleConnections(UpstreamServer.parse(backend.url())) == 1
                            || backend.closedByGateway.get() == done,
                    () -> backend.closedByGateway + " closed");
        }

        assertEquals(connectionsForThreeRequests, backend.accepted.get(),
                "0 keeps Go's default of 2 idle connections, a negative number none");
    }

    @Test
    void stoppingTheClientClosesItsPooledConnections() throws Exception {
        RawBackend backend = new RawBackend("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false);
        int proxy = proxyTo(backend.url());
        assertEquals("ok", get(proxy, "/").bodyText());
        awaitIdle(UpstreamServer.parse(backend.url()), 1);

        client.stop();

        Poll.until("the server saw its connection closed", Duration.ofSeconds(5),
                () -> backend.closedByGateway.get() == 1, () -> backend.closedByGateway + " closed");
    }

    @Test
    void anUnreachableServerIsReplacedByTheOneTheServiceChooses() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + backend(0, false);
        client = new LeanUpstreamClient(new JettyUpstreamClient(UpstreamSettings.DEFAULTS, null),
                UpstreamSettings.DEFAULTS, null);
        client.start();
        int proxy = proxyWith(client, UpstreamServer.parse("http://127.0.0.1:" + closed), false, events,
                UpstreamServer.parse(url));

        RawHttp.Response response = get(proxy, "/");

        assertEquals(200, response.status());
        Poll.until("the exchange completed", Duration.ofSeconds(5), () -> events.contains("completed"), events::toString);
        assertEquals(List.of("unreachable", "begun 200", "completed"), events);
        awaitIdle(UpstreamServer.parse(url), 1);
    }

    /**
     * A server whose name does not exist is answered as Jetty's client answers it (502, and the service told it was
     * unreachable, so it may choose another server and holds it against this one), through the same resolver.
     */
    @Test
    void aServerNameThatDoesNotResolveIsAnsweredAsJettysClientAnswersIt() throws Exception {
        InvalidNamesResolver resolver = new InvalidNamesResolver();
        List<String> jettyEvents = new CopyOnWriteArrayList<>();
        int lean = proxyWith(leanClient(resolver), UpstreamServer.parse("http://nothing.invalid:8080"), false, events,
                null);
        int jetty = jettyProxyTo("http://nothing.invalid:8080", jettyEvents, new InvalidNamesResolver());

        assertEquals(502, get(lean, "/").status());
        assertEquals(502, get(jetty, "/").status());

        assertEquals(List.of("unreachable", "failed"), jettyEvents);
        assertEquals(jettyEvents, events, "the outcome is told the same");
        assertEquals(List.of("nothing.invalid"), resolver.asked, "looked up by the resolver of Jetty's client");
    }

    @Test
    void aServerNameThatDoesNotResolveIsReplacedByTheOneTheServiceChooses() throws Exception {
        String url = "http://127.0.0.1:" + backend(0, false);
        int proxy = proxyWith(leanClient(new InvalidNamesResolver()), UpstreamServer.parse("http://nothing.invalid:8080"),
                false, events, UpstreamServer.parse(url));

        assertEquals(200, get(proxy, "/").status());
        Poll.until("the exchange completed", Duration.ofSeconds(5), () -> events.contains("completed"), events::toString);
        assertEquals(List.of("unreachable", "begun 200", "completed"), events);
        awaitIdle(UpstreamServer.parse(url), 1);
    }

    /** A host name is looked up by Jetty's own resolver (here from the hosts file), and the lean client carries it. */
    @Test
    void aServerNamedLocalhostIsReached() throws Exception {
        String url = "http://localhost:" + backend(0, false);
        int proxy = proxyTo(url);

        RawHttp.Response response = get(proxy, "/named");

        assertEquals(200, response.status());
        assertTrue(response.bodyText().startsWith("GET /named\n"), response.bodyText());
        awaitIdle(UpstreamServer.parse(url), 1);
    }

    /** A name with several addresses is reached at the next one when the first refuses, as with Jetty's client. */
    @Test
    void aNameWhoseFirstAddressRefusesIsReachedAtTheNext() throws Exception {
        int port = backend(0, false);
        // The backend listens on 127.0.0.1 alone: ::1 refuses (or is not there at all).
        LeanUpstreamClient lean = leanClient((host, p, context, promise) -> promise.succeeded(
                List.of(new java.net.InetSocketAddress("::1", p), new java.net.InetSocketAddress("127.0.0.1", p))));
        String url = "http://backend.test:" + port;
        int proxy = proxyWith(lean, UpstreamServer.parse(url), false, events, null);

        assertEquals(200, get(proxy, "/").status());
        Poll.until("the exchange completed", Duration.ofSeconds(5), () -> events.contains("completed"), events::toString);
        assertEquals(List.of("begun 200", "completed"), events);
        awaitIdle(UpstreamServer.parse(url), 1);
    }

    /** An IP address needs no lookup: it is connected to at once; a name goes to the resolver. */
    @Test
    void anAddressIsConnectedToWithoutAskingTheResolver() throws Exception {
        int port = backend(0, false);
        InvalidNamesResolver resolver = new InvalidNamesResolver();
        LeanUpstreamClient lean = leanClient(resolver);
        int byAddress = proxyWith(lean, UpstreamServer.parse("http://127.0.0.1:" + port), false, events, null);
        int byName = proxyWith(lean, UpstreamServer.parse("http://localhost:" + port), false, events, null);

        assertEquals(200, get(byAddress, "/").status());
        assertEquals(List.of(), resolver.asked);
        assertEquals(200, get(byName, "/").status());
        assertEquals(List.of("localhost"), resolver.asked);
        awaitIdle(UpstreamServer.parse("http://localhost:" + port), 1);
    }

    @Test
    void isTheDefaultUnlessTurnedOff() {
        JettyUpstreamClient jetty = new JettyUpstreamClient(UpstreamSettings.DEFAULTS, null);
        assertTrue(LeanUpstreamClient.selectFor(jetty, UpstreamSettings.DEFAULTS, null) instanceof LeanUpstreamClient,
                "with -D" + LeanUpstreamClient.PROPERTY + " unset");
    }
}
