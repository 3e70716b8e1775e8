package dev.gatehouse.plugins.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
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
}
