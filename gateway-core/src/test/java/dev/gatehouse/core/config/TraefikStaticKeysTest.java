package dev.gatehouse.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keys that nearly every real Traefik static file has ({@code global}, {@code log.noColor}, entry point tuning,
 * {@code experimental}) load unchanged from a file, flags or the environment, and Traefik's plugins are refused with
 * a message that says what to use instead.
 */
class TraefikStaticKeysTest {

    private static final String YAML = """
            global:
              checkNewVersion: true
              sendAnonymousUsage: false
            log:
              level: INFO
              noColor: true
            entryPoints:
              web:
                address: ":80"
                reusePort: true
                forwardedHeaders:
                  connection: ["X-Keep", "X-Also"]
                  addXForwardedSchemeHeaders: true
                http:
                  maxHeaderBytes: 65536
                  encodedCharacters:
                    allowEncodedSlash: false
                    allowEncodedHash: false
                http2:
                  maxConcurrentStreams: 100
            experimental:
              fastProxy: {}
            """;

    private static final String TOML = """
            [global]
            checkNewVersion = true
            sendAnonymousUsage = false
            [log]
            level = "INFO"
            noColor = true
            [entryPoints.web]
            address = ":80"
            reusePort = true
            [entryPoints.web.forwardedHeaders]
            connection = ["X-Keep", "X-Also"]
            addXForwardedSchemeHeaders = true
            [entryPoints.web.http]
            maxHeaderBytes = 65536
            [entryPoints.web.http.encodedCharacters]
            allowEncodedSlash = false
            allowEncodedHash = false
            [entryPoints.web.http2]
            maxConcurrentStreams = 100
            [experimental.fastProxy]
            """;

    private static final List<String> FLAGS = List.of("--global.checkNewVersion=true",
            "--global.sendAnonymousUsage=false", "--log.level=INFO", "--log.noColor=true",
            "--entryPoints.web.address=:80", "--entryPoints.web.reusePort=true",
            "--entryPoints.web.forwardedHeaders.connection=X-Keep,X-Also",
            "--entryPoints.web.forwardedHeaders.addXForwardedSchemeHeaders=true",
            "--entryPoints.web.http.maxHeaderBytes=65536", "--entryPoints.web.http2.maxConcurrentStreams=100",
            "--entryPoints.web.http.encodedCharacters.allowEncodedSlash=false",
            "--entryPoints.web.http.encodedCharacters.allowEncodedHash=false",
            "--experimental.fastProxy");

    private static final Map<String, String> ENV = Map.ofEntries(
            Map.entry("TRAEFIK_GLOBAL_CHECKNEWVERSION", "true"),
            Map.entry("TRAEFIK_GLOBAL_SENDANONYMOUSUSAGE", "false"),
            Map.entry("TRAEFIK_LOG_LEVEL", "INFO"),
            Map.entry("TRAEFIK_LOG_NOCOLOR", "true"),
            Map.entry("TRAEFIK_ENTRYPOINTS_WEB_ADDRESS", ":80"),
            Map.entry("TRAEFIK_ENTRYPOINTS_WEB_REUSEPORT", "true"),
            Map.entry("TRAEFIK_ENTRYPOINTS_WEB_FORWARDEDHEADERS_CONNECTION", "X-Keep,X-Also"),
            Map.entry("TRAEFIK_ENTRYPOINTS_WEB_FORWARDEDHEADERS_ADDXFORWARDEDSCHEMEHEADERS", "true"),
            Map.entry("TRAEFIK_ENTRYPOINTS_WEB_HTTP_MAXHEADERBYTES", "65536"),
            Map.entry("TRAEFIK_ENTRYPOINTS_WEB_HTTP2_MAXCONCURRENTSTREAMS", "100"),
            Map.entry("TRAEFIK_ENTRYPOINTS_WEB_HTTP_ENCODEDCHARACTERS_ALLOWENCODEDSLASH", "false"),
            Map.entry("TRAEFIK_ENTRYPOINTS_WEB_HTTP_ENCODEDCHARACTERS_ALLOWENCODEDHASH", "false"),
            Map.entry("TRAEFIK_EXPERIMENTAL_FASTPROXY", "true"));

    @TempDir
    Path dir;

    private StaticConfiguration load(String source) throws Exception {
        return switch (source) {
            case "yaml" -> fromFile("gatehouse.yml", YAML);
            case "toml" -> fromFile("gatehouse.toml", TOML);
            case "flags" -> StaticConfigurationLoader.load(FLAGS, Map.of(), dir, null).configuration();
            case "env" -> StaticConfigurationLoader.load(List.of(), ENV, dir, null).configuration();
            default -> throw new IllegalArgumentException(source);
        };
    }

    private StaticConfiguration fromFile(String name, String content) throws Exception {
        Files.writeString(dir.resolve(name), content);
        return StaticConfigurationLoader.load(List.of("--configFile=" + name), Map.of(), dir, null).configuration();
    }

    @ParameterizedTest(name = "from {0}")
    @ValueSource(strings = {"yaml", "toml", "flags", "env"})
    void traefikKeysLoadTheSameFromEverySource(String source) throws Exception {
        StaticConfiguration c = load(source);

        assertEquals(new GlobalConfig(true, false), c.global());
        assertTrue(c.global().anySet(), "so the gateway says once that they have no effect");
        assertEquals(Boolean.TRUE, c.log().noColor());
        EntryPointConfig web = c.entryPoints().get("web");
        assertTrue(web.reusePortOrDefault());
        assertEquals(List.of("X-Keep", "X-Also"), web.forwardedHeadersOrDefault().connection());
        assertTrue(web.forwardedHeadersOrDefault().addXForwardedSchemeHeadersOrDefault());
        assertEquals(65536, web.httpOrDefault().maxHeaderBytesOrDefault());
        assertEquals(100, web.http2OrDefault().maxConcurrentStreamsOrDefault());
        assertEquals(java.util.Set.of("2F", "23"), web.httpOrDefault().deniedEncodedCharacters());
        assertNotNull(c.experimental().fastProxy(), "fastProxy is accepted (and has no effect)");
    }

    @Test
    void defaultsAreGatehousesHeaderLimitAndTraefiksStreamLimit() throws Exception {
        EntryPointConfig web = StaticConfigurationLoader
                .load(List.of("--entryPoints.web.address=:80"), Map.of(), dir, null).configuration()
                .entryPoints().get("web");
        assertEquals(16 * 1024, web.httpOrDefault().maxHeaderBytesOrDefault());
        assertEquals(250, web.http2OrDefault().maxConcurrentStreamsOrDefault());
        assertFalse(web.reusePortOrDefault());
        assertEquals(java.util.Set.of(), web.httpOrDefault().deniedEncodedCharacters(), "all allowed, as in Traefik");
        assertFalse(web.forwardedHeadersOrDefault().addXForwardedSchemeHeadersOrDefault());
        assertNull(StaticConfigurationLoader.load(List.of("--entryPoints.web.address=:80"), Map.of(), dir, null)
                .configuration().global(), "no notice about phoning home unless global is set");
    }

    @Test
    void traefikPluginsAreRefusedWithWhereToLookInstead() throws Exception {
        Files.writeString(dir.resolve("gatehouse.yml"), """
                entryPoints:
                  web:
                    address: ":80"
                experimental:
                  plugins:
                    demo:
                      moduleName: github.com/traefik/plugindemo
                      version: v0.2.1
                """);
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> StaticConfigurationLoader.load(List.of(), Map.of(), dir, null));
        String message = e.getMessage();
        assertTrue(message.contains("gatehouse.yml:5"), message);
        assertTrue(message.contains("remove 'experimental.plugins'"), message);
        assertTrue(message.contains("Traefik plugins (Yaegi Go source or WASM) cannot run in Gatehouse"), message);
        assertTrue(message.contains("docs/plugins.md"), message);
        assertFalse(message.contains("unknown key"), message);
    }

    @Test
    void outOfRangeLimitsNameTheKeyAndTheRange() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> StaticConfigurationLoader.load(List.of("--entryPoints.web.address=:80",
                        "--entryPoints.web.http.maxHeaderBytes=100", "--entryPoints.web.http2.maxConcurrentStreams=0"),
                        Map.of(), dir, null));
        String message = e.getMessage();
        assertTrue(message.contains("flag --entryPoints.web.http.maxHeaderBytes=100: invalid value 100 for "
                + "'entryPoints.web.http.maxHeaderBytes' (expected bytes from 1024 to 16777216)"), message);
        assertTrue(message.contains("invalid value 0 for 'entryPoints.web.http2.maxConcurrentStreams'"), message);
    }

    /** A value Traefik does not know (or spelt as another option's) is refused where it stands, with the three it takes. */
    @ParameterizedTest
    @ValueSource(strings = {"drop", "true"})
    void anUnknownUnderscoreHeadersStrategyNamesTheKeyAndTheValuesItTakes(String value) throws Exception {
        Files.writeString(dir.resolve("gatehouse.yml"), """
                entryPoints:
                  web:
                    address: ":80"
                    http:
                      underscoreHeadersStrategy: "%s"
                """.formatted(value));
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> StaticConfigurationLoader.load(List.of(), Map.of(), dir, null));
        String message = e.getMessage();
        assertTrue(message.contains("gatehouse.yml:5"), message);
        assertTrue(message.contains("invalid value '" + value + "' for 'entryPoints.web.http.underscoreHeadersStrategy' "
                + "(expected keep, delete or reject)"), message);
    }
}
