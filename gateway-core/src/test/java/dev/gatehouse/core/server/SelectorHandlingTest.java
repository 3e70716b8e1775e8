package dev.gatehouse.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.http.ForwardedHeadersPolicy;
import dev.gatehouse.core.router.Route;
import dev.gatehouse.core.router.RoutingTable;
import dev.gatehouse.core.runtime.TestRuntimes;
import dev.gatehouse.it.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests handled on the selector thread that read them (SelectorHandling): a route whose chain may block is run on a
 * pool thread, so it cannot hold up the other requests of its entry point, and a connection whose request completed
 * on another thread (as every proxied request does) goes on to its next request, pipelined or not. The client's
 * socket keeps its read interest across a request and skips reads it knows to be empty (ClientSocketEndPoint):
 * bytes that arrive meanwhile are still read, and a socket nothing reads does not keep the selector busy.
 */
class SelectorHandlingTest {

    private static final CountDownLatch RELEASE_BLOCKED = new CountDownLatch(1);
    private static final ScheduledExecutorService LATER = Executors.newSingleThreadScheduledExecutor();
    /** The answers of requests to /held, for the test to send when it chooses. */
    private static final BlockingQueue<Runnable> HELD = new LinkedBlockingQueue<>();
    private static GatewayServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new GatewayServer(List.of(new ListenerSpec("web", "127.0.0.1", 0, ForwardedHeadersPolicy.TRUST_NONE,
                true)), 503, Duration.ofSeconds(1), null);
        server.start();
        server.swap(TestRuntimes.of(new RoutingTable(List.of(
                route("/blocking", 3, blocking()),
                route("/throwing", 2, throwing()),
                route("/later", 1, answeredLater()),
                route("/held", 1, heldUntilReleased()),
                route("/", 0, answeredAtOnce())))));
    }

    @AfterAll
    static void stop() {
        RELEASE_BLOCKED.countDown();
        server.stop();
        LATER.shutdownNow();
    }

    private static Route route(String prefix, int priority, Handler handler) {
        return new Route(prefix + "@test", priority, request -> request.path().startsWith(prefix), handler);
    }

    /** Blocks its thread until the test releases it; says it blocks, as a middleware that blocks must. */
    private static Handler blocking() {
        return new Handler.Abstract(InvocationType.BLOCKING) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                assertTrue(RELEASE_BLOCKED.await(30, TimeUnit.SECONDS));
                Content.Sink.write(response, true, "unblocked", callback);
                return true;
            }
        };
    }

    private static Handler throwing() {
        return new Handler.Abstract(InvocationType.BLOCKING) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                throw new IllegalStateException("a handler's bug");
            }
        };
    }

    /** Answers from another thread after the handler returned: what a proxied request does. */
    private static Handler answeredLater() {
        return new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = request.getHttpURI().getPath();
                LATER.schedule(() -> Content.Sink.write(response, true, path, callback), 5, TimeUnit.MILLISECONDS);
                return true;
            }
        };
    }

    /** Answers when the test runs the answer it finds in {@link #HELD}, from the test's thread. */
    private static Handler heldUntilReleased() {
        return new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                HELD.add(() -> Content.Sink.write(response, true, "released", callback));
                return true;
            }
        };
    }

    private static Handler answeredAtOnce() {
        return new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Content.Sink.write(response, true, "at once", callback);
                return true;
            }
        };
    }

    @Test
    void aRouteThatBlocksDoesNotHoldUpTheOtherRequestsOfItsEntryPoint() throws Exception {
        try (Socket blocked = connect()) {
            send(blocked, "GET /blocking HTTP/1.1\r\nHost: test\r\n\r\n");
            // The entry point has one selector thread: had the blocked request been run on it, none of these would
            // be read until the release.
            for (int i = 0; i < 5; i++) {
                try (Socket other = connect()) {
                    send(other, "GET /at-once HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
                    assertTrue(readAll(other).endsWith("\r\n\r\nat once"));
                }
            }
            RELEASE_BLOCKED.countDown();
            assertEquals("unblocked", readBody(blocked.getInputStream(), "unblocked".length()));
        }
    }

    @Test
    void aRunOnAPoolThreadThatThrowsIsAnswered500() throws Exception {
        try (Socket socket = connect()) {
            send(socket, "GET /throwing HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
            assertTrue(readAll(socket).startsWith("HTTP/1.1 500 "));
        }
    }

    @Test
    void keepAliveRequestsCompletedOnAnotherThreadAreAllAnswered() throws Exception {
        try (Socket socket = connect()) {
            for (int i = 0; i < 200; i++) {
                send(socket, "GET /later/" + i + " HTTP/1.1\r\nHost: test\r\n\r\n");
                assertEquals("/later/" + i, readBody(socket.getInputStream(), ("/later/" + i).length()));
            }
        }
    }

    @Test
    void pipelinedRequestsCompletedOnAnotherThreadAreAnsweredInOrder() throws Exception {
        try (Socket socket = connect()) {
            StringBuilder pipelined = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                pipelined.append("GET /later/").append(i).append(" HTTP/1.1\r\nHost: test\r\n\r\n");
            }
            pipelined.append("GET /at-once HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
            send(socket, pipelined.toString());
            String all = readAll(socket);
            int at = 0;
            for (int i = 0; i < 20; i++) {
                at = all.indexOf("\r\n\r\n/later/" + i + "HTTP/1.1 200", at);
                assertTrue(at >= 0, "response " + i + " in order in: " + all);
            }
            assertTrue(all.endsWith("\r\n\r\nat once"), all);
        }
    }

    @Test
    void aRequestThatArrivesInPartsWhileThePreviousIsInFlightIsAnswered() throws Exception {
        try (Socket socket = connect()) {
            send(socket, "GET /held HTTP/1.1\r\nHost: test\r\n\r\n");
            Runnable answer = HELD.poll(10, TimeUnit.SECONDS);
            // The next request's first half arrives while the connection is not reading (ClientSocketEndPoint).
            send(socket, "GET /at-once HTTP/1.1\r\n");
            answer.run();
            assertEquals("released", readBody(socket.getInputStream(), "released".length()));
            // The second half arrives after the connection has read the first and found nothing more.
            send(socket, "Host: test\r\n\r\n");
            assertEquals("at once", readBody(socket.getInputStream(), "at once".length()));
        }
    }

    @Test
    void aClientThatClosesWhileItsRequestIsInFlightDoesNotKeepTheSelectorBusy() throws Exception {
        Socket socket = connect();
        send(socket, "GET /held HTTP/1.1\r\nHost: test\r\n\r\n");
        Runnable answer = HELD.poll(10, TimeUnit.SECONDS);
        long before = gatewayThreadsCpuNanos();
        // Readable from now on (end of stream) while nothing reads it: the selector must stop looking at it, not
        // report it again at every turn until the answer.
        socket.close();
        // Not a wait for an event: the time over which a selector that kept reporting the socket would be seen.
        Thread.sleep(500);
        long busy = gatewayThreadsCpuNanos() - before;
        answer.run();
        assertTrue(busy < TimeUnit.MILLISECONDS.toNanos(150), "the gateway's threads used " + busy / 1_000_000
                + " ms of CPU in 500 ms while a closed client's request was held");
        try (Socket other = connect()) {
            send(other, "GET /at-once HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
            assertTrue(readAll(other).endsWith("\r\n\r\nat once"));
        }
    }

    /** The CPU time of the gateway's pool threads (its selectors among them). */
    private static long gatewayThreadsCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("gatehouse-")) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", server.port("web")), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static void send(Socket socket, String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    private static String readAll(Socket socket) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        socket.getInputStream().transferTo(bytes);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Reads one response with a body of {@code length} bytes (Content-Length) and returns its body. */
    private static String readBody(InputStream in, int length) throws IOException {
        String head = RawHttp.readHead(in);
        assertTrue(head != null && head.startsWith("HTTP/1.1 200 "), head);
        byte[] body = in.readNBytes(length);
        return new String(body, StandardCharsets.UTF_8);
    }
}
