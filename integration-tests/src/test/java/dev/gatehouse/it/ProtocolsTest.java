package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** HTTP/2 clients to HTTP/1.1 backends, Expect: 100-continue, and header size limits. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProtocolsTest {

    @TempDir
    static Path dir;

    private static TestBackend backend;
    /** Answers only once it has read the whole body: the echo backend answers at once, before any 100 is due. */
    private static TestBackend bodyReader;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.echo("h1");
        bodyReader = TestBackend.with("body", new org.eclipse.jetty.server.Handler.Abstract() {
            @Override
            public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                    org.eclipse.jetty.util.Callback callback) {
                org.eclipse.jetty.io.Content.Source.asStringAsync(request, StandardCharsets.UTF_8).whenComplete((body, failure) -> {
                    if (failure != null) {
                        callback.failed(failure);
                        return;
                    }
                    response.setStatus(200);
                    org.eclipse.jetty.io.Content.Sink.write(response, true, "method=" + request.getMethod()
                            + "\nbody=" + body + "\n", callback);
                });
                return true;
            }
        });
        gateway = Gateways.withDynamic(dir, """
                http:
                  routers:
                    r:
                      rule: PathPrefix(`/`)
                      service: svc
                    continue:
                      rule: Path(`/continue`)
                      service: body
                  services:
                    svc:
                      loadBalancer:
                        servers:
                          - url: %s
                    body:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(backend.url(), bodyReader.url())).start();
        gateway.awaitReload(0, () -> gateway.routerEnabled("r@file"), Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        backend.close();
        bodyReader.close();
    }

    @Test
    void anHttp2ClientReachesAnHttp11BackendBothWays() throws Exception {
        org.eclipse.jetty.client.HttpClient h2 = new org.eclipse.jetty.client.HttpClient(
                new HttpClientTransportOverHTTP2(new HTTP2Client()));
        h2.start();
        try {
            ContentResponse get = h2.GET(gateway.url("/h2?x=1"));
            assertEquals(200, get.getStatus());
            assertEquals("HTTP/2.0", get.getVersion().asString());
            assertTrue(get.getContentAsString().contains("uri=/h2?x=1"), get.getContentAsString());
            ContentResponse post = h2.POST(gateway.url("/h2post")).body(new StringRequestContent("hello h2"))
                    .send();
            assertEquals(200, post.getStatus());
            assertTrue(post.getContentAsString().contains("method=POST"), post.getContentAsString());
        } finally {
            h2.stop();
        }
    }

    @Test
    void expectContinueIsAnsweredAndTheBodyArrives() throws Exception {
        // A raw socket, so that every step is bounded: the JDK client waits for ever for a 100 that never comes.
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", gateway.port("web")), 5_000);
            socket.setSoTimeout(10_000);
            java.io.OutputStream out = socket.getOutputStream();
            java.io.InputStream in = socket.getInputStream();
            out.write(("POST /continue HTTP/1.1\r\nHost: app.local\r\nContent-Length: 7\r\n"
                    + "Expect: 100-continue\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String interim = RawHttp.readHead(in);
            assertTrue(interim.startsWith("HTTP/1.1 100"), "the gateway asks for the body: " + interim);
            out.write("payload".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String rest = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(rest.startsWith("HTTP/1.1 200"), rest);
            assertTrue(rest.contains("method=POST") && rest.contains("body=payload"), rest);
        }
    }

    @Test
    void largeHeadersWithinTheLimitPassAndLargerOnesAre431() throws Exception {
        // Past the upstream client's default 4 KiB buffer, within the test backend's 8 KiB limit.
        String sixK = "v".repeat(6 * 1024);
        HttpResponse<String> ok = Http.get(gateway.url("/big"), "X-Big", sixK);
        assertEquals(200, ok.statusCode());
        assertTrue(ok.body().contains("X-Big: " + sixK));
        String tooBig = "v".repeat(20 * 1024);
        assertEquals(431, Http.get(gateway.url("/big"), "X-Big", tooBig).statusCode());
    }
}
