package dev.gatehouse.plugins.matchers;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.RequestPredicate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.eclipse.jetty.server.Request;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The regexp matchers, given any regexp: a configuration error that names the matcher, or a predicate (for
 * PathRegexp and HostRegexp also tested on request-sized values on a thread with the product's 512 KiB stack);
 * no other exception, no hang. Tries: {@code jqwik.tries.default} (docs/fuzzing.md).
 */
class RegexpMatchersFuzzTest {

    private static final Duration PER_TRY = Duration.ofSeconds(5);

    private record Ctx(String host, String path) implements MatchContext {
        @Override
        public Request request() {
            throw new UnsupportedOperationException("host and path only");
        }
    }

    private static List<String> arguments(String matcher, String regexp) {
        return matcher.equals("HeaderRegexp") || matcher.equals("QueryRegexp") ? List.of("X", regexp) : List.of(regexp);
    }

    @Property
    void regexpMatchersRefuseOrMatch(@ForAll("matchers") String matcher, @ForAll("regexps") String regexp) {
        assertTimeoutPreemptively(PER_TRY, () -> {
            RequestPredicate predicate;
            try {
                predicate = AllMatchers.named(matcher).compile(arguments(matcher, regexp));
            } catch (IllegalArgumentException refused) {
                assertTrue(refused.getMessage().contains(matcher), refused.getMessage());
                return;
            }
            if (matcher.equals("HeaderRegexp") || matcher.equals("QueryRegexp")) {
                return;   // they read the request itself; RegexpLimitsFuzzTest matches the same patterns
            }
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread request = new Thread(null, () -> {
                try {
                    for (String value : List.of("/", "/api/v1/" + "a".repeat(300), "a.example.com")) {
                        predicate.test(new Ctx(value, value));
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "request-sized-stack", 512 * 1024);
            request.start();
            request.join();
            if (failure.get() != null) {
                throw new AssertionError(matcher + " accepted a regexp it cannot match: " + failure.get(), failure.get());
            }
        });
    }

    /** The issue's expressions: refused by every regexp matcher, naming it and the reason. */
    @ParameterizedTest
    @ValueSource(strings = {"PathRegexp", "HostRegexp", "HeaderRegexp", "QueryRegexp"})
    void theIssuesExpressionsAreRefused(String matcher) {
        for (String regexp : List.of("((((a{100}){100}){100}){100})", "(a{1000}){1000}")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AllMatchers.named(matcher).compile(arguments(matcher, regexp)));
            assertTrue(e.getMessage().startsWith(matcher + " regexp `" + regexp + "` is refused: its nested repetition"
                    + " counts multiply to "), e.getMessage());
        }
    }

    @Provide
    Arbitrary<String> matchers() {
        return Arbitraries.of("PathRegexp", "HostRegexp", "HeaderRegexp", "QueryRegexp");
    }

    @Provide
    Arbitrary<String> regexps() {
        Arbitrary<String> token = Arbitraries.of("(", ")", "(?:", "(?P<name>", "|", "*", "+", "?", "{1000}", "{2,1000}",
                "{0,}", "{100}", "{", "}", "[", "]", "[a-z]", "^", "$", "\\", "\\pL", "\\d", "a", "/", ".", "(?i)", "()",
                "é");
        return token.list().ofMaxSize(40).map(parts -> String.join("", parts));
    }
}
