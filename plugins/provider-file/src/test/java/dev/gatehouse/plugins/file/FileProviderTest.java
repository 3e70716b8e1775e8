package dev.gatehouse.plugins.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.api.Provider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading files once (watch: false) and checking the options. */
class FileProviderTest {

    static final String YAML = """
            http:
              routers:
                app:
                  rule: Host(`app.example.com`)
                  entryPoints: [web]
                  service: app
              services:
                app:
                  loadBalancer:
                    servers:
                      - url: http://10.0.0.1:8080
                      - url: http://10.0.0.2:8080
                        weight: 2
            """;

    static final String TOML = """
            [http.routers.api]
              rule = "PathPrefix(`/api`)"
              service = "api"
              priority = 10

            [[http.services.api.loadBalancer.servers]]
              url = "http://10.0.1.1"
            [[http.services.api.loadBalancer.servers]]
              url = "http://10.0.1.2"
            """;

    static final Map<String, Object> YAML_TREE = Map.of("http", Map.of(
            "routers", Map.of("app", Map.of(
                    "rule", "Host(`app.example.com`)", "entryPoints", List.of("web"), "service", "app")),
            "services", Map.of("app", Map.of("loadBalancer", Map.of("servers", List.of(
                    Map.of("url", "http://10.0.0.1:8080"),
                    Map.of("url", "http://10.0.0.2:8080", "weight", 2)))))));

    static final Map<String, Object> TOML_TREE = Map.of("http", Map.of(
            "routers", Map.of("api", Map.of("rule", "PathPrefix(`/api`)", "service", "api", "priority", 10)),
            "services", Map.of("api", Map.of("loadBalancer", Map.of("servers", List.of(
                    Map.of("url", "http://10.0.1.1"), Map.of("url", "http://10.0.1.2")))))));

    @TempDir
    Path dir;

    private final RecordingContext context = new RecordingContext();
    private Provider.Running running;

    @AfterEach
    void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    private ConfigurationSnapshot start(String filename, String directory) throws Exception {
        running = new FileProvider(new TestEnvironment(dir)).start(new FileProviderConfig(filename, directory, false), context);
        return context.next(Duration.ZERO.plusMillis(100));
    }

    static Path write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    static ConfigurationFragment fragment(ConfigurationSnapshot snapshot, Path origin) {
        return snapshot.fragments().stream().filter(f -> f.origin().equals(origin.toString())).findFirst()
                .orElseThrow(() -> new AssertionError("no fragment from " + origin + " in " + snapshot));
    }

    static List<String> origins(ConfigurationSnapshot snapshot) {
        return snapshot.fragments().stream().map(ConfigurationFragment::origin).toList();
    }

    @Test
    void namedFileAndBoundToItsRecord() {
        FileProvider provider = new FileProvider(new TestEnvironment(dir));
        assertEquals("file", provider.name());
        assertEquals(FileProviderConfig.class, provider.configType());
        assertEquals(true, new FileProviderConfig("a.yml", null, null).watch(), "watch defaults to true");
    }

    @Test
    void yamlAndTomlFilesBecomeTreesWithTheirPathsAsOrigins() throws Exception {
        Path yaml = write(dir.resolve("conf/app.yml"), YAML);
        Path toml = write(dir.resolve("conf/api.toml"), TOML);

        ConfigurationSnapshot snapshot = start(null, "conf");

        assertEquals(List.of(toml.toString(), yaml.toString()), origins(snapshot));
        assertEquals(new ConfigurationFragment(yaml.toString(), YAML_TREE, List.of()), fragment(snapshot, yaml));
        assertEquals(new ConfigurationFragment(toml.toString(), TOML_TREE, List.of()), fragment(snapshot, toml));
    }

    @Test
    void filenameIsResolvedByTheEnvironment() throws Exception {
        Path yaml = write(dir.resolve("dynamic.yaml"), YAML);

        ConfigurationSnapshot snapshot = start("dynamic.yaml", null);

        assertEquals(ConfigurationSnapshot.of(ConfigurationFragment.of(yaml.toString(), YAML_TREE)), snapshot);
    }

    @Test
    void directoryIsReadRecursivelyInPathOrderIgnoringOtherAndHiddenFiles() throws Exception {
        Path a = write(dir.resolve("conf/a.yml"), "http: {}");
        Path b = write(dir.resolve("conf/b/deeper/c.yaml"), "tls: {}");
        Path c = write(dir.resolve("conf/c.toml"), "");
        write(dir.resolve("conf/notes.txt"), "http: {}");
        write(dir.resolve("conf/a.yml.bak"), "http: {}");
        write(dir.resolve("conf/.hidden.yml"), "http: {}");
        write(dir.resolve("conf/.git/config.yml"), "http: {}");

        ConfigurationSnapshot snapshot = start(null, "conf");

        assertEquals(List.of(a.toString(), b.toString(), c.toString()), origins(snapshot));
        assertEquals(Map.of("tls", Map.of()), fragment(snapshot, b).content());
    }

    @Test
    void emptyFileIsAnEmptyFragment() throws Exception {
        Path empty = write(dir.resolve("empty.yml"), "# nothing yet\n");

        assertEquals(ConfigurationSnapshot.of(ConfigurationFragment.of(empty.toString(), Map.of())), start("empty.yml", null));
    }

    @Test
    void unknownTopLevelKeyIsAnErrorAndTheRestIsKept() throws Exception {
        Path file = write(dir.resolve("d.yml"), YAML + "routers:\n  x: {}\n");

        ConfigurationFragment fragment = start("d.yml", null).fragments().get(0);

        assertEquals(YAML_TREE, fragment.content());
        assertEquals(List.of(file + ": unknown top-level key \"routers\" (expected http, tcp, udp or tls); it is ignored."),
                fragment.errors());
    }

    @Test
    void brokenFileAtStartIsAnEmptyFragmentWithItsErrorWhileOthersLoad() throws Exception {
        Path good = write(dir.resolve("conf/good.yml"), YAML);
        Path broken = write(dir.resolve("conf/broken.yml"), "http:\n  routers:\n    r: [unclosed\n");

        ConfigurationSnapshot snapshot = start(null, "conf");

        ConfigurationFragment fragment = fragment(snapshot, broken);
        assertEquals(Map.of(), fragment.content());
        assertEquals(1, fragment.errors().size());
        String error = fragment.errors().get(0);
        assertTrue(error.startsWith(broken + ": YAML error at line "), error);
        assertTrue(error.endsWith("Nothing from this file is used until it is fixed."), error);
        assertEquals(YAML_TREE, fragment(snapshot, good).content());
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedUnreadWhileOthersLoad() throws Exception {
        Path good = write(dir.resolve("conf/good.yml"), YAML);
        // Sparse: 3 GB on paper, nothing on disk. Read whole, it would not even fit in one Java array.
        Path huge = dir.resolve("conf/huge.yml");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength(3L * 1024 * 1024 * 1024);
        }

        ConfigurationSnapshot snapshot = start(null, "conf");

        ConfigurationFragment fragment = fragment(snapshot, huge);
        assertEquals(Map.of(), fragment.content());
        assertEquals(1, fragment.errors().size(), fragment.errors().toString());
        assertTrue(fragment.errors().get(0).startsWith(huge + ": the file is 3072 MB"), fragment.errors().get(0));
        assertTrue(fragment.errors().get(0).contains("limited to 4 MB"), fragment.errors().get(0));
        assertEquals(YAML_TREE, fragment(snapshot, good).content());
    }

    @Test
    void missingFileIsAnErrorNamingTheResolvedPath() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> start("x/y.yml", null));
        assertEquals("providers.file.filename: " + dir.resolve("x/y.yml") + " does not exist", e.getMessage());
    }

    @Test
    void missingDirectoryIsAnErrorNamingTheResolvedPath() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> start(null, "nowhere"));
        assertEquals("providers.file.directory: " + dir.resolve("nowhere") + " does not exist", e.getMessage());
    }

    @Test
    void bothFilenameAndDirectoryIsAnError() throws IOException {
        write(dir.resolve("a.yml"), "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> start("a.yml", "."));
        assertTrue(e.getMessage().startsWith("providers.file: set either filename or directory, not both"), e.getMessage());
    }

    @Test
    void neitherFilenameNorDirectoryIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> start(" ", null));
        assertTrue(e.getMessage().startsWith("providers.file: set either filename"), e.getMessage());
        assertTrue(e.getMessage().endsWith("neither is set"), e.getMessage());
    }

    @Test
    void fileAndFolderSwappedAreErrors() throws IOException {
        write(dir.resolve("conf/a.yml"), "");
        assertThrows(IllegalArgumentException.class, () -> start("conf", null));
        assertThrows(IllegalArgumentException.class, () -> start(null, "conf/a.yml"));
    }
}
