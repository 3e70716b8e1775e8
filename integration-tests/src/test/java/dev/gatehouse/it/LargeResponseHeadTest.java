package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatehouse.testkit.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server's response head passes whole up to 64 KiB, as Traefik passes large ones (security policies, many
 * cookies); beyond that the client gets a 502 rather than the gateway reading headers without end. Jetty's entry
 * points, left at their default, answered 500 to any head over 8 KiB. The server is a raw socket, since a Jetty
 * server would refuse to write such heads itself.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LargeResponseHeadTest {

    @TempDir
    Path dir;

    @Test
    void aResponseHeadOf40KiBPassesWholeAndOneOver64KiBIs502() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread answering = new Thread(() -> answerWithHeadOfRequestedSize(server), "large-head-server");
            answering.setDaemon(true);
            answering.start();
            try (TestGateway gateway = Gateways.proxyingAllTo(dir, "http://127.0.0.1:" + server.getLocalPort()).start()) {
                gateway.awaitReload(0, () -> gateway.routerEnabled("app@file"), Duration.ofSeconds(10));

                HttpResponse<String> large = gateway.get("/head/40000");
                assertEquals(200, large.statusCode(), large.body());
                assertEquals(40_000, large.headers().firstValue("X-Large").orElse("").length());
                assertEquals("ok", large.body());

                assertEquals(502, gateway.get("/head/70000").statusCode());
                assertEquals(200, gateway.get("/head/100").statusCode(), "the gateway goes on");
            }
        }
    }

    /** Answers each request for {@code /head/N} with an {@code X-Large} header of N bytes and the body "ok". */
    private static void answerWithHeadOfRequestedSize(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket connection = server.accept()) {
                connection.setSoTimeout(10_000);
                String head = RawHttp.readHead(connection.getInputStream());
                int size = Integer.parseInt(head.split(" ")[1].substring("/head/".length()));
                OutputStream out = connection.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nX-Large: " + "h".repeat(size) + "\r\nContent-Length: 2\r\n"
                        + "Connection: close\r\n\r\nok").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException | RuntimeException e) {
                // closed at the end of the test, or a connection the gateway dropped mid-answer
            }
        }
    }
}
