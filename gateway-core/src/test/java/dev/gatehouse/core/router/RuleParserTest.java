package dev.gatehouse.core.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuleParserTest {

    /** A compact rendering of the tree, so each case reads as one line. */
    private static String render(Rule rule) {
        if (rule instanceof Rule.Call call) {
            return call.name() + call.arguments().stream().collect(Collectors.joining(",", "(", ")"));
        }
        if (rule instanceof Rule.And and) {
            return and.operands().stream().map(RuleParserTest::render).collect(Collectors.joining(" ", "and[", "]"));
        }
        if (rule instanceof Rule.Or or) {
            return or.operands().stream().map(RuleParserTest::render).collect(Collectors.joining(" ", "or[", "]"));
        }
        return "not[" + render(((Rule.Not) rule).operand()) + "]";
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = "=>", quoteCharacter = '~', ignoreLeadingAndTrailingWhitespace = true, textBlock = """
            Host(`example.com`)                                   => Host(example.com)
            Host("example.com")                                   => Host(example.com)
            Host(`a`) && Path(`/b`)                               => and[Host(a) Path(/b)]
            Host(`a`) || Host(`b`) && Path(`/c`)                  => or[Host(a) and[Host(b) Path(/c)]]
            (Host(`a`) || Host(`b`)) && Path(`/c`)                => and[or[Host(a) Host(b)] Path(/c)]
            !Host(`a`)                                            => not[Host(a)]
            !!Host(`a`)                                           => not[not[Host(a)]]
            !(Host(`a`) && Path(`/`))                             => not[and[Host(a) Path(/)]]
            Header(`X-Key`, `v1`)                                 => Header(X-Key,v1)
            Query(`mobile`)                                       => Query(mobile)
            Method()                                              => Method()
            ~  Host( `a` )  &&  Path(`/x`)  ~                     => and[Host(a) Path(/x)]
            Path("/with \\"quote\\"")                             => Path(/with "quote")
            Host(`a`) && Host(`b`) && Host(`c`)                   => and[Host(a) Host(b) Host(c)]
            Host(`a`) || Host(`b`) || Host(`c`) && Path(`/`) && !Path(`/x`) => or[Host(a) Host(b) and[Host(c) Path(/) not[Path(/x)]]]
            (Host(`a`) && Host(`b`)) && Host(`c`)                 => and[and[Host(a) Host(b)] Host(c)]
            """)
    void parsesTraefikRules(String rule, String expected) throws RuleSyntaxException {
        assertEquals(expected, render(RuleParser.parse(rule)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = "=>", quoteCharacter = '~', ignoreLeadingAndTrailingWhitespace = true, textBlock = """
            ~~                            => 0  => the rule is empty
            Host(`a`) &&                  => 12 => expected a matcher
            Host(`a`                      => 8  => expected ',' or ')'
            Host(a)                       => 5  => expected an argument in `backticks`
            Host(`a)                      => 5  => not closed
            (Host(`a`)                    => 10 => expected ')' to close
            Host(`a`) Path(`/`)           => 10 => expected '&&', '||' or the end
            Host(`a`) & Path(`/`)         => 10 => expected '&&', '||' or the end
            && Host(`a`)                  => 0  => expected a matcher
            Host                          => 4  => expected '(' after Host
            """)
    void reportsWhereAndWhatWasExpected(String rule, int position, String reason) {
        RuleSyntaxException e = assertThrows(RuleSyntaxException.class, () -> RuleParser.parse(rule));
        assertEquals(position, e.position(), e.getMessage());
        assertTrue(e.reason().contains(reason), e.getMessage());
        assertTrue(e.getMessage().startsWith("at position " + (position + 1) + ":"), e.getMessage());
    }

    /** Double-quoted arguments are Go interpreted strings, as in Traefik; backticks are raw. rule => argument. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '\'', textBlock = """
            PathRegexp(`^/\\d+$`)          => ^/\\d+$
            PathRegexp("^/\\\\d+$")        => ^/\\d+$
            Header("X", "a\\"b")          => a"b
            Path("/\\x41\\u00e9\\101")     => /A\u00e9A
            """)
    void readsGoStringEscapes(String rule, String argument) throws RuleSyntaxException {
        Rule.Call call = (Rule.Call) RuleParser.parse(rule);
        assertEquals(argument, call.arguments().get(call.arguments().size() - 1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '\'', textBlock = """
            PathRegexp("^/\\d+$")          => unknown escape \\d
            Path("/\\x4")                  => 2 hex digits
            """)
    void refusesWhatGoRefusesInQuotes(String rule, String reason) {
        RuleSyntaxException e = assertThrows(RuleSyntaxException.class, () -> RuleParser.parse(rule));
        assertTrue(e.reason().contains(reason), e.getMessage());
    }
}
