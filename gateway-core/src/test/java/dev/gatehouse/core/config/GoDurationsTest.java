package dev.gatehouse.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationsTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
            "10s, PT10S",
            "1m30s, PT1M30S",
            "250ms, PT0.25S",
            "1h, PT1H",
            "1.5s, PT1.5S",
            "1.5h, PT1H30M",
            "0, PT0S",
            "0s, PT0S",
            "10, PT10S",          // a bare integer is seconds, as in Traefik
            "2h45m, PT2H45M",
            "300us, PT0.0003S",
            "300\u00b5s, PT0.0003S",
            "42ns, PT0.000000042S",
            "+5s, PT5S",
            "' 3s ', PT3S",
    })
    void parsesGoSyntaxAndBareSeconds(String text, Duration expected) {
        assertEquals(expected, GoDurations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "10x", "1.5", "s", "-5s", "1..5s", "5 s", "1d", ".s"})
    void rejectsWhatGoRejects(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoDurations.parse(text));
        assertTrue(e.getMessage().contains("invalid duration '" + text + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("expected e.g. 2s, 500ms, 1m30s"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} prints as {1}")
    @CsvSource({"PT0S, 0s", "PT1M30S, 1m30s", "PT0.25S, 250ms", "PT1H, 1h0m0s", "PT1.5S, 1.5s"})
    void formatsBackToGoSyntax(Duration d, String expected) {
        assertEquals(expected, GoDurations.format(d));
        assertEquals(d, GoDurations.parse(expected));
    }
}
