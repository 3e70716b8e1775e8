package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Response trailers (gRPC's {@code grpc-status}) and {@code TE: trailers} pass through the gateway, as through
 * Traefik (Go's reverse proxy), to an HTTP/2 backend.
 */
class TrailersTest {

    @TempDir
    Path dir;

    @Test
    void trailersReachAnHttp11ClientThatAcceptsThem() throws Exception {
        AtomicReference<String> te = new AtomicReference<>();
        Handler grpcLike = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                te.set(request.getHeaders().get("TE"));
                response.setStatus(200);
                response.getHeaders().put("Content-Type", "application/grpc");
                response.setTrailersSupplier(() -> HttpFields.build().add("grpc-status", "0").add("grpc-message", "fine"));
                // Two writes: no Content-Length, as a gRPC server streams (a known length would rule chunking out).
                response.write(false, ByteBuffer.wrap("pay".getBytes(StandardCharsets.UTF_8)), Callback.from(
                        () -> response.write(true, ByteBuffer.wrap("load".getBytes(StandardCharsets.UTF_8)), callback),
                        callback::failed));
                return true;
            }
        };
        try (TestBackend backend = TestBackend.h2c("grpc", grpcLike);
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         grpc:
                           rule: PathPrefix(`/`)
                           service: grpc
                       services:
                         grpc:
                           loadBalancer:
                             servers:
                               - url: h2c://127.0.0.1:%d
                     """.formatted(backend.port()))) {
            gateway.start();
            int port = java.net.URI.create(gateway.url("/")).getPort();
            String raw;
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /pkg.Service/Call HTTP/1.1\r\nHost: localhost\r\nTE: trailers\r\nContent-Type: application/grpc\r\n"
                        + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                // Kept alive (a response to a closing connection is not chunked): read up to the end of the trailers.
                InputStream in = socket.getInputStream();
                StringBuilder text = new StringBuilder();
                byte[] buffer = new byte[4096];
                while (!(text.indexOf("\r\n0\r\n") > 0 && text.toString().endsWith("\r\n\r\n"))) {
                    int n;
                    try {
                        n = in.read(buffer);
                    } catch (java.net.SocketTimeoutException e) {
                        throw new AssertionError("no end of trailers in: " + text, e);
                    }
                    if (n < 0) {
                        break;
                    }
                    text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                }
                raw = text.toString();
            }
            assertEquals("trailers", te.get(), "TE: trailers reaches the backend");
            assertTrue(raw.startsWith("HTTP/1.1 200"), raw);
            int lastChunk = raw.indexOf("\r\n0\r\n");
            assertTrue(lastChunk > 0, "chunked: " + raw);
            String trailers = raw.substring(lastChunk).toLowerCase(java.util.Locale.ROOT);
            assertTrue(trailers.contains("grpc-status: 0") && trailers.contains("grpc-message: fine"), raw);
        }
    }
}
