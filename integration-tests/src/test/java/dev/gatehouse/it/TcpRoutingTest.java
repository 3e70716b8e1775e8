package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.testkit.TestGateway;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tcp.routers} and {@code tcp.services} with real TCP servers: a plain catch-all that takes its entry point
 * before the client speaks, TLS passed through by SNI to two TLS servers whose own certificates the client checks,
 * TLS terminated with the gateway's certificates, HTTP routers on the same port, and tunnels that outlive a reload.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpRoutingTest {

    @TempDir
    static Path dir;

    private static TestCertificates ca;
    private static SSLContext trust;
    private static TcpServers.Echo plain;
    private static TcpServers.Echo passOne;
    private static TcpServers.Echo passTwo;
    private static TestBackend http;
    private static TestGateway gateway;
    /** A port nothing listens on: the server of a service that is down. */
    private static final int CLOSED_PORT = Gateways.freePort();

    @BeforeAll
    static void start() throws Exception {
        ca = TestCertificates.ca(dir.resolve("pki"));
        trust = TcpServers.trusting(ca.caFile());
        plain = new TcpServers.Echo("plain server", null);
        passOne = new TcpServers.Echo("pass-one server", ca.leaf("one.pem", "ec", "one.pass.test").serverContext());
        passTwo = new TcpServers.Echo("pass-two server", ca.leaf("two.pem", "ec", "two.pass.test").serverContext());
        TestCertificates.Leaf gatewayCertificate = ca.leaf("gateway.pem", "ec", "db.term.test");
        http = TestBackend.echo("http");
        gateway = Gateways.withDynamic(dir, dynamic(""))
                .staticConfig("""
                        entryPoints:
                          web:
                            address: "127.0.0.1:0"
                          raw:
                            address: "127.0.0.1:0"
                          guarded:
                            address: "127.0.0.1:0"
                          dead:
                            address: "127.0.0.1:0"
                          stalling:
                            address: "127.0.0.1:0"
                            transport:
                              respondingTimeouts:
                                readTimeout: 1s
                          behindBalancer:
                            address: "127.0.0.1:0"
                            proxyProtocol:
                              trustedIPs: [127.0.0.1/32]
                        providers:
                          providersThrottleDuration: 100ms
                          file:
                            directory: dynamic
                        api: {}
                        """)
                .start();
        gateway.writeDynamic("tls.yml", """
                tls:
                  certificates:
                    - certFile: %s
                      keyFile: %s
                """.formatted(gatewayCertificate.cert(), gatewayCertificate.key()));
        gateway.awaitReload(0, () -> gateway.routerEnabled("app@file")
                && gateway.configurationProblems().stream().noneMatch(p -> p.contains("certificate")),
                Duration.ofSeconds(10));
    }

    /** The dynamic configuration, with {@code extra} routers under tcp.routers. */
    private static String dynamic(String extra) {
        return """
                http:
                  routers:
                    app:
                      rule: PathPrefix(`/`)
                      entryPoints: [web]
                      service: app
                    api:
                      rule: PathPrefix(`/api`)
                      entryPoints: [web]
                      service: api@internal
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: %s
                tcp:
                  routers:
                    anything:
                      rule: HostSNI(`*`)
                      entryPoints: [raw]
                      service: plain
                    one:
                      rule: HostSNI(`one.pass.test`)
                      entryPoints: [web]
                      service: one
                      tls:
                        passthrough: true
                    two:
                      rule: HostSNIRegexp(`^two\\.pass\\.test$`)
                      entryPoints: [web]
                      service: two
                      tls:
                        passthrough: true
                    terminated:
                      rule: HostSNI(`db.term.test`)
                      entryPoints: [web]
                      service: plain
                      tls: {}
                    broken:
                      rule: HostSNI(`no-tls.test`)
                      entryPoints: [raw]
                      service: plain
                    dead:
                      rule: HostSNI(`*`)
                      entryPoints: [dead]
                      service: nowhere
                    stalled:
                      rule: HostSNI(`db.term.test`)
                      entryPoints: [stalling]
                      service: plain
                      tls: {}
                    balanced:
                      rule: ClientIP(`203.0.113.7`)
                      entryPoints: [behindBalancer]
                      service: plain
                    guarded:
                      rule: HostSNI(`*`)
                      entryPoints: [guarded]
                      service: plain
                      middlewares: [loopback-one, one-each]
                %s
                  services:
                    plain:
                      loadBalancer:
                        serversTransport: patient
                        servers:
                          - address: %s
                    nowhere:
                      loadBalancer:
                        servers:
                          - address: 127.0.0.1:%d
                    one:
                      loadBalancer:
                        servers:
                          - address: %s
                    two:
                      loadBalancer:
                        servers:
                          - address: %s
                  middlewares:
                    loopback-one:
                      ipAllowList:
                        sourceRange: [127.0.0.1/32]
                    one-each:
                      inFlightConn:
                        amount: 1
                  serversTransports:
                    patient:
                      dialTimeout: 5s
                      # the server may go on answering this long after the client ended its stream (half-close)
                      terminationDelay: 10s
                """.formatted(http.url(), extra, plain.address(), CLOSED_PORT, passOne.address(), passTwo.address());
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        for (AutoCloseable server : new AutoCloseable[] {plain, passOne, passTwo, http}) {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void aPlainCatchAllTakesTheConnectionBeforeTheClientSpeaks() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port("raw"))) {
            socket.setSoTimeout(10_000);
            // The server speaks first (as SMTP does): the gateway must not wait for the client's first bytes.
            assertEquals("plain server", TcpServers.readLine(socket.getInputStream()));
        }
    }

    @Test
    void aClientThatStallsInTheHandshakeOfATerminatingRouterIsCutAtTheReadTimeout() throws Exception {
        // A ClientHello for the terminating router, then nothing: a handshake that does not complete within the entry
        // point's readTimeout (1 s here) ends the connection, and with it the tunnel and its server connection.
        javax.net.ssl.SSLEngine engine = trust.createSSLEngine("db.term.test", 443);
        engine.setUseClientMode(true);
        javax.net.ssl.SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(List.of(new javax.net.ssl.SNIHostName("db.term.test")));
        engine.setSSLParameters(parameters);
        java.nio.ByteBuffer hello = java.nio.ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(java.nio.ByteBuffer.allocate(0), hello);
        hello.flip();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port("stalling"))) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(hello.array(), 0, hello.limit());
            InputStream in = socket.getInputStream();
            long started = System.nanoTime();
            byte[] drain = new byte[8192];
            while (in.read(drain) >= 0) {
                // the server's handshake messages, then the end of the stream
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            assertTrue(seconds < 8, "closed after " + seconds + " s, not by the 1 s read timeout");
        }
    }

    @Test
    void behindAnL4BalancerTheClientOfTheProxyProtocolHeaderIsTheOneTcpRulesSee() throws Exception {
        // The balancer (127.0.0.1, trusted) names the client 203.0.113.7: ClientIP matches it, not the socket's address.
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port("behindBalancer"))) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("PROXY TCP4 203.0.113.7 127.0.0.1 40000 5432\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertEquals("plain server", TcpServers.readLine(socket.getInputStream()));
        }
        // Another client named by the balancer matches no TCP router: as in Traefik, the connection goes on to HTTP
        // (here no HTTP router: 404), never to the TCP server.
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port("behindBalancer"))) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("PROXY TCP4 198.51.100.1 127.0.0.1 40000 5432\r\n"
                    + "GET / HTTP/1.1\r\nHost: x.test\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertEquals(404, RawHttp.read(socket.getInputStream()).status(), "not the TCP router's server");
        }
    }

    @Test
    void aLargeTransferStreamsBothWaysAndHalfCloseEndsIt() throws Exception {
        byte[] payload = new byte[8 * 1024 * 1024];
        new Random(19).nextBytes(payload);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port("raw"))) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            assertEquals("plain server", TcpServers.readLine(in));
            // Written while the echo is read: a pump that buffered a whole direction would stall here.
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    out.write(payload);
                    out.flush();
                    socket.shutdownOutput();   // half-close: the server still answers, then ends its stream
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] echoed = in.readNBytes(payload.length + 1);
            writer.get(20, TimeUnit.SECONDS);
            assertEquals(payload.length, echoed.length, "the echo, then the end of the stream");
            assertArrayEquals(payload, echoed);
        }
    }

    @Test
    void passthroughRoutesBySniAndTheClientSeesEachServersOwnCertificate() throws Exception {
        for (String name : new String[] {"one", "two"}) {
            try (SSLSocket socket = TcpServers.tlsClient(trust, gateway.port("web"), name + ".pass.test")) {
                X509Certificate certificate = (X509Certificate) socket.getSession().getPeerCertificates()[0];
                assertTrue(certificate.getSubjectX500Principal().getName().contains("CN=" + name + ".pass.test"),
                        certificate.getSubjectX500Principal().getName());
                assertEquals("pass-" + name + " server", TcpServers.readLine(socket.getInputStream()));
                socket.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                assertEquals("hello", TcpServers.readLine(socket.getInputStream()));
            }
        }
    }

    @Test
    void terminationServesTheGatewaysCertificateAndForwardsWhatIsInside() throws Exception {
        try (SSLSocket socket = TcpServers.tlsClient(trust, gateway.port("web"), "db.term.test")) {
            X509Certificate certificate = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            assertTrue(certificate.getSubjectX500Principal().getName().contains("CN=db.term.test"));
            assertEquals("plain server", TcpServers.readLine(socket.getInputStream()));
            socket.getOutputStream().write("inside\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            assertEquals("inside", TcpServers.readLine(socket.getInputStream()));
        }
    }

    @Test
    void httpRoutersKeepServingOnTheSamePort() throws Exception {
        var response = gateway.get("/hello");
        assertEquals(200, response.statusCode(), response.body());
    }

    @Test
    void theApiShowsTcpRoutersAndServicesWithTheirStatusAsTraefikDoes() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode routers = json.readTree(gateway.get("/api/tcp/routers").body());
        JsonNode one = named(routers, "one@file");
        assertEquals("enabled", one.path("status").asText());
        assertEquals("HostSNI(`one.pass.test`)", one.path("rule").asText());
        assertTrue(one.path("tls").path("passthrough").asBoolean());
        assertEquals("[\"web\"]", one.path("using").toString());
        assertFalse(named(routers, "terminated@file").path("tls").path("passthrough").asBoolean(true));
        JsonNode broken = named(routers, "broken@file");
        assertEquals("disabled", broken.path("status").asText());
        assertTrue(broken.path("error").toString().contains("only TLS connections carry"), broken.toString());

        JsonNode plainService = json.readTree(gateway.get("/api/tcp/services/plain@file").body());
        assertEquals("enabled", plainService.path("status").asText());
        assertEquals("[\"anything@file\",\"balanced@file\",\"broken@file\",\"guarded@file\",\"stalled@file\",\"terminated@file\"]",
                plainService.path("usedBy").toString());

        JsonNode overview = json.readTree(gateway.get("/api/overview").body());
        assertEquals(9, overview.path("tcp").path("routers").path("total").asInt(), overview.toString());
        assertEquals(1, overview.path("tcp").path("routers").path("errors").asInt(), overview.toString());

        // /api/rawdata has the TCP elements by name, as Traefik's has tcpRouters, tcpServices and tcpMiddlewares.
        JsonNode raw = json.readTree(gateway.get("/api/rawdata").body());
        assertEquals("HostSNI(`one.pass.test`)", raw.path("tcpRouters").path("one@file").path("rule").asText(), raw.toString());
        assertTrue(raw.path("tcpServices").has("plain@file"), raw.toString());
        assertTrue(raw.path("tcpMiddlewares").isObject(), raw.toString());
    }

    private static JsonNode named(JsonNode list, String name) {
        for (JsonNode element : list) {
            if (name.equals(element.path("name").asText())) {
                return element;
            }
        }
        throw new AssertionError(name + " not in " + list);
    }

    @Test
    void ipAllowListAndInFlightConnCloseWhatTheyRefuse() throws Exception {
        try (Socket first = new Socket(InetAddress.getLoopbackAddress(), gateway.port("guarded"))) {
            first.setSoTimeout(10_000);
            assertEquals("plain server", TcpServers.readLine(first.getInputStream()));
            // inFlightConn amount 1: a second connection from the same client is closed while the first is open.
            try (Socket second = new Socket(InetAddress.getLoopbackAddress(), gateway.port("guarded"))) {
                second.setSoTimeout(10_000);
                assertEquals(-1, second.getInputStream().read(), "closed without a byte from the server");
            }
        }
        // The first one closed: the client may connect again (polled: the gateway counts the close when it sees it).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket again = new Socket(InetAddress.getLoopbackAddress(), gateway.port("guarded"))) {
                again.setSoTimeout(10_000);
                if (again.getInputStream().read() == 'p') {
                    break;
                }
            }
            assertTrue(System.nanoTime() < deadline, "the closed connection was never counted out");
            Thread.sleep(50);
        }
        // ipAllowList allows 127.0.0.1 only: from 127.0.0.3 the connection is closed before the server is reached.
        try (Socket outside = new Socket()) {
            outside.bind(new java.net.InetSocketAddress("127.0.0.3", 0));
            outside.connect(new java.net.InetSocketAddress("127.0.0.1", gateway.port("guarded")), 5_000);
            outside.setSoTimeout(10_000);
            assertEquals(-1, outside.getInputStream().read());
        }
    }

    @Test
    void aServerThatIsDownClosesTheClientsAndIsLoggedOncePerWindow() throws Exception {
        for (int i = 0; i < 5; i++) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port("dead"))) {
                socket.setSoTimeout(10_000);
                assertEquals(-1, socket.getInputStream().read(), "closed: the server cannot be reached");
            }
        }
        List<String> lines = gateway.logLines("TCP router dead@file: cannot connect to server");
        assertEquals(1, lines.size(), gateway.logs());
        assertTrue(lines.get(0).contains("127.0.0.1:" + CLOSED_PORT) && !lines.get(0).contains("Exception"), lines.get(0));
    }

    @Test
    void anEstablishedTunnelSurvivesAReload() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port("raw"))) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            assertEquals("plain server", TcpServers.readLine(in));
            long generation = gateway.application().generation();
            gateway.writeDynamic("test.yml", dynamic("""
                        added:
                          rule: ClientIP(`10.0.0.0/8`)
                          entryPoints: [raw]
                          service: plain
                    """));
            gateway.awaitReload(generation, () -> gateway.application().generation() > generation,
                    Duration.ofSeconds(10));
            socket.getOutputStream().write("after the reload\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            assertEquals("after the reload", TcpServers.readLine(in));
        } finally {
            long generation = gateway.application().generation();
            gateway.writeDynamic("test.yml", dynamic(""));
            gateway.awaitReload(generation, () -> true, Duration.ofSeconds(10));
        }
    }
}
