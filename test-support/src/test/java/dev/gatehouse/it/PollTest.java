package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PollTest {

    @Test
    void returnsAsSoonAsTheConditionHolds() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        long start = System.nanoTime();
        Poll.until("the third check", Duration.ofSeconds(30), () -> checks.incrementAndGet() >= 3);
        assertEquals(3, checks.get());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "did not wait out the timeout");
    }

    @Test
    void failsAfterTheTimeoutNamingWhatAndTheStateSeen() {
        AssertionError failure = assertThrows(AssertionError.class, () -> Poll.until("the file to appear",
                Duration.ofMillis(100), () -> false, () -> "[a.log, b.log]"));
        assertEquals("not within PT0.1S: the file to appear; seen: [a.log, b.log]", failure.getMessage());
    }

    @Test
    void aConditionThatThrowsIsNotYetTrueAndItsErrorIsShown() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Poll.until("a connection", Duration.ofSeconds(30), () -> {
            if (calls.incrementAndGet() < 2) {
                throw new IOException("connection refused");
            }
            return true;
        });
        AssertionError failure = assertThrows(AssertionError.class, () -> Poll.until("a connection",
                Duration.ofMillis(50), () -> {
                    throw new IOException("connection refused");
                }));
        assertEquals("not within PT0.05S: a connection; seen: java.io.IOException: connection refused",
                failure.getMessage());
    }

    @Test
    void untilValueReturnsTheValueThatIsDoneOrShowsTheLastOne() throws Exception {
        AtomicInteger counter = new AtomicInteger();
        assertEquals(4, Poll.untilValue("four", Duration.ofSeconds(30), counter::incrementAndGet, n -> n == 4));
        AssertionError failure = assertThrows(AssertionError.class,
                () -> Poll.untilValue("a 200", Duration.ofMillis(50), () -> 503, status -> status == 200));
        assertEquals("not within PT0.05S: a 200; seen: 503", failure.getMessage());
    }
}
