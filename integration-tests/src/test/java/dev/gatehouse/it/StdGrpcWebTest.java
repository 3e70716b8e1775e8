package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatehouse.testkit.TestGateway;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * grpcWeb through the real gateway: a browser-like HTTP/1.1 gRPC-Web call reaches an HTTP/2 (h2c) backend as gRPC,
 * and the backend's trailers come back as gRPC-Web's trailer frame.
 */
class StdGrpcWebTest {

    @TempDir
    Path dir;

    static byte[] frame(int flag, byte[] payload) {
        return ByteBuffer.allocate(5 + payload.length).put((byte) flag).putInt(payload.length).put(payload).array();
    }

    @Test
    void aGrpcWebCallReachesAGrpcBackendAndItsStatusComesBackInTheBody() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        Handler grpcServer = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                int bodyLength = Content.Source.asByteBuffer(request).remaining();
                seen.set(request.getConnectionMetaData().getHttpVersion() + " " + request.getHeaders().get("Content-Type")
                        + " te=" + request.getHeaders().get("TE") + " body=" + bodyLength);
                response.setStatus(200);
                response.getHeaders().put("Content-Type", "application/grpc+proto");
                response.setTrailersSupplier(() -> HttpFields.build().add("grpc-status", "0").add("grpc-message", "ok"));
                byte[] answer = frame(0, "hi".getBytes(StandardCharsets.UTF_8));
                // streamed, as gRPC servers do: no Content-Length
                response.write(false, ByteBuffer.wrap(answer, 0, 3), Callback.from(
                        () -> response.write(true, ByteBuffer.wrap(answer, 3, answer.length - 3), callback), callback::failed));
                return true;
            }
        };
        try (TestBackend backend = TestBackend.h2c("grpc", grpcServer);
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         grpc:
                           rule: PathPrefix(`/pkg.Greeter/`)
                           middlewares: [grpc-web]
                           service: grpc
                       middlewares:
                         grpc-web:
                           grpcWeb:
                             allowOrigins: ["https://app.example"]
                       services:
                         grpc:
                           loadBalancer:
                             servers:
                               - url: h2c://127.0.0.1:%d
                     """.formatted(backend.port()))) {
            gateway.start();
            byte[] request = frame(0, "hello".getBytes(StandardCharsets.UTF_8));
            HttpResponse<byte[]> response = Http.client().send(HttpRequest.newBuilder(URI.create(gateway.url("/pkg.Greeter/SayHello")))
                    .timeout(Duration.ofSeconds(10)).version(java.net.http.HttpClient.Version.HTTP_1_1)
                    .header("Content-Type", "application/grpc-web+proto").header("X-Grpc-Web", "1")
                    .header("Origin", "https://app.example")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(), HttpResponse.BodyHandlers.ofByteArray());

            assertEquals("HTTP/2.0 application/grpc+proto te=trailers body=10", seen.get());
            assertEquals(200, response.statusCode());
            assertEquals("application/grpc-web+proto", response.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("https://app.example", response.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.writeBytes(frame(0, "hi".getBytes(StandardCharsets.UTF_8)));
            expected.writeBytes(frame(0x80, "grpc-status: 0\r\ngrpc-message: ok\r\n".getBytes(StandardCharsets.UTF_8)));
            assertArrayEquals(expected.toByteArray(), response.body());
        }
    }
}
