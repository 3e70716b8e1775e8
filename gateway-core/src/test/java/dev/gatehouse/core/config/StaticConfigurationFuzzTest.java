package dev.gatehouse.core.config;

import dev.gatehouse.fuzz.FuzzBudget;
import dev.gatehouse.fuzz.Mutations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Whatever the static configuration holds (file in YAML or TOML, flags, environment variables), loading it
 * ends in a configuration or in a {@link ConfigurationException} whose problems are plain sentences: no other
 * exception, no hang, no memory out of proportion (see {@link FuzzBudget}; tries: docs/fuzzing.md).
 */
@AddLifecycleHook(FuzzBudget.class)
class StaticConfigurationFuzzTest {

    private static final Path DIR = createDir();
    private static final String YAML = Mutations.resource(StaticConfigurationFuzzTest.class, "fuzz-seeds/static-traefik.yml");
    private static final String TOML = Mutations.resource(StaticConfigurationFuzzTest.class, "fuzz-seeds/static-traefik.toml");

    private static Path createDir() {
        try {
            return Files.createTempDirectory("static-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterContainer
    static void removeDir() throws IOException {
        try (Stream<Path> files = Files.walk(DIR)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Loads, and checks that the outcome is a configuration or a readable list of problems. */
    static void loadsOrExplains(List<String> args, Map<String, String> env) throws Exception {
        FuzzBudget.call(args + " " + env, () -> {
            try {
                StaticConfigurationLoader.load(args, env, DIR, null);
            } catch (ConfigurationException e) {
                e.problems().forEach(FuzzBudget::assertPlainSentence);
            }
            return null;
        });
    }

    private static void loadsFile(String name, byte[] content) throws Exception {
        Path file = DIR.resolve(name);
        Files.write(file, content);
        loadsOrExplains(List.of("--configFile=" + file), Map.of());
    }

    /** The seeds are valid, so that mutations start from a configuration that binds and go past the first key. */
    @Example
    void seedsAreValid() throws Exception {
        for (String name : List.of("static-traefik.yml", "static-traefik.toml")) {
            Path file = DIR.resolve(name);
            Files.writeString(file, Mutations.resource(getClass(), "fuzz-seeds/" + name));
            StaticConfigurationLoader.load(List.of("--configFile=" + file), Map.of(), DIR, null);
        }
    }

    @Property(tries = 400)
    void mutatedYaml(@ForAll("mutatedYamlText") String text) throws Exception {
        loadsFile("mutated.yml", text.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 400)
    void mutatedToml(@ForAll("mutatedTomlText") String text) throws Exception {
        loadsFile("mutated.toml", text.getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<String> mutatedYamlText() {
        return Mutations.of(YAML);
    }

    @Provide
    Arbitrary<String> mutatedTomlText() {
        return Mutations.of(TOML);
    }

    @Property(tries = 300)
    void randomBytes(@ForAll byte[] content, @ForAll boolean toml) throws Exception {
        loadsFile(toml ? "random.toml" : "random.yml", content);
    }

    @Property(tries = 300)
    void randomText(@ForAll("configText") String text, @ForAll boolean toml) throws Exception {
        loadsFile(toml ? "text.toml" : "text.yml", text.getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<String> configText() {
        return Arbitraries.of("entryPoints", "web", ":", " ", "\n", "  ", "- ", "[", "]", "{", "}", ",", "=", "\"",
                "'", "#", "&a", "*a", "<<", "address", "\":80\"", "true", "1", "[entryPoints.web]", "[[x]]", ".", "|",
                "!!map", "? ", "~", "providers", "file", "log", "level")
                .list().ofMaxSize(60).map(tokens -> String.join("", tokens));
    }

    /** Flags ({@code --a.b.c=v}) and environment variables ({@code GATEHOUSE_A_B_C}, {@code TRAEFIK_A_B_C}). */
    @Property(tries = 500)
    void flagsAndEnvironment(@ForAll("flags") List<String> args, @ForAll("environment") Map<String, String> env)
            throws Exception {
        loadsOrExplains(args, env);
    }

    private static Arbitrary<String> keyPaths(String separator) {
        Arbitrary<String> segment = Arbitraries.of("entryPoints", "web", "address", "providers", "file", "docker",
                "directory", "watch", "ping", "api", "dashboard", "insecure", "log", "level", "accessLog", "filters",
                "statusCodes", "forwardedHeaders", "trustedIPs", "transport", "lifeCycle", "graceTimeOut",
                "serversTransport", "rootCAs", "metrics", "prometheus", "buckets", "certificatesResolvers", "acme",
                "http", "tls", "domains", "domains[0]", "[0]", "0", "", "é", "x", "configFile", "plugins", "dir");
        return segment.list().ofMinSize(1).ofMaxSize(6).map(parts -> String.join(separator, parts));
    }

    @Provide
    Arbitrary<List<String>> flags() {
        Arbitrary<String> value = Arbitraries.of("", "true", "false", ":80", "127.0.0.1:0", "10s", "a,b", ",", "x",
                "-1", "[]", "{}", "=", "DEBUG", "json", "1.5");
        Arbitrary<String> flag = Arbitraries.oneOf(
                Combinators.combine(keyPaths("."), value).as((k, v) -> "--" + k + "=" + v),
                keyPaths(".").map(k -> "--" + k),
                Arbitraries.of("--", "-x", "check", "--=", "--.=x", "--configFile=", "--configFile=/nonexistent.yml"));
        return flag.list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<Map<String, String>> environment() {
        Arbitrary<String> name = Combinators.combine(Arbitraries.of("GATEHOUSE_", "TRAEFIK_", "gatehouse_", "OTHER_"),
                keyPaths("_")).as((prefix, path) -> prefix + path.toUpperCase(java.util.Locale.ROOT));
        Arbitrary<String> value = Arbitraries.of("", "true", ":80", "10s", "a,b", "x", "DEBUG");
        return Arbitraries.maps(name, value).ofMaxSize(4).map(LinkedHashMap::new);
    }
}
