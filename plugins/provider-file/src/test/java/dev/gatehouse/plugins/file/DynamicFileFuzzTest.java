package dev.gatehouse.plugins.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.core.config.ConfigMappers;
import dev.gatehouse.core.dynamic.BoundConfiguration;
import dev.gatehouse.core.dynamic.DynamicConfigurationBinder;
import dev.gatehouse.fuzz.FuzzBudget;
import dev.gatehouse.fuzz.Mutations;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Whatever a dynamic file holds, the provider's parser gives a tree or one sentence naming the file, and the
 * gateway's binder turns the tree into elements and problems: no other exception, no hang, no memory out of
 * proportion. Random bytes, YAML and TOML token soup, and Traefik documentation examples mutated line by line.
 */
@AddLifecycleHook(FuzzBudget.class)
class DynamicFileFuzzTest {

    private static final DynamicConfigurationBinder BINDER = new DynamicConfigurationBinder(ConfigMappers.strictMapper());
    private static final String YAML = Mutations.resource(DynamicFileFuzzTest.class, "fuzz-seeds/dynamic-traefik.yml");
    private static final String TOML = Mutations.resource(DynamicFileFuzzTest.class, "fuzz-seeds/dynamic-traefik.toml");

    private final DynamicFileParser parser = new DynamicFileParser();

    /** Parses as the provider does and binds as the gateway does; returns the bound configuration, or null. */
    private BoundConfiguration parsesAndBinds(String name, byte[] content) throws Exception {
        return FuzzBudget.call(name + ": " + new String(content, StandardCharsets.UTF_8), () -> {
            Path file = Path.of("/conf", name);
            DynamicFileParser.Result result = parser.parse(file, content);
            if (!result.parsed()) {
                result.errors().forEach(FuzzBudget::assertPlainSentence);
                if (result.errors().size() != 1 || !result.errors().get(0).startsWith(file.toString())) {
                    throw new AssertionError("a parse failure is one sentence naming the file: " + result.errors());
                }
                return null;
            }
            result.errors().forEach(FuzzBudget::assertPlainSentence);
            ConfigurationFragment fragment = new ConfigurationFragment(file.toString(), result.content(), result.errors());
            BoundConfiguration bound = BINDER.bind(Map.of("file", ConfigurationSnapshot.of(fragment)));
            bound.problems().forEach(problem -> FuzzBudget.assertPlainSentence(problem.toString()));
            return bound;
        });
    }

    @Example
    void seedsBindWithoutProblems() throws Exception {
        for (String name : List.of("dynamic-traefik.yml", "dynamic-traefik.toml")) {
            BoundConfiguration bound = parsesAndBinds(name, (name.endsWith(".yml") ? YAML : TOML)
                    .getBytes(StandardCharsets.UTF_8));
            assertEquals(List.of(), bound.problems(), name);
        }
    }

    @Property(tries = 400)
    void mutatedYaml(@ForAll("mutatedYamlText") String text) throws Exception {
        parsesAndBinds("mutated.yml", text.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 400)
    void mutatedToml(@ForAll("mutatedTomlText") String text) throws Exception {
        parsesAndBinds("mutated.toml", text.getBytes(StandardCharsets.UTF_8));
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
        parsesAndBinds(toml ? "random.toml" : "random.yml", content);
    }

    @Property(tries = 500)
    void yamlTokenSoup(@ForAll("yamlSoup") String text) throws Exception {
        parsesAndBinds("soup.yml", text.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 500)
    void tomlTokenSoup(@ForAll("tomlSoup") String text) throws Exception {
        parsesAndBinds("soup.toml", text.getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<String> yamlSoup() {
        return Arbitraries.of("http:", "tls:", "routers:", "services:", "middlewares:", "r:", "s:", "rule:",
                "service:", "loadBalancer:", "servers:", "- url:", "url:", "weighted:", "headers:", "\n", "  ", "    ",
                "- ", " ", "[", "]", "{", "}", ",", "&a ", "*a", "<<: ", "<<: *a", "!!str ", "? ", "|", ">", "\"",
                "'", "#", "~", "null", "true", "1", "Host(`a`)", "http://x", "---\n", "...", "%TAG ! x\n", "\t", "é")
                .list().ofMaxSize(60).map(tokens -> String.join("", tokens));
    }

    @Provide
    Arbitrary<String> tomlSoup() {
        return Arbitraries.of("[http.routers.r]", "[[http.services.s.loadBalancer.servers]]", "[tls]",
                "[[tls.certificates]]", "rule", "service", "url", " = ", "=", "\n", "\"", "\"\"\"", "'", "'''", "[",
                "]", "{", "}", ",", ".", "true", "1", "1979-05-27", "07:32:00", "inf", "nan", "0x1F", "#", "\"Host(`a`)\"",
                "a.b", "\"x\"", " ", "\\", "\\u00e9", "é")
                .list().ofMaxSize(60).map(tokens -> String.join("", tokens));
    }
}
