package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatehouse.testkit.TestGateway;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.InputStreamRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
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

/** Request bodies arrive intact however they are framed; response headers arrive as the backend sent them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessagesTest {

    private static final byte[] BODY = new byte[3 * 1024 * 1024 + 17];

    static {
        new Random(42).nextBytes(BODY);
    }

    @TempDir
    static Path dir;

    private static TestBackend backend;
    private static TestGateway gateway;
    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        // /digest: answers "<length> <sha-256> <framing>" of the request body; /cookies: several headers
        backend = TestBackend.with("messages", new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String answer;
                if (request.getHttpURI().getPath().equals("/digest")) {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    long length = 0;
                    byte[] buffer = new byte[16 * 1024];
                    try (InputStream in = Content.Source.asInputStream(request)) {
                        for (int n; (n = in.read(buffer)) >= 0; ) {
                            sha.update(buffer, 0, n);
                            length += n;
                        }
                    }
                    String framing = request.getHeaders().contains(HttpHeader.CONTENT_LENGTH)
                            ? "content-length" : String.valueOf(request.getHeaders().get(HttpHeader.TRANSFER_ENCODING));
                    answer = length + " " + HexFormat.of().formatHex(sha.digest()) + " " + framing;
                } else {
                    response.getHeaders().add(HttpHeader.SET_COOKIE, "a=1; Path=/");
                    response.getHeaders().add(HttpHeader.SET_COOKIE, "b=2; Path=/; HttpOnly");
                    response.getHeaders().add("X-Multi", "one");
                    response.getHeaders().add("X-Multi", "two");
                    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
                    answer = "cookies";
                }
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
                response.write(true, ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        gateway = Gateways.withDynamic(dir, """
                http:
                  routers:
                    messages:
                      rule: PathPrefix(`/`)
                      service: messages
                  services:
                    messages:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(backend.url())).start();
        gateway.awaitReload(0, () -> gateway.routerEnabled("messages@file"), Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        backend.close();
    }

    private static String expectedDigest(String framing) throws Exception {
        return BODY.length + " " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(BODY))
                + " " + framing;
    }

    @Test
    void postWithContentLengthArrivesIntact() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(gateway.url("/digest")))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofByteArray(BODY)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals(expectedDigest("content-length"), response.body());
    }

    @Test
    void chunkedPostArrivesIntact() throws Exception {
        // a body of unknown length goes out chunked
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(gateway.url("/digest")))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(BODY))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals(expectedDigest("chunked"), response.body());
    }

    @Test
    void h2cPostsWithAndWithoutLengthArriveIntact() throws Exception {
        org.eclipse.jetty.client.HttpClient h2c =
                new org.eclipse.jetty.client.HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
        // no Content-Type unless the request has one: HTTP/2 has no Transfer-Encoding to say a body follows
        h2c.setDefaultRequestContentType(null);
        h2c.start();
        try {
            ContentResponse sized = h2c.newRequest(gateway.url("/digest")).method("POST")
                    .body(new BytesRequestContent(BODY)).timeout(20, TimeUnit.SECONDS).send();
            assertEquals(HttpVersion.HTTP_2, sized.getVersion());
            assertEquals(200, sized.getStatus());
            assertEquals(expectedDigest("content-length"), sized.getContentAsString());

            ContentResponse unsized = h2c.newRequest(gateway.url("/digest")).method("POST")
                    .body(new InputStreamRequestContent(null, new ByteArrayInputStream(BODY), null))
                    .timeout(20, TimeUnit.SECONDS).send();
            assertEquals(HttpVersion.HTTP_2, unsized.getVersion());
            assertEquals(200, unsized.getStatus());
            assertEquals(expectedDigest("chunked"), unsized.getContentAsString());
        } finally {
            h2c.stop();
        }
    }

    @Test
    void responseHeadersReachTheClientWithEverySetCookieAndOneDate() throws Exception {
        RawHttp.Response response = RawHttp.exchange(gateway.port("web"),
                "GET /cookies HTTP/1.1\r\nHost: client.example\r\nConnection: close");
        assertEquals(200, response.status());
        assertEquals("cookies", response.bodyText());
        assertEquals(List.of("a=1; Path=/", "b=2; Path=/; HttpOnly"), response.all("Set-Cookie"));
        assertEquals(List.of("one", "two"), response.all("X-Multi"));
        assertEquals(List.of("no-store"), response.all("Cache-Control"));
        assertEquals(List.of("text/plain;charset=utf-8"), response.all("Content-Type").stream()
                .map(v -> v.replace(" ", "")).toList());
        assertEquals(1, response.all("Date").size(), "Date headers: " + response.all("Date"));
    }
}
