package dev.gatehouse.plugins.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DynamicFileParserTest {

    private final DynamicFileParser parser = new DynamicFileParser();

    private DynamicFileParser.Result parse(String name, String content) {
        return parser.parse(Path.of("/conf", name), content.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            a.yml  | 'http:\\n  routers:\\n    r:\\n      rule: x\\n     service: y\\n' | /conf/a.yml: YAML error at line 5, column 6: while parsing a block mapping; expected <block end>, but found '<block mapping start>'.
            a.yml  | 'http:\\n  routers: [a\\n'                                          | /conf/a.yml: YAML error at line 2, column 14: while parsing a flow sequence; expected ',' or ']', but got <stream end>.
            a.yaml | 'http:\\n  routers:\\n    r: {}\\n    r: {}\\n'                    | /conf/a.yaml: YAML error at line 4, column 5: duplicate key "r".
            a.yml  | 'http:\\n  services:\\n    s: *nope\\n'                            | /conf/a.yml: YAML error at line 3, column 8: unknown alias *nope (no anchor &nope before it).
            a.yml  | '- http\\n'                                                       | /conf/a.yml: the top level must be a mapping of sections (http, tls, ...), not a list.
            a.toml | '[http.routers.r]\\nrule = \\n'                                   | /conf/a.toml: TOML error at line 2, column 8: Newline not permitted here.
            a.toml | '[http.routers.r]\\n[http.routers.r]\\n'                          | /conf/a.toml: TOML error at line 2, column 16: Table redefined.
            """)
    void reportsFileLineAndReason(String name, String content, String error) {
        DynamicFileParser.Result result = parse(name, content.translateEscapes());
        assertNull(result.content());
        assertEquals(List.of(error), result.errors());
    }

    @Test
    void anchorsAliasesAndMergeKeysWorkAsInTraefik() {
        DynamicFileParser.Result result = parse("a.yml", """
                http:
                  services:
                    one: &lb
                      loadBalancer:
                        passHostHeader: false
                    two: *lb
                  middlewares:
                    base: &base {headers: {customRequestHeaders: {X-A: a, X-B: b}}}
                    derived:
                      <<: *base
                      extra: 1
                """);
        Map<String, Object> lb = Map.of("loadBalancer", Map.of("passHostHeader", false));
        Map<String, Object> base = Map.of("headers", Map.of("customRequestHeaders", Map.of("X-A", "a", "X-B", "b")));
        assertEquals(Map.of("http", Map.of(
                "services", Map.of("one", lb, "two", lb),
                "middlewares", Map.of("base", base, "derived", Map.of(
                        "headers", base.get("headers"), "extra", 1)))), result.content());
        assertEquals(List.of(), result.errors());
    }

    @Test
    void sectionsAreMatchedWithoutRegardToCaseAndEmptyOnesDropped() {
        DynamicFileParser.Result result = parse("a.yml", "HTTP:\n  routers: {}\ntls:\n");
        assertEquals(Map.of("http", Map.of("routers", Map.of())), result.content());
    }

    @Test
    void tcpAndUdpArePassedThrough() {
        DynamicFileParser.Result result = parse("a.toml", "[tcp.routers.r]\nrule = \"HostSNI(`*`)\"\n[udp.services.s]\n");
        assertEquals(Map.of("tcp", Map.of("routers", Map.of("r", Map.of("rule", "HostSNI(`*`)"))),
                "udp", Map.of("services", Map.of("s", Map.of()))), result.content());
    }

    @Test
    void aSecondYamlDocumentIsReported() {
        DynamicFileParser.Result result = parse("a.yml", "http: {}\n---\ntls: {}\n");
        assertEquals(Map.of("http", Map.of()), result.content());
        assertEquals(List.of("/conf/a.yml: holds more than one YAML document (---); only the first one is read."),
                result.errors());
    }

    @Test
    void treesAreUnmodifiable() {
        Map<String, Object> content = parse("a.yml", "http:\n  routers: {r: {entryPoints: [web]}}\n").content();
        @SuppressWarnings("unchecked")
        Map<String, Object> http = (Map<String, Object>) content.get("http");
        org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class, () -> http.put("x", 1));
    }

    @Test
    void yamlScalarsFollowYaml12AsTraefiksDecoderDoes() {
        DynamicFileParser.Result result = parse("a.yml", """
                http:
                  middlewares:
                    h:
                      headers:
                        customRequestHeaders: {X-On: on, X-Yes: yes, X-Quoted: "", X-Empty:}
                      flag: true
                      port: 8080
                      ratio: 0.5
                """);
        java.util.Map<String, Object> headers = new java.util.LinkedHashMap<>();
        headers.put("X-On", "on");
        headers.put("X-Yes", "yes");
        headers.put("X-Quoted", "");
        headers.put("X-Empty", null);
        assertEquals(Map.of("http", Map.of("middlewares", Map.of("h", Map.of(
                "headers", Map.of("customRequestHeaders", headers), "flag", true, "port", 8080, "ratio", 0.5)))),
                result.content());
    }

    // --- size limits: refused quickly, with the file and the limit named ------------------------

    private static void refusedQuickly(DynamicFileParser.Result result, long startedNanos, String... parts) {
        long millis = (System.nanoTime() - startedNanos) / 1_000_000;
        assertNull(result.content(), "refused: " + result.errors());
        String text = String.join(" ", result.errors());
        for (String part : parts) {
            assertTrue(text.contains(part), "expected '" + part + "' in: " + text);
        }
        assertTrue(millis < 2_000, "took " + millis + " ms");
    }

    @Test
    void billionLaughsIsRefusedBeforeItExpands() {
        StringBuilder yaml = new StringBuilder("x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i <= 9; i++) {
            String previous = "*a" + (i - 1);
            yaml.append("x").append(i).append(": &a").append(i).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(9, previous))).append("]\n");
        }
        yaml.append("http:\n  middlewares:\n    m:\n      headers:\n        customRequestHeaders:\n          X: *a9\n");
        long started = System.nanoTime();
        refusedQuickly(parse("bomb.yml", yaml.toString()), started, "/conf/bomb.yml", "the document holds more than 500000 values (each YAML alias counted as the values it repeats)");
    }

    @Test
    void oversizedFileIsRefused() {
        byte[] content = new byte[50 * 1024 * 1024];
        java.util.Arrays.fill(content, (byte) '#');
        long started = System.nanoTime();
        refusedQuickly(parser.parse(Path.of("/conf/big.yml"), content), started,
                "/conf/big.yml: the file is 50 MB; dynamic configuration files are limited to 4 MB");
    }

    @Test
    void longLineIsRefused() {
        long started = System.nanoTime();
        refusedQuickly(parse("long.yml", "http:\n  routers:\n    r:\n      rule: \"" + "x".repeat(3 * 1024 * 1024) + "\"\n"),
                started, "/conf/long.yml: line 4 is 3.0 MB long; a line of a configuration file is limited to 256 KB");
    }

    @ParameterizedTest
    @CsvSource({"a.yml", "a.toml"})
    void oversizedValueOnManyLinesIsRefused(String name) {
        String lines = ("x".repeat(1000) + "\n").repeat(1100);
        String content = name.endsWith(".yml")
                ? "http:\n  routers:\n    r:\n      rule: |\n" + lines.replaceAll("(?m)^(?=x)", "        ")
                : "[http.routers.r]\nrule = \"\"\"\n" + lines + "\"\"\"\n";
        long started = System.nanoTime();
        refusedQuickly(parse(name, content), started, "/conf/" + name, "a value is longer than 1 MB");
    }

    @ParameterizedTest
    @CsvSource({"a.yml", "a.toml"})
    void deepNestingIsRefused(String name) {
        String nested = "[".repeat(150) + "]".repeat(150);
        String content = name.endsWith(".yml") ? "http: {routers: {r: {rule: " + nested + "}}}\n"
                : "[http.routers.r]\nrule = " + nested + "\n";
        long started = System.nanoTime();
        refusedQuickly(parse(name, content), started, "/conf/" + name, "nested more than 100 levels");
    }

    @Test
    void tenThousandRoutersStillParse() {
        StringBuilder yaml = new StringBuilder("http:\n  routers:\n");
        for (int i = 0; i < 10_000; i++) {
            yaml.append("    r").append(i).append(":\n      rule: \"Host(`h").append(i).append(".example.com`)\"\n")
                    .append("      service: s").append(i).append("\n      entryPoints: [web]\n");
        }
        yaml.append("  services:\n");
        for (int i = 0; i < 10_000; i++) {
            yaml.append("    s").append(i).append(":\n      loadBalancer:\n        servers:\n")
                    .append("          - url: http://10.0.").append(i / 250).append('.').append(i % 250).append(":8080\n");
        }
        assertTrue(yaml.length() > 700_000, "size " + yaml.length());
        DynamicFileParser.Result result = parse("many.yml", yaml.toString());
        assertEquals(List.of(), result.errors());
        assertEquals(10_000, ((Map<?, ?>) ((Map<?, ?>) result.content().get("http")).get("routers")).size());
    }

    // --- problems found when binding name the key itself and its line ---------------------------

    private static String bindProblems(DynamicFileParser.Result result, String origin) {
        dev.gatehouse.core.dynamic.BoundConfiguration bound = new dev.gatehouse.core.dynamic.DynamicConfigurationBinder(
                dev.gatehouse.core.config.ConfigMappers.strictMapper()).bind(Map.of("file",
                dev.gatehouse.api.ConfigurationSnapshot.of(new dev.gatehouse.api.ConfigurationFragment(origin,
                        result.content(), result.errors()))));
        return bound.problems().toString();
    }

    @Test
    void aMisspeltListKeyIsNamedWithItsLineAndASuggestion() {
        String problems = bindProblems(parse("app.yml", """
                http:
                  routers:
                    app:
                      rule: Host(`a`)
                      service: app
                      entrypoint:
                        - web
                  services:
                    app:
                      loadBalancer:
                        server:
                          - url: http://127.0.0.1:1
                tls:
                  options:
                    default:
                      minVersions: VersionTLS12
                """), "/conf/app.yml");
        assertTrue(problems.contains("service app@file (from /conf/app.yml): line 11: unknown key "
                + "'http.services.app.loadBalancer.server' (known keys here: "), problems);
        assertTrue(problems.contains("did you mean 'servers'?"), problems);
        assertTrue(problems.contains("router app@file (from /conf/app.yml): line 6: unknown key 'http.routers.app.entrypoint'"),
                problems);
        assertTrue(problems.contains("line 16: unknown key 'tls.options.default.minVersions'"), problems);
        assertTrue(!problems.contains("[0]") && !problems.contains("[1]"), problems);
    }

    @Test
    void eachKeyHasTheLineItWasWrittenOnOrItsNearestAncestors() {
        StringBuilder yaml = new StringBuilder("""
                x-defaults: &defaults
                  service: shared
                  middlewares: [a]
                HTTP:
                  Routers:
                """);
        for (int r = 0; r < 20; r++) { // more keys than a section is scanned for: its keys are indexed
            yaml.append("    r").append(r).append(":\n      rule: Host(`r").append(r).append("`)\n");
        }
        yaml.append("""
                    merged:
                      <<: *defaults
                      Rule: Host(`m`)
                    aliased: *defaults
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:1
                          - url: http://127.0.0.1:2
                """);
        DynamicFileParser.Result result = parse("lines.yml", yaml.toString());
        dev.gatehouse.api.config.KeyLines lines = (dev.gatehouse.api.config.KeyLines) result.content();
        assertEquals(4, lines.lineOf(List.of("http")), "a section, as written in another case");
        assertEquals(5, lines.lineOf(List.of("http", "routers")));
        assertEquals(6, lines.lineOf(List.of("HTTP", "Routers", "r0")));
        assertEquals(45, lines.lineOf(List.of("http", "routers", "r19", "rule")), "in an indexed section");
        assertEquals(48, lines.lineOf(List.of("http", "routers", "merged", "rule")), "a key in another case");
        assertEquals(46, lines.lineOf(List.of("http", "routers", "merged", "service")),
                "a key a merge brought in: the mapping's line (it was written with the anchor)");
        assertEquals(49, lines.lineOf(List.of("http", "routers", "aliased", "middlewares", "[0]")),
                "below an alias: the alias's line, not the anchor's");
        assertEquals(55, lines.lineOf(List.of("http", "services", "app", "loadBalancer", "servers", "[1]", "url")));
        assertEquals(53, lines.lineOf(List.of("http", "services", "app", "loadBalancer", "servers", "[7]")),
                "an item that does not exist: its list's line");
        assertEquals(45, lines.lineOf(List.of("http", "routers", "r19", "rule", "deeper", "still")));
        assertEquals(0, lines.lineOf(List.of("tls")), "nothing written there");
        assertEquals(2, lines.lineOf(List.of("x-defaults", "service")));
    }

    @Test
    void aMisspeltListKeyInTomlIsNamedItself() {
        String problems = bindProblems(parse("app.toml", """
                [http.routers.app]
                rule = "Host(`a`)"
                service = "app"
                observabilty = ["x"]
                [[http.services.app.loadBalancer.server]]
                url = "http://127.0.0.1:1"
                """), "/conf/app.toml");
        assertTrue(problems.contains("unknown key 'http.routers.app.observabilty'"), problems);
        assertTrue(problems.contains("unknown key 'http.services.app.loadBalancer.server'"), problems);
        assertTrue(!problems.contains("[0]") && !problems.contains("[2]"), problems);
    }

    // --- found by DynamicFileFuzzTest ----------------------------------------------------------

    @Test
    void aMergeKeyWithoutAValueIsASyntaxErrorNotACrash() {
        DynamicFileParser.Result result = parse("a.yml", "<<:\nhttp:\n  routers: {}\n");
        assertNull(result.content());
        assertEquals(List.of("/conf/a.yml: YAML error at line 1, column 1: the merge key << takes a mapping or a list "
                + "of mappings."), result.errors());
    }

    @ParameterizedTest
    @CsvSource({"a.yml", "a.toml"})
    void contentThatIsNotUtf8IsSaidToBeSo(String name) {
        DynamicFileParser.Result result = parser.parse(Path.of("/conf", name), new byte[] {'a', ':', ' ', (byte) 0xff});
        assertNull(result.content());
        String error = String.join(" ", result.errors());
        assertTrue(error.startsWith("/conf/" + name + ": not UTF-8 text (") && error.endsWith("; save the file as UTF-8."),
                error);
        assertTrue(!error.contains("java.") && !error.contains("Exception"), error);
    }
}
