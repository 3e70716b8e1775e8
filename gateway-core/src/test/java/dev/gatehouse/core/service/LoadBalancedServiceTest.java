package dev.gatehouse.core.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.config.dynamic.PassiveHealthCheckConfig;
import dev.gatehouse.core.proxy.UpstreamClient;
import dev.gatehouse.core.proxy.UpstreamServer;
import dev.gatehouse.core.time.ManualScheduler;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The load balancer behind a real local Jetty server, forwarding through a scripted upstream client (servers that
 * answer with their URL, or refuse), with passive health on a manual clock.
 */
class LoadBalancedServiceTest {

    private static final String A = "http://10.0.0.1:80";
    private static final String B = "http://10.0.0.2:80";

    private final ScriptedUpstream upstream = new ScriptedUpstream();
    private final ManualScheduler clock = new ManualScheduler();
    private final HttpClient client = HttpClient.newHttpClient();
    private Server server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    private LoadBalancedService balancer(List<String> urls, List<Integer> weights, PassiveHealthCheckConfig passive)
            throws Exception {
        List<UpstreamServer> servers = urls.stream().map(UpstreamServer::parse).toList();
        LoadBalancedService balancer = new LoadBalancedService("app@file", servers, weights, true, "wrr", passive, null,
                upstream, clock);
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(balancer);
        server.start();
        return balancer;
    }

    private HttpResponse<String> get() throws Exception {
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<String> bodies(int requests) throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            bodies.add(get().body());
        }
        return bodies;
    }

    @Test
    void spreadsRequestsOverTheServersInProportionToTheirWeights() throws Exception {
        balancer(List.of(A, B), List.of(3, 1), PassiveHealthCheckConfig.DEFAULTS);
        List<String> answered = bodies(8);
        assertEquals(6, answered.stream().filter(A::equals).count(), answered.toString());
        assertEquals(2, answered.stream().filter(B::equals).count(), answered.toString());
    }

    @Test
    void aServerThatRefusesIsLeftOutForTheFailureWindowAndItsRequestGoesToAnother() throws Exception {
        LoadBalancedService balancer = balancer(List.of(A, B), java.util.Arrays.asList(null, null),
                new PassiveHealthCheckConfig(Duration.ofSeconds(10), 1));
        upstream.refusing.add(A);

        HttpResponse<String> first = get();
        assertEquals(200, first.statusCode());
        assertEquals(B, first.body(), "the request that never reached A is answered by B");
        assertEquals(List.of(A, B), upstream.tried);
        assertFalse(balancer.isHealthy(0), "A is left out after one refusal (maxFailedAttempts 1)");
        assertEquals(List.of(B, B, B, B), bodies(4));
        assertEquals(List.of(A, B, B, B, B, B), upstream.tried, "no request is sent to A while it is left out");

        upstream.refusing.clear();
        clock.advance(Duration.ofSeconds(10).minusMillis(1));
        assertFalse(balancer.isHealthy(0), "still out just before its failure window ends");
        clock.advance(Duration.ofMillis(1));
        assertTrue(balancer.isHealthy(0), "back in once its failure window has passed");
        assertTrue(bodies(2).contains(A));
    }

    @Test
    void failuresFurtherApartThanTheFailureWindowDoNotAddUp() throws Exception {
        LoadBalancedService balancer = balancer(List.of(A), java.util.Collections.singletonList(null),
                new PassiveHealthCheckConfig(Duration.ofSeconds(10), 2));
        upstream.refusing.add(A);

        assertEquals(502, get().statusCode(), "no other server to try");
        assertTrue(balancer.isHealthy(0), "one failure of two");
        clock.advance(Duration.ofSeconds(11));
        assertEquals(502, get().statusCode());
        assertTrue(balancer.isHealthy(0), "the first failure is out of the window: this one is the first again");
        clock.advance(Duration.ofSeconds(5));
        assertEquals(502, get().statusCode());
        assertFalse(balancer.isHealthy(0), "two failures within the window take the server out");
        assertEquals(503, get().statusCode(), "no healthy server: 503, without trying the server");
        assertEquals(3, upstream.tried.size());
    }

    @Test
    void withEveryServerDownByItsHealthCheckTheAnswerIs503UntilOneIsBack() throws Exception {
        LoadBalancedService balancer = balancer(List.of(A, B), List.of(1, 1), PassiveHealthCheckConfig.DEFAULTS);
        balancer.setActiveHealth(0, false);
        balancer.setActiveHealth(1, false);
        assertFalse(balancer.available());
        assertEquals(503, get().statusCode());
        assertTrue(upstream.tried.isEmpty());

        balancer.setActiveHealth(1, true);
        assertEquals(List.of(B, B), bodies(2));
    }

    /** Answers 200 with the server's URL, or reports the server unreachable (and 502 when nobody takes it over). */
    private static final class ScriptedUpstream extends AbstractLifeCycle implements UpstreamClient {
        final Set<String> refusing = ConcurrentHashMap.newKeySet();
        final List<String> tried = new CopyOnWriteArrayList<>();

        @Override
        public void forward(Request clientToProxy, Response proxyToClient, Callback callback, UpstreamServer server,
                boolean passHostHeader, Outcome outcome) {
            tried.add(server.url());
            if (refusing.contains(server.url())) {
                ConnectException refused = new ConnectException("Connection refused: " + server.url());
                UpstreamServer next = outcome.unreachable(refused);
                if (next != null) {
                    forward(clientToProxy, proxyToClient, callback, next, passHostHeader, outcome);
                    return;
                }
                Response.writeError(clientToProxy, proxyToClient, callback, 502);
                return;
            }
            outcome.responseBegun(200);
            proxyToClient.setStatus(200);
            Content.Sink.write(proxyToClient, true, server.url(), Callback.from(callback, () -> outcome.completed(null)));
        }

        @Override
        public void probe(String method, String url, String host, Map<String, String> headers, Duration timeout,
                boolean followRedirects, IntConsumer status) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void probeGrpc(String host, int port, Duration timeout, IntConsumer servingStatus) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void sendCopy(String method, String pathQuery, HttpFields headers, byte[] body, UpstreamServer server) {
            throw new UnsupportedOperationException();
        }
    }
}
