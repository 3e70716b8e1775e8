package dev.gatehouse.core.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import dev.gatehouse.core.plugin.ExtensionKind;
import dev.gatehouse.core.plugin.ExtensionRegistry;
import java.util.List;
import org.eclipse.jetty.server.Request;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How rules name matchers: the registered name, or one of the other spellings Traefik's rule parser accepts. */
class RuleCompilerTest {

    /** A matcher that tests the path for its argument, registered under {@code name}, as a plugin would. */
    private static Matcher pathContains(String name) {
        return new Matcher() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public RequestPredicate compile(List<String> values) {
                Matcher.requireArguments(this, values, 1);
                String value = values.get(0);
                return request -> request.path().contains(value);
            }
        };
    }

    private static final RuleCompiler COMPILER = compiler();

    private static RuleCompiler compiler() {
        ExtensionRegistry.Builder builder = ExtensionRegistry.builder();
        for (String name : List.of("Host", "PathPrefix", "HostRegexp", "TeamHeader")) { // TeamHeader: a plugin's
            builder.add(ExtensionKind.MATCHER, pathContains(name));
        }
        return new RuleCompiler(builder.build());
    }

    private record Ctx(String path) implements MatchContext {
        @Override
        public String host() {
            return "example.test";
        }

        @Override
        public Request request() {
            throw new UnsupportedOperationException("path only");
        }
    }

    // Traefik's rules.NewParser registers each matcher as written, lower case, upper case and strings.Title of
    // the lower case; nothing else.
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "Host", "host", "HOST",
        "PathPrefix", "pathprefix", "PATHPREFIX", "Pathprefix",
        "HostRegexp", "hostregexp", "HOSTREGEXP", "Hostregexp",
        "TeamHeader", "teamheader", "TEAMHEADER", "Teamheader",
    })
    void traefiksSpellingsOfAMatcherNameCompileToThatMatcher(String name) throws RuleSyntaxException {
        RequestPredicate predicate = COMPILER.compile(name + "(`/x`)");
        assertTrue(predicate.test(new Ctx("/a/x")));
        assertEquals(false, predicate.test(new Ctx("/a/y")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"pathPrefix, PathPrefix", "hOST, Host", "HostREGEXP, HostRegexp", "teamHeader, TeamHeader"})
    void otherMixesOfCaseAreUnknownAsInTraefik(String name, String suggested) {
        RuleSyntaxException e = assertThrows(RuleSyntaxException.class, () -> COMPILER.compile(name + "(`/x`)"));
        assertTrue(e.getMessage().contains("unknown matcher '" + name + "' (did you mean " + suggested + "?)"),
                e.getMessage());
    }

    // Traefik's matcher_test.go "invalid ... (empty parameter)" cases and rules.CheckRule: an empty argument, or
    // none at all, is an error for every matcher, a plugin's included.
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "Host(``);                 Host: an argument is empty",
        "PathPrefix(``);           PathPrefix: an argument is empty",
        "TeamHeader(`a`, ``);      TeamHeader: an argument is empty",
        "host(``) || Host(`/x`);   host: an argument is empty",
        "TeamHeader();             TeamHeader: no argument",
    })
    void emptyArgumentsAreErrors(String rule, String expected) {
        RuleSyntaxException e = assertThrows(RuleSyntaxException.class, () -> COMPILER.compile(rule));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
