package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.core.dynamic.ProviderHealth;
import dev.gatehouse.testkit.TestBackend;
import dev.gatehouse.testkit.TestGateway;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the etcd and Redis providers share, run against each with a real server: Traefik's KV layout read unchanged
 * (a golden {@code /api/rawdata} in the style of Traefik's own etcd and Redis integration tests), changes watched and
 * applied, a bad element left out alone, and an outage survived with the last configuration.
 *
 * <p>A subclass runs its store and says how to write to it and how the provider is configured.
 */
abstract class KvProviderContract {

    /** The gateway's throttle in these tests; a change must be served within it plus 500 ms (issue 17). */
    static final Duration THROTTLE = Duration.ofMillis(200);
    static final Duration WAIT = Duration.ofSeconds(15);
    /** Set -Dgatehouse.it.updateGolden=true to rewrite the expected files (then review the diff). */
    private static final boolean UPDATE_GOLDEN = Boolean.getBoolean("gatehouse.it.updateGolden");

    @TempDir
    Path dir;

    /** The provider's name: {@code etcd} or {@code redis}. */
    abstract String provider();

    /** Starts the store (plain, no authentication) in {@code dir}. */
    abstract void startStore(Path dir) throws Exception;

    /** The provider's options, as YAML under {@code providers.<name>}. */
    abstract String providerOptions();

    abstract void put(Map<String, String> pairs) throws Exception;

    abstract void delete(String key) throws Exception;

    /** Stops the store (an outage); {@link #restartStore()} brings it back with its data. */
    abstract void stopStore() throws Exception;

    abstract void restartStore() throws Exception;

    abstract void closeStore() throws Exception;

    final void put(String key, String value) throws Exception {
        put(Map.of(key, value));
    }

    /** A gateway with the bundled plugins, an API on its own entry point and this provider only. */
    TestGateway gateway(String providerOptions) {
        int api = Gateways.freePort();
        return TestGateway.builder().dir(dir.resolve("gateway")).bundledPluginsFrom(Gateways.BUNDLED_PLUGINS).staticConfig("""
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                  gatehouse:
                    address: "127.0.0.1:%d"
                api:
                  insecure: true
                metrics:
                  prometheus:
                    entryPoint: gatehouse
                providers:
                  providersThrottleDuration: %dms
                  %s:
                %s
                """.formatted(api, THROTTLE.toMillis(), provider(), providerOptions.indent(4).stripTrailing())).prepare();
    }

    static String apiUrl(TestGateway gateway, String path) {
        return "http://127.0.0.1:" + gateway.port("gatehouse") + path;
    }

    static RawHttp.Response get(TestGateway gateway, String host) {
        try {
            return RawHttp.exchange(gateway.port("web"), "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close");
        } catch (IOException e) {
            return new RawHttp.Response(-1, java.util.List.of(), e.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Polls until {@code host} is answered by the {@link TestBackend} named {@code backend}. */
    static void awaitBody(TestGateway gateway, String host, String backend) throws InterruptedException {
        Poll.untilValue(host + " answered by " + backend, WAIT, () -> get(gateway, host),
                r -> r.status() == 200 && r.all("X-Backend").contains(backend));
    }

    static void awaitStatus(TestGateway gateway, String host, int status) throws InterruptedException {
        Poll.untilValue(host + " answers " + status, WAIT, () -> get(gateway, host), r -> r.status() == status);
    }

    ProviderHealth.Status health(TestGateway gateway) {
        return gateway.application().providerStatuses().stream().filter(s -> s.provider().equals(provider())).findFirst()
                .orElseThrow();
    }

    private String key(String rest) {
        return "traefik/" + rest;
    }

    /** A router to {@code backend} for {@code host}, as Traefik's KV layout writes it. */
    Map<String, String> route(String name, String host, TestBackend backend) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put(key("http/routers/" + name + "/rule"), "Host(`" + host + "`)");
        keys.put(key("http/routers/" + name + "/entryPoints/0"), "web");
        keys.put(key("http/routers/" + name + "/service"), name);
        keys.put(key("http/services/" + name + "/loadBalancer/servers/0/url"), backend.url());
        return keys;
    }

    /**
     * Traefik's own key set (integration/etcd_test.go, redis_test.go), plus the kinds it leaves out: failover,
     * sticky cookies, a servers transport, TLS options, a middleware flag, a TCP router; keys in mixed case as users
     * write them. Servers are loopback addresses nothing listens on (no health check sends them anything).
     */
    static Map<String, String> traefikKeySet() {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("traefik/http/routers/Router0/entryPoints/0", "web");
        data.put("traefik/http/routers/Router0/middlewares/0", "compressor");
        data.put("traefik/http/routers/Router0/middlewares/1", "striper");
        data.put("traefik/http/routers/Router0/service", "simplesvc");
        data.put("traefik/http/routers/Router0/rule", "Host(`kv1.localhost`)");
        data.put("traefik/http/routers/Router0/priority", "42");
        data.put("traefik/http/routers/Router0/tls", "");

        data.put("traefik/http/routers/Router1/rule", "Host(`kv2.localhost`)");
        data.put("traefik/http/routers/Router1/priority", "42");
        data.put("traefik/http/routers/Router1/tls/domains/0/main", "aaa.localhost");
        data.put("traefik/http/routers/Router1/tls/domains/0/sans/0", "aaa.aaa.localhost");
        data.put("traefik/http/routers/Router1/tls/domains/0/sans/1", "bbb.aaa.localhost");
        data.put("traefik/http/routers/Router1/tls/domains/1/main", "bbb.localhost");
        data.put("traefik/http/routers/Router1/tls/domains/1/sans/0", "aaa.bbb.localhost");
        data.put("traefik/http/routers/Router1/tls/domains/1/sans/1", "bbb.bbb.localhost");
        data.put("traefik/http/routers/Router1/entryPoints/0", "web");
        data.put("traefik/http/routers/Router1/service", "simplesvc");

        data.put("traefik/http/services/simplesvc/loadBalancer/servers/0/url", "http://127.0.0.1:9");
        data.put("traefik/http/services/simplesvc/loadBalancer/servers/1/url", "http://127.0.0.2:9");

        data.put("traefik/http/services/srvcA/loadBalancer/servers/0/url", "http://127.0.0.3:9");
        data.put("traefik/http/services/srvcA/loadBalancer/servers/1/url", "http://127.0.0.4:9");

        data.put("traefik/http/services/srvcB/loadBalancer/servers/0/url", "http://127.0.0.5:9");
        data.put("traefik/http/services/srvcB/loadBalancer/servers/1/url", "http://127.0.0.6:9");

        data.put("traefik/http/services/mirror/mirroring/service", "simplesvc");
        data.put("traefik/http/services/mirror/mirroring/mirrors/0/name", "srvcA");
        data.put("traefik/http/services/mirror/mirroring/mirrors/0/percent", "42");
        data.put("traefik/http/services/mirror/mirroring/mirrors/1/name", "srvcB");
        data.put("traefik/http/services/mirror/mirroring/mirrors/1/percent", "42");

        data.put("traefik/http/services/Service03/weighted/services/0/name", "srvcA");
        data.put("traefik/http/services/Service03/weighted/services/0/weight", "42");
        data.put("traefik/http/services/Service03/weighted/services/1/name", "srvcB");
        data.put("traefik/http/services/Service03/weighted/services/1/weight", "42");

        data.put("traefik/http/middlewares/compressor/compress", "");
        data.put("traefik/http/middlewares/striper/stripPrefix/prefixes/0", "foo");
        data.put("traefik/http/middlewares/striper/stripPrefix/prefixes/1", "bar");

        // Beyond Traefik's own test.
        data.put("traefik/http/services/fo/failover/service", "srvcA");
        data.put("traefik/http/services/fo/failover/fallback", "srvcB");
        data.put("traefik/http/services/sticky/loadbalancer/sticky/cookie/name", "lb");
        data.put("traefik/http/services/sticky/loadbalancer/sticky/cookie/httponly", "true");
        data.put("traefik/http/services/sticky/loadbalancer/servers/0/url", "http://127.0.0.7:9");
        data.put("traefik/http/services/sticky/loadbalancer/serversTransport", "short");
        data.put("traefik/http/serversTransports/short/maxIdleConnsPerHost", "7");
        data.put("traefik/http/serversTransports/short/forwardingTimeouts/dialTimeout", "2s");
        data.put("traefik/http/middlewares/slash/stripPrefix/prefixes/0", "/api");
        data.put("traefik/http/middlewares/slash/stripPrefix/forceSlash", "true");
        data.put("traefik/http/middlewares/headers/headers/customRequestHeaders/X-Script", "kv");
        data.put("traefik/http/routers/secure/rule", "PathPrefix(`/secure`)");
        data.put("traefik/http/routers/secure/service", "srvcA");
        data.put("traefik/http/routers/secure/middlewares/0", "headers");
        data.put("traefik/http/routers/secure/tls/options", "modern");
        data.put("traefik/tls/options/modern/minVersion", "VersionTLS13");
        data.put("traefik/tls/options/modern/sniStrict", "true");
        return data;
    }

    @Test
    void rawDataOfTraefiksKeySetMatchesTheGoldenFile() throws Exception {
        startStore(dir.resolve("store"));
        try {
            put(traefikKeySet());
            try (TestGateway gateway = gateway(providerOptions()).start()) {
                JsonNode raw = Poll.untilValue("every element in /api/rawdata", WAIT,
                        () -> new ObjectMapper().readTree(Http.get(apiUrl(gateway, "/api/rawdata")).body()),
                        r -> r.path("services").has("fo@" + provider()) && r.path("middlewares").has("striper@" + provider())
                                && r.path("routers").has("secure@" + provider()));
                ObjectNode ours = ownElements(raw);
                Path golden = Path.of("src/test/resources/kv/rawdata-" + provider() + ".json");
                String written = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).writeValueAsString(
                                new ObjectMapper().convertValue(ours, java.util.TreeMap.class)) + "\n";
                if (UPDATE_GOLDEN) {
                    Files.createDirectories(golden.getParent());
                    Files.writeString(golden, written);
                }
                JsonNode expected = new ObjectMapper().readTree(Files.readString(golden));
                assertEquals(expected, ours, "/api/rawdata differs from " + golden + "; got:\n" + written);
            }
        } finally {
            closeStore();
        }
    }

    /** The provider's own routers, services and middlewares of {@code /api/rawdata} (not the gateway's @internal). */
    private ObjectNode ownElements(JsonNode raw) {
        ObjectNode out = new ObjectMapper().createObjectNode();
        for (String kind : new String[] {"routers", "services", "middlewares"}) {
            ObjectNode section = out.putObject(kind);
            for (Iterator<Map.Entry<String, JsonNode>> it = raw.path(kind).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> element = it.next();
                if (element.getKey().endsWith("@" + provider())) {
                    section.set(element.getKey(), element.getValue());
                }
            }
        }
        return out;
    }

    @Test
    void aWrittenRouterIsServedWithinTheThrottleAndADeletedKeyRemovesIt() throws Exception {
        startStore(dir.resolve("store"));
        try (TestBackend one = TestBackend.start("one"); TestBackend two = TestBackend.start("two");
                TestGateway gateway = gateway(providerOptions()).start()) {
            Poll.until("the provider is up", WAIT, () -> health(gateway).up());
            // A first router takes the client's first watch event and the gateway's first build through class loading;
            // the time asserted below is that of a running gateway.
            put(route("warm", "warm.kv.test", one));
            awaitBody(gateway, "warm.kv.test", "one");
            Map<String, String> app = route("app", "app.kv.test", one);
            // Counted from the last key written (etcdctl writes one key per process): the router needs all of them.
            put(app);
            long written = System.nanoTime();
            awaitBody(gateway, "app.kv.test", "one");
            long millis = (System.nanoTime() - written) / 1_000_000;
            // Issue 17: applied within providersThrottleDuration + 500 ms.
            assertTrue(millis < THROTTLE.toMillis() + 500, "served " + millis + " ms after the keys were written");

            put("traefik/http/services/app/loadBalancer/servers/0/url", two.url());
            awaitBody(gateway, "app.kv.test", "two");

            for (String key : app.keySet()) {
                if (key.contains("/routers/")) {
                    delete(key);
                }
            }
            awaitStatus(gateway, "app.kv.test", 404);
            // The 404 may come from a read between two of the deletions (the router left without its rule is
            // disabled): the router itself goes with the read after the last one.
            Poll.until("the router is gone", WAIT, () -> !gateway.routers().containsKey("app@" + provider()),
                    () -> gateway.routers().toString());
        } finally {
            closeStore();
        }
    }

    @Test
    void tcpRoutersAndServicesFromTheStoreRouteConnections() throws Exception {
        startStore(dir.resolve("store"));
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
                TestGateway gateway = gateway(providerOptions()).start()) {
            // A server that speaks first, as SMTP or SSH do: a plain-TCP catch-all router must route before any byte.
            Thread greeter = new Thread(() -> {
                while (!server.isClosed()) {
                    try (java.net.Socket client = server.accept()) {
                        client.getOutputStream().write("220 kv tcp\r\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "tcp-greeter");
            greeter.setDaemon(true);
            greeter.start();
            Map<String, String> keys = new LinkedHashMap<>();
            keys.put("traefik/tcp/routers/mail/rule", "HostSNI(`*`)");
            keys.put("traefik/tcp/routers/mail/entryPoints/0", "web");
            keys.put("traefik/tcp/routers/mail/service", "mail");
            keys.put("traefik/tcp/services/mail/loadBalancer/servers/0/address", "127.0.0.1:" + server.getLocalPort());
            put(keys);
            String greeting = Poll.untilValue("the TCP server's greeting through the gateway", WAIT, () -> {
                try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port("web"))) {
                    socket.setSoTimeout(2000);
                    byte[] line = new byte[12];
                    int read = socket.getInputStream().readNBytes(line, 0, line.length);
                    return new String(line, 0, read, StandardCharsets.US_ASCII);
                }
            }, g -> g.startsWith("220 kv tcp"));
            assertTrue(greeting.startsWith("220 kv tcp"), greeting);
            JsonNode routers = new ObjectMapper().readTree(Http.get(apiUrl(gateway, "/api/tcp/routers")).body());
            assertTrue(routers.toString().contains("\"mail@" + provider() + "\""), routers.toString());
        } finally {
            closeStore();
        }
    }

    @Test
    void aBadElementIsLeftOutAloneWithItsKeyNamed() throws Exception {
        startStore(dir.resolve("store"));
        try (TestBackend backend = TestBackend.start("good");
                TestGateway gateway = gateway(providerOptions()).start()) {
            Map<String, String> keys = new LinkedHashMap<>(route("good", "good.kv.test", backend));
            keys.putAll(route("bad", "bad.kv.test", backend));
            // A value and a section at the same place: the router cannot be read.
            keys.put("traefik/http/routers/bad/rule/x", "1");
            // A value the router refuses: that router is left out, with its own problem.
            keys.putAll(route("worse", "worse.kv.test", backend));
            keys.put("traefik/http/routers/worse/priority", "high");
            put(keys);
            awaitBody(gateway, "good.kv.test", "good");
            awaitStatus(gateway, "bad.kv.test", 404);
            awaitStatus(gateway, "worse.kv.test", 404);
            // Keys are written one by one into etcd: wait for the problems of the whole set, not of a part of it.
            String problems = Poll.untilValue("the problems of the bad elements", WAIT,
                    () -> String.join("\n", gateway.configurationProblems()),
                    p -> p.contains("worse@" + provider()) && p.contains("priority"));
            assertTrue(problems.contains("key 'traefik/http/routers/bad/rule/x'") && problems.contains("router 'bad' is left out"),
                    problems);
        } finally {
            closeStore();
        }
    }

    @Test
    void anOutageKeepsTheLastConfigurationAndAChangeIsAppliedWhenTheStoreIsBack() throws Exception {
        startStore(dir.resolve("store"));
        try (TestBackend one = TestBackend.start("one"); TestBackend two = TestBackend.start("two");
                TestGateway gateway = gateway(providerOptions()).start()) {
            put(route("app", "app.kv.test", one));
            awaitBody(gateway, "app.kv.test", "one");

            stopStore();
            Poll.until("the provider says it is down", WAIT, () -> !health(gateway).up());
            ProviderHealth.Status down = health(gateway);
            assertNotNull(down.problem());
            assertFalse(down.problem().contains("Exception"), down.problem());
            JsonNode providers = new ObjectMapper().readTree(Http.get(apiUrl(gateway, "/api/providers")).body());
            JsonNode ours = null;
            for (JsonNode p : providers) {
                ours = p.path("name").asText().equals(provider()) ? p : ours;
            }
            assertNotNull(ours, providers.toString());
            assertEquals("down", ours.path("status").asText(), ours.toString());
            assertEquals(down.problem(), ours.path("error").asText());
            assertTrue(Http.get(apiUrl(gateway, "/metrics")).body().contains("provider_up{provider=\"" + provider() + "\"} 0.0"),
                    "the provider_up gauge says down");
            assertEquals(200, get(gateway, "app.kv.test").status(), "the last configuration keeps serving");

            restartStore();
            // Written as soon as the store is back, before or while the provider reconnects: applied either way.
            put("traefik/http/services/app/loadBalancer/servers/0/url", two.url());
            awaitBody(gateway, "app.kv.test", "two");
            Poll.until("the provider is up again", WAIT, () -> health(gateway).up());
            assertTrue(Http.get(apiUrl(gateway, "/metrics")).body().contains("provider_up{provider=\"" + provider() + "\"} 1.0"),
                    "the provider_up gauge says up");
            assertEquals(1, gateway.logLines(provider(), "serving the last configuration").size(),
                    "one warning for the outage, not one per retry: " + gateway.logLines(provider()));
        } finally {
            closeStore();
        }
    }
}
