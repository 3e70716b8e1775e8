package dev.gatehouse.plugins.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RuleTemplateAndConstraintsTest {

    private static final RuleTemplate.Model MODEL =
            new RuleTemplate.Model("my-app", "my_app.1", Map.of("domain", "example.dev", "team", "Blue Team"));

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Host(`{{ normalize .Name }}`)                          | Host(`my-app`)",
            "Host(`{{ .Name }}.example.com`)                         | Host(`my-app.example.com`)",
            "Host(`{{ normalize .ContainerName }}`)                  | Host(`my-app-1`)",
            "Host(`{{ .Name }}.{{ index .Labels \"domain\" }}`)      | Host(`my-app.example.dev`)",
            "Host(`{{ normalize (index .Labels \"team\") }}`)        | Host(`Blue-Team`)",
            "Host(`{{index .Labels `missing`}}x`)                    | Host(`x`)",
            "PathPrefix(`/static`)                                   | PathPrefix(`/static`)",
    })
    void rendersTheSupportedSubset(String template, String expected) {
        assertEquals(expected, RuleTemplate.parse(template).render(MODEL));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Host(`{{ .Labels.domain }}`)", "Host(`{{ lower .Name }}`)", "Host(`{{ .Name `)",
            "{{ if .Name }}x{{ end }}"})
    void refusesAnythingElseNamingTheTemplate(String template) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RuleTemplate.parse(template));
        assertTrue(e.getMessage().contains(template), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/web-1          | web-1",
            "my_app.v2       | my-app-v2",
            "--a--b--        | a-b",
            "Été.2           | Été-2",
    })
    void normalizeAsTraefik(String name, String expected) {
        assertEquals(expected, RuleTemplate.normalize(name));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '#', value = {
            "Label(`team`,`blue`)                                  # true",
            "Label(`team`,`red`)                                   # false",
            "!Label(`team`,`red`)                                  # true",
            "Label(`team`,`blue`) && Label(`env`,`prod`)           # true",
            "Label(`team`,`red`) || Label(`env`,`prod`)            # true",
            "Label(`team`,`red`) || !(Label(`env`,`prod`))         # false",
            "LabelRegex(`env`,`^pr`)                               # true",
            "LabelRegex(`nope`,`.*`)                               # false",
            "Label(\"team\", \"blue\")                             # true",
            "!Label(`a`,`b`) && (Label(`team`,`x`) || Label(`env`,`prod`)) # true",
    })
    void constraintsMatchLabels(String expression, boolean expected) {
        assertEquals(expected, Constraints.parse(expression).test(Map.of("team", "blue", "env", "prod")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Label(`a`)", "Tag(`a`)", "Label(`a`,`b`) &&", "Label(`a`,`b`) Label(`c`,`d`)",
            "LabelRegex(`a`,`(`)", "(Label(`a`,`b`)"})
    void badConstraintsAreRefusedNamingTheExpression(String expression) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Constraints.parse(expression));
        assertTrue(e.getMessage().contains(expression), e.getMessage());
    }

    /** LabelRegex is Go's regexp (RE2), as in Traefik: Java-only syntax is refused, RE2-only syntax works. */
    @ParameterizedTest
    @CsvSource(delimiter = '#', value = {
            "LabelRegex(`env`,`^[[:alpha:]]+$`)                    # true",
            "LabelRegex(`env`,`^(?P<x>pr)od$`)                     # true",
            "LabelRegex(`env`,`\\Aprod\\z`)                     # true",
    })
    void labelRegexIsGoSyntax(String expression, boolean expected) {
        assertEquals(expected, Constraints.parse(expression).test(Map.of("env", "prod")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '#', value = {
            "LabelRegex(`env`,`^(?=p)`)                               # invalid regexp",
            "LabelRegex(`env`,`((((a{100}){100}){100}){100})`)        # multiply to 100,000,000; the limit is 1,000",
            "LabelRegex(`env`,`(a{1000}){1000}`)                      # multiply to 1,000,000",
    })
    void labelRegexOutsideGoBoundsIsRefusedWithTheReason(String expression, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Constraints.parse(expression));
        assertTrue(e.getMessage().contains(reason) && e.getMessage().contains(expression), e.getMessage());
    }

    /** Java's regexp backtracks: this took seconds per container before constraints moved to RE2. */
    @Test
    @Timeout(5)
    void labelRegexMatchesInLinearTime() {
        Predicate<Map<String, String>> constraint = Constraints.parse("LabelRegex(`env`,`^(a+)+$`)");
        assertFalse(constraint.test(Map.of("env", "a".repeat(5000) + "!")));
    }

    @Test
    void longChainsAreReadWithoutRecursionAndDeepNestingIsRefused() {
        String chain = String.join(" && ", Collections.nCopies(20_000, "!Label(`x`,`y`)"));
        assertTrue(Constraints.parse(chain).test(Map.of("env", "prod")));
        String either = String.join(" || ", Collections.nCopies(20_000, "Label(`x`,`y`)")) + " || Label(`env`,`prod`)";
        assertTrue(Constraints.parse(either).test(Map.of("env", "prod")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Constraints.parse("(".repeat(100_000) + "Label(`a`,`b`)" + ")".repeat(100_000)));
        assertTrue(e.getMessage().contains("nest more than 64 levels deep"), e.getMessage().substring(0, 80));
    }
}
