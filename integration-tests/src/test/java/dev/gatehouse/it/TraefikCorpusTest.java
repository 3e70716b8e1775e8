package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gatehouse.core.CheckCommand;
import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.StaticConfigurationLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compatibility corpus: Traefik configurations of the shapes Traefik's documentation, its integration fixtures
 * and public setups use, each run through {@code gatehouse check} in-process. Every case declares its outcome in
 * {@code expect.txt} (valid, unsupported or invalid), so a configuration that stops passing, or an unsupported
 * feature that starts passing, changes a test. See {@code src/test/resources/traefik-corpus/README.md}.
 */
class TraefikCorpusTest {

    private static final String CORPUS = "traefik-corpus";
    /** Maven runs the tests in the module's folder. */
    private static final Path DIFFERENCES = Path.of("..", "docs", "differences-from-traefik.md");

    @TempDir
    Path work;

    @TestFactory
    Stream<DynamicTest> everyCorpusCaseHasItsDeclaredOutcome() throws IOException, URISyntaxException {
        Path corpus = Path.of(TraefikCorpusTest.class.getClassLoader().getResource(CORPUS).toURI());
        List<Path> cases;
        try (Stream<Path> entries = Files.list(corpus)) {
            cases = entries.filter(Files::isDirectory).sorted().toList();
        }
        assertTrue(cases.size() >= 40, "the corpus holds " + cases.size() + " cases");
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> runCase(c)));
    }

    private void runCase(Path source) throws IOException {
        Path caseDir = work.resolve(source.getFileName().toString());
        copyTree(source, caseDir);
        Expectation expected = Expectation.read(caseDir.resolve("expect.txt"));

        List<String> args = new ArrayList<>();
        for (String name : List.of("traefik.yml", "traefik.yaml", "traefik.toml")) {
            if (Files.exists(caseDir.resolve(name))) {
                args.add("--configFile=" + caseDir.resolve(name));
            }
        }
        Path flags = caseDir.resolve("flags.txt");
        if (Files.exists(flags)) {
            for (String line : Files.readAllLines(flags, StandardCharsets.UTF_8)) {
                String flag = line.strip();
                if (!flag.isEmpty() && !flag.startsWith("#")) {
                    // ${CASE} stands for the case's folder: a flag has no file its paths could be relative to
                    args.add(flag.replace("${CASE}", caseDir.toString()));
                }
            }
        }
        if (args.isEmpty()) {
            fail(source + ": a case needs traefik.yml, traefik.toml or flags.txt");
        }
        args.add("--plugins.dir=" + Gateways.BUNDLED_PLUGINS.toAbsolutePath());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status;
        try (FakeDockerEngine engine = new FakeDockerEngine()) {
            Path labels = caseDir.resolve("labels.txt");
            if (Files.exists(labels)) {
                // the containers of labels.txt, served by a stand-in for the Docker API the case's provider reads
                addContainers(engine, labels);
                args.add("--providers.docker.endpoint=" + engine.endpoint());
            }
            status = CheckCommand.run(StaticConfigurationLoader.load(args, Map.of(), caseDir, null),
                    new PrintStream(out, true, StandardCharsets.UTF_8));
        } catch (ConfigurationException | RuntimeException e) {
            // the static configuration itself was refused before check could run: that is check's exit 1
            status = 1;
            out.writeBytes(String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
        }
        String output = out.toString(StandardCharsets.UTF_8);
        switch (expected.outcome) {
            case "valid" -> {
                assertEquals(0, status, output);
                if (expected.routers != null) {
                    assertTrue(output.contains("the configuration is valid (" + expected.routers + " router(s) ready to serve)"),
                            output);
                }
            }
            case "unsupported", "invalid" -> {
                assertEquals(1, status, "expected " + expected.outcome + " but check passed:\n" + output);
                assertFalse(expected.errors.isEmpty(), "expect.txt of an " + expected.outcome + " case names its error");
                for (String error : expected.errors) {
                    assertTrue(output.contains(error), "output should name '" + error + "':\n" + output);
                }
                if (expected.outcome.equals("unsupported")) {
                    // the feature must be on the page that lists what Gatehouse does not support
                    assertFalse(expected.listed.isEmpty(), "expect.txt of an unsupported case has a 'listed:' line");
                    String differences = Files.readString(DIFFERENCES, StandardCharsets.UTF_8);
                    for (String listed : expected.listed) {
                        assertTrue(differences.contains(listed), DIFFERENCES + " should list '" + listed + "'");
                    }
                }
                // no Java class names or stack traces in what a user reads
                assertFalse(output.contains("Exception") || output.contains("\tat "), output);
            }
            default -> fail("expect.txt: unknown outcome '" + expected.outcome + "'");
        }
    }

    /**
     * Reads {@code labels.txt}: a line {@code container: <name> <ip> <port>} starts a container, the {@code key=value}
     * lines after it are its labels (as in a compose file's {@code labels:} list).
     */
    private static void addContainers(FakeDockerEngine engine, Path file) throws IOException {
        String[] container = null;
        Map<String, String> labels = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        lines.add("container: end");
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("container:")) {
                if (container != null) {
                    engine.container(container[0], container[0], Map.copyOf(labels), container[1],
                            Integer.parseInt(container[2]));
                }
                container = line.substring("container:".length()).strip().split("\\s+");
                labels.clear();
            } else {
                int equals = line.indexOf('=');
                if (container == null || equals < 0) {
                    throw new IllegalStateException(file + ": '" + line + "' is neither 'container: ...' nor a label");
                }
                labels.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
    }

    /**
     * What {@code expect.txt} declares: {@code expect:}, {@code routers:}, and any number of {@code error:} lines and
     * of {@code listed:} lines (text of docs/differences-from-traefik.md that lists an unsupported feature).
     */
    private record Expectation(String outcome, String routers, List<String> errors, List<String> listed) {

        static Expectation read(Path file) throws IOException {
            String outcome = null;
            String routers = null;
            List<String> errors = new ArrayList<>();
            List<String> listed = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int colon = line.indexOf(':');
                if (line.isBlank() || line.startsWith("#") || colon < 0) {
                    continue;
                }
                String value = line.substring(colon + 1).strip();
                switch (line.substring(0, colon).strip()) {
                    case "expect" -> outcome = value;
                    case "routers" -> routers = value;
                    case "error" -> errors.add(value);
                    case "listed" -> listed.add(value);
                    default -> { } // source: and other notes are for people
                }
            }
            if (outcome == null) {
                throw new IllegalStateException(file + " has no 'expect:' line");
            }
            return new Expectation(outcome, routers, errors, listed);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            files.forEach(path -> {
                try {
                    Path target = to.resolve(from.relativize(path).toString());
                    if (Files.isDirectory(path)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(path, target);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
