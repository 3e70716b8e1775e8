package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloads do not cut connections: the clients of {@code http.serversTransports} are kept from one configuration to
 * the next while their settings are unchanged (warm pools, WebSockets and long responses on them), the runtime a
 * request or WebSocket started on stays until it is done, and a WebSocket, which is no HTTP request, has no idle
 * timeout on either side.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ConnectionsAcrossReloadsTest {

    private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(10);
    private static final String STATIC_CONFIG = """
            entryPoints:
              web:
                address: "127.0.0.1:0"
                transport:
                  lifeCycle:
                    graceTimeOut: 1s
            providers:
              providersThrottleDuration: 50ms
              file:
                directory: dynamic
            """;

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * A WebSocket, a 60 s streamed download and a request that its backend answers after 50 s, all through one
     * named transport at once, go on undisturbed while an unrelated file is changed 20 times (once every 3 s of the
     * download, paced by its chunks).
     */
    @Test
    void aWebSocketADownloadAndASlowRequestThroughANamedTransportSurviveTwentyReloads() throws Exception {
        int chunks = 200;   // one every 300 ms: 60 s
        try (WebSocketTest.EchoServer echo = new WebSocketTest.EchoServer();
             TestBackend stream = TestBackend.with("stream", new SlowStream(chunks, Duration.ofMillis(300)));
             TestBackend slow = TestBackend.delayed("slow", Duration.ofSeconds(50));
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         ws:
                           rule: PathPrefix(`/ws`)
                           service: ws
                         stream:
                           rule: PathPrefix(`/stream`)
                           service: stream
                         slow:
                           rule: PathPrefix(`/slow`)
                           service: slow
                       services:
                         ws:
                           loadBalancer:
                             serversTransport: pooled
                             servers:
                               - url: http://127.0.0.1:%d
                         stream:
                           loadBalancer:
                             serversTransport: pooled
                             servers:
                               - url: %s
                         slow:
                           loadBalancer:
                             serversTransport: pooled
                             servers:
                               - url: %s
                       serversTransports:
                         pooled:
                           maxIdleConnsPerHost: 8
                     """.formatted(echo.port(), stream.url(), slow.url())).staticConfig(STATIC_CONFIG).start()) {
            gateway.awaitReload(0, () -> gateway.routerEnabled("slow@file"), RELOAD_TIMEOUT);
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            WebSocket socket = openWebSocket(gateway, received);
            CompletableFuture<HttpResponse<String>> slowResponse = client.sendAsync(
                    HttpRequest.newBuilder(URI.create(gateway.url("/slow"))).timeout(Duration.ofSeconds(80)).build(),
                    HttpResponse.BodyHandlers.ofString());
            AtomicInteger chunksReceived = new AtomicInteger();
            CompletableFuture<HttpResponse<Void>> download = client.sendAsync(
                    HttpRequest.newBuilder(URI.create(gateway.url("/stream"))).timeout(Duration.ofSeconds(90)).build(),
                    HttpResponse.BodyHandlers.fromLineSubscriber(new CountingLines(chunksReceived)));

            for (int reload = 1; reload <= 20; reload++) {
                int chunk = reload * 10 - 5;   // every 3 s of the download, from 1.5 s on
                awaitTrue(() -> chunksReceived.get() >= chunk || download.isDone(), Duration.ofSeconds(20),
                        "chunk " + chunk + " of the download (got " + chunksReceived.get() + ")");
                assertFalse(download.isDone(), "the download ended after " + chunksReceived.get() + " chunks: "
                        + (download.isCompletedExceptionally() ? download.handle((r, x) -> x).join() : "?"));
                long generation = gateway.application().generation();
                String router = "unrelated" + reload;
                gateway.writeDynamic("unrelated.yml", unrelated(router));
                gateway.awaitReload(generation, () -> gateway.routerEnabled(router + "@file"), RELOAD_TIMEOUT);
                socket.sendText("after reload " + reload, true).get(5, TimeUnit.SECONDS);
                assertEquals("echo:after reload " + reload, received.poll(5, TimeUnit.SECONDS),
                        "the WebSocket after reload " + reload);
            }

            HttpResponse<String> slowAnswer = slowResponse.get(40, TimeUnit.SECONDS);
            assertEquals(200, slowAnswer.statusCode(), slowAnswer.body());
            assertTrue(slowAnswer.body().contains("backend=slow"), slowAnswer.body());
            HttpResponse<Void> downloaded = download.get(30, TimeUnit.SECONDS);
            assertEquals(200, downloaded.statusCode());
            assertEquals(chunks, chunksReceived.get(), "chunks of the download");
            socket.sendText("at the end", true).get(5, TimeUnit.SECONDS);
            assertEquals("echo:at the end", received.poll(5, TimeUnit.SECONDS));
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        }
    }

    /** Keep-alive requests through a named transport use the same backend connection before and after a reload. */
    @Test
    void backendConnectionsAreReusedAcrossAReload() throws Exception {
        try (TestBackend backend = TestBackend.echo("pooled");
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         pooled:
                           rule: PathPrefix(`/pooled`)
                           service: pooled
                       services:
                         pooled:
                           loadBalancer:
                             serversTransport: pooled
                             servers:
                               - url: %s
                       serversTransports:
                         pooled:
                           maxIdleConnsPerHost: 4
                     """.formatted(backend.url())).staticConfig(STATIC_CONFIG).start()) {
            gateway.awaitReload(0, () -> gateway.routerEnabled("pooled@file"), RELOAD_TIMEOUT);
            for (int i = 0; i < 5; i++) {
                assertEquals(200, get(gateway, "/pooled/before" + i).statusCode());
            }
            assertEquals(1, backend.connections(), "sequential requests share one backend connection");

            long generation = gateway.application().generation();
            gateway.writeDynamic("unrelated.yml", unrelated("unrelated"));
            gateway.awaitReload(generation, () -> gateway.routerEnabled("unrelated@file"), RELOAD_TIMEOUT);
            for (int i = 0; i < 5; i++) {
                assertEquals(200, get(gateway, "/pooled/after" + i).statusCode());
            }
            assertEquals(10, backend.requests());
            assertEquals(1, backend.connections(), "the reload kept the transport and its pooled connection");
            assertEquals(0, backend.closedConnections(), "the reload closed the pooled connection");
        }
    }

    /**
     * With an entry point idle timeout of 2 s and a transport idleConnTimeout of 2 s, an idle keep-alive connection is
     * closed after 2 s, and a WebSocket opened before it and idle as long is not: it still carries messages.
     */
    @Test
    void anIdleWebSocketOutlivesTheIdleTimeoutsThatCloseAnIdleKeepAliveConnection() throws Exception {
        try (WebSocketTest.EchoServer echo = new WebSocketTest.EchoServer();
             TestBackend plain = TestBackend.echo("plain");
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         ws:
                           rule: PathPrefix(`/ws`)
                           service: ws
                         plain:
                           rule: PathPrefix(`/plain`)
                           service: plain
                       services:
                         ws:
                           loadBalancer:
                             serversTransport: short
                             servers:
                               - url: http://127.0.0.1:%d
                         plain:
                           loadBalancer:
                             servers:
                               - url: %s
                       serversTransports:
                         short:
                           forwardingTimeouts:
                             idleConnTimeout: 2s
                     """.formatted(echo.port(), plain.url())).staticConfig("""
                     entryPoints:
                       web:
                         address: "127.0.0.1:0"
                         transport:
                           respondingTimeouts:
                             idleTimeout: 2s
                     providers:
                       providersThrottleDuration: 50ms
                       file:
                         directory: dynamic
                     """).start()) {
            gateway.awaitReload(0, () -> gateway.routerEnabled("ws@file") && gateway.routerEnabled("plain@file"),
                    RELOAD_TIMEOUT);
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            WebSocket socket = openWebSocket(gateway, received);
            socket.sendText("before", true).get(5, TimeUnit.SECONDS);
            assertEquals("echo:before", received.poll(5, TimeUnit.SECONDS));

            // Opened after the WebSocket's last message: when it idles out, the WebSocket has been idle longer.
            try (Socket keepAlive = new Socket()) {
                keepAlive.connect(new InetSocketAddress("127.0.0.1", gateway.port("web")), 5_000);
                keepAlive.setSoTimeout(15_000);
                keepAlive.getOutputStream().write("GET /plain HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                long answeredAt = System.nanoTime();
                assertTrue(readResponse(keepAlive.getInputStream()).startsWith("HTTP/1.1 200"));
                int next;
                try {
                    next = keepAlive.getInputStream().read();
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("the idle keep-alive connection was not closed within 15 s", e);
                }
                long idleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answeredAt);
                assertEquals(-1, next, "the gateway closes an idle keep-alive connection");
                assertTrue(idleMillis >= 1_500, "closed after " + idleMillis + " ms, before the idle timeout");
            }

            assertFalse(socket.isInputClosed(), "the WebSocket was closed");
            socket.sendText("after", true).get(5, TimeUnit.SECONDS);
            assertEquals("echo:after", received.poll(5, TimeUnit.SECONDS), "the idle WebSocket still carries messages");
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        }
    }

    /**
     * A transport whose settings change is replaced: new requests get a new pool (a new backend connection), while
     * the request and the WebSocket in flight on the old one go on on it, and the old pool is closed once both are
     * done. The unchanged transport next to it keeps its connection.
     */
    @Test
    void aChangedTransportIsReplacedAndTheOldOneClosedOnceItsRequestsFinished() throws Exception {
        try (TestBackend changing = TestBackend.echo("changing");
             TestBackend steady = TestBackend.echo("steady");
             TestBackend slow = TestBackend.delayed("slow", Duration.ofSeconds(3));
             WebSocketTest.EchoServer echo = new WebSocketTest.EchoServer();
             TestGateway gateway = Gateways.withDynamic(dir, transports(changing, steady, slow, echo, 4))
                     .staticConfig(STATIC_CONFIG).start()) {
            gateway.awaitReload(0, () -> gateway.routerEnabled("version4@file"), RELOAD_TIMEOUT);
            assertEquals(200, get(gateway, "/changing/1").statusCode());
            assertEquals(200, get(gateway, "/steady/1").statusCode());
            assertEquals(1, changing.connections());
            assertEquals(1, steady.connections());
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            WebSocket socket = openWebSocket(gateway, received);

            CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(
                    HttpRequest.newBuilder(URI.create(gateway.url("/slow"))).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            awaitTrue(() -> slow.requests() == 1, Duration.ofSeconds(5), "the slow request at its backend");
            long generation = gateway.application().generation();
            gateway.writeDynamic("test.yml", transports(changing, steady, slow, echo, 5));
            gateway.awaitReload(generation, () -> gateway.routerEnabled("version5@file"), RELOAD_TIMEOUT);

            assertEquals(200, get(gateway, "/changing/2").statusCode());
            assertEquals(2, changing.connections(), "the changed transport has a new pool");
            assertEquals(0, changing.closedConnections(), "the old pool was closed while a request ran on it");
            assertEquals(200, get(gateway, "/steady/2").statusCode());

            HttpResponse<String> slowAnswer = inFlight.get(10, TimeUnit.SECONDS);
            assertEquals(200, slowAnswer.statusCode(), slowAnswer.body());
            socket.sendText("on the old transport", true).get(5, TimeUnit.SECONDS);
            assertEquals("echo:on the old transport", received.poll(5, TimeUnit.SECONDS));
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            awaitTrue(() -> changing.closedConnections() == 1, Duration.ofSeconds(5),
                    "the old pool's connection closed once the request and the WebSocket on it were done");
            assertEquals(200, get(gateway, "/steady/3").statusCode());
            assertEquals(1, steady.connections(), "the unchanged transport kept its connection");
            assertEquals(0, steady.closedConnections());
            assertEquals(2, changing.connections());
        }
    }

    /** A file with one router, of that name, and its service, that no test request reaches. */
    private static String unrelated(String router) {
        return """
                http:
                  routers:
                    %s:
                      rule: PathPrefix(`/unrelated`)
                      service: unrelated
                  services:
                    unrelated:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:9
                """.formatted(router);
    }

    /**
     * Services on transport {@code changing} (which keeps {@code maxIdle} idle connections) and on transport
     * {@code steady}, and a router {@code version<maxIdle>} that tells which version is applied.
     */
    private static String transports(TestBackend changing, TestBackend steady, TestBackend slow,
            WebSocketTest.EchoServer echo, int maxIdle) {
        return """
                http:
                  routers:
                    changing:
                      rule: PathPrefix(`/changing`)
                      service: changing
                    steady:
                      rule: PathPrefix(`/steady`)
                      service: steady
                    slow:
                      rule: PathPrefix(`/slow`)
                      service: slow
                    ws:
                      rule: PathPrefix(`/ws`)
                      service: ws
                    version%d:
                      rule: PathPrefix(`/version`)
                      service: steady
                  services:
                    changing:
                      loadBalancer:
                        serversTransport: changing
                        servers:
                          - url: %s
                    slow:
                      loadBalancer:
                        serversTransport: changing
                        servers:
                          - url: %s
                    ws:
                      loadBalancer:
                        serversTransport: changing
                        servers:
                          - url: http://127.0.0.1:%d
                    steady:
                      loadBalancer:
                        serversTransport: steady
                        servers:
                          - url: %s
                  serversTransports:
                    changing:
                      maxIdleConnsPerHost: %d
                    steady:
                      maxIdleConnsPerHost: 3
                """.formatted(maxIdle, changing.url(), slow.url(), echo.port(), steady.url(), maxIdle);
    }

    private HttpResponse<String> get(TestGateway gateway, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(gateway.url(path))).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static WebSocket openWebSocket(TestGateway gateway, BlockingQueue<String> received) throws Exception {
        return HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + gateway.port("web") + "/ws/chat"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        received.add(data.toString());
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
    }

    /** Reads one response with a Content-Length body from a kept-alive connection; returns its head and body. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the end of the response head");
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout, String what)
            throws InterruptedException {
        ReloadTest.awaitTrue(condition, timeout, what);
    }

    /** Writes {@code count} lines, one every {@code interval}, without holding a thread between them. */
    private static final class SlowStream extends Handler.Abstract.NonBlocking {
        private final int count;
        private final Duration interval;

        SlowStream(int count, Duration interval) {
            this.count = count;
            this.interval = interval;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            response.setStatus(200);
            response.getHeaders().put("Content-Type", "text/plain");
            writeLine(request, response, callback, 1);
            return true;
        }

        private void writeLine(Request request, Response response, Callback callback, int line) {
            boolean last = line == count;
            ByteBuffer bytes = ByteBuffer.wrap(("line " + line + "\n").getBytes(StandardCharsets.US_ASCII));
            response.write(last, bytes, Callback.from(() -> {
                if (last) {
                    callback.succeeded();
                } else {
                    request.getComponents().getScheduler().schedule(
                            () -> writeLine(request, response, callback, line + 1), interval.toMillis(),
                            TimeUnit.MILLISECONDS);
                }
            }, callback::failed));
        }
    }

    /** Counts the lines of a streamed body as they arrive. */
    private static final class CountingLines implements java.util.concurrent.Flow.Subscriber<String> {
        private final AtomicInteger lines;

        CountingLines(AtomicInteger lines) {
            this.lines = lines;
        }

        @Override
        public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String item) {
            lines.incrementAndGet();
        }

        @Override
        public void onError(Throwable throwable) {
        }

        @Override
        public void onComplete() {
        }
    }
}
