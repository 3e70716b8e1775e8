package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Connections on both sides: pooled keep-alive connections to the backend, HTTP/2 cleartext from clients. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionsTest {

    @TempDir
    static Path dir;

    private static TestBackend keepAlive;
    private static TestBackend h2;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        keepAlive = TestBackend.echo("keep-alive");
        h2 = TestBackend.echo("h2");
        gateway = Gateways.withDynamic(dir, """
                http:
                  routers:
                    keep-alive:
                      rule: PathPrefix(`/keep-alive`)
                      service: keep-alive
                    h2:
                      rule: PathPrefix(`/h2`)
                      service: h2
                  services:
                    keep-alive:
                      loadBalancer:
                        servers:
                          - url: %s
                    h2:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(keepAlive.url(), h2.url())).start();
        gateway.awaitReload(0, () -> gateway.routerEnabled("keep-alive@file") && gateway.routerEnabled("h2@file"),
                Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        keepAlive.close();
        h2.close();
    }

    @Test
    void sequentialRequestsReuseUpstreamConnections() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(gateway.url("/keep-alive/" + i)))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals("/keep-alive/" + i, Echoed.parse(response.body()).uri());
        }
        assertEquals(50, keepAlive.requests());
        assertTrue(keepAlive.connections() >= 1, "the backend counts no connections at all");
        assertTrue(keepAlive.connections() <= 2, "50 sequential requests opened " + keepAlive.connections()
                + " backend connections");
    }

    @Test
    void h2cWithPriorKnowledgeIsRoutedAndAnswered() throws Exception {
        org.eclipse.jetty.client.HttpClient client =
                new org.eclipse.jetty.client.HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
        client.start();
        try {
            ContentResponse response = client.newRequest(gateway.url("/h2/prior?x=1"))
                    .timeout(10, TimeUnit.SECONDS).send();
            assertEquals(HttpVersion.HTTP_2, response.getVersion());
            assertEquals(200, response.getStatus());
            Echoed echoed = Echoed.parse(response.getContentAsString());
            assertEquals("h2", echoed.backend());
            assertEquals("/h2/prior?x=1", echoed.uri());
            assertEquals("127.0.0.1:" + gateway.port("web"), echoed.header("Host"));
            // a GET ends its stream with its headers: no body is made up for the backend
            assertEquals(null, echoed.header("Transfer-Encoding"));
            assertEquals(null, echoed.header("Content-Length"));

            ContentResponse missing = client.newRequest(gateway.url("/none")).timeout(10, TimeUnit.SECONDS).send();
            assertEquals(HttpVersion.HTTP_2, missing.getVersion());
            assertEquals(404, missing.getStatus());
        } finally {
            client.stop();
        }
    }

    @Test
    void http11UpgradeToH2cIsRoutedAndAnswered() throws Exception {
        // java.net.http asks for Upgrade: h2c on a plain http:// request when HTTP/2 is preferred
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(gateway.url("/h2/upgrade")))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, response.version());
        assertEquals("/h2/upgrade", Echoed.parse(response.body()).uri());
    }
}
