package dev.gatehouse.core.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import dev.gatehouse.core.plugin.ExtensionKind;
import dev.gatehouse.core.plugin.ExtensionRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The host index must pick exactly the route that a plain priority-ordered scan picks: random tables of
 * random rules against random requests, compared one by one.
 */
class RoutingTableEquivalenceTest {

    private static final String[] HOSTS = {"a.com", "b.com", "c.com", "x.a.com", "y.b.com", "d.org"};
    private static final String[] PATHS = {"/", "/api", "/api/v1", "/static", "/x"};

    /** Like the bundled Host matcher: exact hosts declare themselves, wildcards do not. */
    private static final Matcher HOST = new Matcher() {
        @Override
        public String name() {
            return "Host";
        }

        @Override
        public RequestPredicate compile(List<String> arguments) {
            String host = arguments.get(0);
            if (host.startsWith("*.")) {
                String suffix = host.substring(1);
                return request -> request.host().endsWith(suffix);
            }
            return new RequestPredicate() {
                @Override
                public boolean test(MatchContext request) {
                    return host.equals(request.host());
                }

                @Override
                public Set<String> possibleHosts() {
                    return Set.of(host);
                }
            };
        }
    };

    private static final Matcher PATH_PREFIX = new Matcher() {
        @Override
        public String name() {
            return "PathPrefix";
        }

        @Override
        public RequestPredicate compile(List<String> arguments) {
            String prefix = arguments.get(0);
            return new RequestPredicate() {
                @Override
                public boolean test(MatchContext request) {
                    return request.path().startsWith(prefix);
                }

                @Override
                public Set<String> possiblePathPrefixes() {
                    return Set.of(prefix);
                }
            };
        }
    };

    /** A matcher that gives the index no hint at all. */
    private static final Matcher PATH_CONTAINS = new Matcher() {
        @Override
        public String name() {
            return "PathContains";
        }

        @Override
        public RequestPredicate compile(List<String> arguments) {
            String part = arguments.get(0);
            return request -> request.path().contains(part);
        }
    };

    private final RuleCompiler compiler = compiler();

    private static RuleCompiler compiler() {
        ExtensionRegistry.Builder builder = ExtensionRegistry.builder();
        builder.add(ExtensionKind.MATCHER, HOST);
        builder.add(ExtensionKind.MATCHER, PATH_PREFIX);
        builder.add(ExtensionKind.MATCHER, PATH_CONTAINS);
        return new RuleCompiler(builder.build());
    }

    private static String randomRule(Random random, int depth) {
        int choice = random.nextInt(depth <= 0 ? 4 : 9);
        return switch (choice) {
            case 0 -> "Host(`" + HOSTS[random.nextInt(HOSTS.length)] + "`)";
            case 1 -> "PathPrefix(`" + PATHS[random.nextInt(PATHS.length)] + "`)";
            case 2 -> "Host(`*." + (random.nextBoolean() ? "a.com" : "b.com") + "`)";
            case 3 -> "PathContains(`" + (random.nextBoolean() ? "v1" : "more") + "`)";
            case 4, 5, 6 -> "(" + randomRule(random, depth - 1) + " && " + randomRule(random, depth - 1) + ")";
            case 7 -> "(" + randomRule(random, depth - 1) + " || " + randomRule(random, depth - 1) + ")";
            default -> "!" + randomRule(random, depth - 1);
        };
    }

    @Test
    void indexedMatchEqualsPlainScan() throws Exception {
        Random random = new Random(20261126L);
        int comparisons = 0;
        for (int table = 0; table < 400; table++) {
            List<Route> routes = new ArrayList<>();
            int size = 1 + random.nextInt(40);
            for (int i = 0; i < size; i++) {
                String rule = randomRule(random, 3);
                Integer priority = random.nextInt(4) == 0 ? random.nextInt(21) - 10 : null;
                int effective = priority == null || priority == 0 ? rule.length() : priority;
                routes.add(new Route("r" + i + "@test", effective, compiler.compile(rule), null));
            }
            RoutingTable indexed = new RoutingTable(routes);
            for (int request = 0; request < 60; request++) {
                String host = random.nextInt(8) == 0 ? "unknown.net" : HOSTS[random.nextInt(HOSTS.length)];
                String path = PATHS[random.nextInt(PATHS.length)] + (random.nextBoolean() ? "/more" : "");
                RoutingRequest r = new RoutingRequest(host, path);
                assertSame(indexed.scan(r), indexed.match(r), () -> "table " + indexed.routes() + " request " + host + path);
                comparisons++;
            }
        }
        assertEquals(400 * 60, comparisons);
    }

    @Test
    void combinationsDeclareTheHostsTheyCanMatch() throws Exception {
        assertEquals(Set.of("a.com"), compiler.compile("Host(`a.com`) && PathPrefix(`/x`)").possibleHosts());
        assertEquals(Set.of("a.com", "b.com"), compiler.compile("Host(`a.com`) || Host(`b.com`)").possibleHosts());
        assertEquals(Set.of(), compiler.compile("Host(`a.com`) && Host(`b.com`)").possibleHosts());
        assertEquals(null, compiler.compile("Host(`a.com`) || PathPrefix(`/x`)").possibleHosts());
        assertEquals(null, compiler.compile("!Host(`a.com`)").possibleHosts());
        assertEquals(null, compiler.compile("Host(`*.a.com`)").possibleHosts());
        assertEquals(Set.of("/x"), compiler.compile("PathContains(`q`) && PathPrefix(`/x`)").possiblePathPrefixes());
        assertEquals(Set.of("/x", "/y"), compiler.compile("PathPrefix(`/x`) || PathPrefix(`/y`)").possiblePathPrefixes());
        assertEquals(null, compiler.compile("PathPrefix(`/x`) || PathContains(`q`)").possiblePathPrefixes());
        assertEquals(null, compiler.compile("!PathPrefix(`/x`)").possiblePathPrefixes());
    }

    @Test
    void pathOnlyRoutesAreFoundThroughThePrefixTrieInPriorityOrder() throws Exception {
        List<Route> routes = new ArrayList<>();
        routes.add(new Route("short@test", 20, compiler.compile("PathPrefix(`/api`)"), null));
        routes.add(new Route("long@test", 30, compiler.compile("PathPrefix(`/api/v1`)"), null));
        routes.add(new Route("host@test", 25, compiler.compile("Host(`a.com`)"), null));
        routes.add(new Route("any@test", 22, compiler.compile("PathContains(`v`)"), null));
        RoutingTable table = new RoutingTable(routes);
        assertEquals("long@test", table.match(new RoutingRequest("a.com", "/api/v1/x")).name());
        assertEquals("host@test", table.match(new RoutingRequest("a.com", "/api/x")).name());
        assertEquals("any@test", table.match(new RoutingRequest("b.com", "/api/v2")).name());
        assertEquals("short@test", table.match(new RoutingRequest("b.com", "/api/x")).name());
        assertEquals(null, table.match(new RoutingRequest("b.com", "/other")));
    }

    @Test
    void aRequestIsTestedOnlyAgainstRoutesThatCanMatchIt() throws Exception {
        List<Route> routes = new ArrayList<>();
        int[] tested = new int[1];
        for (int i = 0; i < 1000; i++) {
            String host = "h" + i + ".com";
            RequestPredicate exact = compiler.compile("Host(`" + host + "`)");
            routes.add(new Route("r" + i + "@test", 10, new RequestPredicate() {
                @Override
                public boolean test(MatchContext request) {
                    tested[0]++;
                    return exact.test(request);
                }

                @Override
                public Set<String> possibleHosts() {
                    return exact.possibleHosts();
                }
            }, null));
        }
        RoutingTable table = new RoutingTable(routes);
        Route found = table.match(new RoutingRequest("h777.com", "/"));
        assertEquals("r777@test", found.name());
        assertTrue(tested[0] == 1, "tested " + tested[0] + " routes for one request");
    }
}
