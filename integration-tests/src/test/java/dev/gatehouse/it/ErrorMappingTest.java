package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

/** The gateway's own answers: 404 no router, 503 no server, 502 connection refused, 504 too slow. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ErrorMappingTest {

    @TempDir
    static Path dir;

    private static final CountDownLatch release = new CountDownLatch(1);
    private static TestBackend slow;
    private static TestBackend idle;
    private static TestBackend counter;
    private static TestGateway gateway;
    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        // Answers after ~2 s (or as soon as the test class is done).
        slow = TestBackend.with("slow", new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                release.await(2, TimeUnit.SECONDS);
                response.write(true, ByteBuffer.wrap("late".getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        idle = TestBackend.echo("idle");
        // Reads the whole body, then answers at once with its length.
        counter = TestBackend.with("counter", new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                long count = 0;
                try (InputStream in = Content.Source.asInputStream(request)) {
                    byte[] buffer = new byte[8192];
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        count += n;
                    }
                }
                response.write(true, ByteBuffer.wrap(String.valueOf(count).getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        gateway = Gateways.withDynamic(dir, """
                http:
                  routers:
                    zero:
                      rule: Path(`/zero`)
                      service: zero
                    empty:
                      rule: Path(`/empty`)
                      service: empty
                    refused:
                      rule: Path(`/refused`)
                      service: refused
                    slow:
                      rule: Path(`/slow`)
                      service: slow
                    upload:
                      rule: Path(`/upload`)
                      service: upload
                  services:
                    upload:
                      loadBalancer:
                        servers:
                          - url: %s
                    zero:
                      loadBalancer:
                        servers:
                          - url: %s
                            weight: 0
                    empty:
                      loadBalancer:
                        servers: []
                    refused:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:%d
                    slow:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(counter.url(), idle.url(), closedPort, slow.url()))
                .flag("--serversTransport.forwardingTimeouts.responseHeaderTimeout=300ms")
                .start();
        gateway.awaitReload(0, () -> gateway.routerEnabled("zero@file") && gateway.routerEnabled("empty@file")
                && gateway.routerEnabled("refused@file") && gateway.routerEnabled("slow@file")
                && gateway.routerEnabled("upload@file"), Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        release.countDown();
        gateway.close();
        slow.close();
        idle.close();
        counter.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(gateway.url(path))).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void noMatchingRouterIs404WithTraefiksBody() throws Exception {
        HttpResponse<String> response = get("/nothing-here");
        assertEquals(404, response.statusCode());
        assertEquals("404 page not found\n", response.body());
    }

    @Test
    void onlyServerWithWeightZeroIs503() throws Exception {
        assertEquals(503, get("/zero").statusCode());
        assertEquals(0, idle.requests());
    }

    @Test
    void emptyServerListIs503() throws Exception {
        assertEquals(503, get("/empty").statusCode());
    }

    @Test
    void refusedConnectionIs502() throws Exception {
        assertEquals(502, get("/refused").statusCode());
    }

    @Test
    void responseHeaderTimeoutStartsOnceTheRequestIsSent() throws Exception {
        // The client takes ~1.5 s to send its body, five times the response header timeout; the server
        // answers as soon as it has the body. As in Traefik, the timeout counts from the end of the request.
        int pieces = 15;
        byte[] piece = new byte[1024];
        InputStream trickle = new InputStream() {
            private int sent;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                if (sent == pieces) {
                    return -1;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                sent++;
                int n = Math.min(len, piece.length);
                System.arraycopy(piece, 0, b, off, n);
                return n;
            }
        };
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(gateway.url("/upload")))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> trickle)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(String.valueOf(pieces * piece.length), response.body());
    }

    @Test
    void noResponseHeadersWithinTheTimeoutIs504() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = get("/slow");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(504, response.statusCode(), response.body());
        assertTrue(millis >= 250 && millis < 1500, "504 after " + millis + " ms, expected about 300 ms");
        assertEquals(1, slow.requests());
    }
}
