package dev.gatehouse.core.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.Storage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStorageTest {

    @TempDir
    Path dir;

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void keepsValuesAcrossReopeningInAFileOnlyItsOwnerCanRead() throws Exception {
        Path file = dir.resolve("acme.json");
        FileStorage storage = FileStorage.open(file, Clock.systemUTC());
        storage.put("certificates/b.test", "B".getBytes(StandardCharsets.UTF_8));
        storage.put("certificates/a.test", "A".getBytes(StandardCharsets.UTF_8));
        storage.put("account/key", new byte[] {1, 2, 3});
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        FileStorage reopened = FileStorage.open(file, Clock.systemUTC());
        assertEquals(List.of("certificates/a.test", "certificates/b.test"), reopened.list("certificates/"));
        assertArrayEquals(new byte[] {1, 2, 3}, reopened.get("account/key").orElseThrow());
        reopened.delete("certificates/a.test");
        assertEquals(Optional.empty(), FileStorage.open(file, Clock.systemUTC()).get("certificates/a.test"));
        try (var temps = Files.list(dir)) {
            assertEquals(List.of(file), temps.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void aCorruptFileIsMovedAsideNotOverwritten() throws Exception {
        Path file = dir.resolve("acme.json");
        Files.writeString(file, "{not json");
        FileStorage storage = FileStorage.open(file, Clock.systemUTC());
        assertEquals(List.of(), storage.list(""));
        storage.put("k", new byte[] {9});
        try (var files = Files.list(dir)) {
            List<Path> aside = files.filter(p -> p.getFileName().toString().startsWith("acme.json.corrupt-")).toList();
            assertEquals(1, aside.size());
            assertEquals("{not json", Files.readString(aside.get(0)), "the corrupt content is kept");
        }
    }

    @Test
    void locksExcludeOthersUntilReleasedOrExpired() throws Exception {
        TestClock clock = new TestClock();
        FileStorage storage = FileStorage.open(dir.resolve("s.json"), clock);
        Optional<Storage.Lock> first = storage.tryLock("order/a.test", Duration.ofMinutes(1));
        assertTrue(first.isPresent());
        assertTrue(storage.tryLock("order/a.test", Duration.ofMinutes(1)).isEmpty());
        assertTrue(storage.tryLock("order/b.test", Duration.ofMinutes(1)).isPresent(), "locks are by name");
        first.get().close();
        Optional<Storage.Lock> second = storage.tryLock("order/a.test", Duration.ofMinutes(1));
        assertTrue(second.isPresent());
        clock.now = clock.now.plus(Duration.ofMinutes(2));
        assertTrue(storage.tryLock("order/a.test", Duration.ofMinutes(1)).isPresent(), "an expired lock is free");
    }
}
