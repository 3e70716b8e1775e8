package dev.gatehouse.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.core.proxy.UpstreamSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StaticConfigurationLoaderTest {

    private static final String YAML = """
            entryPoints:
              web:
                address: ":80"
                forwardedHeaders:
                  trustedIPs: ["127.0.0.1", "10.0.0.0/8"]
                http:
                  sanitizePath: false
              websecure:
                address: "[::1]:443"
                asDefault: true
                transport:
                  lifeCycle:
                    graceTimeOut: 1m30s
                    requestAcceptGraceTimeout: 5
            providers:
              providersThrottleDuration: 500ms
              file:
                directory: dynamic
                watch: true
              docker: {}
            ping:
              entryPoint: web
            log:
              level: debug
              format: json
            plugins:
              dir: my-plugins
            serversTransport:
              maxIdleConnsPerHost: 10
              forwardingTimeouts:
                dialTimeout: 5s
            """;

    private static final String TOML = """
            [entryPoints.web]
            address = ":80"
            [entryPoints.web.forwardedHeaders]
            trustedIPs = ["127.0.0.1", "10.0.0.0/8"]
            [entryPoints.web.http]
            sanitizePath = false
            [entryPoints.websecure]
            address = "[::1]:443"
            asDefault = true
            [entryPoints.websecure.transport.lifeCycle]
            graceTimeOut = "1m30s"
            requestAcceptGraceTimeout = 5
            [providers]
            providersThrottleDuration = "500ms"
            [providers.file]
            directory = "dynamic"
            watch = true
            [providers.docker]
            [ping]
            entryPoint = "web"
            [log]
            level = "debug"
            format = "json"
            [plugins]
            dir = "my-plugins"
            [serversTransport]
            maxIdleConnsPerHost = 10
            [serversTransport.forwardingTimeouts]
            dialTimeout = "5s"
            """;

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return file;
    }

    private LoadedConfiguration load(List<String> args, Map<String, String> env) throws ConfigurationException {
        return StaticConfigurationLoader.load(args, env, dir, null);
    }

    private ConfigurationException fails(List<String> args, Map<String, String> env) {
        return assertThrows(ConfigurationException.class, () -> load(args, env));
    }

    private static void assertMentions(ConfigurationException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "expected '" + part + "' in:\n" + e.getMessage());
        }
    }

    @Test
    void yamlFileBindsEveryKey() throws Exception {
        write("gatehouse.yml", YAML);
        LoadedConfiguration loaded = load(List.of(), Map.of());
        StaticConfiguration c = loaded.configuration();

        assertEquals(dir.resolve("gatehouse.yml"), loaded.configFile());
        assertEquals(List.of("web", "websecure"), List.copyOf(c.entryPoints().keySet()));
        EntryPointConfig web = c.entryPoints().get("web");
        assertEquals(new ListenAddress(null, 80), web.listenAddress("web"));
        assertEquals(List.of("127.0.0.1", "10.0.0.0/8"), web.forwardedHeadersOrDefault().trustedIPs());
        assertTrue(c.entryPoints().get("websecure").asDefaultOrDefault());
        assertEquals(false, web.httpOrDefault().sanitizePathOrDefault());
        assertTrue(c.entryPoints().get("websecure").httpOrDefault().sanitizePathOrDefault(), "Traefik's default");
        LifeCycleConfig life = c.entryPoints().get("websecure").transportOrDefault().lifeCycleOrDefault();
        assertEquals(Duration.ofSeconds(90), life.graceTimeOutOrDefault());
        assertEquals(Duration.ofSeconds(5), life.requestAcceptGraceTimeoutOrDefault());
        assertEquals(Duration.ofMillis(500), c.providers().providersThrottleDurationOrDefault());
        assertEquals(List.of("file", "docker"), List.copyOf(c.providers().providers().keySet()));
        assertEquals("dynamic", c.providers().provider("file").get("directory").asText());
        assertEquals("web", c.ping().entryPointOrDefault());
        assertEquals("DEBUG", c.log().levelOrDefault());
        assertEquals("json", c.log().formatOrDefault());
        assertEquals(dir.resolve("my-plugins"), loaded.pluginsDirectory());
        assertEquals(10, UpstreamSettings.of(c.serversTransport()).maxIdleConnsPerHost());
        assertEquals(Duration.ofSeconds(5), UpstreamSettings.of(c.serversTransport()).dialTimeout());
        assertNull(c.demo());
    }

    @Test
    void tomlFileGivesTheSameConfigurationAsYaml() throws Exception {
        Path yaml = write("a/gatehouse.yml", YAML);
        Path toml = write("b/gatehouse.toml", TOML);
        StaticConfiguration fromYaml = load(List.of("--configFile=" + yaml), Map.of()).configuration();
        StaticConfiguration fromToml = load(List.of("--configfile=" + toml), Map.of()).configuration();
        assertEquals(fromYaml, fromToml);
    }

    @Test
    void flagOverridesOneKeyOfTheFileAndKeepsTheRest() throws Exception {
        write("gatehouse.yml", YAML);
        StaticConfiguration c = load(List.of("--entrypoints.web.address=:8080", "--LOG.LEVEL=warn"), Map.of())
                .configuration();
        assertEquals(":8080", c.entryPoints().get("web").address());
        assertEquals(List.of("127.0.0.1", "10.0.0.0/8"), c.entryPoints().get("web").forwardedHeadersOrDefault().trustedIPs());
        assertEquals("WARN", c.log().levelOrDefault());
        assertEquals("json", c.log().formatOrDefault());
    }

    @Test
    void flagBeatsEnvironmentWhichBeatsFile() throws Exception {
        write("gatehouse.yml", YAML);
        StaticConfiguration c = load(List.of("--log.level=error"),
                Map.of("GATEHOUSE_LOG_LEVEL", "trace", "GATEHOUSE_LOG_FORMAT", "text")).configuration();
        assertEquals("ERROR", c.log().levelOrDefault());
        assertEquals("text", c.log().formatOrDefault());
    }

    @Test
    void staticServersTransportTlsOptionsBindFromFlagsAsTraefiks() throws Exception {
        StaticConfiguration c = load(List.of("--serversTransport.insecureSkipVerify=true",
                "--serversTransport.rootCAs=ca.pem,/etc/ssl/other.pem"), Map.of()).configuration();
        assertEquals(true, c.serversTransportOrDefault().insecureSkipVerify());
        assertEquals(List.of("ca.pem", "/etc/ssl/other.pem"), c.serversTransportOrDefault().rootCAs());
    }

    @Test
    void environmentVariablesBindWithCoercion() throws Exception {
        StaticConfiguration c = load(List.of(), Map.of(
                "GATEHOUSE_ENTRYPOINTS_WEB_ADDRESS", ":8080",
                "TRAEFIK_ENTRYPOINTS_WEB_FORWARDEDHEADERS_TRUSTEDIPS", "127.0.0.1, 10.0.0.0/8",
                "TRAEFIK_ENTRYPOINTS_WEB_FORWARDEDHEADERS_INSECURE", "true",
                "GATEHOUSE_SERVERSTRANSPORT_MAXIDLECONNSPERHOST", "7",
                "GATEHOUSE_PROVIDERS_PROVIDERSTHROTTLEDURATION", "10",
                "GATEHOUSE_HOME", "/opt/gatehouse",
                "GATEHOUSE_OPTS", "-Xmx64m",
                "PATH", "/usr/bin")).configuration();
        EntryPointConfig web = c.entryPoints().get("web");
        assertEquals(":8080", web.address());
        assertEquals(List.of("127.0.0.1", "10.0.0.0/8"), web.forwardedHeadersOrDefault().trustedIPs());
        assertTrue(web.forwardedHeadersOrDefault().insecureOrDefault());
        assertEquals(7, UpstreamSettings.of(c.serversTransportOrDefault()).maxIdleConnsPerHost());
        assertEquals(Duration.ofSeconds(10), c.providersOrDefault().providersThrottleDurationOrDefault());
    }

    @Test
    void gatehouseVariableBeatsTraefikVariable() throws Exception {
        StaticConfiguration c = load(List.of(), Map.of(
                "TRAEFIK_ENTRYPOINTS_WEB_ADDRESS", ":1", "GATEHOUSE_ENTRYPOINTS_WEB_ADDRESS", ":2")).configuration();
        assertEquals(":2", c.entryPoints().get("web").address());
    }

    @Test
    void commaSeparatedFlagBindsToAList() throws Exception {
        StaticConfiguration c = load(List.of("--entryPoints.web.address=:80",
                "--entryPoints.web.forwardedHeaders.trustedIPs=127.0.0.1,10.0.0.0/8"), Map.of()).configuration();
        assertEquals(List.of("127.0.0.1", "10.0.0.0/8"), c.entryPoints().get("web").forwardedHeadersOrDefault().trustedIPs());
    }

    @Test
    void unknownKeyInYamlNamesFileLineKeyAndKnownKeys() throws Exception {
        write("conf/gatehouse.yml", """
                log:
                  level: INFO
                entryPoints:
                  web:
                    adress: ":80"
                """);
        ConfigurationException e = fails(List.of("--configFile=conf/gatehouse.yml"), Map.of());
        assertMentions(e, "conf/gatehouse.yml:5: unknown key 'entryPoints.web.adress'",
                "(known keys here: address, asDefault, forwardedHeaders, http, http2, observability, proxyProtocol, reusePort, transport, udp)");
    }

    @Test
    void unknownKeyInTomlNamesFileAndKey() throws Exception {
        write("gatehouse.toml", """
                [entryPoints.web]
                adress = ":80"
                """);
        ConfigurationException e = fails(List.of(), Map.of());
        assertMentions(e, "gatehouse.toml", "unknown key 'entryPoints.web.adress'", "known keys here: address");
    }

    @Test
    void unknownKeyFromFlagNamesTheFlag() {
        ConfigurationException e = fails(List.of("--entryPoints.web.adress=:80"), Map.of());
        assertMentions(e, "flag --entryPoints.web.adress=:80: unknown key 'entryPoints.web.adress'",
                "known keys here: address, asDefault, forwardedHeaders, http, http2, observability, proxyProtocol, reusePort, transport");
    }

    @Test
    void unknownKeyFromEnvironmentNamesTheVariable() {
        ConfigurationException e = fails(List.of(), Map.of("GATEHOUSE_ENTRYPOINTS_WEB_ADRESS", ":80"));
        assertMentions(e, "environment variable GATEHOUSE_ENTRYPOINTS_WEB_ADRESS: unknown key 'entrypoints.web.adress'",
                "known keys here: address, asDefault, forwardedHeaders, http, http2, observability, proxyProtocol, reusePort, transport");
    }

    @Test
    void unsupportedTopLevelKeyIsReportedByName() {
        ConfigurationException e = fails(List.of("--spiffe.workloadAPIAddr=unix:///run/agent.sock"), Map.of());
        assertMentions(e, "flag --spiffe.workloadAPIAddr=unix:///run/agent.sock: unknown key 'spiffe'", "entryPoints",
                "providers");
    }

    @Test
    void badDurationFromFlagIsExplained() {
        ConfigurationException e = fails(List.of("--providers.providersThrottleDuration=abc"), Map.of());
        assertMentions(e, "flag --providers.providersThrottleDuration=abc: invalid duration 'abc' "
                + "(expected e.g. 2s, 500ms, 1m30s)");
    }

    @Test
    void badNumberAndBooleanAreExplained() {
        ConfigurationException e = fails(List.of("--serversTransport.maxIdleConnsPerHost=lots",
                "--entryPoints.web.address=:80", "--entryPoints.web.asDefault=maybe"), Map.of());
        assertMentions(e, "flag --serversTransport.maxIdleConnsPerHost=lots: invalid number 'lots'",
                "flag --entryPoints.web.asDefault=maybe: invalid boolean 'maybe'");
    }

    @Test
    void badLogLevelNamesTheValueAndItsSource() throws Exception {
        write("gatehouse.yml", "log:\n  level: verbose\n");
        ConfigurationException e = fails(List.of(), Map.of());
        assertMentions(e, "gatehouse.yml:2: invalid log level 'VERBOSE'", "TRACE, DEBUG, INFO, WARN or ERROR");
        ConfigurationException fromEnv = fails(List.of(), Map.of("GATEHOUSE_LOG_LEVEL", "verbose",
                "GATEHOUSE_LOG_FORMAT", "xml"));
        assertMentions(fromEnv, "environment variable GATEHOUSE_LOG_LEVEL: invalid log level 'VERBOSE'");
    }

    @Test
    void logRotationKeysAreReadAndANegativeOneIsNamed() throws Exception {
        write("gatehouse.yml", "log:\n  filePath: g.log\n  maxSize: 10\n  maxAge: 7\n  maxBackups: 3\n  compress: true\n");
        LogConfig log = load(List.of(), Map.of()).configuration().logOrDefault();
        assertEquals(List.of(10, 7, 3), List.of(log.maxSizeOrDefault(), log.maxAgeOrDefault(), log.maxBackupsOrDefault()));
        write("gatehouse.yml", "log:\n  maxBackups: -1\n");
        assertMentions(fails(List.of(), Map.of()), "gatehouse.yml:2", "maxBackups", "0 (no limit) or a positive number");
    }

    @Test
    void trustedPeerListsAreCheckedWhereTheyWereSet() throws Exception {
        write("gatehouse.yml", """
                entryPoints:
                  web:
                    address: ":80"
                    forwardedHeaders:
                      trustedIPs: ["10.0.0.0/8", "proxy.example.com"]
                    proxyProtocol:
                      trustedIPs: ["10.0.0.300"]
                  lb:
                    address: ":81"
                    proxyProtocol: {}
                """);
        assertMentions(fails(List.of(), Map.of()),
                "gatehouse.yml:5: entryPoints.web.forwardedHeaders.trustedIPs: 'proxy.example.com' is not an IP address",
                "gatehouse.yml:7: entryPoints.web.proxyProtocol.trustedIPs: '10.0.0.300' is not an IP address",
                "gatehouse.yml:10: entryPoints.lb.proxyProtocol: set trustedIPs");
        Files.delete(dir.resolve("gatehouse.yml"));
        assertMentions(fails(List.of("--entryPoints.web.address=:80", "--entryPoints.web.proxyProtocol=true"), Map.of()),
                "flag --entryPoints.web.proxyProtocol=true: entryPoints.web.proxyProtocol: set trustedIPs");
        assertEquals(List.of("10.0.0.1"), load(List.of("--entryPoints.web.address=:80",
                "--entryPoints.web.proxyProtocol.trustedIPs=10.0.0.1"), Map.of()).configuration().entryPoints()
                .get("web").proxyProtocol().trustedIPs());
    }

    @Test
    void logRotationKeysOfTheWrongTypeAreNamed() throws Exception {
        write("gatehouse.yml", "log:\n  filePath: g.log\n  maxSize: 10MB\n  maxAge: -1\n");
        assertMentions(fails(List.of(), Map.of()), "gatehouse.yml:3: invalid number '10MB' for 'log.maxSize'",
                "gatehouse.yml:4: log.maxAge must be 0 (no limit) or a positive number of days");
        assertMentions(fails(List.of("--log.maxSize=-5"), Map.of()), "flag --log.maxSize=-5: log.maxSize must be 0");
    }

    @Test
    void aPrometheusHeaderLabelWithoutAHeaderIsNamed() {
        assertMentions(fails(List.of("--metrics.prometheus.headerLabels.ua="), Map.of()),
                "flag --metrics.prometheus.headerLabels.ua=: metrics.prometheus.headerLabels.ua: name the request header");
    }

    @Test
    void traefikLocalPluginsAreRefusedWithTheWayOut() throws Exception {
        write("gatehouse.yml", """
                experimental:
                  localPlugins:
                    example:
                      moduleName: github.com/traefik/plugindemo
                """);
        assertMentions(fails(List.of(), Map.of()), "gatehouse.yml:2: Traefik plugins (Yaegi Go source or WASM) cannot "
                + "run in Gatehouse; remove 'experimental.localPlugins'", "docs/plugins.md");
    }

    @Test
    void anUnknownDefaultRuleSyntaxIsNamedWithItsFlag() {
        assertMentions(fails(List.of("--core.defaultRuleSyntax=v9"), Map.of()),
                "flag --core.defaultRuleSyntax=v9: core.defaultRuleSyntax: unsupported default rule syntax 'v9' (expected v3 or v2)");
    }

    @Test
    void apiBasePathMustBeAPlainAbsolutePathAsInTraefik() throws Exception {
        assertEquals("/k8s/clusters/c-abcd0/proxy/http:traefik:8080/~user", load(List.of(
                "--api.basePath=/k8s/clusters/c-abcd0/proxy/http:traefik:8080/~user"), Map.of())
                .configuration().api().basePath());
        for (String bad : List.of("api/path", "/api?foo=bar", "/api%2Ftoto", "/path/<evil>", "/api/\"></script>")) {
            assertMentions(fails(List.of("--api.basePath=" + bad), Map.of()), "basePath", "not an absolute URL path");
        }
    }

    @Test
    void prometheusHeaderLabelsNeedLabelNamesThatAreNotTaken() throws Exception {
        assertEquals(Map.of("useragent", "User-Agent"), load(List.of("--metrics.prometheus.headerLabels.useragent=User-Agent"),
                Map.of()).configuration().metrics().prometheus().headerLabels());
        assertMentions(fails(List.of("--metrics.prometheus.headerLabels.user-agent=User-Agent"), Map.of()),
                "'user-agent' is not a Prometheus label name");
        assertMentions(fails(List.of("--metrics.prometheus.headerLabels.method=X-Method"), Map.of()),
                "'method' is already a label of the request metrics", "choose another name");
    }

    @Test
    void tlsEngineTakesItsThreeValuesInAnyCaseAndNamesABadOne() throws Exception {
        assertEquals("auto", load(List.of(), Map.of()).configuration().tlsEngineOrDefault());
        assertEquals("jdk", load(List.of("--tlsEngine=JDK"), Map.of()).configuration().tlsEngine());
        assertEquals("conscrypt", load(List.of(), Map.of("GATEHOUSE_TLSENGINE", "Conscrypt")).configuration().tlsEngine());
        write("gatehouse.yml", "tlsEngine: openssl\n");
        assertMentions(fails(List.of(), Map.of()), "gatehouse.yml:1: invalid TLS engine 'openssl'", "auto, jdk or conscrypt");
    }

    @Test
    void reportsProblemsFromEverySourceAtOnce() throws Exception {
        write("gatehouse.yml", "entryPoints:\n  web:\n    address: \":80\"\n    adress: x\n");
        ConfigurationException e = fails(List.of("--lg.level=INFO"), Map.of("GATEHOUSE_PINGG", "true"));
        assertEquals(3, e.problems().size(), e.getMessage());
        assertMentions(e, "gatehouse.yml:4", "environment variable GATEHOUSE_PINGG", "flag --lg.level=INFO");
    }

    @Test
    void aValueThatCannotBeBoundDoesNotHideTheOtherProblems() throws Exception {
        write("gatehouse.yml", "log:\n  level: verbose\n  format: xml\nentryPoints:\n  web:\n    address: \":80\"\n"
                + "    adress: x\n");
        ConfigurationException e = fails(List.of("--foo=1"), Map.of());
        assertEquals(4, e.problems().size(), e.getMessage());
        assertMentions(e, "gatehouse.yml:2: invalid log level 'VERBOSE'", "gatehouse.yml:3", "xml",
                "gatehouse.yml:7", "adress", "flag --foo=1");
    }

    @Test
    void yamlSyntaxErrorNamesFileAndLine() throws Exception {
        write("gatehouse.yml", "log:\n  level: INFO\n  - broken\n");
        ConfigurationException e = fails(List.of(), Map.of());
        assertMentions(e, "gatehouse.yml:3: syntax error");
    }

    @Test
    void tomlSyntaxErrorNamesFile() throws Exception {
        write("gatehouse.toml", "[log\nlevel = \"INFO\"\n");
        ConfigurationException e = fails(List.of(), Map.of());
        assertMentions(e, "gatehouse.toml", "syntax error");
    }

    @Test
    void missingConfigFileIsAnErrorNamingThePath() {
        ConfigurationException e = fails(List.of("--configFile=nowhere/gatehouse.yml"), Map.of());
        assertMentions(e, "configuration file not found", dir.resolve("nowhere/gatehouse.yml").toString());
        ConfigurationException fromEnv = fails(List.of(), Map.of("TRAEFIK_CONFIGFILE", "/no/traefik.toml"));
        assertMentions(fromEnv, "/no/traefik.toml");
    }

    @Test
    void unknownFileExtensionIsAnErrorNamingTheFile() throws Exception {
        write("gatehouse.json", "{}");
        ConfigurationException e = fails(List.of(), Map.of("GATEHOUSE_CONFIGFILE", "gatehouse.json"));
        assertMentions(e, "gatehouse.json", "unknown configuration file format");
    }

    @Test
    void embeddedDefaultIsNotMixedIntoFlagsOrEnvironment() throws Exception {
        StaticConfiguration c = load(List.of("--entryPoints.websecure.address=:443"), Map.of()).configuration();
        assertEquals(List.of("websecure"), List.copyOf(c.entryPoints().keySet()));
        assertNull(c.ping());
        assertNull(c.demo());
    }

    @Test
    void udpEntryPointsTakeTheirTimeoutFromTheFileOrFlagsWithTraefiksDefault() throws Exception {
        write("gatehouse.yml", """
                entryPoints:
                  dns:
                    address: ":53/udp"
                  game:
                    address: "[::1]:27015/udp"
                    udp:
                      timeout: 10s
                      maxSessions: 100
                """);
        StaticConfiguration c = load(List.of("--entryPoints.dns.udp.timeout=5s"), Map.of()).configuration();
        assertEquals(new ListenAddress(null, 53, true), c.entryPoints().get("dns").listenAddress("dns"));
        assertEquals(java.time.Duration.ofSeconds(5), c.entryPoints().get("dns").udpOrDefault().timeoutOrDefault());
        assertEquals(EntryPointUdpConfig.DEFAULT_MAX_SESSIONS, c.entryPoints().get("dns").udpOrDefault().maxSessionsOrDefault());
        assertEquals(new ListenAddress("::1", 27015, true), c.entryPoints().get("game").listenAddress("game"));
        assertEquals(java.time.Duration.ofSeconds(10), c.entryPoints().get("game").udpOrDefault().timeoutOrDefault());
        assertEquals(100, c.entryPoints().get("game").udpOrDefault().maxSessionsOrDefault());
        assertEquals(java.time.Duration.ofSeconds(3), new EntryPointUdpConfig(null, null).timeoutOrDefault());
    }

    @Test
    void aUdpTimeoutOfZeroIsRefusedNamingTheKey() throws Exception {
        write("gatehouse.yml", """
                entryPoints:
                  dns:
                    address: ":53/udp"
                    udp:
                      timeout: 0s
                """);
        ConfigurationException e = fails(List.of(), Map.of());
        assertMentions(e, "entryPoints.dns.udp.timeout", "greater than zero");
    }

    @Test
    void embeddedDefaultLoadsWhenNoFileIsFound() throws Exception {
        LoadedConfiguration loaded = load(List.of(), Map.of());
        StaticConfiguration c = loaded.configuration();
        assertNull(loaded.configFile());
        assertEquals(dir.toAbsolutePath().normalize(), loaded.baseDirectory());
        assertEquals(new ListenAddress(null, 8000), c.entryPoints().get("web").listenAddress("web"));
        assertEquals("web", c.ping().entryPointOrDefault());
        assertNotNull(c.demo());
        assertEquals("INFO", c.logOrDefault().levelOrDefault());
    }

    @Test
    void fileInHomeConfIsFoundAfterTheWorkingDirectory() throws Exception {
        Path home = dir.resolve("home");
        write("home/conf/gatehouse.toml", "[entryPoints.web]\naddress = \":81\"\n");
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        LoadedConfiguration loaded = StaticConfigurationLoader.load(List.of(), Map.of(), cwd, home);
        assertEquals(home.resolve("conf/gatehouse.toml"), loaded.configFile());
        assertEquals(home.resolve("conf"), loaded.baseDirectory());
        assertEquals(home.resolve("conf/certs/a.pem"), loaded.resolve("certs/a.pem"));
        assertEquals(Path.of("/etc/a.pem"), loaded.resolve("/etc/a.pem"));
        assertEquals(home.resolve("plugins"), loaded.pluginsDirectory());

        Files.writeString(cwd.resolve("gatehouse.yml"), "entryPoints: {web: {address: ':82'}}\n");
        assertEquals(cwd.resolve("gatehouse.yml"),
                StaticConfigurationLoader.load(List.of(), Map.of(), cwd, home).configFile());
    }

    @Test
    void defaultsApplyWhenKeysAreAbsent() throws Exception {
        write("gatehouse.yml", "entryPoints:\n  web:\n    address: ':80'\n");
        StaticConfiguration c = load(List.of(), Map.of()).configuration();
        assertNull(c.ping());
        assertNull(c.demo());
        assertEquals(Duration.ofSeconds(2), c.providersOrDefault().providersThrottleDurationOrDefault());
        assertEquals("INFO", c.logOrDefault().levelOrDefault());
        assertEquals("text", c.logOrDefault().formatOrDefault());
        EntryPointConfig web = c.entryPoints().get("web");
        assertEquals(Duration.ofSeconds(10), web.transportOrDefault().lifeCycleOrDefault().graceTimeOutOrDefault());
        assertEquals(Duration.ZERO, web.transportOrDefault().lifeCycleOrDefault().requestAcceptGraceTimeoutOrDefault());
        assertEquals(List.of(), web.forwardedHeadersOrDefault().trustedIPs());
        UpstreamSettings transport = UpstreamSettings.of(c.serversTransportOrDefault());
        assertEquals(Duration.ofSeconds(30), transport.dialTimeout());
        assertEquals(Duration.ZERO, transport.responseHeaderTimeout());
        assertEquals(Duration.ofSeconds(90), transport.idleConnTimeout());
        assertEquals(200, transport.maxIdleConnsPerHost());
        assertEquals(new PingConfig(null, null, null).entryPointOrDefault(), "gatehouse");
        assertEquals(503, new PingConfig(null, null, null).terminatingStatusCodeOrDefault());
    }

    /** One type for static and dynamic transports, but the static section takes only Traefik's static options. */
    @Test
    void theStaticServersTransportRefusesOptionsOfDynamicTransports() throws Exception {
        Path file = dir.resolve("gatehouse.yml");
        Files.writeString(file, """
                entryPoints:
                  web:
                    address: ":8080"
                serversTransport:
                  insecureSkipVerify: true
                  serverName: backend.internal
                  forwardingTimeouts:
                    dialTimeout: 5s
                    pingTimeout: 1s
                """);
        ConfigurationException refused = assertThrows(ConfigurationException.class,
                () -> load(List.of("--configFile=" + file), Map.of()));
        String problems = String.join("\n", refused.problems());
        assertEquals(2, refused.problems().size(), problems);
        assertTrue(problems.contains("gatehouse.yml:6: serversTransport.serverName is an option of a "
                + "dynamic servers transport (http.serversTransports.<name>)"), problems);
        assertTrue(problems.contains("gatehouse.yml:9: serversTransport.forwardingTimeouts.pingTimeout"),
                problems);
    }

    @ParameterizedTest(name = "{0} enables ping")
    @ValueSource(strings = {"ping: {}", "ping: true", "ping:", "ping: 'true'", "--ping", "--ping=true", "--PING=TRUE"})
    void presenceEnablesPingWithDefaults(String how) throws Exception {
        List<String> args = List.of("--entryPoints.web.address=:80");
        if (how.startsWith("--")) {
            args = List.of("--entryPoints.web.address=:80", how);
        } else {
            write("gatehouse.yml", "entryPoints: {web: {address: ':80'}}\n" + how + "\n");
        }
        PingConfig ping = load(args, Map.of()).configuration().ping();
        assertNotNull(ping);
        assertEquals("gatehouse", ping.entryPointOrDefault());
    }

    @ParameterizedTest(name = "{0} switches OCSP stapling on")
    @ValueSource(strings = {"ocsp: {}", "ocsp:", "--ocsp=true", "--ocsp"})
    void presenceSwitchesOcspStaplingOn(String how) throws Exception {
        List<String> args = List.of("--entryPoints.web.address=:80");
        if (how.startsWith("--")) {
            args = List.of("--entryPoints.web.address=:80", how);
        } else {
            write("gatehouse.yml", "entryPoints: {web: {address: ':80'}}\n" + how + "\n");
        }
        OcspConfig ocsp = load(args, Map.of()).configuration().ocsp();
        assertNotNull(ocsp);
        assertEquals(Map.of(), ocsp.responderOverrides());
    }

    @Test
    void ocspResponderOverridesMapResponderUrlsFromAFileOrFlags() throws Exception {
        write("gatehouse.yml", """
                entryPoints: {web: {address: ':80'}}
                ocsp:
                  responderOverrides:
                    "http://ocsp.example.com": "http://ocsp-proxy.internal:8080"
                """);
        assertEquals(Map.of("http://ocsp.example.com", "http://ocsp-proxy.internal:8080"),
                load(List.of(), Map.of()).configuration().ocsp().responderOverrides());
        Files.delete(dir.resolve("gatehouse.yml"));
        assertEquals(Map.of("foo", "bar"), load(List.of("--entryPoints.web.address=:80",
                "--ocsp.responderoverrides.foo=bar"), Map.of()).configuration().ocsp().responderOverrides());
        assertNull(load(List.of("--entryPoints.web.address=:80"), Map.of()).configuration().ocsp(), "off when absent");
    }

    /** As Traefik refuses at start an override without a URL ("cannot be empty"), at its responderOverrides. */
    @ParameterizedTest(name = "override value {0}")
    @ValueSource(strings = {"\"\"", "\"  \"", "null", ""})
    void anEmptyOcspResponderOverrideIsRefusedNamingItsResponder(String value) throws Exception {
        write("gatehouse.yml", """
                entryPoints: {web: {address: ':80'}}
                ocsp:
                  responderOverrides:
                    "http://ocsp.example.com": %s
                """.formatted(value));
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> load(List.of(), Map.of()));
        assertTrue(e.getMessage().contains("gatehouse.yml:3"), e.getMessage());
        assertTrue(e.getMessage().contains("the override of responder 'http://ocsp.example.com' in "
                + "'ocsp.responderOverrides' is empty: give the URL to ask instead, or remove the entry"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} disables ping")
    @ValueSource(strings = {"ping: false", "--ping=false", "GATEHOUSE_PING=false"})
    void falseDisablesPing(String how) throws Exception {
        write("gatehouse.yml", "entryPoints: {web: {address: ':80'}}\nping: {entryPoint: web}\n"
                + (how.startsWith("ping") ? "demo: false\n" : ""));
        List<String> args = how.startsWith("--") ? List.of(how) : List.of();
        Map<String, String> env = how.startsWith("GATEHOUSE") ? Map.of("GATEHOUSE_PING", "false") : Map.of();
        if (how.startsWith("ping")) {
            write("gatehouse.yml", "entryPoints: {web: {address: ':80'}}\n" + how + "\n");
        }
        StaticConfiguration c = load(args, env).configuration();
        assertNull(c.ping());
        assertNull(c.demo());
    }

    @Test
    void bareFlagKeepsOptionsAlreadyGivenToTheSection() throws Exception {
        StaticConfiguration c = load(List.of("--entryPoints.web.address=:80", "--ping.entryPoint=web", "--ping",
                "--demo"), Map.of()).configuration();
        assertEquals("web", c.ping().entryPointOrDefault());
        assertNotNull(c.demo());
    }

    // Traefik's flag parser takes a bare section flag (--log) as that section with its defaults, for any section,
    // and false as the section left out; a section whose defaults are what it does when absent works the same.
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--log", "--log=true", "--LOG=TRUE", "--log=false", "--accesslog", "--api", "--metrics",
        "--serversTransport", "--serversTransport.forwardingTimeouts", "--plugins", "--entryPoints.web.forwardedHeaders",
        "--entryPoints.web.transport", "--entryPoints.web.transport.lifeCycle"})
    void aBareSectionFlagIsTheSectionWithItsDefaults(String flag) throws Exception {
        StaticConfiguration c = load(List.of("--entryPoints.web.address=:80", flag), Map.of()).configuration();
        assertEquals("INFO", c.logOrDefault().levelOrDefault());
        assertEquals(":80", c.entryPoints().get("web").address());
    }

    @Test
    void aBareSectionFlagKeepsTheOptionsGivenElsewhere() throws Exception {
        write("gatehouse.yml", "entryPoints: {web: {address: ':80'}}\nlog: {level: DEBUG}\n");
        assertEquals("DEBUG", load(List.of("--log"), Map.of()).configuration().logOrDefault().levelOrDefault());
    }

    @Test
    void aSectionFlagWithAnotherValueIsAnErrorNamingIt() {
        ConfigurationException e = fails(List.of("--entryPoints.web.address=:80", "--log=maybe"), Map.of());
        assertMentions(e, "flag --log=maybe: invalid value for 'log' (expected true, false or a section of options)");
        assertTrue(!e.getMessage().contains("dev.gatehouse"), e.getMessage());
    }

    @Test
    void providersPrecedenceIsAListOfLowerCaseNamesAndNoProvider() throws Exception {
        StaticConfiguration c = load(List.of("--entryPoints.web.address=:80", "--providers.file.directory=/etc/dyn",
                "--providers.precedence=File, Docker"), Map.of()).configuration();
        assertEquals(List.of("file", "docker"), c.providers().precedenceOrDefault());
        assertEquals(List.of("file"), List.copyOf(c.providers().providers().keySet()));
        assertEquals(ProvidersConfig.TRAEFIK_PRECEDENCE, load(List.of("--entryPoints.web.address=:80"), Map.of())
                .configuration().providersOrDefault().precedenceOrDefault());
    }

    @Test
    void providerEnabledByPresenceGetsEmptyOptions() throws Exception {
        StaticConfiguration c = load(List.of("--entryPoints.web.address=:80", "--providers.docker",
                "--providers.file.directory=/etc/dyn", "--providers.consul=false"), Map.of()).configuration();
        assertEquals(List.of("docker", "file"), List.copyOf(c.providers().providers().keySet()));
        assertTrue(c.providers().provider("DOCKER").isEmpty());
    }

    @Test
    void missingOrBadAddressNamesTheEntryPointAndSource() throws Exception {
        write("gatehouse.yml", "entryPoints:\n  web: {}\n  websecure:\n    address: '443'\n");
        ConfigurationException e = fails(List.of(), Map.of());
        assertMentions(e, "gatehouse.yml:2: entry point 'web' has no address",
                "gatehouse.yml:4: entry point 'websecure': invalid address '443'");
    }

    record FileProviderOptions(String directory, Boolean watch, Duration debounce) {
    }

    @Test
    void bindSectionBindsPluginOptionsWithTheSameErrors() throws Exception {
        write("gatehouse.yml", "entryPoints: {web: {address: ':80'}}\nproviders:\n  file:\n    directory: d\n"
                + "    wacth: true\n");
        LoadedConfiguration loaded = load(List.of("--providers.file.debounce=soon"), Map.of());
        JsonNode options = loaded.configuration().providers().provider("file");
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> loaded.bindSection("providers.file", options, FileProviderOptions.class));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertMentions(e, "gatehouse.yml:5: unknown key 'providers.file.wacth' (known keys here: debounce, directory, watch)",
                "flag --providers.file.debounce=soon: invalid duration 'soon'");

        Files.delete(dir.resolve("gatehouse.yml"));
        LoadedConfiguration good = load(List.of("--providers.file.directory=dyn", "--providers.file.watch",
                "--providers.file.debounce=1s", "--entryPoints.web.address=:80"), Map.of());
        assertEquals(new FileProviderOptions("dyn", true, Duration.ofSeconds(1)),
                good.bindSection("providers.file", good.configuration().providers().provider("file"),
                        FileProviderOptions.class));
    }

    @Test
    void argumentThatIsNotAFlagIsReported() {
        ConfigurationException e = fails(List.of("serve"), Map.of());
        assertMentions(e, "argument 'serve': not a flag");
    }

    // --- unknown keys whose value is a list or a section -----------------------------------

    @Test
    void unknownKeyWithAListValueIsNamedItselfWithFileAndLine() throws Exception {
        write("gatehouse.yml", """
                entryPoints:
                  web:
                    address: ":80"
                api:
                  middlewares:
                    - a
                    - b
                accesslogs:
                  - x
                """);
        ConfigurationException e = fails(List.of(), Map.of());
        assertMentions(e, "gatehouse.yml:5: unknown key 'api.middlewares' (known keys here: basePath, dashboard, debug, disableDashboardAd, insecure)",
                "gatehouse.yml:8: unknown key 'accesslogs' (", "; did you mean 'accessLog'?");
        assertTrue(!e.getMessage().contains("["), e.getMessage());
    }

    @Test
    void unknownKeyWithAListValueInTomlIsNamedItselfWithItsLine() throws Exception {
        write("gatehouse.toml", """
                [entryPoints.web]
                address = ":80"
                [api]
                middlewares = ["a", "b"]
                [entryPoints.web.forwardedHeaders]
                trustedIPs = ["127.0.0.1"]
                trustedIps2 = ["10.0.0.0/8"]
                """);
        ConfigurationException e = fails(List.of(), Map.of());
        assertMentions(e, "gatehouse.toml:4: unknown key 'api.middlewares'",
                "gatehouse.toml:7: unknown key 'entryPoints.web.forwardedHeaders.trustedIps2'");
        assertTrue(!e.getMessage().contains("["), e.getMessage());
    }

    @Test
    void unknownKeyInsideAListItemIsNamedWithItsIndex() throws Exception {
        write("gatehouse.yml", """
                entryPoints:
                  web:
                    address: ":443"
                    http:
                      tls:
                        domains:
                          - main: a.example
                            sanss: [b.example]
                """);
        ConfigurationException e = fails(List.of(), Map.of());
        assertMentions(e, "gatehouse.yml:8: unknown key 'entryPoints.web.http.tls.domains[0].sanss'",
                "did you mean 'sans'?");
    }

    @Test
    void misspeltKeyGetsASuggestion() {
        ConfigurationException e = fails(List.of("--entryPoints.web.adress=:80"), Map.of());
        assertMentions(e, "unknown key 'entryPoints.web.adress'", "did you mean 'address'?");
    }

    // --- size limits -----------------------------------------------------------------------

    @Test
    void oversizedFileIsRefusedBeforeItIsRead() throws Exception {
        Path file = dir.resolve("gatehouse.yml");
        try (java.io.RandomAccessFile sparse = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(50L * 1024 * 1024); // sparse: takes no disk, reads as zeros
        }
        long started = System.nanoTime();
        ConfigurationException e = fails(List.of(), Map.of());
        assertMentions(e, "gatehouse.yml: the file is 50 MB; the static configuration file is limited to 1 MB");
        assertTrue(System.nanoTime() - started < 2_000_000_000L, "took " + (System.nanoTime() - started) / 1_000_000 + " ms");
    }

    @Test
    void longLineIsRefusedQuicklyNamingTheLine() throws Exception {
        write("gatehouse.yml", "log:\n  level: \"" + "x".repeat(300 * 1024) + "\"\n");
        long started = System.nanoTime();
        ConfigurationException e = fails(List.of(), Map.of());
        assertMentions(e, "gatehouse.yml: line 2 is 300.0 KB long; a line of a configuration file is limited to 256 KB");
        assertTrue(System.nanoTime() - started < 2_000_000_000L, "took " + (System.nanoTime() - started) / 1_000_000 + " ms");
    }

    @Test
    void aFourMegabyteValueIsRefusedByTheFileLimit() throws Exception {
        write("gatehouse.yml", "log:\n  level: \"" + "x".repeat(4 * 1024 * 1024) + "\"\n");
        assertMentions(fails(List.of(), Map.of()), "gatehouse.yml: the file is 4.0 MB; the static configuration file is "
                + "limited to 1 MB");
    }

    @Test
    void deepNestingIsRefused() throws Exception {
        write("gatehouse.yml", "log: " + "[".repeat(150) + "]".repeat(150) + "\n");
        assertMentions(fails(List.of(), Map.of()), "gatehouse.yml", "sections and lists are nested more than 100 levels");
    }

    @Test
    void problemsQuotingAHugeValueAreAbbreviated() throws Exception {
        write("gatehouse.yml", "log:\n  level: |\n" + ("    " + "x".repeat(1000) + "\n").repeat(900));
        ConfigurationException e = fails(List.of(), Map.of());
        assertMentions(e, "invalid log level", "characters left out");
        assertTrue(e.getMessage().length() < 2000, "message of " + e.getMessage().length() + " characters");
    }

    @Test
    void aLargeFileWithinTheLimitsStillLoads() throws Exception {
        // About 800 KB, far more than any static configuration: commented entry points, within every limit.
        StringBuilder yaml = new StringBuilder("entryPoints:\n");
        for (int i = 0; i < 1_500; i++) {
            yaml.append("  # ").append("entry point ").append(i).append(": ").append("documentation ".repeat(30)).append('\n')
                    .append("  ep").append(i).append(":\n    address: \"127.0.0.1:").append(10_000 + i)
                    .append("\"\n    transport: {lifeCycle: {graceTimeOut: 10s}}\n");
        }
        assertTrue(yaml.length() > 750_000, "size " + yaml.length());
        write("gatehouse.yml", yaml.toString());
        assertEquals(1_500, load(List.of(), Map.of()).configuration().entryPoints().size());
    }

    // --- found by StaticConfigurationFuzzTest --------------------------------------------------

    @Test
    void aBadItemInAListOfNumbersIsReportedNotTheRecordThatTrippedOverIt() throws Exception {
        write("gatehouse.yml", """
                entryPoints:
                  web:
                    address: ":80"
                metrics:
                  prometheus:
                    buckets: [0.1, 0.3, 1.2, 5.~]
                """);
        ConfigurationException e = fails(List.of(), Map.of());
        assertMentions(e, "gatehouse.yml:6: invalid value '5.~' for 'metrics.prometheus.buckets[3]' (expected a number)");
        assertTrue(!e.getMessage().contains("java.") && !e.getMessage().contains("`"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gatehouse.yml", "gatehouse.toml"})
    void aFileThatIsNotUtf8IsSaidToBeSo(String name) throws Exception {
        Files.write(dir.resolve(name), new byte[] {(byte) 0xff, 'a'});
        ConfigurationException e = fails(List.of(), Map.of());
        assertMentions(e, name + ": not UTF-8 text (", "; save the file as UTF-8");
        assertTrue(!e.getMessage().contains("java.") && !e.getMessage().contains("Exception"), e.getMessage());
    }
}
