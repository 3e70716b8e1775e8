package dev.gatehouse.plugins.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.core.config.ConfigMappers;
import dev.gatehouse.core.dynamic.BoundConfiguration;
import dev.gatehouse.core.dynamic.DynamicConfigurationBinder;
import dev.gatehouse.fuzz.FuzzBudget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Whatever labels a container carries, the provider builds a snapshot (with its problems as sentences) and the
 * gateway binds it: no exception, no hang, no memory out of proportion. Random label maps over Traefik's key
 * vocabulary, and real label sets (from Traefik's Docker documentation) with keys and values mutated.
 */
@AddLifecycleHook(FuzzBudget.class)
class LabelFuzzTest {

    private static final DynamicConfigurationBinder BINDER = new DynamicConfigurationBinder(ConfigMappers.strictMapper());

    /** Labels as Traefik's Docker documentation writes them. */
    private static final Map<String, String> REAL = Map.ofEntries(
            Map.entry("traefik.enable", "true"),
            Map.entry("traefik.http.routers.my-container.rule", "Host(`example.com`) && PathPrefix(`/api`)"),
            Map.entry("traefik.http.routers.my-container.entrypoints", "websecure"),
            Map.entry("traefik.http.routers.my-container.tls", "true"),
            Map.entry("traefik.http.routers.my-container.tls.certresolver", "myresolver"),
            Map.entry("traefik.http.routers.my-container.tls.domains[0].main", "example.com"),
            Map.entry("traefik.http.routers.my-container.tls.domains[0].sans", "a.example.com,b.example.com"),
            Map.entry("traefik.http.routers.my-container.middlewares", "auth,strip"),
            Map.entry("traefik.http.middlewares.auth.basicauth.users", "test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/"),
            Map.entry("traefik.http.middlewares.strip.stripprefix.prefixes", "/api,/v1"),
            Map.entry("traefik.http.middlewares.headers.headers.customrequestheaders.X-Script-Name", "test"),
            Map.entry("traefik.http.services.my-service.loadbalancer.server.port", "8080"),
            Map.entry("traefik.http.services.my-service.loadbalancer.server.scheme", "http"),
            Map.entry("traefik.http.services.my-service.loadbalancer.healthcheck.path", "/health"),
            Map.entry("traefik.http.services.my-service.loadbalancer.sticky.cookie.name", "lb"),
            Map.entry("traefik.docker.network", "bridge"));

    static void buildsAndBinds(Map<String, String> labels) throws Exception {
        FuzzBudget.call(labels, () -> {
            ContainerInfo container = new ContainerInfo("id-1", "web-1", labels, true, false, null, "bridge",
                    Map.of("bridge", "172.17.0.2"), List.of(new ContainerInfo.PortInfo(80, "tcp", List.of())));
            ConfigurationSnapshot snapshot = new ConfigBuilder(DockerProviderConfig.defaults())
                    .build(List.of(container), Set.of(), "127.0.0.1");
            snapshot.fragments().forEach(fragment -> fragment.errors().forEach(FuzzBudget::assertPlainSentence));
            BoundConfiguration bound = BINDER.bind(Map.of("docker", snapshot));
            bound.problems().forEach(problem -> FuzzBudget.assertPlainSentence(problem.toString()));
            return bound;
        });
    }

    @Example
    void realLabelsBindWithoutProblems() throws Exception {
        ContainerInfo container = new ContainerInfo("id-1", "web-1", REAL, true, false, null, "bridge",
                Map.of("bridge", "172.17.0.2"), List.of(new ContainerInfo.PortInfo(80, "tcp", List.of())));
        BoundConfiguration bound = BINDER.bind(Map.of("docker", new ConfigBuilder(DockerProviderConfig.defaults())
                .build(List.of(container), Set.of(), "127.0.0.1")));
        assertEquals(List.of(), bound.problems());
    }

    @Property(tries = 500)
    void randomLabels(@ForAll("labelMaps") Map<String, String> labels) throws Exception {
        buildsAndBinds(labels);
    }

    @Property(tries = 500)
    void mutatedRealLabels(@ForAll("mutatedReal") Map<String, String> labels) throws Exception {
        buildsAndBinds(labels);
    }

    @Property(tries = 300)
    void randomText(@ForAll Map<String, String> labels) throws Exception {
        buildsAndBinds(labels);
    }

    private static final List<String> SEGMENTS = List.of("http", "tcp", "udp", "routers", "services", "middlewares",
            "serverstransports", "r", "s", "m", "rule", "service", "entrypoints", "tls", "certresolver", "domains",
            "domains[0]", "domains[1]", "main", "sans", "loadbalancer", "server", "servers", "servers[0]", "port",
            "scheme", "url", "weight", "healthcheck", "path", "sticky", "cookie", "name", "stripprefix", "prefixes",
            "prefixes[0]", "headers", "customrequestheaders", "X-A", "basicauth", "users", "ratelimit", "average",
            "enable", "docker", "network", "", "[0]", "x[", "x]", "a[99999999999]", "a[-1]", "é", "Routers", "0");

    private static final List<String> VALUES = List.of("", "true", "false", "80", "0", "-1", "99999", "http",
            "http://10.0.0.1:80", "Host(`a`)", "Host(`a`) &&", "a,b", ",", "/api", "10s", "x", "{}", "[]",
            "{{ .Name }}", "\u0000", "é", "1.5");

    @Provide
    Arbitrary<Map<String, String>> labelMaps() {
        Arbitrary<String> key = Combinators.combine(Arbitraries.of("traefik.", "gatehouse.", "TRAEFIK.", "other."),
                Arbitraries.of(SEGMENTS).list().ofMinSize(1).ofMaxSize(7))
                .as((prefix, parts) -> prefix + String.join(".", parts));
        return Arbitraries.maps(key, Arbitraries.of(VALUES)).ofMaxSize(12);
    }

    @Provide
    Arbitrary<Map<String, String>> mutatedReal() {
        List<String> keys = new ArrayList<>(REAL.keySet());
        Arbitrary<LabelMutation> one = Combinators.combine(Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(0, keys.size() - 1), Arbitraries.of(SEGMENTS), Arbitraries.of(VALUES),
                Arbitraries.integers().between(0, 8)).as(LabelMutation::new);
        return one.list().ofMinSize(1).ofMaxSize(6).map(steps -> {
            Map<String, String> labels = new LinkedHashMap<>(REAL);
            for (LabelMutation step : steps) {
                step.apply(labels, keys);
            }
            return labels;
        });
    }

    /** One edit of a label set: a value, a key segment, a label dropped, added or duplicated under gatehouse. */
    record LabelMutation(int kind, int index, String segment, String value, int position) {
        void apply(Map<String, String> labels, List<String> keys) {
            String key = keys.get(index);
            String[] parts = key.split("\\.", -1);
            int at = Math.min(position, parts.length - 1);
            switch (kind) {
                case 0 -> labels.put(key, value);
                case 1 -> {
                    String old = labels.remove(key);
                    parts[at] = segment;
                    labels.put(String.join(".", parts), old == null ? value : old);
                }
                case 2 -> labels.remove(key);
                case 3 -> labels.put(key + "." + segment, value);
                default -> labels.put("gatehouse." + key.substring(key.indexOf('.') + 1), value);
            }
        }
    }
}
