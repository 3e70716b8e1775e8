package dev.gatehouse.core.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.TcpMatcher;
import dev.gatehouse.api.TcpPredicate;
import dev.gatehouse.api.net.IpBlock;
import dev.gatehouse.core.config.dynamic.tcp.TcpMiddlewareConfig;
import dev.gatehouse.core.config.dynamic.tcp.TcpRouterConfig;
import dev.gatehouse.core.config.dynamic.tcp.TcpRouterTlsConfig;
import dev.gatehouse.core.config.dynamic.tcp.TcpServersTransportConfig;
import dev.gatehouse.core.config.dynamic.tcp.TcpServiceConfig;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.Defined;
import dev.gatehouse.core.dynamic.TcpDefinitions;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** What the TCP routers of a configuration become: which connection goes where, and what is reported wrong. */
class TcpRuntimeBuilderTest {

    private static final TcpServiceConfig DB = new TcpServiceConfig(new TcpServiceConfig.LoadBalancer(
            List.of(new TcpServiceConfig.Server("10.0.0.5:5432", null)), null, null, null), null);
    private static final TcpRouterTlsConfig PASSTHROUGH = new TcpRouterTlsConfig(true, null, null, List.of());
    private static final TcpRouterTlsConfig TERMINATE = new TcpRouterTlsConfig(null, null, null, List.of());

    /** Stand-ins for the bundled matchers-http plugin's TCP matchers (tested there). */
    private static final Map<String, TcpMatcher> MATCHERS = Map.of(
            "HostSNI", matcher("HostSNI", host -> host.equals("*") ? connection -> true
                    : host.startsWith("*.") ? connection -> connection.serverName() != null
                            && connection.serverName().endsWith(host.substring(1))
                            && connection.serverName().indexOf('.') == connection.serverName().length() - host.length() + 1
                    : connection -> host.equals(connection.serverName())),
            "ClientIP", matcher("ClientIP", range -> {
                IpBlock block = IpBlock.parse(range);
                return connection -> block.contains(connection.clientAddress());
            }));

    private static TcpMatcher matcher(String name, Function<String, TcpPredicate> compiler) {
        return new TcpMatcher() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TcpPredicate compile(List<String> arguments) {
                TcpMatcher.requireArguments(this, arguments, 1);
                return compiler.apply(arguments.get(0));
            }
        };
    }

    private final List<ConfigProblem> problems = new ArrayList<>();
    private final Map<String, Set<String>> tlsDemands = new LinkedHashMap<>();

    private static TcpRouterConfig router(String rule, String service, TcpRouterTlsConfig tls) {
        return new TcpRouterConfig(rule, List.of(), List.of(), service, null, tls, null);
    }

    private TcpRouting build(Map<String, TcpRouterConfig> routers, Map<String, TcpServiceConfig> services,
            Map<String, TcpMiddlewareConfig> middlewares, Map<String, TcpServersTransportConfig> transports,
            List<TcpRuntimeBuilder.HttpTlsClaims> httpTls) {
        TcpDefinitions tcp = new TcpDefinitions(defined(routers), defined(services), defined(middlewares),
                defined(transports));
        return new TcpRuntimeBuilder(List.of("web", "db"), List.of("web", "db"),
                new TcpRules(MATCHERS::get, MATCHERS.keySet())).build(tcp, httpTls,
                (router, tls, provider, hosts) -> {
                    if ("nope".equals(tls.options())) {
                        return "TLS options 'nope@file' do not exist";
                    }
                    tlsDemands.put(router, hosts);
                    return null;
                }, problems, new HashSet<>());
    }

    private static <T> Map<String, Defined<T>> defined(Map<String, T> values) {
        Map<String, Defined<T>> out = new LinkedHashMap<>();
        values.forEach((name, value) -> out.put(name + "@file", new Defined<>(value, "t.yml", "file")));
        return out;
    }

    private static TcpMatch hello(String serverName) throws Exception {
        return new TcpMatch(serverName, List.of(), InetAddress.getByName("192.0.2.1"), 443);
    }

    static Stream<Arguments> brokenRouters() {
        return Stream.of(
                Arguments.of(router("HostSNI(`db.test`)", "db", null), "names a server name (HostSNI), which only TLS"),
                Arguments.of(router("", "db", null), "has no rule"),
                Arguments.of(router("HostSNI(`*`)", null, null), "the service is missing"),
                Arguments.of(router("HostSNI(`*`)", "nope", null), "TCP service nope@file does not exist"),
                Arguments.of(router("Host(`a.test`)", "db", null), "unknown TCP matcher 'Host'"),
                Arguments.of(router("HostSNI(`a`, `b`)", "db", TERMINATE), "HostSNI expects 1 argument, got 2"),
                Arguments.of(router("HostSNI(`*`) &&", "db", null), "at position"),
                Arguments.of(router("HostSNI(`a.test`)", "db", new TcpRouterTlsConfig(null, "nope", null, List.of())),
                        "TLS options 'nope@file' do not exist"),
                Arguments.of(router("ALPN(`h2`)", "db", TERMINATE), "unknown TCP matcher 'ALPN' (known: ClientIP, HostSNI)"),
                Arguments.of(router("ClientIP(`10.0.0.300`)", "db", null), "10.0.0.300"),
                Arguments.of(new TcpRouterConfig("HostSNI(`*`)", List.of("nowhere"), List.of(), "db", null, null, null),
                        "no valid entry point for this router"),
                Arguments.of(new TcpRouterConfig("HostSNI(`*`)", List.of(), List.of("nope"), "db", null, null, null),
                        "TCP middleware nope@file does not exist"));
    }

    @ParameterizedTest
    @MethodSource("brokenRouters")
    void aBrokenRouterIsDisabledWithWhatIsWrong(TcpRouterConfig broken, String expected) throws Exception {
        TcpRouting routing = build(Map.of("broken", broken, "fine", router("HostSNI(`*`)", "db", null)),
                Map.of("db", DB), Map.of(), Map.of(), List.of());
        assertEquals(1, problems.size(), problems.toString());
        assertEquals("TCP router broken@file", problems.get(0).element());
        assertTrue(problems.get(0).message().contains(expected), problems.get(0).message());
        assertEquals("fine@file", routing.entryPoint(0).matchPlain(hello(null)).name(), "the other router serves");
    }

    static Stream<Arguments> brokenServices() {
        return Stream.of(
                Arguments.of(new TcpServiceConfig(null, null), "exactly one of loadBalancer or weighted"),
                Arguments.of(new TcpServiceConfig(new TcpServiceConfig.LoadBalancer(
                        List.of(new TcpServiceConfig.Server("10.0.0.5", null)), null, null, null), null),
                        "'10.0.0.5' is not host:port"),
                Arguments.of(new TcpServiceConfig(new TcpServiceConfig.LoadBalancer(
                        List.of(new TcpServiceConfig.Server("10.0.0.5:1", null)), "slow", null, null), null),
                        "TCP serversTransport slow@file does not exist"),
                Arguments.of(new TcpServiceConfig(new TcpServiceConfig.LoadBalancer(
                        List.of(), null, new TcpServiceConfig.ProxyProtocol(3), null), null),
                        "proxyProtocol.version must be 1 or 2"),
                Arguments.of(new TcpServiceConfig(null, new TcpServiceConfig.Weighted(List.of(
                        new TcpServiceConfig.WeightedService("svc", 1)))), "weighted services refer to each other"));
    }

    @ParameterizedTest
    @MethodSource("brokenServices")
    void aBrokenServiceDisablesItsRoutersOnly(TcpServiceConfig broken, String expected) throws Exception {
        TcpRouting routing = build(Map.of("uses", router("ClientIP(`192.0.2.0/24`)", "svc", null),
                        "fine", router("HostSNI(`*`)", "db", null)),
                Map.of("svc", broken, "db", DB), Map.of(), Map.of(), List.of());
        String text = problems.toString();
        assertTrue(text.contains("TCP service svc@file") && text.contains(expected), text);
        assertTrue(text.contains("TCP router uses@file") && text.contains("is not available"), text);
        assertEquals("fine@file", routing.entryPoint(0).matchPlain(hello(null)).name());
    }

    @Test
    void anEntryPointThatDoesNotExistIsAWarningWhenTheRouterServesOnAnother() throws Exception {
        TcpRouting routing = build(Map.of("some", new TcpRouterConfig("HostSNI(`*`)", List.of("nowhere", "db"),
                List.of(), "db", null, null, null)), Map.of("db", DB), Map.of(), Map.of(), List.of());
        assertEquals("some@file", routing.entryPoint(1).matchPlain(hello(null)).name());
        TcpModel.Element router = routing.model().routers().get("some@file");
        assertTrue(router.enabled());
        assertTrue(router.errors().get(0).contains("entry point 'nowhere' does not exist"), router.errors().toString());
    }

    @Test
    void aMiddlewareWithoutExactlyOneTypeIsReported() {
        build(Map.of(), Map.of(), Map.of("none", new TcpMiddlewareConfig(null, null)), Map.of(), List.of());
        assertTrue(problems.toString().contains("exactly one type"), problems.toString());
    }

    @Test
    void aMalformedSourceRangeIsReportedWithItsIndex() {
        build(Map.of(), Map.of(), Map.of("allow", new TcpMiddlewareConfig(
                new TcpMiddlewareConfig.IpAllowList(List.of("10.0.0.0/8", "10.0.0.0/99")), null)), Map.of(), List.of());
        assertTrue(problems.toString().contains("ipAllowList.sourceRange[1]: "), problems.toString());
    }

    @Test
    void tlsConnectionsGoToHttpRoutersNamingTheServerNameThenTcpRoutersThenTheCatchAll() throws Exception {
        TcpRouting routing = build(Map.of(
                        "db", router("HostSNI(`db.test`)", "db", PASSTHROUGH),
                        "wild", router("HostSNI(`*.wild.test`)", "db", TERMINATE),
                        "any", router("HostSNI(`*`)", "db", PASSTHROUGH)),
                Map.of("db", DB), Map.of(), Map.of(),
                List.of(new TcpRuntimeBuilder.HttpTlsClaims(Set.of("www.test", "db.test"), false),
                        new TcpRuntimeBuilder.HttpTlsClaims(Set.of(), true)));
        assertEquals(List.of(), problems);
        TcpEntryPointRoutes web = routing.entryPoint(0);
        assertNull(web.matchTls(hello("www.test")), "an HTTP router's host");
        assertNull(web.matchTls(hello("db.test")), "HTTP routers naming the host go first, as in Traefik");
        assertEquals("wild@file", web.matchTls(hello("a.wild.test")).name());
        assertEquals("any@file", web.matchTls(hello("a.b.wild.test")).name(), "one label only");
        assertEquals("any@file", web.matchTls(hello(null)).name(), "no SNI: the catch-all");
        TcpEntryPointRoutes db = routing.entryPoint(1);
        assertEquals("wild@file", db.matchTls(hello("x.wild.test")).name());
        assertNull(db.matchTls(hello("other.test")), "an HTTP router without a host goes before a TCP catch-all");
        assertEquals(Set.of("*.wild.test"), tlsDemands.get("wild@file"),
                "a terminating router asks for certificates for its HostSNI names");
    }

    @Test
    void aPlainCatchAllAloneIsTakenBeforeTheFirstByteAndHasTheLowestPriority() throws Exception {
        TcpRouting routing = build(Map.of(
                        "any", router("HostSNI(`*`)", "db", null),
                        "lan", router("ClientIP(`192.0.2.0/24`)", "db", null)),
                Map.of("db", DB), Map.of(), Map.of(), List.of());
        TcpEntryPointRoutes web = routing.entryPoint(0);
        assertTrue(web.routesBeforeFirstByte());
        assertEquals("lan@file", web.matchPlain(hello(null)).name(), "HostSNI(`*`) alone has priority -1");
        assertEquals("any@file", web.matchPlain(new TcpMatch(null, List.of(), InetAddress.getByName("198.51.100.1"), 443))
                .name());
    }
}
