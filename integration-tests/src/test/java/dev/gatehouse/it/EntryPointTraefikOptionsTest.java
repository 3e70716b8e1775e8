package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gatehouse.testkit.TestGateway;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.SettingsFrame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The entry point options of Traefik's static configuration that change what a client or backend sees:
 * {@code http.maxHeaderBytes}, {@code http2.maxConcurrentStreams}, {@code reusePort} and
 * {@code forwardedHeaders.addXForwardedSchemeHeaders}. One gateway, two entry points: {@code tuned} sets them all,
 * {@code plain} sets none (and {@code http.encodedCharacters}). The file also has Traefik's {@code global} and {@code log.noColor}, which load and have no
 * effect.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EntryPointTraefikOptionsTest {

    @TempDir
    static Path dir;

    private static TestBackend backend;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.echo("echo");
        gateway = Gateways.proxyingAllTo(dir, backend.url())
                .staticConfig("""
                        global:
                          checkNewVersion: true
                          sendAnonymousUsage: true
                        log:
                          noColor: true
                        entryPoints:
                          plain:
                            address: "127.0.0.1:0"
                          tuned:
                            address: "127.0.0.1:0"
                            reusePort: true
                            forwardedHeaders:
                              addXForwardedSchemeHeaders: true
                              connection: ["X-Keep-For-Middlewares"]
                            http:
                              maxHeaderBytes: 4096
                              encodedCharacters:
                                allowEncodedSlash: false
                                allowEncodedSemicolon: false
                            http2:
                              maxConcurrentStreams: 7
                        providers:
                          providersThrottleDuration: 200ms
                          file:
                            directory: dynamic
                        """)
                .start();
        gateway.awaitReload(0, () -> gateway.routerEnabled("app@file"), Duration.ofSeconds(10));
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

    private static int statusWithHeaderOf(String entryPoint, int bytes) throws IOException {
        return RawHttp.exchange(gateway.port(entryPoint), "GET /big HTTP/1.1\r\nHost: app.test\r\nX-Big: "
                + "b".repeat(bytes) + "\r\nConnection: close").status();
    }

    @Test
    void globalSaysOnceThatGatehouseNeverPhonesHome() {
        assertEquals(1, gateway.logLines("INFO", "global.checkNewVersion and global.sendAnonymousUsage have no effect: "
                + "Gatehouse never contacts anyone").size(), gateway.logs());
    }

    @Test
    void maxHeaderBytesIsTheEntryPointsHeaderLimit() throws Exception {
        // (The test backend takes 8 KiB of headers: the limit is shown by lowering it below that.)
        assertEquals(200, statusWithHeaderOf("plain", 6_000), "within Gatehouse's default of 16 KiB");
        assertEquals(431, statusWithHeaderOf("tuned", 6_000), "over maxHeaderBytes: 4096");
        assertEquals(200, statusWithHeaderOf("tuned", 3_000), "within maxHeaderBytes: 4096");
    }

    private static int statusOf(String entryPoint, String path) throws IOException {
        return RawHttp.exchange(gateway.port(entryPoint), "GET " + path + " HTTP/1.1\r\nHost: app.test\r\n"
                + "Connection: close").status();
    }

    @Test
    void encodedCharactersThatAreNotAllowedGet400() throws Exception {
        assertEquals(400, statusOf("tuned", "/files/a%2Fb"));
        assertEquals(400, statusOf("tuned", "/files/a%2fb"), "either hex case");
        assertEquals(400, statusOf("tuned", "/files/a%3Bb"));
        assertEquals(200, statusOf("tuned", "/files/a%20b"), "other encoded characters stay allowed");
        assertEquals(200, statusOf("plain", "/files/a%2Fb"), "all are allowed by default, as in Traefik");
    }

    @Test
    void addXForwardedSchemeHeadersSendsTheSchemeUnderBothNames() throws Exception {
        Echoed tuned = Echoed.parse(RawHttp.exchange(gateway.port("tuned"),
                "GET /scheme HTTP/1.1\r\nHost: app.test\r\nX-Scheme: evil\r\nConnection: close").bodyText());
        assertEquals("http", tuned.header("X-Forwarded-Scheme"));
        assertEquals("http", tuned.header("X-Scheme"));

        Echoed plain = Echoed.parse(RawHttp.exchange(gateway.port("plain"),
                "GET /scheme HTTP/1.1\r\nHost: app.test\r\nX-Scheme: evil\r\nX-Forwarded-Scheme: evil\r\n"
                        + "Connection: close").bodyText());
        assertNull(plain.header("X-Forwarded-Scheme"), "not sent by default; an untrusted client's is dropped");
        assertNull(plain.header("X-Scheme"), "an untrusted client's X-Scheme is dropped, as Traefik drops it");
    }

    @Test
    void maxConcurrentStreamsIsWhatHttp2ClientsAreAllowed() throws Exception {
        assertEquals(7, advertisedMaxConcurrentStreams("tuned"));
        assertEquals(250, advertisedMaxConcurrentStreams("plain"), "Traefik's default");
    }

    @Test
    void reusePortLetsAnotherSocketListenOnTheSamePort() throws Exception {
        try (ServerSocketChannel second = ServerSocketChannel.open()) {
            second.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            second.bind(new InetSocketAddress("127.0.0.1", gateway.port("tuned")));
        }
        try (ServerSocketChannel second = ServerSocketChannel.open()) {
            second.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            assertThrows(IOException.class, () -> second.bind(new InetSocketAddress("127.0.0.1", gateway.port("plain"))),
                    "without reusePort the port is the entry point's alone");
        }
    }

    private static int advertisedMaxConcurrentStreams(String entryPoint) throws Exception {
        HTTP2Client client = new HTTP2Client();
        client.start();
        try {
            CompletableFuture<Map<Integer, Integer>> settings = new CompletableFuture<>();
            Session session = client.connect(new InetSocketAddress("127.0.0.1", gateway.port(entryPoint)),
                    new Session.Listener() {
                        @Override
                        public void onSettings(Session session, SettingsFrame frame) {
                            settings.complete(frame.getSettings());
                        }
                    }).get(5, TimeUnit.SECONDS);
            Integer max = settings.get(5, TimeUnit.SECONDS).get(SettingsFrame.MAX_CONCURRENT_STREAMS);
            session.close(0, null, org.eclipse.jetty.util.Callback.NOOP);
            return max == null ? -1 : max;
        } finally {
            client.stop();
        }
    }
}
