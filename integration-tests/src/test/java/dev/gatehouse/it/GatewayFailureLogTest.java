package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 6: every 502/504 the gateway answers is explained in its log at the default level (which router,
 * service and server, what failed), once per kind of failure and not once per request, so that a dead backend
 * cannot flood the log. Against a real gateway process, reading what the user reads on its output.
 */
class GatewayFailureLogTest {

    /** The bundled plugins, as the build prepares them for the integration tests. */
    private static final Path PLUGINS = Path.of(System.getProperty("gatehouse.it.plugins", "target/plugins"));

    @TempDir
    Path dir;

    @Test
    void badGatewaysAreLoggedOnceWithRouterServiceServerAndCause() throws Exception {
        // A plain-HTTP server as the gateway's TLS client meets it: it reads the ClientHello as a bad request line
        // and answers 400 in plain text, then closes.
        ServerSocket plain = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread plainServer = new Thread(() -> {
            while (!plain.isClosed()) {
                try (Socket connection = plain.accept()) {
                    connection.setSoTimeout(5_000);
                    connection.getInputStream().read(new byte[4096]);
                    connection.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    // Read what else the client sent until it closes: closing with unread bytes would reset the
                    // connection, and the gateway would rightly report a reset instead of the failed handshake.
                    connection.shutdownOutput();
                    connection.getInputStream().readAllBytes();
                } catch (java.io.IOException e) {
                    // closed at the end of the test, or a connection the gateway dropped
                }
            }
        }, "plain-http-server");
        plainServer.setDaemon(true);
        plainServer.start();
        int refusedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusedPort = probe.getLocalPort();
        }
        int gatewayPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            gatewayPort = probe.getLocalPort();
        }
        Path dynamic = Files.createDirectories(dir.resolve("dynamic"));
        Files.writeString(dynamic.resolve("app.yml"), """
                http:
                  routers:
                    tlsToPlain:
                      rule: PathPrefix(`/tls`)
                      service: tlsToPlain
                    refused:
                      rule: PathPrefix(`/refused`)
                      service: refused
                  services:
                    tlsToPlain:
                      loadBalancer:
                        servers:
                          - url: https://127.0.0.1:%d
                    refused:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:%d
                """.formatted(plain.getLocalPort(), refusedPort));
        Path config = dir.resolve("gatehouse.yml");
        Files.writeString(config, """
                entryPoints:
                  web:
                    address: "127.0.0.1:%d"
                ping:
                  entryPoint: web
                providers:
                  file:
                    directory: %s
                """.formatted(gatewayPort, dynamic));
        String base = "http://127.0.0.1:" + gatewayPort;
        try (GatewayProcess gateway = GatewayProcess.start(dir, config, PLUGINS, base + "/ping")) {
            // /ping answers before the file provider's routers are in place: wait for them (bounded).
            long routed = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (Http.status(base + "/refused") == 404 && System.nanoTime() < routed) {
                Thread.sleep(50);
            }
            String tlsLine = "WARN  [FailureLog] 502 Bad Gateway for GET 127.0.0.1/tls/x: router tlsToPlain@file, service "
                    + "tlsToPlain@file, server https://127.0.0.1:" + plain.getLocalPort()
                    + ": the TLS handshake with the server failed (";
            String tlsResetLine = "WARN  [FailureLog] 502 Bad Gateway for GET 127.0.0.1/tls/x: router tlsToPlain@file, "
                    + "service tlsToPlain@file, server https://127.0.0.1:" + plain.getLocalPort()
                    + ": the server closed or reset the connection before its response began";
            String refusedLine = "WARN  [FailureLog] 502 Bad Gateway for GET 127.0.0.1/refused: router refused@file, "
                    + "service refused@file, server http://127.0.0.1:" + refusedPort + ": the connection was refused";
            // 502 until the passive health check takes the failing server out, then 503: both are explained. The
            // TLS server stays in (a failed handshake is no sign of a dead server), so each of its requests fails
            // the handshake. Seldom, the gateway's own write of the ClientHello is still returning when its reader
            // has read the plain-text answer and closed the connection: that request then fails as a reset, which
            // is another kind of failure with a line of its own. Requests go on until the handshake line was
            // logged (bounded), and every kind must have been logged once however many requests it failed.
            int requests = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((requests < 5 || !(gateway.output().contains(tlsLine) && gateway.output().contains(refusedLine)))
                    && requests < 40 && System.nanoTime() < deadline) {
                int tls = Http.status(base + "/tls/x");
                int refused = Http.status(base + "/refused");
                assertTrue((tls == 502 || tls == 503) && (refused == 502 || refused == 503), tls + " " + refused);
                requests++;
                if (requests >= 5) {
                    // The log is written asynchronously to the response: give it a moment before asking again.
                    Thread.sleep(50);
                }
            }
            String log = gateway.output();
            assertEquals(1, log.split(java.util.regex.Pattern.quote(tlsLine), -1).length - 1, log);
            assertEquals(1, log.split(java.util.regex.Pattern.quote(refusedLine), -1).length - 1, log);
            assertTrue(log.split(java.util.regex.Pattern.quote(tlsResetLine), -1).length - 1 <= 1, log);
            assertTrue(log.contains("write http:// in its URL for a plain-HTTP server"), log);
            int kinds = log.contains(tlsResetLine) ? 3 : 2;
            assertEquals(kinds, log.split("502 Bad Gateway", -1).length - 1,
                    "one line per kind, not per request (" + requests + " requests to each router):\n" + log);
            for (String line : log.lines().filter(line -> line.contains("503 Service Unavailable")).toList()) {
                assertTrue(line.matches(".*WARN  \\[FailureLog\\] 503 Service Unavailable for GET 127\\.0\\.0\\.1/\\S+: "
                        + "router (tlsToPlain|refused)@file, service (tlsToPlain|refused)@file: no server of the service is "
                        + "available.*"), line);
            }
            assertTrue(log.split("503 Service Unavailable", -1).length - 1 <= 2, log);
            assertFalse(log.contains("Exception"), log);
        } finally {
            plain.close();
        }
    }
}
