package dev.gatehouse.plugins.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.core.config.ConfigMappers;
import dev.gatehouse.core.dynamic.BoundConfiguration;
import dev.gatehouse.core.dynamic.DynamicConfigurationBinder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** From label maps to the raw trees the gateway binds: Traefik's docker provider rules, table-driven. */
class ConfigBuilderTest {

    private static final DockerProviderConfig DEFAULTS = DockerProviderConfig.defaults();

    static ContainerInfo container(String name, Map<String, String> labels, int... ports) {
        List<ContainerInfo.PortInfo> exposed = new ArrayList<>();
        for (int port : ports) {
            exposed.add(new ContainerInfo.PortInfo(port, "tcp", List.of()));
        }
        return new ContainerInfo("id-" + name, name, labels, true, false, null, "bridge",
                Map.of("bridge", "172.17.0.2"), exposed);
    }

    static Map<String, String> labels(String... kv) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put(kv[i], kv[i + 1]);
        }
        return map;
    }

    static ConfigurationSnapshot build(DockerProviderConfig config, ContainerInfo... containers) {
        return new ConfigBuilder(config).build(List.of(containers), Set.of(), "127.0.0.1");
    }

    /** The fragment tree as a compact string, case-insensitive maps printed as plain maps. */
    static String tree(ConfigurationFragment fragment) {
        return String.valueOf(fragment.content());
    }

    static Stream<Arguments> singleContainer() {
        return Stream.of(
                Arguments.of("no labels: automatic service and router with the default rule",
                        labels(), new int[] {80},
                        "{http={routers={web-1={rule=Host(`web-1`), service=web-1}}, services={web-1={loadBalancer={servers=[{url=http://172.17.0.2:80}]}}}}}"),
                Arguments.of("router with only a rule uses the automatic service",
                        labels("traefik.http.routers.sample.rule", "Host(`nasa-imgs.example.dev`)"), new int[] {80},
                        "{http={routers={sample={rule=Host(`nasa-imgs.example.dev`), service=web-1}}, services={web-1={loadBalancer={servers=[{url=http://172.17.0.2:80}]}}}}}"),
                Arguments.of("lowest of several exposed ports",
                        labels(), new int[] {8443, 8080, 9000},
                        "{http={routers={web-1={rule=Host(`web-1`), service=web-1}}, services={web-1={loadBalancer={servers=[{url=http://172.17.0.2:8080}]}}}}}"),
                Arguments.of("port and scheme labels; a single named service is used by the router",
                        labels("traefik.http.services.api.loadbalancer.server.port", "3000",
                                "traefik.http.services.api.loadbalancer.server.scheme", "https",
                                "traefik.http.services.api.loadbalancer.passhostheader", "false",
                                "traefik.http.routers.r.rule", "PathPrefix(`/api`)"), new int[] {80},
                        "{http={routers={r={rule=PathPrefix(`/api`), service=api}}, services={api={loadBalancer={passhostheader=false, servers=[{url=https://172.17.0.2:3000}]}}}}}"),
                Arguments.of("server.preservepath is the server's preservePath (Traefik v3.7's label)",
                        labels("traefik.http.services.api.loadbalancer.server.preservepath", "true",
                                "traefik.http.routers.r.rule", "PathPrefix(`/api`)"), new int[] {80},
                        "{http={routers={r={rule=PathPrefix(`/api`), service=api}}, services={api={loadBalancer={servers=[{preservePath=true, url=http://172.17.0.2:80}]}}}}}"),
                Arguments.of("a service's own middlewares (Traefik v3.7) stay beside its load balancer",
                        labels("traefik.http.services.api.middlewares", "add-header",
                                "traefik.http.routers.r.rule", "PathPrefix(`/api`)"), new int[] {80},
                        "{http={routers={r={rule=PathPrefix(`/api`), service=api}}, services={api={loadBalancer={servers=[{url=http://172.17.0.2:80}]}, middlewares=add-header}}}}"),
                Arguments.of("label names are case-insensitive; element names keep their case",
                        labels("Traefik.HTTP.Routers.MyRouter.Rule", "Path(`/x`)",
                                "TRAEFIK.http.routers.MyRouter.EntryPoints", "web,websecure"), new int[] {80},
                        "{http={routers={MyRouter={EntryPoints=web,websecure, Rule=Path(`/x`), service=web-1}}, services={web-1={loadBalancer={servers=[{url=http://172.17.0.2:80}]}}}}}"),
                Arguments.of("gatehouse. labels are read too and win over traefik. ones",
                        labels("traefik.http.routers.r.rule", "Path(`/t`)", "gatehouse.http.routers.r.rule", "Path(`/g`)"),
                        new int[] {80},
                        "{http={routers={r={rule=Path(`/g`), service=web-1}}, services={web-1={loadBalancer={servers=[{url=http://172.17.0.2:80}]}}}}}"),
                Arguments.of("middleware with a comma list, an indexed list and a map; router tls=true with a resolver",
                        labels("traefik.http.middlewares.strip.stripprefix.prefixes", "/a,/b",
                                "traefik.http.middlewares.allow.ipallowlist.sourcerange[0]", "10.0.0.0/8",
                                "traefik.http.middlewares.allow.ipallowlist.sourcerange[1]", "127.0.0.1/32",
                                "traefik.http.middlewares.hdr.headers.customrequestheaders.X-Team", "blue",
                                "traefik.http.routers.r.rule", "Path(`/`)",
                                "traefik.http.routers.r.middlewares", "strip,allow,hdr",
                                "traefik.http.routers.r.tls", "true",
                                "traefik.http.routers.r.tls.certresolver", "le",
                                "traefik.http.routers.r.tls.domains[0].main", "example.dev",
                                "traefik.http.routers.r.tls.domains[0].sans", "a.example.dev,b.example.dev"), new int[] {80},
                        "{http={middlewares={allow={ipallowlist={sourcerange=[10.0.0.0/8, 127.0.0.1/32]}}, hdr={headers={customrequestheaders={X-Team=blue}}}, strip={stripprefix={prefixes=/a,/b}}}, "
                                + "routers={r={middlewares=strip,allow,hdr, rule=Path(`/`), service=web-1, tls={certresolver=le, domains=[{main=example.dev, sans=a.example.dev,b.example.dev}]}}}, "
                                + "services={web-1={loadBalancer={servers=[{url=http://172.17.0.2:80}]}}}}}"),
                Arguments.of("router tls=true alone is an empty tls section",
                        labels("traefik.http.routers.r.tls", "true"), new int[] {80},
                        "{http={routers={r={rule=Host(`web-1`), service=web-1, tls={}}}, services={web-1={loadBalancer={servers=[{url=http://172.17.0.2:80}]}}}}}"),
                Arguments.of("no router label and two services: no router",
                        labels("traefik.http.services.a.loadbalancer.server.port", "80",
                                "traefik.http.services.b.loadbalancer.server.port", "81"), new int[] {},
                        "{http={services={a={loadBalancer={servers=[{url=http://172.17.0.2:80}]}}, b={loadBalancer={servers=[{url=http://172.17.0.2:81}]}}}}}"),
                Arguments.of("server.url is used as is",
                        labels("traefik.http.services.s.loadbalancer.server.url", "http://10.1.2.3:9999"), new int[] {},
                        "{http={routers={web-1={rule=Host(`web-1`), service=s}}, services={s={loadBalancer={servers=[{url=http://10.1.2.3:9999}]}}}}}"),
                Arguments.of("a TCP router alone: a TCP service for the container's port, and no HTTP router (Traefik)",
                        labels("traefik.tcp.routers.db.rule", "HostSNI(`*`)",
                                "traefik.tcp.routers.db.entrypoints", "postgres"), new int[] {5432},
                        "{tcp={routers={db={entrypoints=postgres, rule=HostSNI(`*`), service=web-1}}, services={web-1={loadBalancer={servers=[{address=172.17.0.2:5432}]}}}}}"),
                Arguments.of("TCP server port and tls labels; the container's only TCP service is the router's",
                        labels("traefik.tcp.routers.db.rule", "HostSNI(`db.test`)",
                                "traefik.tcp.routers.db.tls.passthrough", "true",
                                "traefik.tcp.services.pg.loadbalancer.server.port", "5433",
                                "traefik.tcp.services.pg.loadbalancer.proxyprotocol.version", "2"), new int[] {5432},
                        "{tcp={routers={db={rule=HostSNI(`db.test`), service=pg, tls={passthrough=true}}}, services={pg={loadBalancer={proxyprotocol={version=2}, servers=[{address=172.17.0.2:5433}]}}}}}"),
                Arguments.of("sticky and health check options are passed on for the gateway to bind",
                        labels("traefik.http.services.s.loadbalancer.sticky.cookie.name", "srv",
                                "traefik.http.services.s.loadbalancer.healthcheck.path", "/health"), new int[] {80},
                        "{http={routers={web-1={rule=Host(`web-1`), service=s}}, services={s={loadBalancer={healthcheck={path=/health}, servers=[{url=http://172.17.0.2:80}], sticky={cookie={name=srv}}}}}}}"),
                Arguments.of("a UDP router and the port of its service: the container's address, no HTTP router",
                        labels("traefik.udp.routers.dns.entrypoints", "dns",
                                "traefik.udp.services.dns.loadbalancer.server.port", "53"), new int[] {80},
                        "{udp={routers={dns={entrypoints=dns, service=dns}}, services={dns={loadbalancer={servers=[{address=172.17.0.2:53}]}}}}}"),
                Arguments.of("a UDP router alone gets a service named after the container, on its exposed port",
                        labels("traefik.udp.routers.dns.entrypoints", "dns"), new int[] {53},
                        "{udp={routers={dns={entrypoints=dns, service=web-1}}, services={web-1={loadbalancer={servers=[{address=172.17.0.2:53}]}}}}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("singleContainer")
    void labelsOfOneContainer(String description, Map<String, String> labels, int[] ports, String expected) {
        ConfigurationSnapshot snapshot = build(DEFAULTS, container("web-1", labels, ports));
        assertEquals(1, snapshot.fragments().size(), snapshot.toString());
        assertEquals("container web-1", snapshot.fragments().get(0).origin());
        assertEquals(expected, tree(snapshot.fragments().get(0)));
    }

    @Test
    void aSubSectionSwitchedOnWithTrueBindsWithItsDefaults() {
        ContainerInfo one = container("one", labels("traefik.http.services.one.loadbalancer.sticky", "true"), 80);
        ContainerInfo two = container("two", labels("traefik.http.services.two.loadbalancer.sticky.cookie", "true"), 80);
        ContainerInfo three = container("three", labels("traefik.http.services.three.loadbalancer.sticky.cookie", "true",
                "traefik.http.services.three.loadbalancer.sticky.cookie.name", "pin"), 80);
        BoundConfiguration bound = new DynamicConfigurationBinder(ConfigMappers.strictMapper())
                .bind(Map.of("docker", build(DEFAULTS, one, two, three)));
        assertEquals(List.of(), bound.problems());
        assertEquals(List.of("one@docker", "three@docker", "two@docker"), bound.routers().keySet().stream().sorted().toList());
        assertTrue(bound.services().get("one@docker").value().loadBalancer().sticky() != null);
        assertTrue(bound.services().get("two@docker").value().loadBalancer().sticky().cookie() != null);
        assertEquals("pin", bound.services().get("three@docker").value().loadBalancer().sticky().cookie().name());
    }

    /** Traefik reads {@code traefik.tls.stores.default.*} from labels (its documented defaultGeneratedCert labels). */
    @Test
    void theDefaultTlsStoreComesFromLabels() {
        ContainerInfo app = container("app", labels(
                "traefik.tls.stores.default.defaultgeneratedcert.resolver", "myresolver",
                "traefik.tls.stores.default.defaultgeneratedcert.domain.main", "example.org",
                "traefik.tls.stores.default.defaultgeneratedcert.domain.sans", "foo.example.org, bar.example.org",
                "traefik.tls.stores.other.defaultgeneratedcert.resolver", "myresolver",
                "traefik.tls.stores.default.defaultcertificate.certfile", "/certs/a.pem"), 80);
        ConfigurationSnapshot snapshot = build(DEFAULTS, app);
        List<String> errors = snapshot.fragments().get(0).errors();
        assertTrue(errors.stream().anyMatch(e -> e.contains(
                "'traefik.tls.stores.other.defaultgeneratedcert.resolver': unknown label")),
                "only the default store, as Traefik's label filter: " + errors);
        assertTrue(errors.stream().anyMatch(e -> e.contains(
                "'traefik.tls.stores.default.defaultcertificate.certfile': unknown label")),
                "Traefik takes no defaultCertificate from labels: " + errors);
        BoundConfiguration bound = new DynamicConfigurationBinder(ConfigMappers.strictMapper())
                .bind(Map.of("docker", snapshot));
        assertEquals(new dev.gatehouse.core.config.dynamic.GeneratedCertConfig("myresolver", new dev.gatehouse.core.config.dynamic.DomainConfig(
                "example.org", List.of("foo.example.org", "bar.example.org"))), bound.tls().defaultGeneratedCert().value());
    }

    @Test
    void noExposedPortAndNoPortLabelLeavesTheServiceOutWithAMessage() {
        ConfigurationFragment f = build(DEFAULTS, container("web-1", labels())).fragments().get(0);
        assertTrue(f.errors().stream().anyMatch(e -> e.contains("port is missing")
                && e.contains("traefik.http.services.<service>.loadbalancer.server.port")), f.errors().toString());
        assertEquals("{http={routers={web-1={rule=Host(`web-1`), service=web-1}}}}", tree(f));
    }

    @Test
    void enableFalseAndExposedByDefaultFalseHideContainers() {
        DockerProviderConfig notExposed = new DockerProviderConfig(null, null, null, false, null, null, null, null, null, null);
        assertEquals(0, build(DEFAULTS, container("a", labels("traefik.enable", "false"), 80)).fragments().size());
        assertEquals(0, build(notExposed, container("a", labels(), 80)).fragments().size());
        assertEquals(1, build(notExposed, container("a", labels("traefik.enable", "TRUE"), 80)).fragments().size());
    }

    @Test
    void constraintsFilterContainers() {
        DockerProviderConfig blue = new DockerProviderConfig(null, null, null, null, null, null, null,
                "Label(`team`,`blue`)", null, null);
        ConfigurationSnapshot s = build(blue, container("a", labels("team", "blue"), 80), container("b", labels("team", "red"), 80));
        assertEquals(List.of("container a"), s.fragments().stream().map(ConfigurationFragment::origin).toList());
    }

    @Test
    void customDefaultRuleFromLabels() {
        DockerProviderConfig config = new DockerProviderConfig(null, null, null, null,
                "Host(`{{ .Name }}.{{ index .Labels \"domain\" }}`)", null, null, null, null, null);
        ConfigurationFragment f = build(config, container("shop", labels("domain", "example.dev"), 80)).fragments().get(0);
        assertTrue(tree(f).contains("rule=Host(`shop.example.dev`)"), tree(f));
    }

    @Test
    void composeServiceNameIsServiceUnderscoreProject() {
        ConfigurationFragment f = build(DEFAULTS, container("proj-web-1", labels(ConfigBuilder.COMPOSE_PROJECT, "proj",
                ConfigBuilder.COMPOSE_SERVICE, "web"), 80)).fragments().get(0);
        assertTrue(tree(f).contains("web-proj={rule=Host(`web-proj`), service=web-proj}"), tree(f));
    }

    @Test
    void replicasOfOneServiceBecomeServersOfThatService() {
        Map<String, String> l = labels("traefik.http.routers.app.rule", "Host(`app`)",
                "traefik.http.services.app.loadbalancer.server.port", "8080");
        ContainerInfo one = new ContainerInfo("1", "app-1", l, true, false, null, "net", Map.of("net", "10.0.0.1"), List.of());
        ContainerInfo two = new ContainerInfo("2", "app-2", l, true, false, null, "net", Map.of("net", "10.0.0.2"), List.of());
        ConfigurationSnapshot s = build(DEFAULTS, two, one);
        assertEquals(List.of("container app-1", "container app-2", "containers app-1, app-2"),
                s.fragments().stream().map(ConfigurationFragment::origin).toList());
        assertEquals("{http={routers={app={rule=Host(`app`), service=app}}}}", tree(s.fragments().get(0)));
        assertEquals("{http={services={app={loadBalancer={servers=[{url=http://10.0.0.1:8080}, {url=http://10.0.0.2:8080}]}}}}}",
                tree(s.fragments().get(2)));
    }

    @Test
    void replicasOfOneUdpServiceBecomeServersOfThatService() {
        Map<String, String> l = labels("traefik.udp.routers.dns.entrypoints", "dns",
                "traefik.udp.services.dns.loadbalancer.server.port", "53");
        ContainerInfo one = new ContainerInfo("1", "dns-1", l, true, false, null, "net", Map.of("net", "10.0.0.1"), List.of());
        ContainerInfo two = new ContainerInfo("2", "dns-2", l, true, false, null, "net", Map.of("net", "10.0.0.2"), List.of());
        ConfigurationSnapshot s = build(DEFAULTS, two, one);
        assertEquals(List.of("container dns-1", "container dns-2", "containers dns-1, dns-2"),
                s.fragments().stream().map(ConfigurationFragment::origin).toList());
        assertEquals("{udp={routers={dns={entrypoints=dns, service=dns}}}}", tree(s.fragments().get(0)));
        assertEquals("{udp={services={dns={loadBalancer={servers=[{address=10.0.0.1:53}, {address=10.0.0.2:53}]}}}}}",
                tree(s.fragments().get(2)));
    }

    @Test
    void replicasOfOneTcpServiceBecomeServersOfThatService() {
        Map<String, String> l = labels("traefik.tcp.routers.db.rule", "HostSNI(`*`)",
                "traefik.tcp.services.db.loadbalancer.server.port", "5432");
        ContainerInfo one = new ContainerInfo("1", "db-1", l, true, false, null, "net", Map.of("net", "10.0.0.1"), List.of());
        ContainerInfo two = new ContainerInfo("2", "db-2", l, true, false, null, "net", Map.of("net", "10.0.0.2"), List.of());
        ConfigurationSnapshot s = build(DEFAULTS, two, one);
        assertEquals(List.of("container db-1", "container db-2", "containers db-1, db-2"),
                s.fragments().stream().map(ConfigurationFragment::origin).toList());
        assertTrue(tree(s.fragments().get(0)).contains("routers={db={rule=HostSNI(`*`), service=db}}"),
                tree(s.fragments().get(0)));
        assertEquals("{tcp={services={db={loadBalancer={servers=[{address=10.0.0.1:5432}, {address=10.0.0.2:5432}]}}}}}",
                tree(s.fragments().get(2)));
    }

    @Test
    void replicasDefiningTheServiceDifferentlyStayApartForTheGatewayToReportTheConflict() {
        ContainerInfo one = container("a", labels("traefik.http.services.s.loadbalancer.passhostheader", "true"), 80);
        ContainerInfo two = container("b", labels("traefik.http.services.s.loadbalancer.passhostheader", "false"), 80);
        ConfigurationSnapshot s = build(DEFAULTS, one, two);
        assertEquals(2, s.fragments().size());
        assertTrue(tree(s.fragments().get(0)).contains("services={s="), tree(s.fragments().get(0)));
        assertTrue(tree(s.fragments().get(1)).contains("services={s="), tree(s.fragments().get(1)));
    }

    @Test
    void brokenLabelsLeaveOutOnlyTheirElementNamingTheLabel() {
        ConfigurationFragment f = build(DEFAULTS, container("web-1", labels(
                "traefik.http.routers.good.rule", "Path(`/good`)",
                "traefik.http.routers.bad..rule", "Path(`/bad`)",
                "traefik.http.routers.worse.rule", "Path(`/worse`)",
                "traefik.http.routers.worse.rule.x", "y",
                "traefik.http.middlewares.m.stripprefix.prefixes[x]", "/a",
                "traefik.foo", "bar"), 80)).fragments().get(0);
        assertEquals("{http={routers={good={rule=Path(`/good`), service=web-1}}, services={web-1={loadBalancer={servers=[{url=http://172.17.0.2:80}]}}}}}", tree(f));
        String errors = String.join("\n", f.errors());
        assertTrue(errors.contains("label 'traefik.http.routers.bad..rule': empty name between dots; http router 'bad' is left out"), errors);
        assertTrue(errors.contains("label 'traefik.http.routers.worse.rule.x'") && errors.contains("router 'worse' is left out"), errors);
        assertTrue(errors.contains("label 'traefik.http.middlewares.m.stripprefix.prefixes[x]'") && errors.contains("middleware 'm' is left out"), errors);
        assertTrue(errors.contains("label 'traefik.foo': unknown label"), errors);
    }

    @Test
    void aLabelValueOverTheValueLimitLeavesOutItsElement() {
        ConfigurationFragment f = build(DEFAULTS, container("web-1", labels(
                "traefik.http.routers.good.rule", "Path(`/good`)",
                "traefik.http.routers.huge.rule", "Path(`/" + "x".repeat(1024 * 1024) + "`)"), 80)).fragments().get(0);
        assertEquals("{http={routers={good={rule=Path(`/good`), service=web-1}}, services={web-1={loadBalancer={servers=[{url=http://172.17.0.2:80}]}}}}}", tree(f));
        String errors = String.join("\n", f.errors());
        assertTrue(errors.contains("label 'traefik.http.routers.huge.rule': a value is longer than 1 MB; configuration "
                + "values are limited to 1 MB") && errors.contains("router 'huge' is left out"), errors);
    }

    @Test
    void unreadableEnableLeavesTheContainerOutWithAMessage() {
        ConfigurationFragment f = build(DEFAULTS, container("web-1", labels("traefik.enable", "yes"), 80)).fragments().get(0);
        assertEquals(Map.of(), f.content());
        assertTrue(f.errors().get(0).contains("label 'traefik.enable': 'yes' is not true or false"), f.errors().toString());
    }

    @Test
    void unhealthyOrPausedContainersGetNoTrafficUnlessEmptyServicesAreAllowed() {
        ContainerInfo unhealthy = new ContainerInfo("1", "u", labels(), true, false, "unhealthy", "bridge", Map.of("bridge", "172.17.0.3"), List.of(new ContainerInfo.PortInfo(80, "tcp", List.of())));
        ContainerInfo paused = new ContainerInfo("2", "p", labels(), true, true, null, "bridge", Map.of("bridge", "172.17.0.4"), List.of(new ContainerInfo.PortInfo(80, "tcp", List.of())));
        ContainerInfo healthy = new ContainerInfo("3", "h", labels(), true, false, "healthy", "bridge", Map.of("bridge", "172.17.0.5"), List.of(new ContainerInfo.PortInfo(80, "tcp", List.of())));
        assertEquals(List.of("container h"), build(DEFAULTS, unhealthy, paused, healthy).fragments().stream().map(ConfigurationFragment::origin).toList());

        DockerProviderConfig allow = new DockerProviderConfig(null, null, null, null, null, null, null, null, true, null);
        ConfigurationSnapshot s = build(allow, unhealthy, paused);
        assertEquals(2, s.fragments().size());
        assertTrue(tree(s.fragments().get(0)).contains("servers=[]"), tree(s.fragments().get(0)));
    }

    @Test
    void addressChoiceFollowsTraefiksOrder() {
        Map<String, String> networks = new LinkedHashMap<>();
        networks.put("front", "10.1.0.2");
        networks.put("back", "10.2.0.2");
        List<ContainerInfo.PortInfo> published = List.of(new ContainerInfo.PortInfo(80, "tcp",
                List.of(new ContainerInfo.Binding("127.0.0.1", "18080"))));
        ContainerInfo c = new ContainerInfo("1", "c", labels(), true, false, null, "front", networks, published);
        ContainerInfo labelled = new ContainerInfo("2", "d", labels("traefik.docker.network", "back"), true, false, null, "front", networks, published);
        ContainerInfo host = new ContainerInfo("3", "e", labels("traefik.http.services.e.loadbalancer.server.port", "8081"), true, false, null, "host", Map.of("host", ""), List.of());
        ContainerInfo shared = new ContainerInfo("4", "f", labels(), true, false, "healthy", "container:c", Map.of(), List.of(new ContainerInfo.PortInfo(81, "tcp", List.of())));

        assertTrue(urls(build(DEFAULTS, c)).contains("http://10.1.0.2:80"), "first network");
        assertTrue(urls(new ConfigBuilder(DEFAULTS).build(List.of(c), Set.of("back"), "127.0.0.1")).contains("http://10.2.0.2:80"), "network shared with the gateway");
        assertTrue(urls(build(DEFAULTS, labelled)).contains("http://10.2.0.2:80"), "traefik.docker.network");
        DockerProviderConfig network = new DockerProviderConfig(null, null, null, null, null, "back", null, null, null, null);
        assertTrue(urls(build(network, c)).contains("http://10.2.0.2:80"), "providers.docker.network");
        DockerProviderConfig bind = new DockerProviderConfig(null, null, null, null, null, null, true, null, null, null);
        assertTrue(urls(build(bind, c)).contains("http://127.0.0.1:18080"), "useBindPortIP");
        assertTrue(urls(build(DEFAULTS, host)).contains("http://127.0.0.1:8081"), "network_mode host");
        assertTrue(urls(build(DEFAULTS, c, shared)).contains("http://10.1.0.2:81"), "network_mode container:c");
    }

    private static String urls(ConfigurationSnapshot s) {
        return s.fragments().toString();
    }
}
