package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gatehouse.testkit.TestGateway;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code entryPoints.<ep>.proxyProtocol}: a PROXY header (v1 or v2, before plain HTTP or before TLS) from a trusted
 * load balancer makes the client it names the request's client everywhere: X-Forwarded-For, ipAllowList, the access
 * log. From any other address the header is read and thrown away and the connection's own address counts, as in
 * Traefik; a connection without a header is served as usual. Last, HAProxy itself in front, with {@code send-proxy}
 * and {@code send-proxy-v2}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyProtocolTest {

    private static final String CLIENT = "203.0.113.7";

    @TempDir
    static Path dir;

    private static TestBackend backend;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.echo("echo");
        gateway = Gateways.withDynamic(dir, """
                http:
                  routers:
                    echo:
                      rule: PathPrefix(`/`)
                      service: app
                    allowed:
                      rule: PathPrefix(`/allowed`)
                      service: app
                      middlewares: [clients]
                    limited:
                      rule: PathPrefix(`/limited`)
                      service: app
                      middlewares: [perClient]
                    secure:
                      rule: PathPrefix(`/`)
                      service: app
                      tls: {}
                  middlewares:
                    clients:
                      ipAllowList:
                        sourceRange: [203.0.113.0/24]
                    perClient:
                      rateLimit:
                        average: 1
                        period: 1m
                        burst: 1
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(backend.url()))
                .staticConfig("""
                        entryPoints:
                          trusting:
                            address: "127.0.0.1:0"
                            proxyProtocol:
                              trustedIPs: [127.0.0.1/32, "::1"]
                          distrusting:
                            address: "127.0.0.1:0"
                            proxyProtocol:
                              trustedIPs: [10.0.0.0/8]
                          slow:
                            address: "127.0.0.1:0"
                            proxyProtocol:
                              trustedIPs: [127.0.0.1]
                            transport:
                              respondingTimeouts:
                                readTimeout: 1s
                        accessLog:
                          filePath: access.log
                        providers:
                          providersThrottleDuration: 200ms
                          file:
                            directory: dynamic
                        """)
                .start();
        gateway.awaitReload(0, () -> gateway.routerEnabled("allowed@file"), Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private static byte[] v1(String client) {
        return ("PROXY TCP4 " + client + " 127.0.0.1 50123 80\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A binary PROXY v2 header: PROXY command, TCP over IPv4, from {@code client}:50124 to 127.0.0.1:443. */
    private static byte[] v2(String client) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(16 + 12);
        header.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        header.put((byte) 0x21).put((byte) 0x11).putShort((short) 12);
        header.put(java.net.InetAddress.getByName(client).getAddress());
        header.put(new byte[] {127, 0, 0, 1});
        header.putShort((short) 50124).putShort((short) 443);
        return header.array();
    }

    private static RawHttp.Response get(String entryPoint, byte[] proxyHeader, String path) throws IOException {
        return RawHttp.exchange(gateway.port(entryPoint), proxyHeader, "GET " + path + " HTTP/1.1\r\nHost: app.test\r\n"
                + "Connection: close", new byte[0]);
    }

    private static String forwardedFor(RawHttp.Response response) {
        assertEquals(200, response.status(), response.bodyText());
        return Echoed.parse(response.bodyText()).header("X-Forwarded-For");
    }

    @Test
    void aTrustedLoadBalancersHeaderNamesTheClient() throws Exception {
        assertEquals(CLIENT, forwardedFor(get("trusting", v1(CLIENT), "/v1")), "PROXY v1");
        assertEquals(CLIENT, forwardedFor(get("trusting", v2(CLIENT), "/v2")), "PROXY v2");
        assertEquals("127.0.0.1", forwardedFor(get("trusting", new byte[0], "/none")),
                "a connection without a header is served with its own address");
        assertEquals(200, get("trusting", v2(CLIENT), "/allowed").status(), "ipAllowList sees the named client");
        assertEquals(403, get("trusting", new byte[0], "/allowed").status());
        List<String> lines = awaitAccessLogLine("GET /v2 ");
        assertTrue(lines.get(0).startsWith(CLIENT + " - - "), "the access log names the client: " + lines);
    }

    @Test
    void rateLimitsCountPerNamedClient() throws Exception {
        assertEquals(200, get("trusting", v1("198.51.100.1"), "/limited").status());
        assertEquals(429, get("trusting", v1("198.51.100.1"), "/limited").status(), "the same client, over its limit");
        assertEquals(200, get("trusting", v2("198.51.100.2"), "/limited").status(),
                "another client behind the same load balancer has its own limit");
    }

    @Test
    void anUntrustedSendersHeaderIsReadAndIgnored() throws Exception {
        assertEquals("127.0.0.1", forwardedFor(get("distrusting", v1(CLIENT), "/spoof-v1")),
                "the connection's own address, not the one claimed");
        assertEquals("127.0.0.1", forwardedFor(get("distrusting", v2(CLIENT), "/spoof-v2")));
        assertEquals(403, get("distrusting", v2(CLIENT), "/allowed").status(),
                "a client cannot get past ipAllowList by claiming an address");
        assertTrue(awaitAccessLogLine("GET /spoof-v2 ").get(0).startsWith("127.0.0.1 - - "));
    }

    @Test
    void theHeaderMayComeBeforeTls() throws Exception {
        RawHttp.Response answer = httpsAfter(gateway.port("trusting"), v2(CLIENT), "/tls");
        assertEquals(CLIENT, forwardedFor(answer));
        assertEquals("https", Echoed.parse(answer.bodyText()).header("X-Forwarded-Proto"));
        assertEquals("127.0.0.1", forwardedFor(httpsAfter(gateway.port("distrusting"), v2(CLIENT), "/tls")));
    }

    /** A client that starts a PROXY header and stalls is cut at the entry point's readTimeout, as in Traefik. */
    @Test
    void aStalledHeaderIsCutAtTheReadTimeout() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", gateway.port("slow")), 5_000);
            socket.setSoTimeout(10_000);
            long start = System.nanoTime();
            socket.getOutputStream().write("PROXY TCP4 203.0.".getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, socket.getInputStream().read(), "the gateway closes the connection");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis >= 900 && millis < 8_000, "closed after " + millis + " ms (readTimeout 1s)");
        }
    }

    /**
     * Headers that are not PROXY protocol, whoever sends them: the connection is closed unanswered, as Traefik's
     * reader fails it (host names are not looked up, a v2 header's addresses are not taken from the request after
     * it), the request behind the header never reaches a backend, and the entry point goes on serving.
     */
    @Test
    void aMalformedHeaderClosesTheConnectionAndNothingIsForwarded() throws Exception {
        byte[] v2Signature = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
        java.util.Map<String, byte[]> malformed = new java.util.LinkedHashMap<>();
        malformed.put("a port that is no number", ascii("PROXY TCP4 203.0.113.7 127.0.0.1 port 80\r\n"));
        malformed.put("an unknown family", ascii("PROXY TCP5 203.0.113.7 127.0.0.1 50123 80\r\n"));
        malformed.put("a host name for an address", ascii("PROXY TCP4 evil.example 127.0.0.1 50123 80\r\n"));
        malformed.put("a line longer than 107 bytes", ascii("PROXY TCP4 " + "1".repeat(200) + "\r\n"));
        ByteBuffer badVersion = ByteBuffer.allocate(16 + 12).put(v2Signature).put((byte) 0x31).put((byte) 0x11)
                .putShort((short) 12).put(new byte[12]);
        malformed.put("a v2 header of version 3", badVersion.array());
        ByteBuffer shortAddresses = ByteBuffer.allocate(16 + 4).put(v2Signature).put((byte) 0x21).put((byte) 0x11)
                .putShort((short) 4).put(new byte[] {(byte) 203, 0, 113, 7});
        malformed.put("v2 TCP4 addresses cut short", shortAddresses.array());
        int i = 0;
        for (var header : malformed.entrySet()) {
            for (String entryPoint : List.of("trusting", "distrusting")) {
                String answer = answerTo(gateway.port(entryPoint), header.getValue(), "/malformed-" + i++);
                assertEquals("", answer, "closed unanswered: " + header.getKey() + " to " + entryPoint);
            }
        }
        assertEquals(CLIENT, forwardedFor(get("trusting", v1(CLIENT), "/after-malformed")));
        awaitAccessLogLine("GET /after-malformed ");
        assertEquals(List.of(), Files.readAllLines(dir.resolve("access.log")).stream()
                .filter(l -> l.contains("/malformed-")).toList(), "no request behind a malformed header was served");
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** What the gateway sends back (until it closes) to {@code proxyHeader} and a GET of {@code path}. */
    private static String answerTo(int port, byte[] proxyHeader, String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(proxyHeader);
            socket.getOutputStream().write(ascii("GET " + path + " HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n"));
            try {
                return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            } catch (java.net.SocketException reset) {
                return "reset: " + reset.getMessage();
            }
        }
    }

    @Test
    void theStartUpLogSaysWhoIsBelieved() {
        assertEquals(1, gateway.logLines("Entry point trusting: PROXY protocol headers are believed from 127.0.0.1/32, ::1")
                .size(), gateway.logs());
    }

    /** HAProxy in front, as users run it: {@code send-proxy} (v1) and {@code send-proxy-v2} to the gateway. */
    @Test
    void behindHaproxyTheClientIsHaproxysClient() throws Exception {
        String haproxy = haproxy();
        int v1Port = Gateways.freePort();
        int v2Port = Gateways.freePort();
        Path config = dir.resolve("haproxy.cfg");
        Files.writeString(config, """
                global
                  maxconn 64
                defaults
                  mode tcp
                  timeout connect 5s
                  timeout client 10s
                  timeout server 10s
                listen v1
                  bind 127.0.0.2:%d
                  server gw 127.0.0.1:%d send-proxy
                listen v2
                  bind 127.0.0.2:%d
                  server gw 127.0.0.1:%d send-proxy-v2
                """.formatted(v1Port, gateway.port("trusting"), v2Port, gateway.port("trusting")));
        Process process = new ProcessBuilder(haproxy, "-db", "-f", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        try {
            // HAProxy's client connects from 127.0.0.3, which the gateway only learns from HAProxy's header.
            assertEquals("127.0.0.3", forwardedFor(awaitThroughHaproxy(process, v1Port)), "send-proxy");
            assertEquals("127.0.0.3", forwardedFor(awaitThroughHaproxy(process, v2Port)), "send-proxy-v2");
        } finally {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
    }

    private static RawHttp.Response awaitThroughHaproxy(Process haproxy, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.bind(new InetSocketAddress("127.0.0.3", 0));
                socket.connect(new InetSocketAddress("127.0.0.2", port), 2_000);
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write("GET /haproxy HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                return RawHttp.read(socket.getInputStream());
            } catch (java.net.ConnectException e) {
                // HAProxy is still starting
                if (!haproxy.isAlive() || System.nanoTime() > deadline) {
                    fail("HAProxy did not start: " + Files.readString(dir.resolve("haproxy.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    /** The HAProxy binary; a skip (a failure with IT_HAPROXY=required) when it is not installed. */
    static String haproxy() {
        for (String folder : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin")
                .split(File.pathSeparator)) {
            Path candidate = Path.of(folder, "haproxy");
            if (!folder.isEmpty() && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String message = "this test needs HAProxy (apt-get install haproxy)";
        if ("required".equals(System.getenv("IT_HAPROXY"))) {
            fail(message + "; ./test.sh should have installed it");
        }
        Assumptions.abort(message + "; skipped (./test.sh installs it and makes this a failure)");
        return null;
    }

    /** Sends {@code proxyHeader} on a new connection, then makes one HTTPS request over it. */
    private static RawHttp.Response httpsAfter(int port, byte[] proxyHeader, String path) throws Exception {
        SslContextFactory.Client trustAll = new SslContextFactory.Client(true);
        trustAll.start();
        SSLContext context = trustAll.getSslContext();
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write(proxyHeader);
            try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, "app.test", port, false)) {
                tls.startHandshake();
                tls.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                tls.getOutputStream().flush();
                return RawHttp.read(tls.getInputStream());
            }
        } finally {
            trustAll.stop();
        }
    }

    private static List<String> awaitAccessLogLine(String containing) throws Exception {
        Path file = dir.resolve("access.log");
        return Poll.untilValue("an access log line with '" + containing + "'", Duration.ofSeconds(10),
                () -> Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> l.contains(containing)).toList()
                        : List.<String>of(), lines -> !lines.isEmpty());
    }
}
