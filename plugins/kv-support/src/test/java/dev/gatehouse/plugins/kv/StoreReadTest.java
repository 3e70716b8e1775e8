package dev.gatehouse.plugins.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bounds on one read of a store: a value too large is named and skipped; too much in all stops the read. */
class StoreReadTest {

    @Test
    void aValueOverTheLimitIsNotReadAndItsKeyIsNamedWithTheLimit() throws Exception {
        StoreRead read = new StoreRead("traefik/");
        assertTrue(read.fits("traefik/http/routers/a/rule", 10));
        assertFalse(read.fits("traefik/http/routers/b/rule", StoreRead.MAX_VALUE_BYTES + 1L));
        assertEquals(Map.of("traefik/http/routers/b/rule", "the value is 1.0 MiB; a value read from the store is limited "
                + "to 1 MiB (keep large content, such as certificates, in files and give their paths)"), read.oversized());
    }

    @Test
    void moreThanTheSnapshotLimitInAllEndsTheRead() throws Exception {
        StoreRead read = new StoreRead("traefik/", 100);
        read.put("traefik/a", "x".repeat(50), 50);
        StoreRead.LimitExceeded e = assertThrows(StoreRead.LimitExceeded.class,
                () -> read.put("traefik/b", "x".repeat(50), 50));
        assertTrue(e.getMessage().startsWith("the keys under traefik/ hold more than 100 bytes"), e.getMessage());
    }
}
