package dev.gatehouse.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The YAML and TOML examples in docs/configuration/static.md load, and say the same thing. */
class DocumentedExamplesTest {

    private static final Path DOC = Path.of("..", "docs", "configuration", "static.md");

    @Test
    void yamlAndTomlExamplesLoadAndAgree(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isRegularFile(DOC), "run from the gateway-core module of a full checkout");
        String doc = Files.readString(DOC);
        String yaml = lastBlock(doc, "yaml");
        String toml = lastBlock(doc, "toml");
        Files.writeString(dir.resolve("gatehouse.yml"), yaml);
        Files.writeString(dir.resolve("gatehouse.toml"), toml);

        StaticConfiguration fromYaml = StaticConfigurationLoader
                .load(List.of("--configFile=gatehouse.yml"), Map.of(), dir, null).configuration();
        StaticConfiguration fromToml = StaticConfigurationLoader
                .load(List.of("--configFile=gatehouse.toml"), Map.of(), dir, null).configuration();
        assertEquals(fromYaml, fromToml);
        assertEquals(2, fromYaml.entryPoints().size());
    }

    private static String lastBlock(String doc, String language) {
        Matcher m = Pattern.compile("```" + language + "\\R(.*?)```", Pattern.DOTALL).matcher(doc);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }
}
