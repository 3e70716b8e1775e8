package dev.gatehouse.core.router;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

/**
 * The parser never fails badly: whatever the input, the outcome is a tree or a {@link RuleSyntaxException}
 * with a position inside the rule (no other exception, no stack overflow, no hang).
 */
class RuleParserFuzzTest {

    private static void parsesOrExplains(String rule) {
        try {
            RuleParser.parse(rule);
        } catch (RuleSyntaxException e) {
            if (e.position() < 0 || e.position() > rule.length()) {
                throw new AssertionError("position " + e.position() + " outside the rule of length " + rule.length());
            }
        }
    }

    @Property(tries = 3000)
    void randomText(@ForAll @StringLength(max = 200) String rule) {
        parsesOrExplains(rule);
    }

    @Property(tries = 3000)
    void randomTokenSoup(@ForAll("tokenSoup") String rule) {
        parsesOrExplains(rule);
    }

    @Property(tries = 2000)
    void mutatedValidRules(@ForAll("validRules") String rule, @ForAll("mutations") Mutation mutation) {
        parsesOrExplains(mutation.apply(rule));
    }

    @Property(tries = 50)
    void deepNestingIsRefusedNotOverflowed(@ForAll("depths") int depth, @ForAll boolean bang) {
        String open = (bang ? "!" : "(").repeat(depth);
        String close = bang ? "" : ")".repeat(depth);
        parsesOrExplains(open + "Host(`a`)" + close);
    }

    @Provide
    Arbitrary<Integer> depths() {
        return Arbitraries.integers().between(1, 200_000);
    }

    @Provide
    Arbitrary<String> tokenSoup() {
        Arbitrary<String> token = Arbitraries.of("Host", "Path", "PathPrefix", "(", ")", "!", "&&", "||", "&", "|", ",",
                "`a`", "\"b\"", "`", "\"", "\\", " ", "`/x`", "\"\\\"\"", "Header", "é", "\t");
        return token.list().ofMaxSize(40).map(tokens -> String.join("", tokens));
    }

    @Provide
    Arbitrary<String> validRules() {
        Arbitrary<String> call = Arbitraries.of("Host(`a.com`)", "Path(`/x`)", "PathPrefix(\"/p\")", "Header(`K`, `v`)");
        return Arbitraries.recursive(() -> call,
                inner -> Arbitraries.oneOf(
                        Combinators.combine(inner, inner).as((l, r) -> l + " && " + r),
                        Combinators.combine(inner, inner).as((l, r) -> l + " || " + r),
                        inner.map(r -> "!" + r),
                        inner.map(r -> "(" + r + ")")),
                0, 4);
    }

    record Mutation(int kind, int at, char c) {
        String apply(String rule) {
            if (rule.isEmpty()) {
                return rule;
            }
            int i = Math.floorMod(at, rule.length());
            return switch (kind) {
                case 0 -> rule.substring(0, i) + rule.substring(i + 1);          // delete a character
                case 1 -> rule.substring(0, i) + c + rule.substring(i);          // insert one
                case 2 -> rule.substring(0, i) + c + rule.substring(i + 1);      // replace one
                default -> rule.substring(0, i);                                 // truncate
            };
        }
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers(),
                Arbitraries.of('(', ')', '`', '"', '!', '&', '|', ',', ' ', 'x', '\\')).as(Mutation::new);
    }
}
