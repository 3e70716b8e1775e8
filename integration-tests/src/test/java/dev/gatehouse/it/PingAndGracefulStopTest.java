package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /ping} for load balancers, and a stop that lets requests in flight finish and frees the port. */
class PingAndGracefulStopTest {

    @TempDir
    Path dir;

    @Test
    void pingAnswersOk() throws Exception {
        try (TestGateway gateway = Gateways.withDynamic(dir, "http: {}\n").start()) {
            HttpResponse<String> ping = Http.get(gateway.url("/ping"));
            assertEquals(200, ping.statusCode());
            assertEquals("OK", ping.body());
        }
    }

    @Test
    void stopFinishesTheRequestInFlightAnswersPingWithNot200AndFreesThePort() throws Exception {
        int port = Gateways.freePort();
        String slowRoute = """
                http:
                  routers:
                    slow:
                      rule: PathPrefix(`/slow`)
                      service: slow
                  services:
                    slow:
                      loadBalancer:
                        servers:
                          - url: %s
                """;
        try (TestBackend slow = TestBackend.delayed("slow", Duration.ofMillis(1500))) {
            TestGateway gateway = Gateways.withDynamic(dir.resolve("first"), slowRoute.formatted(slow.url()))
                    .flag("--entryPoints.web.address=127.0.0.1:" + port)
                    .flag("--entryPoints.web.transport.lifeCycle.graceTimeOut=10s")
                    .start();
            String ping = "http://127.0.0.1:" + port + "/ping";
            Thread stopper = null;
            try {
                assertEquals(port, gateway.port("web"));
                assertEquals(200, Http.status(ping));

                CompletableFuture<HttpResponse<String>> inFlight = Http.client().sendAsync(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow")).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString());
                ReloadTest.awaitTrue(() -> slow.requests() == 1, Duration.ofSeconds(5), "the slow backend got the request");

                long stopStarted = System.nanoTime();
                stopper = new Thread(gateway::close, "test-stopper");
                stopper.start();

                // While the slow request is still running, ping must tell load balancers to go away.
                int pingDuringStop = 200;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                while (pingDuringStop == 200 && System.nanoTime() < deadline) {
                    pingDuringStop = Http.status(ping);
                }
                assertFalse(inFlight.isDone(), "the slow request was still in flight when ping was asked");
                assertTrue(stopper.isAlive(), "the stop was still waiting for the slow request");
                assertNotEquals(200, pingDuringStop, "ping during the stop");
                assertTrue(pingDuringStop == 503 || pingDuringStop == -1, "ping during the stop: " + pingDuringStop);

                HttpResponse<String> response = inFlight.get(10, TimeUnit.SECONDS);
                assertEquals(200, response.statusCode(), response.body());
                assertTrue(response.body().contains("backend=slow"), response.body());

                stopper.join(TimeUnit.SECONDS.toMillis(15));
                assertFalse(stopper.isAlive(), "stop did not return");
                long stopMillis = (System.nanoTime() - stopStarted) / 1_000_000;
                assertTrue(stopMillis < 9000, "stop waited for the request only, not the whole grace time: " + stopMillis + " ms");
                assertEquals(-1, Http.status(ping), "nothing listens after the stop");
            } finally {
                if (stopper == null) {
                    gateway.close();
                }
            }

            Files.createDirectories(dir.resolve("second"));
            try (TestGateway second = Gateways.withDynamic(dir.resolve("second"), slowRoute.formatted(slow.url()))
                    .flag("--entryPoints.web.address=127.0.0.1:" + port)
                    .start()) {
                assertEquals(port, second.port("web"));
                assertEquals(200, Http.status(second.url("/ping")));
            }
        }
    }
}
