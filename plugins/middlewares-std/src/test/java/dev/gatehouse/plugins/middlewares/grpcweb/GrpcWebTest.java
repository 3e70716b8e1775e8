package dev.gatehouse.plugins.middlewares.grpcweb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.gatehouse.plugins.middlewares.MiddlewareTester;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpTester;
import org.junit.jupiter.api.Test;

/** grpcWeb (Traefik's grpc_web_test.go and improbable-eng's wrapper tests ideas). */
class GrpcWebTest {

    /** A gRPC message frame: flag 0, length, payload. */
    static byte[] frame(String payload) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(5 + bytes.length).put((byte) 0).putInt(bytes.length).put(bytes).array();
    }

    /** What the gRPC-Web client gets at the end: the trailers as a frame flagged 0x80. */
    static byte[] trailerFrame(String block) {
        byte[] bytes = block.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(5 + bytes.length).put((byte) 0x80).putInt(bytes.length).put(bytes).array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** A gRPC server: echoes the request body as its answer, with grpc-status in the trailers. */
    private static final MiddlewareTester.Responder GRPC = (request, response, callback) -> {
        response.setStatus(200);
        response.getHeaders().put("Content-Type", "application/grpc+proto");
        response.getHeaders().put("grpc-encoding", "identity");
        response.setTrailersSupplier(() -> HttpFields.build().add("Grpc-Status", "0").add("Grpc-Message", "ok"));
        byte[] echo = frame("hello back");
        response.write(true, ByteBuffer.wrap(echo), callback);
    };

    @Test
    void binaryAndTextRequestsBecomeGrpcAndTheirAnswersComeBackWithATrailerFrame() throws Exception {
        record Case(String name, String contentType, boolean text, String expectedBackendType, String expectedType) {
        }
        List<Case> cases = List.of(
                new Case("binary", "application/grpc-web", false, "application/grpc", "application/grpc-web+proto"),
                new Case("binary proto", "application/grpc-web+proto", false, "application/grpc+proto", "application/grpc-web+proto"),
                new Case("text", "application/grpc-web-text", true, "application/grpc", "application/grpc-web-text+proto"),
                new Case("text proto", "application/grpc-web-text+proto", true, "application/grpc+proto",
                        "application/grpc-web-text+proto"));
        byte[] expectedBody = concat(frame("hello back"), trailerFrame("grpc-status: 0\r\ngrpc-message: ok\r\n"));
        for (Case c : cases) {
            try (MiddlewareTester t = new MiddlewareTester(new GrpcWeb().create(new GrpcWeb.Config(List.of("https://app.example")), null))) {
                t.respond(GRPC);
                byte[] message = frame("hello");
                String body = c.text() ? Base64.getEncoder().encodeToString(message)
                        : new String(message, StandardCharsets.ISO_8859_1);
                HttpTester.Response response = t.send("POST", "/pkg.Greeter/SayHello", body, "Content-Type: " + c.contentType(),
                        "Origin: https://app.example", "X-Grpc-Web: 1");
                assertEquals(200, response.getStatus(), c.name());
                assertEquals(c.expectedBackendType(), t.seen().header("Content-Type"), c.name());
                assertEquals("trailers", t.seen().header("TE"), c.name());
                assertArrayEquals(message, t.seen().body(), c.name() + ": the backend gets the message itself");
                assertEquals(c.expectedType(), response.get("Content-Type"), c.name());
                byte[] got = c.text() ? Base64.getDecoder().decode(response.getContent()) : response.getContentBytes();
                assertArrayEquals(expectedBody, got, c.name());
                assertEquals("https://app.example", response.get("Access-Control-Allow-Origin"), c.name());
                assertEquals("true", response.get("Access-Control-Allow-Credentials"), c.name());
                String exposed = response.get("Access-Control-Expose-Headers");
                assertEquals(true, exposed.contains("Grpc-Encoding") && exposed.contains("Content-Type"), c.name() + ": " + exposed);
                assertNull(response.get("grpc-status"), c.name() + ": trailers are in the body, not headers");
            }
        }
    }

    @Test
    void otherRequestsAreLeftAlone() throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new GrpcWeb().create(new GrpcWeb.Config(List.of("*")), null))) {
            HttpTester.Response response = t.send("POST", "/api", "{}", "Content-Type: application/json", "Origin: https://x");
            assertEquals(200, response.getStatus());
            assertEquals("application/json", t.seen().header("Content-Type"));
            assertNull(response.get("Access-Control-Allow-Origin"));
            t.get("/pkg.Greeter/SayHello", "Content-Type: application/grpc-web");
            assertEquals("application/grpc-web", t.seen().header("Content-Type"), "only POST is gRPC-Web");
        }
    }

    @Test
    void preflightsAreAnsweredForAllowedOrigins() throws Exception {
        record Case(String name, List<String> allowOrigins, String origin, String allowOrigin) {
        }
        List<Case> cases = List.of(
                new Case("listed", List.of("https://app.example"), "https://app.example", "https://app.example"),
                new Case("any", List.of("*"), "https://other.example", "https://other.example"),
                new Case("not listed", List.of("https://app.example"), "https://evil.example", null),
                new Case("none configured", List.of(), "https://app.example", null));
        for (Case c : cases) {
            try (MiddlewareTester t = new MiddlewareTester(new GrpcWeb().create(new GrpcWeb.Config(c.allowOrigins()), null))) {
                HttpTester.Response response = t.send("OPTIONS", "/pkg.Greeter/SayHello", null, "Origin: " + c.origin(),
                        "Access-Control-Request-Method: POST", "Access-Control-Request-Headers: content-type,x-grpc-web,x-user-agent");
                assertEquals(200, response.getStatus(), c.name());
                assertNull(t.seen(), c.name() + ": the gateway answers preflights");
                assertEquals(c.allowOrigin(), response.get("Access-Control-Allow-Origin"), c.name());
                if (c.allowOrigin() != null) {
                    assertEquals("POST", response.get("Access-Control-Allow-Methods"), c.name());
                    assertEquals("content-type,x-grpc-web,x-user-agent", response.get("Access-Control-Allow-Headers"), c.name());
                    assertEquals("600", response.get("Access-Control-Max-Age"), c.name());
                }
            }
        }
    }

    @Test
    void aTextAnswerInSeveralWritesIsOneBase64Stream() throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new GrpcWeb().create(new GrpcWeb.Config(List.of("*")), null))) {
            t.respond((request, response, callback) -> {
                response.setStatus(200);
                response.getHeaders().put("Content-Type", "application/grpc");
                response.setTrailersSupplier(() -> HttpFields.build().add("grpc-status", "0"));
                response.write(false, ByteBuffer.wrap(frame("a")), org.eclipse.jetty.util.Callback.from(
                        () -> response.write(true, ByteBuffer.wrap(frame("bcdefg")), callback), callback::failed));
            });
            HttpTester.Response response = t.send("POST", "/s/m", Base64.getEncoder().encodeToString(frame("x")),
                    "Content-Type: application/grpc-web-text");
            assertArrayEquals(concat(frame("a"), frame("bcdefg"), trailerFrame("grpc-status: 0\r\n")),
                    Base64.getDecoder().decode(response.getContent()));
        }
    }
}
