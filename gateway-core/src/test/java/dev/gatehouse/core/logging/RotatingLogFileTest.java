package dev.gatehouse.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.config.LogConfig;
import dev.gatehouse.it.Poll;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class RotatingLogFileTest {

    private static final long MEGABYTE = 1024 * 1024;

    @TempDir
    Path directory;

    @AfterEach
    void restore() {
        Logging.configure("INFO", "text");
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    /** Polls (bounded) for what the rotation thread does after a rotation. */
    private static void await(Supplier<Boolean> condition, Supplier<String> state) throws InterruptedException {
        Poll.until("the rotation thread's work", Duration.ofSeconds(10), condition::get, state);
    }

    private Supplier<String> listing() {
        return () -> {
            try {
                return names().toString();
            } catch (IOException e) {
                return e.toString();
            }
        };
    }

    @Test
    void theGatewayLogRotatesAtMaxSizeKeepsMaxBackupsAndGzipsThem() throws Exception {
        LogConfig config = new LogConfig("INFO", "text", "gatehouse.log", null, null, 1, null, 2, null);
        Logging.configure(config, directory::resolve);
        String filler = "x".repeat(1000);
        // About 3.5 MB of records: three rotations of a 1 MB file, of which two backups are kept.
        for (int i = 0; i < 3600; i++) {
            LoggerFactory.getLogger("dev.gatehouse.test").info("record {} {}", i, filler);
        }
        Logging.configure("INFO", "text");

        await(() -> {
            try {
                List<String> names = names();
                return names.size() == 3 && names.stream().filter(name -> name.endsWith(".log.gz")).count() == 2;
            } catch (IOException e) {
                return false;
            }
        }, listing());
        List<String> names = names();
        assertTrue(names.contains("gatehouse.log"), names.toString());
        for (String name : names) {
            assertTrue(name.equals("gatehouse.log")
                    || name.matches("gatehouse-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3}\\.log\\.gz"), name);
            assertTrue(Files.size(directory.resolve(name)) <= MEGABYTE, name + " is larger than maxSize");
        }
        // The newest backup holds the records just before the current file's, uncompressed by gunzip.
        String newest = names.get(names.size() - 2);
        String backup;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(directory.resolve(newest)))) {
            backup = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(backup.contains("record 2"), backup.substring(0, 200));
        String current = Files.readString(directory.resolve("gatehouse.log"));
        assertTrue(current.contains("record 3599 "), "the last record is in the current file");
        assertFalse(current.contains("record 0 "), "the first records were rotated away");
    }

    @Test
    void aRotationThatCannotRenameKeepsWritingIntoTheFile() throws Exception {
        Instant now = Instant.parse("2026-12-07T01:00:00Z");
        // A folder where the backup would go: the rename fails, the line must not be lost.
        Files.createDirectories(directory.resolve("gatehouse-2026-12-07T01-00-00.000.log").resolve("occupied"));
        Files.writeString(directory.resolve("gatehouse.log"), "y".repeat((int) MEGABYTE - 10));
        try (RotatingLogFile log = new RotatingLogFile(directory.resolve("gatehouse.log"), 1, 0, 0,
                Clock.fixed(now, ZoneOffset.UTC))) {
            log.write("still logged\n".getBytes(StandardCharsets.UTF_8));
            log.write("and this\n".getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(Files.readString(directory.resolve("gatehouse.log")).endsWith("still logged\nand this\n"));
    }

    @Test
    void backupsOlderThanMaxAgeAreDeletedAndTheOthersGzipped() throws Exception {
        Instant now = Instant.parse("2026-12-07T01:00:00Z");
        Files.writeString(directory.resolve("gatehouse-2026-11-29T01-00-00.000.log"), "eight days old\n");
        Files.writeString(directory.resolve("gatehouse-2026-12-05T01-00-00.000.log"), "two days old\n");
        Files.writeString(directory.resolve("gatehouse-2026-12-06T01-00-00.000.log.gz"), "compressed before\n");
        Files.writeString(directory.resolve("gatehouse-notatime.log"), "not a backup\n");
        Files.writeString(directory.resolve("gatehouse.log"), "y".repeat((int) MEGABYTE - 10));
        Files.setPosixFilePermissions(directory.resolve("gatehouse.log"), PosixFilePermissions.fromString("rw-------"));

        try (RotatingLogFile log = new RotatingLogFile(directory.resolve("gatehouse.log"), 1, 0, 7,
                Clock.fixed(now, ZoneOffset.UTC))) {
            log.write("a line that does not fit\n".getBytes(StandardCharsets.UTF_8));
            log.flush();
            assertEquals("a line that does not fit\n", Files.readString(directory.resolve("gatehouse.log")));
        }
        List<String> expected = List.of("gatehouse-2026-12-05T01-00-00.000.log.gz",
                "gatehouse-2026-12-06T01-00-00.000.log.gz", "gatehouse-2026-12-07T01-00-00.000.log.gz",
                "gatehouse-notatime.log", "gatehouse.log");
        await(() -> listing().get().equals(expected.toString()), listing());
        try (InputStream in = new GZIPInputStream(
                Files.newInputStream(directory.resolve("gatehouse-2026-12-07T01-00-00.000.log.gz")))) {
            assertEquals("y".repeat((int) MEGABYTE - 10), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                directory.resolve("gatehouse-2026-12-07T01-00-00.000.log.gz"))), "the archive keeps the log's permissions");
    }
}
