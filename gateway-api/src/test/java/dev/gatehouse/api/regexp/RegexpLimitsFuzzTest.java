package dev.gatehouse.api.regexp;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

/**
 * Every configured regexp goes through {@link RegexpLimits#compile} and then RE2/J, as here. Whatever the text,
 * the only outcomes are a refusal (IllegalArgumentException, or RE2/J's PatternSyntaxException for bad syntax) or a
 * pattern that matches request-sized input on a thread with the product's 512 KiB stack: no other exception, no
 * stack overflow, no hang (each try is bounded in time), and no compiled program beyond the size bound (which is
 * what bounds memory). Tries: {@code jqwik.tries.default} (docs/fuzzing.md).
 */
class RegexpLimitsFuzzTest {

    private static final Duration PER_TRY = Duration.ofSeconds(5);
    private static final List<String> INPUTS = List.of("", "/", "/api/v1/users", "a".repeat(300), "aaaab!",
            "x.example.com", "é/\u0000\n", "ab".repeat(100) + "c");

    private static void refusedOrSafe(String regexp) {
        assertTimeoutPreemptively(PER_TRY, () -> {
            Pattern pattern;
            try {
                pattern = RegexpLimits.compile(regexp, Pattern::compile);
            } catch (IllegalArgumentException | PatternSyntaxException refused) {
                return;
            }
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread request = new Thread(null, () -> {
                try {
                    for (String input : INPUTS) {
                        pattern.matcher(input).find();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "request-sized-stack", 512 * 1024);
            request.start();
            request.join();
            if (failure.get() != null) {
                throw new AssertionError(shown(regexp) + " compiled but failed to match: " + failure.get(), failure.get());
            }
        }, () -> shown(regexp) + " took more than " + PER_TRY);
    }

    private static String shown(String regexp) {
        return regexp.length() <= 200 ? "`" + regexp + "`" : "`" + regexp.substring(0, 200) + "`... (" + regexp.length() + " characters)";
    }

    @Property
    void grammarExpressions(@ForAll("expressions") String regexp) {
        refusedOrSafe(regexp);
    }

    @Property
    void randomText(@ForAll @StringLength(max = 80) String regexp) {
        refusedOrSafe(regexp);
    }

    @Property
    void tokenSoup(@ForAll("tokens") String regexp) {
        refusedOrSafe(regexp);
    }

    @Property(tries = 30)
    void deepNesting(@ForAll("depths") int depth, @ForAll("openers") String opener) {
        refusedOrSafe(opener.repeat(depth) + "a" + ")".repeat(depth));
    }

    /** RE2/J reads in quadratic time: whatever the content, a long expression is refused or compiles in time. */
    @Property(tries = 20)
    void longExpressions(@ForAll("lengths") int length, @ForAll("pieces") String piece) {
        refusedOrSafe(piece.repeat(length / piece.length() + 1));
    }

    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.integers().between(1, 200_000);
    }

    @Provide
    Arbitrary<String> pieces() {
        return Arbitraries.of("a", "(?i)", "(?:a)", "(?:)", "[a]", "\\pL", "a|", "()", "^");
    }

    /** Go's RE2 syntax: atoms, classes, groups of every kind, alternation and every repetition form, nested. */
    @Provide
    Arbitrary<String> expressions() {
        Arbitrary<String> atom = Arbitraries.oneOf(
                Arbitraries.of("a", "b", ".", "^", "$", "\\b", "\\d", "\\w", "\\pL", "\\p{Greek}", "\\Q(*)\\E", "\\x{41}",
                        "[a-z]", "[^0-9]", "[[:alpha:]]", "[\\pL\\pN_-]", "(?i)", "()", "(?:)", "é", "\\.", "{", "a{,2}"),
                Arbitraries.strings().withChars("abc/.-").ofMinLength(1).ofMaxLength(30));
        return Arbitraries.recursive(() -> atom, inner -> Arbitraries.oneOf(
                Combinators.combine(inner, inner).as(String::concat),
                Combinators.combine(inner, inner).as((l, r) -> l + "|" + r),
                Combinators.combine(Arbitraries.of("(", "(?:", "(?P<n>", "(?i:"), inner).as((open, body) -> open + body + ")"),
                Combinators.combine(inner, repetition()).as((body, rep) -> "(?:" + body + ")" + rep),
                Combinators.combine(inner, repetition()).as(String::concat)), 1, 6);
    }

    private Arbitrary<String> repetition() {
        Arbitrary<Integer> count = Arbitraries.oneOf(Arbitraries.integers().between(0, 12),
                Arbitraries.integers().between(0, 1100), Arbitraries.of(999, 1000, 1001, 99_999_999));
        return Arbitraries.oneOf(Arbitraries.of("*", "+", "?", "*?", "+?", "??"),
                count.map(n -> "{" + n + "}"), count.map(n -> "{" + n + ",}"),
                Combinators.combine(count, count).as((a, b) -> "{" + Math.min(a, b) + "," + Math.max(a, b) + "}"));
    }

    @Provide
    Arbitrary<String> tokens() {
        return Arbitraries.of("(", ")", "(?:", "|", "*", "+", "?", "{1000}", "{2,1000}", "{0,}", "{", "}", "[", "]",
                        "^", "-", "\\", "a", "\\pL", "[:alpha:]", "(?i)", "\\Q", "\\E", ",", "0", "9")
                .list().ofMaxSize(60).map(parts -> String.join("", parts));
    }

    @Provide
    Arbitrary<Integer> depths() {
        return Arbitraries.integers().between(1, 20_000);
    }

    @Provide
    Arbitrary<String> openers() {
        return Arbitraries.of("(", "(?:", "(?:a|", "(a*");
    }
}
