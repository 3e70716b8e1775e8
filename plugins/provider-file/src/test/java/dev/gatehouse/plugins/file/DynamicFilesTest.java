package dev.gatehouse.plugins.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.ConfigurationSnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watcher asks whether changed bytes parse, and then for the snapshot of the bytes that settled: the parse of
 * the first question is reused for the second only when the bytes are the same.
 */
class DynamicFilesTest {

    @TempDir
    Path dir;

    private static DynamicFiles.FileRead read(String yaml) {
        return DynamicFiles.FileRead.of(yaml.getBytes(StandardCharsets.UTF_8));
    }

    private static String ruleOf(ConfigurationSnapshot snapshot) {
        @SuppressWarnings("unchecked")
        Map<String, Object> http = (Map<String, Object>) snapshot.fragments().get(0).content().get("http");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> routers = (Map<String, Map<String, Object>>) http.get("routers");
        return String.valueOf(routers.get("app").get("rule"));
    }

    @Test
    void theSnapshotIsOfTheBytesItIsGivenWhateverWasAskedBefore() throws Exception {
        Path file = dir.resolve("dyn.yml");
        Files.writeString(file, "http: {}\n");
        DynamicFiles files = DynamicFiles.ofFile(file);
        DynamicFiles.FileRead first = read("http:\n  routers:\n    app:\n      rule: Host(`first`)\n");
        DynamicFiles.FileRead second = read("http:\n  routers:\n    app:\n      rule: Host(`second`)\n");

        assertTrue(files.parses(file, first));
        SortedMap<Path, DynamicFiles.FileRead> settled = new TreeMap<>(Map.of(file, second));
        assertEquals("Host(`second`)", ruleOf(files.snapshot(settled)), "a parse of other bytes is not reused");

        assertTrue(files.parses(file, first));
        assertEquals("Host(`first`)", ruleOf(files.snapshot(new TreeMap<>(Map.of(file, first)))));
        assertEquals("Host(`second`)", ruleOf(files.snapshot(settled)), "nor a parse used once already");
    }
}
