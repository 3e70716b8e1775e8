package dev.gatehouse.core.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.core.config.ConfigMappers;
import dev.gatehouse.core.dynamic.BoundConfiguration;
import dev.gatehouse.core.dynamic.DynamicConfigurationBinder;
import dev.gatehouse.core.runtime.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code udp} section as a provider publishes it, bound and built: what serves, and what each mistake says. */
class UdpRoutingTest {

    private static final Map<String, UdpEntryPointSpec> UDP_ENTRY_POINTS = Map.of(
            "dns", new UdpEntryPointSpec("dns", null, 53, Duration.ofSeconds(3), 10, false),
            "game", new UdpEntryPointSpec("game", null, 27015, Duration.ofSeconds(3), 10, false));

    private static UdpRouting build(Map<String, Object> udp) {
        BoundConfiguration bound = new DynamicConfigurationBinder(ConfigMappers.strictMapper())
                .bind(Map.of("file", ConfigurationSnapshot.of(ConfigurationFragment.of("/etc/dyn.yml", Map.of("udp", udp)))));
        return UdpRouting.build(bound.udp(), bound.problems(), UDP_ENTRY_POINTS, List.of("web"));
    }

    private static Map<String, Object> lb(String... addresses) {
        return Map.of("loadBalancer", Map.of("servers", java.util.Arrays.stream(addresses)
                .map(a -> Map.of("address", a)).toList()));
    }

    private static String errors(UdpRouterInfo info) {
        return info.errors().toString();
    }

    @Test
    void aRouterWithoutEntryPointsServesEveryUdpEntryPoint() {
        UdpRouting routing = build(Map.of(
                "routers", Map.of("dns", Map.of("service", "dns")),
                "services", Map.of("dns", lb("127.0.0.1:5353"))));
        assertEquals(List.of(), routing.problems());
        assertEquals(Status.ENABLED, routing.routers().get("dns@file").status());
        assertEquals(List.of("dns", "game"), routing.routers().get("dns@file").using().stream().sorted().toList());
        assertNotNull(routing.route("dns"));
        assertEquals(List.of("dns@file"), routing.services().get("dns@file").usedBy());
    }

    @Test
    void aRouterWithoutAnyUdpEntryPointIsDisabledSayingHowToAddOne() {
        BoundConfiguration bound = new DynamicConfigurationBinder(ConfigMappers.strictMapper()).bind(Map.of("file",
                ConfigurationSnapshot.of(ConfigurationFragment.of("/etc/dyn.yml", Map.of("udp", Map.of(
                        "routers", Map.of("dns", Map.of("service", "dns")),
                        "services", Map.of("dns", lb("127.0.0.1:5353"))))))));
        UdpRouting routing = UdpRouting.build(bound.udp(), bound.problems(), Map.of(), List.of("web"));
        UdpRouterInfo router = routing.routers().get("dns@file");
        assertEquals(Status.DISABLED, router.status());
        assertTrue(errors(router).contains("there is no UDP entry point to serve"), errors(router));
    }

    @Test
    void aRouterOnATcpEntryPointIsDisabledSayingSo() {
        UdpRouting routing = build(Map.of(
                "routers", Map.of("dns", Map.of("entryPoints", List.of("web"), "service", "dns")),
                "services", Map.of("dns", lb("127.0.0.1:5353"))));
        UdpRouterInfo router = routing.routers().get("dns@file");
        assertEquals(Status.DISABLED, router.status());
        assertTrue(errors(router).contains("entry point 'web' is not a UDP entry point"), errors(router));
        assertTrue(routing.problems().get(0).toString().startsWith("UDP router dns@file (from /etc/dyn.yml): "),
                routing.problems().toString());
        assertNull(routing.route("dns"));
    }

    @Test
    void anUnknownEntryPointAmongGoodOnesIsAWarning() {
        UdpRouting routing = build(Map.of(
                "routers", Map.of("dns", Map.of("entryPoints", List.of("dns", "nope"), "service", "dns")),
                "services", Map.of("dns", lb("127.0.0.1:5353"))));
        UdpRouterInfo router = routing.routers().get("dns@file");
        assertEquals(Status.WARNING, router.status());
        assertTrue(errors(router).contains("entry point 'nope' does not exist (UDP entry points: "), errors(router));
        assertEquals(List.of("dns"), router.using());
    }

    @Test
    void anUnknownServiceDisablesItsRouterOnly() {
        UdpRouting routing = build(Map.of(
                "routers", Map.of("dns", Map.of("entryPoints", List.of("dns"), "service", "nope"),
                        "game", Map.of("entryPoints", List.of("game"), "service", "game")),
                "services", Map.of("game", lb("127.0.0.1:27015"))));
        UdpRouterInfo dns = routing.routers().get("dns@file");
        assertEquals(Status.DISABLED, dns.status());
        assertTrue(errors(dns).contains("the UDP service 'nope@file' does not exist (known: game@file)"), errors(dns));
        assertEquals(Status.ENABLED, routing.routers().get("game@file").status());
        assertNotNull(routing.route("game"));
    }

    @Test
    void anEntryPointServesTheLastRouterByNameAsTraefik() {
        UdpRouting routing = build(Map.of(
                "routers", Map.of("a", Map.of("entryPoints", List.of("dns"), "service", "s"),
                        "b", Map.of("entryPoints", List.of("dns"), "service", "s")),
                "services", Map.of("s", lb("127.0.0.1:5353"))));
        assertEquals("b@file", routing.route("dns").router());
        UdpRouterInfo a = routing.routers().get("a@file");
        assertEquals(Status.DISABLED, a.status());
        assertTrue(errors(a).contains("entry point 'dns' serves one UDP router, and serves 'b@file'"), errors(a));
    }

    @Test
    void badServicesAreDisabledWithTheirReason() {
        UdpRouting routing = build(Map.of("services", Map.of(
                "noport", lb("127.0.0.1"),
                "both", Map.of("loadBalancer", Map.of("servers", List.of()),
                        "weighted", Map.of("services", List.of(Map.of("name", "noport")))),
                "loop", Map.of("weighted", Map.of("services", List.of(Map.of("name", "loop")))),
                "typo", Map.of("loadBalancer", Map.of("server", List.of())))));
        assertEquals(Status.DISABLED, routing.services().get("noport@file").status());
        assertTrue(routing.services().get("noport@file").errors().toString()
                .contains("loadBalancer.servers[0]: '127.0.0.1' is not host:port"), routing.services().toString());
        assertTrue(routing.services().get("both@file").errors().toString()
                .contains("exactly one of loadBalancer and weighted"));
        assertTrue(routing.services().get("loop@file").errors().toString().contains("lead back to it"));
        // A key that does not exist is refused when binding, naming it; the service is still listed, disabled.
        assertEquals(Status.DISABLED, routing.services().get("typo@file").status());
        assertTrue(routing.services().get("typo@file").errors().toString().contains("server"),
                routing.services().get("typo@file").errors().toString());
    }
}
