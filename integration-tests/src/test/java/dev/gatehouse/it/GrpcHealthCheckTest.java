package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loadBalancer.healthCheck.mode: grpc}: servers are asked over h2c with the gRPC health checking protocol
 * (grpc.health.v1.Health/Check), and only those answering SERVING get traffic, as in Traefik. The servers speak
 * the protocol on the wire (HTTP/2, gRPC framing, protobuf, {@code grpc-status} trailers), written out by hand.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrpcHealthCheckTest {

    @TempDir
    Path dir;

    /** ServingStatus values of grpc.health.v1. */
    static final int SERVING = 1;
    static final int NOT_SERVING = 2;

    /**
     * A server that answers the gRPC health check with {@code status} (read at each check) and any other request
     * with its name; it counts the health checks it got.
     */
    static Handler grpcHealthServer(String name, AtomicInteger status, AtomicInteger checks) {
        return new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws IOException {
                if (!request.getHttpURI().getPath().equals("/grpc.health.v1.Health/Check")) {
                    response.write(true, ByteBuffer.wrap(name.getBytes(StandardCharsets.UTF_8)), callback);
                    return true;
                }
                boolean wellFormed = request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_2
                        && "POST".equals(request.getMethod())
                        && "application/grpc".equals(request.getHeaders().get("Content-Type"));
                byte[] message = BufferUtil.toArray(Content.Source.asByteBuffer(request));
                checks.incrementAndGet();
                response.getHeaders().put("Content-Type", "application/grpc");
                if (!wellFormed || message.length != 5) {
                    response.setTrailersSupplier(() -> HttpFields.build().put("grpc-status", "13"));
                    response.write(true, ByteBuffer.allocate(0), callback);
                    return true;
                }
                // HealthCheckResponse { status = <status> }: field 1, varint.
                byte[] answer = {0, 0, 0, 0, 2, 0x08, (byte) status.get()};
                response.setTrailersSupplier(() -> HttpFields.build().put("grpc-status", "0"));
                response.write(true, ByteBuffer.wrap(answer), callback);
                return true;
            }
        };
    }

    @Test
    void onlyServersAnsweringServingGetTraffic() throws Exception {
        AtomicInteger upStatus = new AtomicInteger(SERVING);
        AtomicInteger downStatus = new AtomicInteger(NOT_SERVING);
        AtomicInteger upChecks = new AtomicInteger();
        AtomicInteger downChecks = new AtomicInteger();
        try (TestBackend up = TestBackend.h2c("up", grpcHealthServer("up", upStatus, upChecks));
             TestBackend down = TestBackend.h2c("down", grpcHealthServer("down", downStatus, downChecks));
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         app:
                           rule: PathPrefix(`/`)
                           service: app
                       services:
                         app:
                           loadBalancer:
                             healthCheck:
                               mode: grpc
                               interval: 100ms
                               timeout: 2s
                             servers:
                               - url: %s
                               - url: %s
                     """.formatted(up.url().replace("http://", "h2c://"), down.url().replace("http://", "h2c://")))
                     .start()) {
            gateway.awaitReload(0, () -> gateway.routerEnabled("app@file") && downChecks.get() > 0
                    && gateway.logs().contains("is now unhealthy (health check)"), Duration.ofSeconds(10));
            Set<String> answered = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                answered.add(Http.get(gateway.url("/x")).body());
            }
            assertEquals(Set.of("up"), answered, "NOT_SERVING takes a server out");

            downStatus.set(SERVING);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!answered.contains("down") && System.nanoTime() < deadline) {
                answered.add(Http.get(gateway.url("/x")).body());
            }
            assertTrue(answered.contains("down"), "SERVING again brings it back");
            assertTrue(upChecks.get() > 0);
        }
    }

    @Test
    void grpcChecksOverTlsAreAConfigurationError() throws Exception {
        try (TestGateway gateway = Gateways.withDynamic(dir, """
                http:
                  routers:
                    app:
                      rule: PathPrefix(`/`)
                      service: app
                  services:
                    app:
                      loadBalancer:
                        healthCheck:
                          mode: grpc
                          scheme: https
                        servers:
                          - url: http://127.0.0.1:9
                """).start()) {
            gateway.awaitReload(0, () -> !gateway.logLines("remove scheme https").isEmpty(), Duration.ofSeconds(10));
            assertFalse(gateway.routerEnabled("app@file"));
        }
    }
}
