package dev.gatehouse.core.router;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import dev.gatehouse.api.regexp.RegexpLimits;
import dev.gatehouse.core.plugin.ExtensionKind;
import dev.gatehouse.core.plugin.ExtensionRegistry;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.eclipse.jetty.server.Request;

/**
 * Parsing and compiling a rule, as the gateway does for every router, on a thread with the product's 512 KiB
 * stack: the only outcomes are a {@link RuleSyntaxException} or a predicate that answers for a request, whatever
 * the rule (random, mutated, long chains, deep nesting, regexps with huge repeat counts); no other exception, no
 * stack overflow, no hang. Tries: {@code jqwik.tries.default} (docs/fuzzing.md).
 */
class RuleCompilerFuzzTest {

    private static final Duration PER_TRY = Duration.ofSeconds(10);

    /** Matchers with the bundled ones' argument rules; the regexp one applies the bounds every regexp matcher has. */
    private static Matcher matcher(String name, int arguments, boolean regexp) {
        return new Matcher() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public RequestPredicate compile(List<String> values) {
                Matcher.requireArguments(this, values, arguments);
                if (regexp) {
                    RegexpLimits.check(values.get(arguments - 1));
                }
                String value = values.get(0);
                return request -> request.path().contains(value);
            }
        };
    }

    private static final RuleCompiler COMPILER = compiler();

    private static RuleCompiler compiler() {
        ExtensionRegistry.Builder builder = ExtensionRegistry.builder();
        builder.add(ExtensionKind.MATCHER, matcher("Host", 1, false));
        builder.add(ExtensionKind.MATCHER, matcher("PathPrefix", 1, false));
        builder.add(ExtensionKind.MATCHER, matcher("Header", 2, false));
        builder.add(ExtensionKind.MATCHER, matcher("PathRegexp", 1, true));
        builder.add(ExtensionKind.MATCHER, matcher("HeaderRegexp", 2, true));
        return new RuleCompiler(builder.build());
    }

    private record Ctx(String host, String path) implements MatchContext {
        @Override
        public Request request() {
            throw new UnsupportedOperationException("host and path only");
        }
    }

    private static void compilesOrExplains(String rule) {
        assertTimeoutPreemptively(PER_TRY, () -> {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread builder = new Thread(null, () -> {
                try {
                    RequestPredicate predicate = COMPILER.compile(rule);
                    predicate.test(new Ctx("a.com", "/api/x"));
                    predicate.possibleHosts();
                    predicate.possiblePathPrefixes();
                } catch (RuleSyntaxException expected) {
                    if (expected.position() < 0 || expected.position() > rule.length()) {
                        failure.set(new AssertionError("position " + expected.position() + " outside the rule"));
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "product-stack", 512 * 1024);
            builder.start();
            builder.join();
            if (failure.get() != null) {
                throw new AssertionError("rule of " + rule.length() + " characters: " + failure.get(), failure.get());
            }
        });
    }

    @Property
    void generatedRules(@ForAll("rules") String rule) {
        compilesOrExplains(rule);
    }

    @Property
    void mutatedRules(@ForAll("rules") String rule, @ForAll("mutations") RuleParserFuzzTest.Mutation mutation) {
        compilesOrExplains(mutation.apply(rule));
    }

    @Property(tries = 40)
    void longChains(@ForAll("lengths") int terms, @ForAll boolean and, @ForAll boolean parenthesised) {
        String term = parenthesised ? "(PathPrefix(`/a`) || !Host(`b`))" : "PathPrefix(`/a`)";
        compilesOrExplains(String.join(and ? " && " : " || ", Collections.nCopies(terms, term)));
    }

    @Property(tries = 40)
    void deepNesting(@ForAll("depths") int depth, @ForAll("openers") String opener) {
        String close = opener.equals("!") ? "" : ")".repeat(depth);
        compilesOrExplains(opener.repeat(depth) + "Host(`a`)" + close);
    }

    @Provide
    Arbitrary<String> rules() {
        Arbitrary<String> regexp = Arbitraries.of("^/api/v[0-9]+/", "((((a{100}){100}){100}){100})", "(a{1000}){1000}",
                "a{1001}", "(?:()){1000}", "[", "(a{10}){100}", "\\pL{1000}", "(?i)x{2,1000}");
        Arbitrary<String> call = Arbitraries.oneOf(
                Arbitraries.of("Host(`a.com`)", "PathPrefix(\"/p\")", "Header(`K`, `v`)", "Unknown(`x`)", "Host()"),
                regexp.map(r -> "PathRegexp(`" + r + "`)"),
                regexp.map(r -> "HeaderRegexp(`X`, `" + r + "`)"));
        return Arbitraries.recursive(() -> call, inner -> Arbitraries.oneOf(
                inner.list().ofMinSize(2).ofMaxSize(6).map(terms -> String.join(" && ", terms)),
                inner.list().ofMinSize(2).ofMaxSize(6).map(terms -> String.join(" || ", terms)),
                inner.map(r -> "!" + r),
                inner.map(r -> "(" + r + ")")), 0, 4);
    }

    @Provide
    Arbitrary<RuleParserFuzzTest.Mutation> mutations() {
        return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers(),
                Arbitraries.of('(', ')', '`', '"', '!', '&', '|', ',', ' ', 'x', '\\', '{', '}')).as(RuleParserFuzzTest.Mutation::new);
    }

    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.integers().between(2, 30_000);
    }

    @Provide
    Arbitrary<Integer> depths() {
        return Arbitraries.integers().between(1, 100_000);
    }

    @Provide
    Arbitrary<String> openers() {
        return Arbitraries.of("(", "!", "!(", "(!");
    }
}
