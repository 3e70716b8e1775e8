package com.example.gatehouse.requestid;

import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.pf4j.Extension;

/**
 * Rule function {@code Weekday}: true on the days of a range, in UTC or in a given time zone.
 *
 * <pre>{@code
 * rule: Host(`shop.example.com`) && Weekday(`mon`, `fri`)                 # Monday to Friday, UTC
 * rule: Host(`shop.example.com`) && Weekday(`sat`, `sun`, `Europe/Paris`)  # the weekend in Paris
 * rule: Weekday(`fri`, `mon`)                                             # ranges may wrap round Sunday
 * }</pre>
 *
 * <p>Days are written as their first three letters or in full, in any case. The predicate reads the clock on
 * each request but works out the day only when the day changes, so a request costs a comparison.
 */
@Extension
public final class WeekdayMatcher implements Matcher {

    private static final Map<String, DayOfWeek> DAYS = days();

    private final Clock clock;

    /** The matcher the gateway uses: the system clock. */
    public WeekdayMatcher() {
        this(Clock.systemUTC());
    }

    /** For tests: a matcher that reads {@code clock}. */
    WeekdayMatcher(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String name() {
        return "Weekday";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        if (arguments.size() != 2 && arguments.size() != 3) {
            throw new IllegalArgumentException("Weekday expects 2 or 3 arguments (first day, last day, optional time"
                    + " zone), got " + arguments.size());
        }
        DayOfWeek first = day(arguments.get(0));
        DayOfWeek last = day(arguments.get(1));
        ZoneId zone;
        try {
            zone = arguments.size() == 3 ? ZoneId.of(arguments.get(2).strip()) : ZoneOffset.UTC;
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("Weekday: unknown time zone '" + arguments.get(2) + "'");
        }
        return new DayRange(first, last, clock.withZone(zone));
    }

    private static DayOfWeek day(String argument) {
        DayOfWeek day = DAYS.get(argument.strip().toLowerCase(Locale.ROOT));
        if (day == null) {
            throw new IllegalArgumentException("Weekday: '" + argument + "' is not a day (mon, tue, ... sun)");
        }
        return day;
    }

    private static Map<String, DayOfWeek> days() {
        Map<String, DayOfWeek> days = new java.util.HashMap<>();
        for (DayOfWeek day : DayOfWeek.values()) {
            String full = day.name().toLowerCase(Locale.ROOT);
            days.put(full, day);
            days.put(full.substring(0, 3), day);
        }
        return Map.copyOf(days);
    }

    /** The compiled range; thread-safe, recomputes the day once a day. */
    private static final class DayRange implements RequestPredicate {
        private final DayOfWeek first;
        private final DayOfWeek last;
        private final Clock clock;
        private volatile Today today = new Today(Long.MIN_VALUE, Long.MIN_VALUE, false);

        DayRange(DayOfWeek first, DayOfWeek last, Clock clock) {
            this.first = first;
            this.last = last;
            this.clock = clock;
        }

        @Override
        public boolean test(dev.gatehouse.api.MatchContext request) {
            long now = clock.millis();
            Today current = today;
            if (now < current.from || now >= current.until) {
                current = compute(now);
                today = current;
            }
            return current.matches;
        }

        private Today compute(long now) {
            LocalDate date = java.time.Instant.ofEpochMilli(now).atZone(clock.getZone()).toLocalDate();
            long from = date.atStartOfDay(clock.getZone()).toInstant().toEpochMilli();
            long until = date.plusDays(1).atStartOfDay(clock.getZone()).toInstant().toEpochMilli();
            return new Today(from, until, inRange(date.getDayOfWeek()));
        }

        private boolean inRange(DayOfWeek day) {
            int d = day.getValue();
            int a = first.getValue();
            int b = last.getValue();
            return a <= b ? d >= a && d <= b : d >= a || d <= b;   // fri..mon wraps round Sunday
        }

        /** The day the clock was last seen in, {@code [from, until)} in epoch millis, and whether it matches. */
        private record Today(long from, long until, boolean matches) {
        }
    }
}
