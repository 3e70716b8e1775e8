package dev.gatehouse.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A dead backend fails every request: its failures are logged once per kind per window, with the count left out. */
class FailureLogTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @AfterEach
    void restoreClock() {
        FailureLog.nanoClock = System::nanoTime;
    }

    @Test
    void oneLinePerKindPerWindowThenTheCountOfThoseLeftOut() {
        FailureLog.nanoClock = now::get;
        String kind = "502 r@file s@file http://127.0.0.1:1 refused " + System.nanoTime();
        assertEquals("", FailureLog.admit(kind));
        for (int i = 0; i < 41; i++) {
            now.addAndGet(100_000_000L);   // 4.1 s in all: still inside the window
            assertNull(FailureLog.admit(kind));
        }
        assertEquals("", FailureLog.admit(kind + " another server"), "another kind has its own window");
        now.addAndGet(6_000_000_000L);
        assertEquals(" (and 41 more like it since the previous line, not logged)", FailureLog.admit(kind));
        assertNull(FailureLog.admit(kind));
        now.addAndGet(10_000_000_000L);
        assertEquals(" (and 1 more like it since the previous line, not logged)", FailureLog.admit(kind));
        now.addAndGet(10_000_000_000L);
        assertEquals("", FailureLog.admit(kind), "nothing was left out in between");
    }
}
