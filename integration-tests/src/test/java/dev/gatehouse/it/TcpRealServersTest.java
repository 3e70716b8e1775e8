package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gatehouse.testkit.TestGateway;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TCP routers in front of real servers: Redis over TLS passed through (redis-cli checks Redis's own certificate,
 * signed by a CA the gateway knows nothing of) and terminated by the gateway (redis-cli checks the gateway's), and
 * HAProxy reading the PROXY protocol header (v1 and v2) that a TCP servers transport sends, which names the client.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpRealServersTest {

    @TempDir
    static Path dir;

    private static TestCertificates redisCa;
    private static TestCertificates gatewayCa;
    private static RedisServer redisTls;
    private static RedisServer redisPlain;
    private static Process haproxy;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        redisCa = TestCertificates.ca(dir.resolve("redis-pki"));
        gatewayCa = TestCertificates.ca(dir.resolve("gateway-pki"));
        TestCertificates.Leaf redisCertificate = redisCa.leaf("redis.pem", "ec", "redis.pass.test");
        TestCertificates.Leaf gatewayCertificate = gatewayCa.leaf("gateway.pem", "ec", "redis.term.test");
        redisTls = RedisServer.in(dir.resolve("redis-tls"))
                .tls(redisCa.caFile(), redisCertificate.cert(), redisCertificate.key(), null, null).start();
        redisPlain = RedisServer.in(dir.resolve("redis-plain")).start();
        int haproxyV1 = Gateways.freePort();
        int haproxyV2 = Gateways.freePort();
        haproxy = startHaproxy(haproxyV1, haproxyV2);
        gateway = Gateways.withDynamic(dir, """
                tcp:
                  routers:
                    passthrough:
                      rule: HostSNI(`redis.pass.test`)
                      entryPoints: [db]
                      service: redis-tls
                      tls:
                        passthrough: true
                    terminated:
                      rule: HostSNI(`redis.term.test`)
                      entryPoints: [db]
                      service: redis-plain
                      tls: {}
                    to-tls:
                      rule: HostSNI(`*`)
                      entryPoints: [plain]
                      service: redis-over-tls
                    proxied-v1:
                      rule: HostSNI(`*`)
                      entryPoints: [pp1]
                      service: haproxy-v1
                    proxied-v2:
                      rule: HostSNI(`*`)
                      entryPoints: [pp2]
                      service: haproxy-v2
                  services:
                    redis-tls:
                      loadBalancer:
                        servers:
                          - address: %s
                    redis-plain:
                      loadBalancer:
                        servers:
                          - address: %s
                    redis-over-tls:
                      loadBalancer:
                        serversTransport: redis-tls
                        servers:
                          - address: %s
                            tls: true
                    haproxy-v1:
                      loadBalancer:
                        serversTransport: v1
                        servers:
                          - address: 127.0.0.1:%d
                    haproxy-v2:
                      loadBalancer:
                        serversTransport: v2
                        servers:
                          - address: 127.0.0.1:%d
                  serversTransports:
                    redis-tls:
                      tls:
                        serverName: redis.pass.test
                        rootCAs: [%s]
                    v1:
                      proxyProtocol:
                        version: 1
                    v2:
                      proxyProtocol: {}
                tls:
                  certificates:
                    - certFile: %s
                      keyFile: %s
                """.formatted(redisTls.address(), redisPlain.address(), redisTls.address(), haproxyV1, haproxyV2,
                redisCa.caFile(), gatewayCertificate.cert(), gatewayCertificate.key()))
                .staticConfig("""
                        entryPoints:
                          db:
                            address: "127.0.0.1:0"
                          plain:
                            address: "127.0.0.1:0"
                          pp1:
                            address: "127.0.0.1:0"
                          pp2:
                            address: "127.0.0.1:0"
                        providers:
                          providersThrottleDuration: 100ms
                          file:
                            directory: dynamic
                        """)
                .start();
        gateway.awaitReload(0, () -> gateway.application().runtime().tcp().entryPoint(0).tls().size() == 2,
                Duration.ofSeconds(10));
    }

    private static Process startHaproxy(int v1Port, int v2Port) throws IOException {
        Path config = dir.resolve("haproxy.cfg");
        // HTTP frontends that read a PROXY header first, and answer with the client address it named.
        Files.writeString(config, """
                global
                  maxconn 64
                defaults
                  mode http
                  timeout connect 5s
                  timeout client 10s
                  timeout server 10s
                frontend v1
                  bind 127.0.0.1:%d accept-proxy
                  http-request return status 200 content-type text/plain lf-string "%%[src]"
                frontend v2
                  bind 127.0.0.1:%d accept-proxy
                  http-request return status 200 content-type text/plain lf-string "%%[src]"
                """.formatted(v1Port, v2Port));
        return new ProcessBuilder(ProxyProtocolTest.haproxy(), "-db", "-f", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (haproxy != null) {
            haproxy.destroy();
            haproxy.waitFor(5, TimeUnit.SECONDS);
            haproxy.destroyForcibly();
        }
        for (RedisServer redis : new RedisServer[] {redisTls, redisPlain}) {
            if (redis != null) {
                redis.close();
            }
        }
    }

    /** redis-cli over TLS to the gateway's {@code db} entry point, for {@code serverName}, trusting {@code ca} only. */
    private static String redisCli(String serverName, Path ca, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p",
                Integer.toString(gateway.port("db")), "--tls", "--sni", serverName, "--cacert", ca.toString()));
        args.addAll(List.of(command));
        Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("redis-cli did not finish: " + args);
        }
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    @Test
    void passthroughReachesRedisWhoseOwnCertificateTheClientChecks() throws Exception {
        assertEquals("OK", redisCli("redis.pass.test", redisCa.caFile(), "SET", "where", "behind passthrough"));
        assertEquals("behind passthrough", redisTls.get("where"), "the key is in the TLS Redis");
        // The gateway does not hold Redis's key: a client trusting only the gateway's CA refuses the handshake.
        assertNotEquals("behind passthrough", redisCli("redis.pass.test", gatewayCa.caFile(), "GET", "where"));
    }

    @Test
    void terminationServesTheGatewaysCertificateAndSpeaksPlainToRedis() throws Exception {
        assertEquals("OK", redisCli("redis.term.test", gatewayCa.caFile(), "SET", "where", "behind termination"));
        assertEquals("behind termination", redisPlain.get("where"), "the key is in the plain Redis");
        assertEquals("behind termination", redisCli("redis.term.test", gatewayCa.caFile(), "GET", "where"));
    }

    @Test
    void aPlainClientReachesRedisOverTlsThroughTheTransportsTls() throws Exception {
        List<String> args = List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(gateway.port("plain")),
                "SET", "where", "over TLS to the server");
        Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("redis-cli did not finish");
        }
        assertEquals("OK", new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        assertEquals("over TLS to the server", redisTls.get("where"), "the gateway spoke TLS to Redis, checking it");
    }

    @Test
    void haproxyReadsTheProxyProtocolHeaderNamingTheClient() throws Exception {
        // The client connects from 127.0.0.3; HAProxy sees the gateway's 127.0.0.1 unless it reads the header.
        assertEquals("127.0.0.3", throughGateway("pp1"), "PROXY v1");
        assertEquals("127.0.0.3", throughGateway("pp2"), "PROXY v2");
    }

    /** A GET through the TCP router of {@code entryPoint} from 127.0.0.3; waits for HAProxy to listen. */
    private static String throughGateway(String entryPoint) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.bind(new InetSocketAddress("127.0.0.3", 0));
                socket.connect(new InetSocketAddress("127.0.0.1", gateway.port(entryPoint)), 2_000);
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: haproxy.test\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                RawHttp.Response response = RawHttp.read(socket.getInputStream());
                assertEquals(200, response.status(), response.bodyText());
                return response.bodyText();
            } catch (IOException e) {
                // HAProxy not listening yet: the gateway closes the tunnel it could not connect
                if (!haproxy.isAlive() || System.nanoTime() > deadline) {
                    fail("no answer through HAProxy: " + e + "; " + Files.readString(dir.resolve("haproxy.log")));
                }
                Thread.sleep(100);
            }
        }
    }
}
