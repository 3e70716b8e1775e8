package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.GoAwayFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
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
 * The attacks on the edge that Traefik's entry point limits answer, against a real gateway process: a client that
 * sends its headers one line at a time (slowloris), its TLS handshake or its body a byte at a time is disconnected when
 * {@code readTimeout} runs out; an idle keep-alive connection is closed at {@code idleTimeout}, not before;
 * {@code keepAliveMaxRequests} and {@code keepAliveMaxTime} end connections with {@code Connection: close}; a
 * backend slower than {@code idleConnTimeout} is waited for (Traefik's {@code responseHeaderTimeout} is 0, no
 * limit); over HTTP/2 the read timeout ends the stalled stream only; {@code writeTimeout} ends a response that takes too long; and requests that Jetty refuses with a log line (two Host headers) cannot flood the log.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EdgeLimitsProcessTest {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);
    /** How late a deadline may be seen to pass on a busy 2-core machine. */
    private static final long SLACK_MILLIS = 2500;

    @TempDir
    static Path dir;

    private static TestBackend echo;
    private static TestBackend reader;
    private static TestBackend slow;
    private static GatewayProcess gateway;
    private static int web;
    private static int limited;
    private static int aged;
    private static int writes;
    private static Path log;
    private static Path dynamicDir;

    @BeforeAll
    static void start() throws Exception {
        echo = TestBackend.echo("echo");
        reader = TestBackend.with("reader", new ReadsWholeBody());
        slow = TestBackend.delayed("slow", Duration.ofSeconds(3));
        web = Gateways.freePort();
        limited = Gateways.freePort();
        aged = Gateways.freePort();
        writes = Gateways.freePort();
        Path gw = dir.resolve("gw");
        Gateways.withDynamic(gw, """
                http:
                  routers:
                    app:
                      rule: PathPrefix(`/app`)
                      service: echo
                    upload:
                      rule: PathPrefix(`/upload`)
                      service: reader
                    slow:
                      rule: PathPrefix(`/slow`)
                      service: slow
                  services:
                    echo:
                      loadBalancer:
                        servers:
                          - url: %s
                    reader:
                      loadBalancer:
                        servers:
                          - url: %s
                    slow:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(echo.url(), reader.url(), slow.url()));
        log = gw.resolve("logs/gatehouse.log");
        dynamicDir = gw.resolve("dynamic");
        Path config = gw.resolve("gatehouse.yml");
        Files.writeString(config, """
                entryPoints:
                  web:
                    address: "127.0.0.1:%d"
                    transport:
                      respondingTimeouts:
                        readTimeout: %ds
                        idleTimeout: %ds
                  limited:
                    address: "127.0.0.1:%d"
                    transport:
                      keepAliveMaxRequests: 3
                  aged:
                    address: "127.0.0.1:%d"
                    transport:
                      keepAliveMaxTime: 1s
                  writes:
                    address: "127.0.0.1:%d"
                    transport:
                      respondingTimeouts:
                        writeTimeout: 1s
                serversTransport:
                  forwardingTimeouts:
                    idleConnTimeout: 1s
                providers:
                  providersThrottleDuration: 200ms
                  file:
                    directory: %s
                log:
                  filePath: %s
                """.formatted(web, READ_TIMEOUT.toSeconds(), IDLE_TIMEOUT.toSeconds(), limited, aged, writes,
                gw.resolve("dynamic"), log));
        gateway = GatewayProcess.start(gw, config, gw.resolve("plugins"), "http://127.0.0.1:" + web + "/app/ready");
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        for (TestBackend backend : new TestBackend[] {echo, reader, slow}) {
            if (backend != null) {
                backend.close();
            }
        }
    }

    @Test
    void aClientSendingItsHeadersOneLineASecondIsDisconnectedAtTheReadTimeout() throws Exception {
        try (RawConnection client = new RawConnection(web)) {
            long start = System.nanoTime();
            client.send("GET /app/slowloris HTTP/1.1\r\nHost: localhost\r\n");
            assertClosedAtTheReadTimeout(client, start, line -> "X-Slow-" + line + ": x\r\n", "one header line a second");
            assertFalse(client.received().startsWith("HTTP/1.1 2"), client.received());
        }
    }

    @Test
    void onAKeptAliveConnectionTheNextRequestsHeadIsTimedFromItsFirstByte() throws Exception {
        try (RawConnection client = new RawConnection(web)) {
            client.send("GET /app/first HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertEquals(200, client.readResponse().status());
            long start = System.nanoTime();
            client.send("GET /app/second HTTP/1.1\r\nHost: localhost\r\n");
            assertClosedAtTheReadTimeout(client, start, line -> "X-Slow-" + line + ": x\r\n", "one header line a second");
        }
    }

    @Test
    void aTlsClientHelloSentAByteASecondIsDisconnectedAtTheReadTimeout() throws Exception {
        try (RawConnection client = new RawConnection(web)) {
            long start = System.nanoTime();
            // A TLS record header announcing a 512-byte handshake record, then its bytes one a second.
            client.send("\u0016\u0003\u0001\u0002\u0000\u0001");
            assertClosedAtTheReadTimeout(client, start, line -> "\u0000", "one handshake byte a second");
        }
    }

    @Test
    void aClientSendingItsBodyAByteASecondIsCutOffAtTheReadTimeout() throws Exception {
        try (RawConnection client = new RawConnection(web)) {
            long start = System.nanoTime();
            client.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nab");
            assertClosedAtTheReadTimeout(client, start, line -> "c", "one body byte a second");
            String received = client.received();
            assertFalse(received.startsWith("HTTP/1.1 2") || received.startsWith("HTTP/1.1 504"),
                    "a client's slow body is not a success nor a backend timeout: " + received);
            assertEquals(0, WHOLE_BODIES.get(), "the backend never saw a whole body");
        }
    }

    @Test
    void anHttp2StreamWhoseBodyStallsEndsAtTheReadTimeoutAndOtherStreamsGoOn() throws Exception {
        org.eclipse.jetty.client.HttpClient client = new org.eclipse.jetty.client.HttpClient(
                new HttpClientTransportOverHTTP2(new HTTP2Client()));
        client.start();
        try {
            AsyncRequestContent body = new AsyncRequestContent();
            body.write(ByteBuffer.wrap("ab".getBytes(StandardCharsets.US_ASCII)), Callback.NOOP);   // and no more
            CompletableFuture<Result> stalled = new CompletableFuture<>();
            long start = System.nanoTime();
            client.newRequest("http://127.0.0.1:" + web + "/upload").method("POST").body(body)
                    .timeout(READ_TIMEOUT.toMillis() + SLACK_MILLIS + 5000, TimeUnit.MILLISECONDS)
                    .send(stalled::complete);
            Result result = stalled.get(READ_TIMEOUT.toMillis() + SLACK_MILLIS + 6000, TimeUnit.MILLISECONDS);
            long elapsed = millisSince(start);
            assertTrue(elapsed >= READ_TIMEOUT.toMillis() - 500 && elapsed <= READ_TIMEOUT.toMillis() + SLACK_MILLIS,
                    "the stalled stream ended after " + elapsed + " ms: " + result);
            int status = result.getResponse().getStatus();
            assertTrue(status == 0 || status >= 400 && status != 504, "status " + status + ": " + result);
            assertEquals(200, client.newRequest("http://127.0.0.1:" + web + "/app/after")
                    .timeout(10, TimeUnit.SECONDS).send().getStatus(), "another stream on the same connection");
        } finally {
            client.stop();
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAtTheIdleTimeoutAndNotBefore() throws Exception {
        try (RawConnection client = new RawConnection(web)) {
            client.send("GET /app/idle HTTP/1.1\r\nHost: localhost\r\n\r\n");
            RawResponse response = client.readResponse();
            assertEquals(200, response.status());
            long idleSince = System.nanoTime();
            boolean closed = client.closedWithin(IDLE_TIMEOUT.toMillis() + SLACK_MILLIS);
            long idle = millisSince(idleSince);
            assertTrue(closed, "still open after " + idle + " ms idle");
            assertTrue(idle >= IDLE_TIMEOUT.toMillis() - 300, "closed after " + idle + " ms idle, before the idle timeout");
        }
    }

    @Test
    void aRequestWaitingForASlowBackendIsNeitherIdleOnTheClientSideNorTimedOutByIdleConnTimeout() throws Exception {
        // The backend takes 3 s; the entry point's idleTimeout is 2 s and serversTransport's idleConnTimeout 1 s.
        // In Traefik neither limits a request waiting for its response: responseHeaderTimeout does, and it is 0.
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + web + "/slow/x")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("backend=slow"), response.body());
    }

    @Test
    void aResponseNotWrittenWithinTheWriteTimeoutEndsTheConnection() throws Exception {
        try (RawConnection client = new RawConnection(writes)) {
            long start = System.nanoTime();
            client.send("GET /slow/late HTTP/1.1\r\nHost: localhost\r\n\r\n");   // the backend takes 3 s
            assertTrue(client.closedWithin(1000 + SLACK_MILLIS), "still open after " + millisSince(start) + " ms");
            assertTrue(millisSince(start) >= 900, "closed after " + millisSince(start) + " ms, before the write timeout");
            assertEquals("", client.received(), "as Go: the connection ends, no response");
        }
    }

    @Test
    void keepAliveMaxRequestsClosesTheConnectionAfterThatManyResponses() throws Exception {
        try (RawConnection client = new RawConnection(limited)) {
            for (int i = 1; i <= 3; i++) {
                client.send("GET /app/" + i + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
                RawResponse response = client.readResponse();
                assertEquals(200, response.status());
                assertEquals(i == 3, response.closes(), "response " + i + ":\n" + response.head());
            }
            assertTrue(client.closedWithin(SLACK_MILLIS), "the connection stays open after Connection: close");
        }
    }

    @Test
    void overHttp2KeepAliveMaxRequestsShutsTheConnectionDownGracefullyAfterThatManyStreams() throws Exception {
        HTTP2Client h2 = new HTTP2Client();
        h2.start();
        try {
            CompletableFuture<GoAwayFrame> goAway = new CompletableFuture<>();
            Session session = h2.connect(new InetSocketAddress("127.0.0.1", limited), new Session.Listener() {
                @Override
                public void onGoAway(Session session, GoAwayFrame frame) {
                    goAway.complete(frame);
                }
            }).get(10, TimeUnit.SECONDS);
            for (int i = 1; i <= 3; i++) {
                assertFalse(goAway.isDone(), "GOAWAY before request " + i);
                CompletableFuture<Integer> status = new CompletableFuture<>();
                CompletableFuture<Void> ended = new CompletableFuture<>();
                MetaData.Request request = new MetaData.Request("GET",
                        HttpURI.from("http://127.0.0.1:" + limited + "/app/h2-" + i), HttpVersion.HTTP_2, HttpFields.EMPTY);
                session.newStream(new HeadersFrame(request, null, true), new Stream.Listener() {
                    @Override
                    public void onHeaders(Stream stream, HeadersFrame frame) {
                        if (frame.getMetaData() instanceof MetaData.Response response) {
                            status.complete(response.getStatus());
                        }
                        if (frame.isEndStream()) {
                            ended.complete(null);
                        } else {
                            stream.demand();
                        }
                    }

                    @Override
                    public void onDataAvailable(Stream stream) {
                        Stream.Data data = stream.readData();
                        if (data != null) {
                            data.release();
                            if (data.frame().isEndStream()) {
                                ended.complete(null);
                                return;
                            }
                        }
                        stream.demand();
                    }
                }).get(10, TimeUnit.SECONDS);
                assertEquals(200, status.get(10, TimeUnit.SECONDS), "request " + i);
                ended.get(10, TimeUnit.SECONDS);
            }
            goAway.get(SLACK_MILLIS, TimeUnit.MILLISECONDS);
        } finally {
            h2.stop();
        }
    }

    @Test
    void keepAliveMaxTimeClosesAConnectionOnceItIsThatOld() throws Exception {
        try (RawConnection client = new RawConnection(aged)) {
            long opened = System.nanoTime();
            client.send("GET /app/young HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertFalse(client.readResponse().closes(), "a new connection is kept alive");
            RawResponse last = null;
            // One request every 200 ms until the gateway says close (bounded): it must once the connection is 1 s old.
            while (millisSince(opened) < 1000 + SLACK_MILLIS && (last == null || !last.closes())) {
                client.closedWithin(200);   // paces the requests; the connection must not close on its own
                client.send("GET /app/aging HTTP/1.1\r\nHost: localhost\r\n\r\n");
                last = client.readResponse();
                assertEquals(200, last.status());
            }
            assertNotNull(last);
            assertTrue(last.closes(), "no Connection: close after " + millisSince(opened) + " ms");
            assertTrue(millisSince(opened) >= 1000, "closed when " + millisSince(opened) + " ms old");
            assertTrue(client.closedWithin(SLACK_MILLIS), "the connection stays open after Connection: close");
        }
    }

    @Test
    void twoThousandRequestsWithTwoHostHeadersEachGet400AndLogLittle() throws Exception {
        awaitLogMarker("before-bad-requests");
        long before = Files.size(log);
        String attackerValue = "evil.example" + "x".repeat(2000);
        for (int i = 0; i < 2000; i++) {
            try (RawConnection client = new RawConnection(web)) {
                client.send("GET /app/" + i + " HTTP/1.1\r\nHost: a.example\r\nHost: " + attackerValue + "\r\n\r\n");
                assertEquals(400, client.readResponse().status(), "request " + i);
            }
        }
        awaitLogMarker("after-bad-requests");
        long written = Files.size(log) - before;
        String text = Files.readString(log);
        assertTrue(written < 32 * 1024, "2,000 bad requests wrote " + written + " bytes of log:\n"
                + text.substring(Math.max(0, text.length() - 3000)));
        assertFalse(text.contains("x".repeat(1000)), "an attacker's value is written at length");
    }

    /**
     * Sends {@code piece(n)} once a second until the gateway closes the connection, and asserts that it did so at the
     * read timeout (counted from {@code start}), not before and not long after.
     */
    private static void assertClosedAtTheReadTimeout(RawConnection client, long start,
            java.util.function.IntFunction<String> piece, String what) throws Exception {
        boolean closed = false;
        for (int n = 0; !closed && millisSince(start) < READ_TIMEOUT.toMillis() + SLACK_MILLIS; n++) {
            closed = client.closedWithin(1000) || !client.trySend(piece.apply(n));
        }
        long elapsed = millisSince(start);
        assertTrue(closed, "still open after " + elapsed + " ms of " + what);
        assertTrue(elapsed >= READ_TIMEOUT.toMillis() - 500, "closed after " + elapsed + " ms, before the read timeout");
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    /**
     * Makes the gateway log a line of its own that names {@code marker} (a router with a broken rule) and waits until
     * it is in the log: the gateway logs in order, so whatever it logged before (about the requests already
     * answered) is in the file then.
     */
    private static void awaitLogMarker(String marker) throws Exception {
        Files.writeString(dynamicDir.resolve("marker.yml"), """
                http:
                  routers:
                    %s:
                      rule: "PathPrefix(`/marker`) &&"
                      service: echo
                """.formatted(marker));
        Poll.until("the gateway logged the problem of router " + marker, Duration.ofSeconds(10),
                () -> Files.exists(log) && Files.readString(log).contains(marker + "@file"));
    }

    /** A backend that reads the whole request body before it answers, and counts the bodies it got whole. */
    private static final class ReadsWholeBody extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String body = Content.Source.asString(request, StandardCharsets.ISO_8859_1);
            if (body.length() == request.getLength()) {
                WHOLE_BODIES.incrementAndGet();
            }
            response.setStatus(200);
            Content.Sink.write(response, true, "read " + body.length(), callback);
            return true;
        }
    }

    private static final java.util.concurrent.atomic.AtomicInteger WHOLE_BODIES = new java.util.concurrent.atomic.AtomicInteger();

    /** A response as read off the wire: status, head, and whether it ends the connection. */
    record RawResponse(int status, String head) {
        boolean closes() {
            return head.toLowerCase(Locale.ROOT).contains("\r\nconnection: close");
        }
    }

    /** One client connection, written and read byte for byte. */
    private static final class RawConnection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();

        RawConnection(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void send(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Sends, or says false when the gateway has already closed the connection. */
        boolean trySend(String text) {
            try {
                send(text);
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        /** Reads (keeping what comes) until the gateway closes the connection, for at most {@code millis}. */
        boolean closedWithin(long millis) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            try {
                while (true) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        return false;
                    }
                    socket.setSoTimeout((int) left);
                    int b = in.read();
                    if (b < 0) {
                        return true;
                    }
                    received.write(b);
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true;   // reset by the gateway
            } finally {
                socket.setSoTimeout(10_000);
            }
        }

        /** Everything read so far by {@link #closedWithin}. */
        String received() {
            return received.toString(StandardCharsets.ISO_8859_1);
        }

        /** Reads one response with a Content-Length or chunked body. */
        RawResponse readResponse() throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed after " + head);
                }
                head.append((char) b);
            }
            String text = head.toString();
            int status = Integer.parseInt(text.substring(9, 12));
            String lower = text.toLowerCase(Locale.ROOT);
            int length = lower.indexOf("\r\ncontent-length:");
            if (length >= 0) {
                int end = lower.indexOf("\r\n", length + 2);
                in.readNBytes(Integer.parseInt(text.substring(length + 17, end).strip()));
            } else if (lower.contains("\r\ntransfer-encoding: chunked")) {
                while (true) {
                    String size = readLine();
                    int n = Integer.parseInt(size.strip(), 16);
                    in.readNBytes(n);
                    readLine();
                    if (n == 0) {
                        break;
                    }
                }
            }
            return new RawResponse(status, text);
        }

        private String readLine() throws IOException {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                line.append((char) b);
            }
            return line.toString().strip();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
