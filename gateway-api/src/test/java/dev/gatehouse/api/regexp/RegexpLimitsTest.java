package dev.gatehouse.api.regexp;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RegexpLimitsTest {

    /** Expressions from Traefik's documentation and real configurations: all within every bound. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "^/api/v[0-9]+/",
            "^.+\\.example\\.com$",
            "^[a-z]+\\.example\\.com$",
            "^/products/(shoes|socks)/[0-9]+$",
            "\\.(jpeg|jpg|png)$",
            "^http://localhost/(.*)",
            "^https?://(?:www\\.)?example\\.(com|org)/(?P<path>.*)$",
            "/foo/[a-z0-9]+/[0-9]+/",
            "^https://([a-z0-9-]+)\\.example\\.com$",
            "(?i)^Example\\.com$",
            "^/[[:digit:]]+$",
            "^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+example\\.com$",
            "[\\p{L}\\p{N}_-]+",
            "\\Q(((a{1000}){1000}))\\E",
            "a{1000}",
            "(a{1000})",
            "(?:a{2,1000})",
            ".{0,1000}",
            "(a{10}){100}",
            "((a{10}){10}){10}",
            "(a{1000}){1}",
            "(a{1000}){0}{5}",
            "(?:a*){1000}",
            "[a-z]{1,63}",
            "a{,5}{x}{01}",
            "",
            "(",
            "a{2}{3}"})
    void acceptsRealExpressions(String regexp) {
        assertDoesNotThrow(() -> RegexpLimits.check(regexp));
    }

    /** What Go's regexp refuses for Traefik, and what would overflow RE2/J: expression => what the message says. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '\'', textBlock = """
            ((((a{100}){100}){100}){100})          => multiply to 100,000,000; the limit is 1,000
            (a{1000}){1000}                        => multiply to 1,000,000; the limit is 1,000
            (a{100}){11}                           => multiply to 1,100
            ((a{10}){10}){11}                      => multiply to 1,100
            (?:(?:a{2}){1}){501}                   => multiply to 1,002
            a{1001}                                => {1001} counts more than 1,000
            a{2,1001}                              => counts more than 1,000
            a{99999999999999999999}                => counts more than 1,000
            (?:abcdefghijklmnopqrstuvwxy){1000}    => compile to about 25,000 instructions; the limit is 20,000
            (?:()){1000}                           => steps that match nothing
            (a*){1000}                             => steps that match nothing
            (?:a?b?c?d?e?f?g?h?i?j?){1000}         => steps that match nothing
            """)
    void refusesWithTheReason(String regexp, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RegexpLimits.check(regexp));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void refusesNestingDeeperThanGo() {
        String deep = "(".repeat(1001) + "a" + ")".repeat(1001);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RegexpLimits.check(deep));
        assertTrue(e.getMessage().contains("levels deep; the limit is 1,000"), e.getMessage());
        assertDoesNotThrow(() -> RegexpLimits.check("(".repeat(900) + "a" + ")".repeat(900)));
    }

    /** RE2/J reads in quadratic time: 50,000 flag groups, which compile to nothing, took five seconds. */
    @Test
    void refusesExpressionsLongerThanTheLengthBound() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RegexpLimits.check("(?i)".repeat(5001)));
        assertTrue(e.getMessage().contains("is 20,004 characters long; the limit is 20,000"), e.getMessage());
        assertTrue(e.getMessage().length() < 300, "the expression is shortened in the message: " + e.getMessage());
        assertDoesNotThrow(() -> RegexpLimits.check("(?i)".repeat(5000)));
    }

    @Test
    void refusesTooManyUnicodeClasses() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RegexpLimits.check("\\pL".repeat(40)));
        assertTrue(e.getMessage().contains("character classes"), e.getMessage());
        assertDoesNotThrow(() -> RegexpLimits.check("\\pL".repeat(30)));
    }

    @Test
    void refusesAnAlternationOfMoreBranchesThanTheEmptyStepBound() {
        StringBuilder hosts = new StringBuilder();
        for (int i = 0; i < 1100; i++) {
            hosts.append(i == 0 ? "" : "|").append("h").append(i);
        }
        assertThrows(IllegalArgumentException.class, () -> RegexpLimits.check(hosts.toString()));
        assertDoesNotThrow(() -> RegexpLimits.check(hosts.substring(0, hosts.indexOf("|h900|"))));
    }

    @Test
    void readingIsLinearAndNeedsNoRecursion() {
        long start = System.nanoTime();
        assertThrows(IllegalArgumentException.class,
                () -> RegexpLimits.check("(".repeat(200_000) + "a" + ")".repeat(200_000)));
        assertThrows(IllegalArgumentException.class, () -> RegexpLimits.check("a".repeat(1_000_000)));
        assertThrows(IllegalArgumentException.class, () -> RegexpLimits.check("(?i)".repeat(100_000)));
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "a few hundred ms at most");
    }

    @Test
    void compilesShallowExpressionsOnTheCallersThread() {
        Thread caller = Thread.currentThread();
        AtomicReference<Thread> compiledOn = new AtomicReference<>();
        assertEquals("^/api", RegexpLimits.compile("^/api", regexp -> {
            compiledOn.set(Thread.currentThread());
            return regexp;
        }));
        assertSame(caller, compiledOn.get());
    }

    /**
     * x{2,1000} is a thousand nested levels for RE2/J: compiled where the stack holds them, even when the caller's
     * thread has a small stack (20,000 levels of recursion do not fit in 256 KiB).
     */
    @Test
    void compilesDeepExpressionsOnADeepStack() throws InterruptedException {
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread small = new Thread(null, () -> {
            try {
                outcome.set(RegexpLimits.compile("(a{2,1000})", regexp -> recurse(20_000)));
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "small-stack", 256 * 1024);
        small.start();
        small.join();
        assertEquals(20_000, outcome.get());
    }

    private static int recurse(int n) {
        return n == 0 ? 0 : 1 + recurse(n - 1);
    }

    @Test
    void passesTheCompilersOwnErrorsOn() {
        IllegalStateException failure = new IllegalStateException("engine says no");
        assertSame(failure, assertThrows(IllegalStateException.class, () -> RegexpLimits.compile("(a{2,1000})", r -> {
            throw failure;
        })));
        assertSame(failure, assertThrows(IllegalStateException.class, () -> RegexpLimits.compile("a", r -> {
            throw failure;
        })));
    }

    @Test
    void refusesBeforeCompiling() {
        assertThrows(IllegalArgumentException.class, () -> RegexpLimits.compile("(a{1000}){1000}", r -> {
            throw new AssertionError("compiled a refused expression");
        }));
    }

    /** What RE2/J says about each of these, with the hint every plugin that refuses a regexp appends. */
    @Test
    void aSyntaxOtherEnginesAcceptIsExplained() {
        record Case(String regexp, String hint) {
        }
        for (Case c : java.util.List.of(
                new Case("foo(?=bar)", " (Go's RE2 syntax has no lookahead or lookbehind)"),
                new Case("(?<!x)y", " (Go's RE2 syntax has no lookahead or lookbehind)"),
                new Case("(a)\\1", " (Go's RE2 syntax has no backreferences)"),
                new Case("(abc", ""),
                new Case("[z-a]", ""))) {
            com.google.re2j.PatternSyntaxException refused = assertThrows(com.google.re2j.PatternSyntaxException.class,
                    () -> com.google.re2j.Pattern.compile(c.regexp()), c.regexp());
            assertEquals(c.hint(), RegexpLimits.syntaxHint(c.regexp(), refused.getDescription()), c.regexp());
        }
    }
}
