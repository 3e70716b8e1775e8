package dev.gatehouse.core.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatehouse.core.http.ForwardedHeadersPolicy;
import dev.gatehouse.core.http.IpRanges;
import dev.gatehouse.core.router.Route;
import dev.gatehouse.core.router.RoutingTable;
import dev.gatehouse.core.runtime.TestRuntimes;
import dev.gatehouse.core.server.GatewayServer;
import dev.gatehouse.core.server.ListenerSpec;
import dev.gatehouse.it.RawHttp;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.Handler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every case of {@link LeanUpstreamClientTest} with the proxy on an entry point of the gateway's server, whose selector
 * then also carries the connections to the servers ({@link UpstreamSelectors}): opening them, timing their opening
 * and their idleness, failing them, closing them when the client stops. And what must not change for the entry
 * point: connections to servers are not among its connections.
 */
class LeanUpstreamClientOnEntryPointTest extends LeanUpstreamClientTest {

    private final List<GatewayServer> gateways = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopGateways() {
        gateways.forEach(GatewayServer::stop);
    }

    @Override
    int proxyServer(Handler proxy) throws Exception {
        // The test client's forwarding headers trusted, as a plain Jetty server passes them on.
        ForwardedHeadersPolicy trustLoopback = new ForwardedHeadersPolicy(IpRanges.parse(List.of("127.0.0.1/32")),
                false);
        GatewayServer gateway = new GatewayServer(List.of(new ListenerSpec("web", "127.0.0.1", 0, trustLoopback,
                true)), 503, Duration.ofSeconds(1), null);
        gateway.start();
        gateways.add(gateway);
        gateway.swap(TestRuntimes.of(new RoutingTable(List.of(new Route("proxy@test", 0, request -> true, proxy)))));
        return gateway.port("web");
    }

    @Test
    void connectionsToServersAreNotAmongTheEntryPointsConnections() throws Exception {
        RawBackend backend = new RawBackend("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false);
        int proxy = proxyTo(backend.url());
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress("127.0.0.1", proxy), 5000);
            client.setSoTimeout(10_000);
            client.getOutputStream().write("GET / HTTP/1.1\r\nHost: app.example\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            String head = RawHttp.readHead(in);
            assertEquals("HTTP/1.1 200 OK", head.substring(0, head.indexOf('\r')));
            assertEquals("ok", new String(in.readNBytes(2), StandardCharsets.US_ASCII));
            // The client's keep-alive connection only: the one to the server, idle in the pool, is on the same
            // selector and is not the entry point's.
            assertEquals(1, gateways.get(0).openConnections("web"));
        }
    }
}
