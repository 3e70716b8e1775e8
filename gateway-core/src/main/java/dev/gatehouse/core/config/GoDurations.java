package dev.gatehouse.core.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;

/**
 * Parses durations the way Traefik reads them: Go's {@code time.ParseDuration} syntax
 * ({@code 10s}, {@code 1m30s}, {@code 250ms}, {@code 1.5h}, {@code 0}), and a bare integer meaning
 * seconds ({@code 10} is ten seconds), as Traefik's {@code types.Duration} does.
 *
 * <p>Negative durations are refused: no Gatehouse setting has a use for them.
 */
public final class GoDurations {

    /** What an error message shows as valid examples. */
    public static final String EXAMPLES = "expected e.g. 2s, 500ms, 1m30s";

    private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
            "ns", 1L,
            "us", 1_000L,
            "\u00b5s", 1_000L, // micro sign
            "\u03bcs", 1_000L, // Greek mu
            "ms", 1_000_000L,
            "s", 1_000_000_000L,
            "m", 60_000_000_000L,
            "h", 3_600_000_000_000L);

    private static final BigInteger NANOS_PER_SECOND = BigInteger.valueOf(1_000_000_000L);

    private GoDurations() {
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException with a message naming the text when it is not a duration
     */
    public static Duration parse(String text) {
        if (text == null) {
            throw invalid(null);
        }
        String s = text.trim();
        if (s.isEmpty()) {
            throw invalid(text);
        }
        if (s.chars().allMatch(Character::isDigit)) {
            try {
                return Duration.ofSeconds(Long.parseLong(s));
            } catch (NumberFormatException e) {
                throw invalid(text);
            }
        }
        if (s.startsWith("+")) {
            s = s.substring(1);
        }
        if (s.startsWith("-")) {
            throw invalid(text);
        }
        BigDecimal totalNanos = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(start, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw invalid(text);
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            Long unit = NANOS_PER_UNIT.get(s.substring(unitStart, i));
            if (unit == null) {
                throw invalid(text); // also "1.5": Go wants a unit unless the number is an integer
            }
            totalNanos = totalNanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unit)));
        }
        BigInteger[] secondsAndNanos = totalNanos.toBigInteger().divideAndRemainder(NANOS_PER_SECOND);
        if (secondsAndNanos[0].bitLength() > 62) {
            throw invalid(text);
        }
        return Duration.ofSeconds(secondsAndNanos[0].longValueExact(), secondsAndNanos[1].longValueExact());
    }

    /** Writes a duration back in Go syntax ({@code 1m30s}, {@code 250ms}, {@code 0s}). */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        if (d.isNegative()) {
            out.append('-');
            d = d.negated();
        }
        long hours = d.toHours();
        int minutes = d.toMinutesPart();
        int seconds = d.toSecondsPart();
        int nanos = d.toNanosPart();
        if (hours == 0 && minutes == 0 && seconds == 0) {
            if (nanos % 1_000_000 == 0) {
                return out.append(nanos / 1_000_000).append("ms").toString();
            }
            if (nanos % 1_000 == 0) {
                return out.append(nanos / 1_000).append("us").toString();
            }
            return out.append(nanos).append("ns").toString();
        }
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            out.append(minutes).append('m');
        }
        out.append(seconds);
        if (nanos > 0) {
            out.append('.').append(String.format("%09d", nanos).replaceAll("0+$", ""));
        }
        return out.append('s').toString();
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("invalid duration '" + text + "' (" + EXAMPLES + ")");
    }
}
