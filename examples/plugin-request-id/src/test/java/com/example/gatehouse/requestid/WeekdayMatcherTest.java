package com.example.gatehouse.requestid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.RequestPredicate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The Weekday rule against a clock the test sets: no waiting for a Saturday. */
class WeekdayMatcherTest {

    /** 2024-01-01 was a Monday. */
    private static Instant utc(String dateTime) {
        return Instant.parse(dateTime + "Z");
    }

    private static boolean matches(String arguments, Instant now) {
        RequestPredicate predicate = new WeekdayMatcher(Clock.fixed(now, ZoneOffset.UTC))
                .compile(Arrays.asList(arguments.split(" ")));
        return predicate.test(null);
    }

    @ParameterizedTest(name = "Weekday({0}) at {1} UTC is {2}")
    @CsvSource({
            "mon fri,                  2024-01-01T00:00:00, true",    // Monday, first instant
            "mon fri,                  2024-01-05T23:59:59, true",    // Friday, last second
            "mon fri,                  2024-01-06T00:00:00, false",   // Saturday
            "sat sun,                  2024-01-07T12:00:00, true",    // Sunday
            "fri mon,                  2024-01-07T12:00:00, true",    // wraps round Sunday
            "fri mon,                  2024-01-03T12:00:00, false",   // Wednesday is outside fri..mon
            "Wednesday wednesday,      2024-01-03T12:00:00, true",    // full names, any case
            "mon fri Pacific/Auckland, 2024-01-05T12:00:00, false",   // Friday noon UTC is Saturday in Auckland
            "mon fri America/New_York, 2024-01-06T03:00:00, true",    // Saturday 03:00 UTC is still Friday in New York
    })
    void matchesTheDaysOfTheRangeInItsZone(String arguments, String dateTime, boolean expected) {
        assertEquals(expected, matches(arguments.strip(), utc(dateTime)));
    }

    @Test
    void followsTheClockAcrossMidnight() {
        MutableClock clock = new MutableClock(utc("2024-01-05T23:59:59"));
        RequestPredicate weekdays = new WeekdayMatcher(clock).compile(List.of("mon", "fri"));
        assertTrue(weekdays.test(null));
        clock.advance(Duration.ofSeconds(1));   // Saturday
        assertEquals(false, weekdays.test(null));
        clock.advance(Duration.ofDays(2));      // Monday
        assertTrue(weekdays.test(null));
    }

    @ParameterizedTest(name = "Weekday({0}) is rejected: {1}")
    @CsvSource(delimiter = '|', value = {
            "mon                  | expects 2 or 3 arguments",
            "mon fri UTC extra    | expects 2 or 3 arguments",
            "monday funday        | is not a day (mon, tue, ... sun)",
            "mon fri Mars/Olympus | unknown time zone",
    })
    void rejectsBadArgumentsWhenTheConfigurationLoads(String arguments, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new WeekdayMatcher().compile(Arrays.asList(arguments.strip().split(" "))));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    /** A clock the test moves. */
    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            MutableClock parent = this;
            return new Clock() {
                @Override
                public ZoneId getZone() {
                    return zone;
                }

                @Override
                public Clock withZone(ZoneId other) {
                    return parent.withZone(other);
                }

                @Override
                public Instant instant() {
                    return parent.now;
                }
            };
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
