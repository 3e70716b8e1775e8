package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.CheckCommand;
import dev.gatehouse.core.HealthcheckCommand;
import dev.gatehouse.core.config.StaticConfigurationLoader;
import dev.gatehouse.testkit.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gatehouse check} validates everything the gateway would load, without listening, and prints each
 * error with its source; {@code gatehouse healthcheck} asks a running gateway's {@code /ping}.
 */
class CheckCommandTest {

    @TempDir
    Path dir;

    private static final String STATIC = """
            entryPoints:
              web:
                address: "127.0.0.1:0"
            providers:
              file:
                directory: dynamic
            """;

    private String output;

    private int check(TestGateway harness, String dynamicYaml) throws Exception {
        harness.writeDynamic("test.yml", dynamicYaml);
        return checkStatic(harness, STATIC);
    }

    /** Runs check on {@code staticYaml} with the harness's plugins; the printed text lands in {@link #output}. */
    private int checkStatic(TestGateway harness, String staticYaml) throws Exception {
        Path config = dir.resolve("gatehouse.yml");
        Files.writeString(config, staticYaml);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = CheckCommand.run(StaticConfigurationLoader.load(
                List.of("--configFile=" + config, "--plugins.dir=" + harness.pluginsDir()), Map.of(), dir, null),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        output = out.toString(StandardCharsets.UTF_8);
        return status;
    }

    @Test
    void aUdpRouterOnATcpEntryPointAndAnUnknownUdpServiceAreErrorsNamingTheirFile() throws Exception {
        TestGateway harness = Gateways.withDynamic(dir, "");
        harness.writeDynamic("test.yml", """
                udp:
                  routers:
                    dns:
                      entryPoints: [web]
                      service: dns
                    game:
                      entryPoints: [game]
                      service: nope
                  services:
                    dns:
                      loadBalancer:
                        servers:
                          - address: 127.0.0.1:5353
                """);
        int status = checkStatic(harness, STATIC.replace("""
                providers:""", """
                  game:
                    address: "127.0.0.1:0/udp"
                providers:"""));
        assertEquals(1, status, output);
        String file = harness.dynamicDir().resolve("test.yml").toString();
        assertTrue(output.contains("UDP router dns@file (from " + file + ":3): entry point 'web' is not a UDP entry "
                + "point"), output);
        assertTrue(output.contains("UDP router game@file (from " + file + ":6): the UDP service 'nope@file' does not "
                + "exist (known: dns@file)"), output);
    }

    @Test
    void aValidConfigurationPassesWithoutListening() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        TestGateway harness = Gateways.withDynamic(dir, "");
        int status = check(harness, """
                http:
                  routers:
                    app:
                      rule: Host(`app.local`) && PathPrefix(`/api`)
                      service: app
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:%d
                """.formatted(port));
        assertEquals(0, status, output);
        assertTrue(output.contains("the configuration is valid (1 router(s) ready to serve)"), output);
    }

    /** {@code defaultGeneratedCert} naming a resolver that does not exist is reported on its own key. */
    @Test
    void defaultGeneratedCertWithAnUnknownResolverIsReportedOnItsKey() throws Exception {
        TestGateway harness = Gateways.withDynamic(dir, "");
        check(harness, """
                tls:
                  stores:
                    default:
                      defaultGeneratedCert:
                        resolver: nope
                        domain:
                          main: example.org
                """);
        assertTrue(output.contains("tls.stores.default.defaultGeneratedCert: certificate resolver 'nope' is not "
                + "configured (known: none)"), output);
    }

    /** {@code defaultGeneratedCert} without a {@code domain.main} (here: {@code sans} only) says what it needs. */
    @Test
    void defaultGeneratedCertWithoutItsMainDomainSaysWhatItNeeds() throws Exception {
        TestGateway harness = Gateways.withDynamic(dir, "");
        check(harness, """
                tls:
                  stores:
                    default:
                      defaultGeneratedCert:
                        resolver: le
                        domain:
                          sans: [example.org]
                """);
        assertTrue(output.contains("tls.stores.default.defaultGeneratedCert"), output);
        assertTrue(output.contains("needs resolver and domain.main; the generated default certificate is served"),
                output);
    }

    /** Traefik v3 still reads these v2-era and deprecated forms; check accepts them as the gateway runs them. */
    @Test
    void traefikV3CompatibleFormsAndInternalServicesPass() throws Exception {
        TestGateway harness = Gateways.withDynamic(dir, "");
        harness.writeDynamic("test.yml", """
                http:
                  routers:
                    v2:
                      rule: Host(`a.example`, `b.example`) && PathPrefix(`/{v:v[0-9]+}/`)
                      ruleSyntax: v2
                      middlewares: [old-allow, old-headers]
                      service: app
                      observability:
                        accessLogs: false
                        metrics: false
                        tracing: false
                    ping:
                      rule: Path(`/ping`)
                      service: ping@internal
                    metrics:
                      rule: Path(`/metrics`)
                      service: prometheus@internal
                    redirect:
                      rule: Host(`old.example`)
                      middlewares: [to-https]
                      service: noop@internal
                  middlewares:
                    old-allow:
                      ipWhiteList:
                        sourceRange: [10.0.0.0/8]
                    old-headers:
                      headers:
                        sslRedirect: true
                        featurePolicy: "camera 'none'"
                    to-https:
                      redirectScheme:
                        scheme: https
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:1
                """);
        int status = checkStatic(harness, STATIC + """
                ping:
                  manualRouting: true
                metrics:
                  prometheus:
                    manualRouting: true
                """);
        assertEquals(0, status, output);
        assertTrue(output.contains("the configuration is valid (4 router(s) ready to serve)"), output);
    }

    @Test
    void everyErrorIsPrintedWithFileElementAndReason() throws Exception {
        TestGateway harness = Gateways.withDynamic(dir, "");
        harness.writeDynamic("broken.yml", "http:\n  routers:\n    x: [unclosed\n");
        int status = check(harness, """
                http:
                  routers:
                    badRule:
                      rule: Host(`a`) &&
                      service: app
                    missingService:
                      rule: Host(`b`)
                      service: nowhere
                    typo:
                      rule: Host(`c`)
                      servce: app
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:1
                """);
        assertEquals(1, status, output);
        Path file = dir.resolve("dynamic").resolve("test.yml");
        assertTrue(output.contains("gatehouse check: 4 errors:"), output);
        // file:line of the element, as static errors name theirs
        assertTrue(output.contains("router badRule@file (from " + file + ":3): rule Host(`a`) && is invalid at position 13"), output);
        assertTrue(output.contains("router missingService@file (from " + file + ":6): service 'nowhere@file' does not exist"), output);
        assertTrue(output.contains("router typo@file (from " + file + "): line 11: unknown key 'http.routers.typo.servce'"),
                output);
        assertTrue(output.contains("did you mean 'service'?"), output);
        assertTrue(output.contains("broken.yml") && output.contains("line"), output);
    }

    /**
     * The routers are counted as the gateway logs them once it applies the configuration: a router that could not be
     * read (a mistyped key) among the disabled, the gateway's own routers (here the demo's) not at all.
     */
    @Test
    void routersAreCountedAsTheGatewayLogsThemTypoedOnesAsDisabled() throws Exception {
        TestGateway harness = Gateways.withDynamic(dir, "");
        harness.writeDynamic("test.yml", """
                http:
                  routers:
                    good:
                      rule: Host(`a`)
                      service: app
                    typo:
                      rule: Host(`c`)
                      servce: app
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:1
                """);
        int status = checkStatic(harness, STATIC + "demo: {}\n");
        assertEquals(1, status, output);
        assertTrue(output.contains("gatehouse check: 1 router(s) enabled (0 with warnings), 1 disabled"), output);
    }

    /** The malformed forms of the dynamic keys Traefik v3.1 to v3.7 added, each named on its element and key. */
    @Test
    void malformedNewerDynamicKeysAreNamedOnTheirElement() throws Exception {
        TestGateway harness = Gateways.withDynamic(dir, "");
        int status = check(harness, """
                http:
                  routers:
                    oldRules:
                      rule: Host(`a`)
                      ruleSyntax: v4
                      service: app
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:1
                    guarded:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:1
                      middlewares: [nowhere]
                    byStatus:
                      failover:
                        service: app
                        fallback: app
                        errors:
                          status: ["5xx"]
                    bigBody:
                      failover:
                        service: app
                        fallback: app
                        errors:
                          status: ["500"]
                          maxRequestBodyBytes: big
                    byIp:
                      highestRandomWeight:
                        services:
                          - name: app
                            weight: -1
                    oldTls:
                      loadBalancer:
                        serversTransport: oldTls
                        servers:
                          - url: https://127.0.0.1:1
                    oddSuite:
                      loadBalancer:
                        serversTransport: oddSuite
                        servers:
                          - url: https://127.0.0.1:1
                  serversTransports:
                    oldTls:
                      minVersion: TLS1.2
                    oddSuite:
                      cipherSuites: [TLS_NOPE]
                    unused:
                      maxVersion: VersionTLS99
                tls:
                  options:
                    tickets:
                      disableSessionTickets: maybe
                """);
        assertEquals(1, status, output);
        assertTrue(output.contains("router oldRules@file (from ") && output.contains("ruleSyntax 'v4' is unknown"), output);
        assertTrue(output.contains("service guarded@file (from ") && output.contains("middleware 'nowhere@file' does not "
                + "exist"), output);
        assertTrue(output.contains("'failover.errors.status': '5xx' is not a status code"), output);
        assertTrue(output.contains("line 29: invalid number 'big' for 'http.services.bigBody.failover.errors"
                + ".maxRequestBodyBytes'"), output);
        assertTrue(output.contains("highestRandomWeight.services[0].weight must not be negative"), output);
        assertTrue(output.contains("serversTransport oldTls@file (from ") && output.contains("minVersion: 'TLS1.2' is not "
                + "one of [VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13]"), output);
        assertTrue(output.contains("serversTransport oddSuite@file (from ") && output.contains("cipherSuites: 'TLS_NOPE'"),
                output);
        assertTrue(output.contains("invalid boolean 'maybe' for 'tls.options.tickets.disableSessionTickets'"), output);
        assertTrue(output.contains("serversTransport unused@file (from ") && output.contains("maxVersion: 'VersionTLS99' "
                + "is not one of"), "a transport no service uses is checked too, as Traefik builds every one: " + output);
    }

    @Test
    void staticErrorsAreReportedToo() throws Exception {
        int status = checkStatic(Gateways.withDynamic(dir, ""), """
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                    http:
                      redirections:
                        entryPoint:
                          to: nowhere
                """);
        assertEquals(1, status, output);
        assertTrue(output.contains("entry point 'nowhere' does not exist"), output);
    }

    @Test
    void anUnreadableStaticRootCaIsNamedWithTheFolderItWasLookedFor() throws Exception {
        int status = checkStatic(Gateways.withDynamic(dir, ""), STATIC + """
                serversTransport:
                  rootCAs: [certs/missing-ca.pem]
                """);
        assertEquals(1, status, output);
        assertTrue(output.contains("serversTransport.rootCAs: cannot read '" + dir.resolve("certs/missing-ca.pem") + "': no such file"),
                output);
    }

    @Test
    void unknownProviderIsAnError() throws Exception {
        int status = checkStatic(Gateways.withDynamic(dir, ""), STATIC.replace("file:", "fiel:"));
        assertEquals(1, status, output);
        assertTrue(output.contains("unknown key 'providers.fiel': no plugin provides the provider 'fiel' (known: ") && output.contains("file"), output);
    }

    @Test
    void servicesWithHealthChecksPassAsTheGatewayAcceptsThem() throws Exception {
        // check starts no probes, but builds (and so validates) the health checks as the gateway does
        int status = check(Gateways.withDynamic(dir, ""), """
                http:
                  routers:
                    app:
                      rule: Host(`app.local`)
                      service: app
                    broken:
                      rule: Host(`broken.local`)
                      service: broken
                  services:
                    app:
                      loadBalancer:
                        healthCheck:
                          path: /health
                          interval: 10s
                        servers:
                          - url: http://127.0.0.1:1
                    broken:
                      loadBalancer:
                        healthCheck:
                          scheme: gopher
                          path: /health
                        servers:
                          - url: http://127.0.0.1:1
                """);
        assertEquals(1, status, output);
        assertTrue(output.contains("gatehouse check: 2 errors:"), output);
        assertTrue(output.contains("service broken@file") && output.contains("healthCheck.scheme must be http or https"),
                output);
        assertTrue(output.contains("router broken@file"), output);
        assertTrue(!output.contains("app@file") && !output.contains("scheduler"), output);
    }

    @Test
    void aConfigurationWithoutEntryPointsGetsTraefiksDefaultOne() throws Exception {
        TestGateway harness = Gateways.withDynamic(dir, "");
        harness.writeDynamic("test.yml", """
                http:
                  routers:
                    app:
                      rule: Host(`app.local`)
                      entryPoints: [http]
                      service: app
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:1
                """);
        int status = checkStatic(harness, "providers:\n  file:\n    directory: dynamic\n");
        assertEquals(0, status, output);
        assertTrue(output.contains("the configuration is valid (1 router(s) ready to serve)"), output);
    }

    @Test
    void providersPrecedenceIsTraefiksKeyNotAProvider() throws Exception {
        // Traefik 3.7's providers.precedence; it must not read as a provider of that name
        int status = checkStatic(Gateways.withDynamic(dir, ""), STATIC + "  precedence: [File, docker]\n");
        assertEquals(0, status, output);
        status = checkStatic(Gateways.withDynamic(dir, ""), STATIC + "  precedence: [file, nosuch]\n");
        assertEquals(1, status, output);
        assertTrue(output.contains("providers.precedence: 'nosuch' is not a provider name (known: kubernetesgateway, "),
                output);
    }

    @Test
    void aKeyUnderProvidersThatIsNoProviderIsAnUnknownKey() throws Exception {
        int status = checkStatic(Gateways.withDynamic(dir, ""), STATIC + "  precedense: [file, docker]\n");
        assertEquals(1, status, output);
        assertTrue(output.contains("gatehouse check: 1 error:"), output);
        assertTrue(output.contains("unknown key 'providers.precedense'"), output);
        assertTrue(!output.contains("invalid value"), output);
    }

    @Test
    void aProviderGivenSomethingElseThanASwitchOrASectionIsAnInvalidValue() throws Exception {
        int status = checkStatic(Gateways.withDynamic(dir, ""), STATIC.replace("file:\n    directory: dynamic",
                "file: [dynamic]"));
        assertEquals(1, status, output);
        assertTrue(output.contains("providers.file: invalid value '[\"dynamic\"]' (expected true, false or a section of options)"),
                output);
    }

    @Test
    void aRouterKeyWithAListValueInTomlIsNamedItself() throws Exception {
        TestGateway harness = Gateways.withDynamic(dir, "");
        harness.writeDynamic("test.yml", "{}\n");
        harness.writeDynamic("routers.toml", """
                [http.routers.app]
                rule = "Host(`app.local`)"
                service = "app"
                entrypoint = ["web"]
                [http.routers.app.tls]
                [http.services.app.loadBalancer]
                [[http.services.app.loadBalancer.servers]]
                url = "http://127.0.0.1:1"
                """);
        int status = checkStatic(harness, STATIC);
        assertEquals(1, status, output);
        assertTrue(output.contains("unknown key 'http.routers.app.entrypoint'"), output);
        assertTrue(output.contains("did you mean 'entryPoints'?"), output);
        assertTrue(!output.contains("[0]") && !output.contains("[1]") && !output.contains("[2]"), output);
    }

    @Test
    void matcherNamesInTraefiksOtherSpellingsPass() throws Exception {
        int status = check(Gateways.withDynamic(dir, ""), """
                http:
                  routers:
                    lower:
                      rule: host(`a.local`) && pathprefix(`/a`)
                      service: app
                    upper:
                      rule: HOST(`b.local`) || PATH(`/b`)
                      service: app
                    capitalised:
                      rule: Host(`c.local`) && Pathprefix(`/c`) && Hostregexp(`^c`)
                      service: app
                    mixed:
                      rule: pathPrefix(`/d`)
                      service: app
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:1
                """);
        assertEquals(1, status, output);
        assertTrue(output.contains("gatehouse check: 1 error:"), output);
        assertTrue(output.contains("router mixed@file") && output.contains("unknown matcher 'pathPrefix' (did you mean PathPrefix?)"),
                output);
    }

    @Test
    void subSectionsSwitchedOnWithTrueAsDockerLabelsWriteThemPass() throws Exception {
        // The trees the Docker provider makes of ...ipallowlist.ipstrategy=true, ...loadbalancer.sticky=true and
        // ...loadbalancer.sticky.cookie=true: every label value is a string
        int status = check(Gateways.withDynamic(dir, ""), """
                http:
                  routers:
                    r1:
                      rule: Host(`one.local`)
                      middlewares: allow
                      service: s1
                    r2:
                      rule: Host(`two.local`)
                      service: s2
                  middlewares:
                    allow:
                      ipallowlist:
                        sourcerange: "127.0.0.1/32"
                        ipstrategy: "true"
                  services:
                    s1:
                      loadbalancer:
                        sticky: "true"
                        servers:
                          - url: http://127.0.0.1:1
                    s2:
                      loadbalancer:
                        sticky:
                          cookie: "true"
                        servers:
                          - url: http://127.0.0.1:1
                """);
        assertEquals(0, status, output);
        assertTrue(output.contains("the configuration is valid (2 router(s) ready to serve)"), output);
    }

    @Test
    void healthcheckAsksTheRunningGatewaysPing() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        String staticYaml = """
                entryPoints:
                  web:
                    address: "127.0.0.1:%d"
                ping:
                  entryPoint: web
                """.formatted(port);
        Path config = dir.resolve("health.yml");
        Files.writeString(config, staticYaml);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertEquals(1, HealthcheckCommand.run(StaticConfigurationLoader.load(List.of("--configFile=" + config), Map.of(), dir, null),
                print), "nothing runs yet");
        try (TestGateway gateway = Gateways.withDynamic(dir, "").staticConfig(staticYaml).start()) {
            assertEquals(0, HealthcheckCommand.run(StaticConfigurationLoader.load(List.of("--configFile=" + config), Map.of(), dir,
                    null), print), out.toString(StandardCharsets.UTF_8));
        }
    }
}
