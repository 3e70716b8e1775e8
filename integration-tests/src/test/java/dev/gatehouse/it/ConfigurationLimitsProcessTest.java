package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack of issue 13 item 7, against the real command in a process of its own: {@code gatehouse check} on
 * an oversized static file, or one with a 4 MB value, used to run for 25 s to minutes; it must fail at once,
 * saying which file broke which limit.
 */
class ConfigurationLimitsProcessTest {

    @TempDir
    Path dir;

    private record Outcome(int status, String output, long millis) {
    }

    /** Runs {@code gatehouse check --configFile=FILE} as the launcher does; gives up (and fails) after 30 s. */
    private Outcome check(Path configFile) throws Exception {
        // Surefire runs the tests from a manifest-only jar: its property names the real class path.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx128m", "-cp", classPath, "dev.gatehouse.core.Gatehouse", "check",
                "--configFile=" + configFile)).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("check-output.log").toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("GATEHOUSE_") || name.startsWith("TRAEFIK_"));
        long started = System.nanoTime();
        Process process = builder.start();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("gatehouse check still runs after 30 s:\n" + output());
            }
        } finally {
            process.destroyForcibly();
        }
        return new Outcome(process.exitValue(), output(), (System.nanoTime() - started) / 1_000_000);
    }

    private String output() throws Exception {
        return Files.readString(dir.resolve("check-output.log"), StandardCharsets.UTF_8);
    }

    @Test
    void checkRefusesA50MegabyteFileAtOnceNamingFileAndLimit() throws Exception {
        Path config = dir.resolve("gatehouse.yml");
        try (RandomAccessFile file = new RandomAccessFile(config.toFile(), "rw")) {
            file.write("entryPoints:\n  web:\n    address: \":0\"\nlog:\n  level: \"".getBytes(StandardCharsets.UTF_8));
            byte[] chunk = "x".repeat(1024 * 1024).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 50; i++) {
                file.write(chunk);
            }
            file.write("\"\n".getBytes(StandardCharsets.UTF_8));
        }
        Outcome outcome = check(config);
        assertEquals(2, outcome.status(), outcome.output());
        assertTrue(outcome.output().contains("gatehouse.yml: the file is 50.0 MB; the static configuration file is limited to 1 MB"),
                outcome.output());
        assertTrue(!outcome.output().contains("Exception") && !outcome.output().contains("\tat "), outcome.output());
        assertTrue(outcome.millis() < 10_000, "took " + outcome.millis() + " ms");
    }

    @Test
    void checkRefusesA4MegabyteValueAtOnceNamingFileAndLimit() throws Exception {
        Path config = dir.resolve("gatehouse.yml");
        Files.writeString(config, "entryPoints:\n  web:\n    address: \":0\"\nlog:\n  level: \""
                + "x".repeat(4 * 1024 * 1024) + "\"\n");
        Outcome outcome = check(config);
        assertEquals(2, outcome.status(), outcome.output());
        assertTrue(outcome.output().contains("gatehouse.yml: the file is 4.0 MB; the static configuration file is limited "
                + "to 1 MB"), outcome.output());
        assertTrue(outcome.millis() < 10_000, "took " + outcome.millis() + " ms");
    }
}
