package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.HTTP2Session;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.GoAwayFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.http2.frames.SettingsFrame;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures the client causes (its body stalls, is cut, is reset or is malformed; it stops reading the response or
 * leaves) are the client's: it gets 408 or 400 (or nothing, when it is gone, logged as 499 as Traefik does), and the
 * server it was sent to is neither left out by passive health, nor held against by a circuit breaker, nor sent the
 * request a second time. Each service here has two servers: a server left out by passive health shows as every
 * later request going to the other one.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClientFaultsTest {

    /** The entry point's idle timeout in these tests: how long a client that stops reading its response is waited for
     *  (a stalled request body is cut by the read timeout, 1 s in the static configuration). */
    private static final Duration IDLE = Duration.ofSeconds(1);

    @TempDir
    static Path dir;

    /** Holds the servers' answer to {@code /h2wait/slow}. */
    private static final CountDownLatch slowServerMayAnswer = new CountDownLatch(1);
    private static Recording first;
    private static Recording second;
    private static TestGateway gateway;
    private static HTTP2Client h2;

    @BeforeAll
    static void start() throws Exception {
        first = new Recording("first");
        second = new Recording("second");
        StringBuilder routes = new StringBuilder("http:\n  routers:\n");
        StringBuilder services = new StringBuilder("  services:\n");
        for (String prefix : List.of("h1stall", "h2stall", "h2reset", "gone", "reader", "chunk", "h2big", "h2wait")) {
            routes.append("""
                        %1$s:
                          rule: PathPrefix(`/%1$s`)
                          service: %1$s
                    """.formatted(prefix));
            if (prefix.equals("gone") || prefix.equals("h2reset")) {
                // Trips at the first server error it sees: a client that went away must not look like one.
                routes.append("      middlewares: [breaker]\n");
            }
            services.append("""
                        %s:
                          loadBalancer:
                            servers:
                              - url: %s
                              - url: %s
                    """.formatted(prefix, first.backend.url(), second.backend.url()));
        }
        String dynamic = routes + """
                  middlewares:
                    breaker:
                      circuitBreaker:
                        expression: "NetworkErrorRatio() > 0.1 || ResponseCodeRatio(500, 600, 0, 600) > 0.1"
                        checkPeriod: 50ms
                        fallbackDuration: 10s
                """ + services;
        gateway = Gateways.withDynamic(dir, dynamic).staticConfig("""
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                    transport:
                      respondingTimeouts:
                        readTimeout: 1s
                providers:
                  providersThrottleDuration: 200ms
                  file:
                    directory: dynamic
                accessLog:
                  filePath: logs/access.json
                  format: json
                """).start();
        gateway.awaitReload(0, () -> gateway.routerEnabled("h2big@file"), Duration.ofSeconds(10));
        gateway.entryPointIdleTimeout(IDLE);
        h2 = new HTTP2Client();
        // Sends header sections as large as the test wants, whatever the gateway advertises (see h2Session).
        h2.setMaxRequestHeadersSize(256 * 1024);
        h2.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (h2 != null) {
            h2.stop();
        }
        if (gateway != null) {
            gateway.close();
        }
        first.backend.close();
        second.backend.close();
    }

    @Test
    void aStalledRequestBodyGets408AndTheServerStaysUp() throws Exception {
        // The attack: announce 100 bytes, send 2, stall. Before, the client got 504 after the idle timeout and the
        // server was left out for 10 s: every other client of the service got 503 (or, here, the other server).
        long started = System.nanoTime();
        RawHttp.Response stalled = RawHttp.exchange(gateway.port("web"),
                "POST /h1stall/stalled HTTP/1.1\r\nHost: test\r\nContent-Length: 100", bytes("ab"));
        assertEquals(408, stalled.status(), stalled.bodyText());
        assertEquals(List.of("close"), stalled.all("Connection"));
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(8), "answered at the read timeout");
        assertBothServersServe("/h1stall");
        assertEquals(1, received("/h1stall/stalled"), "sent to one server, never again to the other");
        assertEquals(408, awaitAccessLogStatus("/h1stall/stalled"));
    }

    @Test
    void aStalledHttp2StreamGets408AndTheConnectionAndTheServerCarryOn() throws Exception {
        Session session = h2Session();
        H2Exchange stalled = new H2Exchange();
        Stream stream = session.newStream(new HeadersFrame(post("/h2stall/stalled", 100), null, false), stalled)
                .get(5, TimeUnit.SECONDS);
        stream.data(new DataFrame(stream.getId(), ByteBuffer.wrap(bytes("ab")), false)).get(5, TimeUnit.SECONDS);
        assertEquals(408, stalled.status.get(10, TimeUnit.SECONDS));
        assertEquals(200, h2Get(session, "/h2stall/same-connection"), "the connection still carries requests");
        assertBothServersServe("/h2stall");
        assertEquals(1, received("/h2stall/stalled"));
        session.close(ErrorCode.NO_ERROR.code, null, Callback.NOOP);
    }

    @Test
    void anHttp2StreamResetMidBodyIsLoggedAs499AndNotHeldAgainstTheServer() throws Exception {
        Session session = h2Session();
        H2Exchange reset = new H2Exchange();
        Stream stream = session.newStream(new HeadersFrame(post("/h2reset/cut", 100), null, false), reset)
                .get(5, TimeUnit.SECONDS);
        stream.data(new DataFrame(stream.getId(), ByteBuffer.wrap(bytes("ab")), false)).get(5, TimeUnit.SECONDS);
        awaitReceived("/h2reset/cut");
        stream.reset(new ResetFrame(stream.getId(), ErrorCode.CANCEL_STREAM_ERROR.code)).get(5, TimeUnit.SECONDS);
        assertEquals(499, awaitAccessLogStatus("/h2reset/cut"));
        assertEquals(200, h2Get(session, "/h2reset/same-connection"));
        // No circuit breaker tripped (it would answer 503), no server left out, nothing sent again.
        assertBothServersServe("/h2reset");
        assertEquals(1, received("/h2reset/cut"));
        session.close(ErrorCode.NO_ERROR.code, null, Callback.NOOP);
    }

    @Test
    void anHttp2StreamResetWhileTheServerWorksEndsTheExchangeAtOnce() throws Exception {
        Session session = h2Session();
        // The whole (empty) request is sent; the server takes its time, until the test lets it answer.
        Stream stream = session.newStream(new HeadersFrame(new MetaData.Request("GET", HttpURI.from(h2Url("/h2wait/slow")),
                HttpVersion.HTTP_2, HttpFields.EMPTY), null, true), new H2Exchange()).get(5, TimeUnit.SECONDS);
        try {
            awaitReceived("/h2wait/slow");
            long resetAt = System.nanoTime();
            stream.reset(new ResetFrame(stream.getId(), ErrorCode.CANCEL_STREAM_ERROR.code)).get(5, TimeUnit.SECONDS);
            // Ended (and logged) when the client left, not when the server answers: the server's work is abandoned.
            assertEquals(499, awaitAccessLogStatus("/h2wait/slow"));
            assertTrue(System.nanoTime() - resetAt < TimeUnit.SECONDS.toNanos(5), "ended at once");
        } finally {
            slowServerMayAnswer.countDown();
        }
        assertBothServersServe("/h2wait");
        assertEquals(1, received("/h2wait/slow"));
        session.close(ErrorCode.NO_ERROR.code, null, Callback.NOOP);
    }

    @Test
    void aClientThatLeavesMidBodyIsLoggedAs499AndNotHeldAgainstTheServer() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(bytes("POST /gone/cut HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\nab"));
            out.flush();
            awaitReceived("/gone/cut");
        }
        assertEquals(499, awaitAccessLogStatus("/gone/cut"));
        assertBothServersServe("/gone");
        assertEquals(1, received("/gone/cut"));
    }

    @Test
    void aClientThatStopsReadingOrLeavesMidResponseIsNotHeldAgainstTheServer() throws Exception {
        // Stops reading a large response: the gateway's write times out (the entry point's idle timeout).
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", gateway.port("web")), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(bytes("GET /reader/big/stops HTTP/1.1\r\nHost: test\r\n\r\n"));
            assertTrue(new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1)
                    .startsWith("HTTP/1.1 200"));
            awaitCondition(() -> first.bigAborted.size() + second.bigAborted.size() == 1,
                    "the gateway gives up on the client and stops reading from the server");
        }
        assertBothServersServe("/reader");
        // Leaves while the response streams: the write to the client fails.
        try (Socket socket = connect()) {
            socket.getOutputStream().write(bytes("GET /reader/big/leaves HTTP/1.1\r\nHost: test\r\n\r\n"));
            assertTrue(new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1)
                    .startsWith("HTTP/1.1 200"));
        }
        awaitCondition(() -> first.bigAborted.size() + second.bigAborted.size() == 2, "the server's response is abandoned");
        assertBothServersServe("/reader");
        assertEquals(1, received("/reader/big/stops"));
        assertEquals(1, received("/reader/big/leaves"));
    }

    @Test
    void anInvalidChunkSizeIsTheClientsFaultAndGets400() throws Exception {
        RawHttp.Response bad = RawHttp.exchange(gateway.port("web"),
                "POST /chunk/bad HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\nConnection: close",
                bytes("zz\r\nab\r\n0\r\n\r\n"));
        assertEquals(400, bad.status(), bad.bodyText());
        assertBothServersServe("/chunk");
        assertTrue(received("/chunk/bad") <= 1, "never sent again");
    }

    @Test
    void anHttp2HeaderSectionOverTheLimitGets431OnItsStreamAndTheConnectionCarriesOn() throws Exception {
        Session session = h2Session();
        // (The test's servers take 8 KiB of headers, Jetty's default.)
        assertEquals(200, h2Get(session, "/h2big/within", "b".repeat(7_000)), "a large header under the limit passes");
        H2Exchange oversized = h2Send(session, "/h2big/oversized", "b".repeat(20_000));
        assertEquals(431, oversized.status.get(10, TimeUnit.SECONDS));
        assertEquals(200, h2Get(session, "/h2big/next", null), "the same connection serves the next request");
        assertFalse(session.isClosed());
        assertEquals(0, received("/h2big/oversized"), "an oversized request is not forwarded");
        session.close(ErrorCode.NO_ERROR.code, null, Callback.NOOP);

        // Past the HPACK decoder's bound (4 times the limit) the connection is closed, as documented: Jetty's decoder
        // cannot skip such a section and stay in step with the client's header table.
        Session another = h2Session();
        H2Exchange huge = h2Send(another, "/h2big/huge", "b".repeat(70_000));
        assertThrows(ExecutionException.class, () -> huge.status.get(10, TimeUnit.SECONDS));
        awaitCondition(another::isClosed, "the connection is closed");
        assertEquals(200, h2Get(h2Session(), "/h2big/others", null), "other connections are served");
    }

    // ----- helpers

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", gateway.port("web")), 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Ten requests in a row all answered 200, by both servers: neither is left out. */
    private static void assertBothServersServe(String prefix) throws Exception {
        Set<String> backends = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            // A connection each: the short idle timeout would close pooled ones under a keep-alive client.
            RawHttp.Response response = RawHttp.exchange(gateway.port("web"),
                    "GET " + prefix + "/after HTTP/1.1\r\nHost: test\r\nConnection: close");
            assertEquals(200, response.status(), "request " + i + " after the client's fault: " + response.bodyText());
            backends.add(response.bodyText().strip());
        }
        assertEquals(Set.of("backend=first", "backend=second"), backends, "both servers still get traffic");
    }

    /** How many times the servers received a request for {@code path}. */
    private static int received(String path) {
        int count = 0;
        for (Recording recording : List.of(first, second)) {
            for (String seen : recording.paths) {
                if (seen.equals(path)) {
                    count++;
                }
            }
        }
        return count;
    }

    private static void awaitReceived(String path) throws Exception {
        awaitCondition(() -> received(path) > 0, "a server received " + path);
    }

    interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitCondition(Check check, String what) throws Exception {
        Poll.until(what, Duration.ofSeconds(10), check::holds);
    }

    /** The status the access log recorded for the request to {@code path} (waits for its line). */
    private static int awaitAccessLogStatus(String path) throws Exception {
        Path file = dir.resolve("logs/access.json");
        String marker = "\"RequestPath\":\"" + path + "\"";
        List<String> lines = Poll.untilValue("an access log line for " + path, Duration.ofSeconds(10),
                () -> Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> l.contains(marker)).toList()
                        : List.<String>of(), found -> !found.isEmpty());
        java.util.regex.Matcher status = java.util.regex.Pattern.compile("\"DownstreamStatus\":(\\d+)")
                .matcher(lines.get(0));
        assertTrue(status.find(), lines.get(0));
        return Integer.parseInt(status.group(1));
    }

    private static String h2Url(String path) {
        return "http://127.0.0.1:" + gateway.port("web") + path;
    }

    private static MetaData.Request post(String path, int contentLength) {
        return new MetaData.Request("POST", HttpURI.from(h2Url(path)), HttpVersion.HTTP_2,
                HttpFields.build().put(HttpHeader.CONTENT_LENGTH, String.valueOf(contentLength)));
    }

    /**
     * An h2c connection (prior knowledge) to the gateway. The client sends header sections of any size, as an
     * attacker's would: Jetty's client otherwise keeps to the limit the server advertises.
     */
    private static Session h2Session() throws Exception {
        CompletableFuture<Void> settled = new CompletableFuture<>();
        Session session = h2.connect(new InetSocketAddress("127.0.0.1", gateway.port("web")), new Session.Listener() {
            @Override
            public void onSettings(Session session, SettingsFrame frame) {
                ((HTTP2Session) session).getGenerator().getHpackEncoder().setMaxHeaderListSize(256 * 1024);
                settled.complete(null);
            }

            @Override
            public void onGoAway(Session session, GoAwayFrame frame) {
                settled.completeExceptionally(new IOException("GOAWAY " + frame));
            }
        }).get(5, TimeUnit.SECONDS);
        settled.get(5, TimeUnit.SECONDS);
        return session;
    }

    private static int h2Get(Session session, String path) throws Exception {
        return h2Get(session, path, null);
    }

    private static int h2Get(Session session, String path, String bigHeader) throws Exception {
        return h2Send(session, path, bigHeader).status.get(10, TimeUnit.SECONDS);
    }

    /** Starts a GET on a new stream, with an {@code X-Big} header of that value unless it is null. */
    private static H2Exchange h2Send(Session session, String path, String bigHeader) throws Exception {
        HttpFields.Mutable headers = HttpFields.build();
        if (bigHeader != null) {
            headers.put("X-Big", bigHeader);
        }
        H2Exchange exchange = new H2Exchange();
        session.newStream(new HeadersFrame(new MetaData.Request("GET", HttpURI.from(h2Url(path)), HttpVersion.HTTP_2,
                headers), null, true), exchange).get(5, TimeUnit.SECONDS);
        return exchange;
    }

    /** One HTTP/2 exchange: the response status, or a failure when the stream is reset or fails. */
    private static final class H2Exchange implements Stream.Listener {
        final CompletableFuture<Integer> status = new CompletableFuture<>();

        @Override
        public void onHeaders(Stream stream, HeadersFrame frame) {
            if (frame.getMetaData() instanceof MetaData.Response response) {
                status.complete(response.getStatus());
            }
            if (!frame.isEndStream()) {
                stream.demand();
            }
        }

        @Override
        public void onDataAvailable(Stream stream) {
            Stream.Data data = stream.readData();
            if (data == null) {
                stream.demand();
                return;
            }
            boolean last = data.frame().isEndStream();
            data.release();
            if (!last) {
                stream.demand();
            }
        }

        @Override
        public void onReset(Stream stream, ResetFrame frame, Callback callback) {
            status.completeExceptionally(new IOException("stream reset by the gateway: " + ErrorCode.toString(frame.getError(), null)));
            callback.succeeded();
        }

        @Override
        public void onFailure(Stream stream, int error, String reason, Throwable failure, Callback callback) {
            status.completeExceptionally(new IOException("stream failed: " + reason, failure));
            callback.succeeded();
        }
    }

    /**
     * A backend that records the path of every request, reads its whole body and answers {@code backend=<name>}; under
     * {@code /reader/big} it streams 32 MiB instead, and records the path when the gateway abandons that response.
     */
    private static final class Recording extends Handler.Abstract {
        final String name;
        final Queue<String> paths = new ConcurrentLinkedQueue<>();
        final Queue<String> bigAborted = new ConcurrentLinkedQueue<>();
        final TestBackend backend;

        Recording(String name) throws Exception {
            this.name = name;
            this.backend = TestBackend.with(name, this);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String path = request.getHttpURI().getPath();
            paths.add(path);
            try (InputStream in = Content.Source.asInputStream(request)) {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                callback.failed(e);   // the gateway gave up on the request: so does the server
                return true;
            }
            if (path.equals("/h2wait/slow")) {
                slowServerMayAnswer.await(10, TimeUnit.SECONDS);
            }
            if (path.startsWith("/reader/big")) {
                try (OutputStream out = Content.Sink.asOutputStream(response)) {
                    byte[] chunk = new byte[64 * 1024];
                    for (int i = 0; i < 512; i++) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    bigAborted.add(path);
                    callback.failed(e);
                    return true;
                }
                callback.succeeded();
                return true;
            }
            response.write(true, ByteBuffer.wrap(("backend=" + name + "\n").getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }
    }
}
