package dev.gatehouse.plugins.matchers;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * TRAEFIK-FACTS 1: the eleven matchers, each with Traefik's argument counts (matcher.go's
 * expectNParameters); a wrong count or form is a configuration error whose message says what was expected.
 */
class ArgumentsTest {

    @Test
    void theElevenTraefikMatchersExist() {
        assertEquals(Set.of("Host", "HostRegexp", "Path", "PathPrefix", "PathRegexp", "Method", "Header",
                        "HeaderRegexp", "Query", "QueryRegexp", "ClientIP"),
                AllMatchers.ALL.stream().map(m -> m.name()).collect(Collectors.toSet()));
    }

    /** name | accepted counts | the message for a count outside them, with 3 arguments. */
    @ParameterizedTest(name = "{0} takes {1} argument(s)")
    @CsvSource(delimiterString = " | ", textBlock = """
            Host         | 1   | Host expects 1 argument, got 3
            HostRegexp   | 1   | HostRegexp expects 1 argument, got 3
            Path         | 1   | Path expects 1 argument, got 3
            PathPrefix   | 1   | PathPrefix expects 1 argument, got 3
            PathRegexp   | 1   | PathRegexp expects 1 argument, got 3
            Method       | 1   | Method expects 1 argument, got 3
            ClientIP     | 1   | ClientIP expects 1 argument, got 3
            Header       | 2   | Header expects 2 arguments, got 3
            HeaderRegexp | 2   | HeaderRegexp expects 2 arguments, got 3
            Query        | 1 2 | Query expects 1 or 2 arguments (name[, value]), got 3
            QueryRegexp  | 1 2 | QueryRegexp expects 1 or 2 arguments (name[, value]), got 3
            """)
    void argumentCounts(String name, String accepted, String message) {
        Set<Integer> counts = Arrays.stream(accepted.split(" ")).map(Integer::valueOf).collect(Collectors.toSet());
        for (int count = 0; count <= 3; count++) {
            // valid in every matcher's first position, and a plain value anywhere else
            List<String> arguments = count == 0 ? List.of()
                    : concat(List.of(name.equals("ClientIP") ? "10.0.0.1" : "/x"), Collections.nCopies(count - 1, "v"));
            if (counts.contains(count)) {
                assertDoesNotThrow(() -> AllMatchers.named(name).compile(arguments), name + " with " + arguments);
            } else {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> AllMatchers.named(name).compile(arguments), name + " with " + arguments);
                if (count == 3) {
                    assertEquals(message, e.getMessage());
                }
            }
        }
    }

    /** Forms checked in compile: matcher | argument(s), separated by ' ; ' | words the message must contain. */
    @ParameterizedTest(name = "{0}({1})")
    @CsvSource(delimiterString = " | ", quoteCharacter = '"', textBlock = """
            Path         | products                 | must start with '/'
            PathPrefix   | products                 | must start with '/'
            Host         | a.*.example              | '*' only as the whole first label
            Host         | <empty>                  | empty
            Host         | bücher.example           | non-ASCII
            HostRegexp   | bücher\\.example         | non-ASCII
            PathRegexp   | ^/(?=admin)              | no lookahead or lookbehind
            PathRegexp   | ^/(?<!x)y                | no lookahead or lookbehind
            PathRegexp   | ^/(a)\\1$                | no backreferences
            PathRegexp   | ^/(unclosed              | missing closing )
            HostRegexp   | [z-a]                    | invalid character class range
            HeaderRegexp | X-A ; a{2,1}             | invalid repeat count
            QueryRegexp  | q ; *                    | missing argument to repetition operator
            Header       | <empty> ; v              | header name
            Query        | <empty>                  | parameter name
            ClientIP     | 10.0.0.0/33              | prefix length must be 0 to 32
            ClientIP     | fe80::/129               | prefix length must be 0 to 128
            ClientIP     | 10.0.0.256               | not an IP address or CIDR block
            ClientIP     | 10.0.0                   | not an IP address or CIDR block
            ClientIP     | 010.0.0.1                | not an IP address or CIDR block
            ClientIP     | example.com              | not an IP address or CIDR block
            ClientIP     | fe80::1%eth0             | not an IP address or CIDR block
            ClientIP     | 10.0.0.0/                | prefix length
            """)
    void rejectsBadFormsWithAReason(String name, String arguments, String reason) {
        List<String> args = Arrays.stream(arguments.split(" ; ", -1)).map(s -> s.equals("<empty>") ? "" : s).toList();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AllMatchers.named(name).compile(args));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    /** Go's RE2 syntax that Java's java.util.regex spells differently or lacks, accepted here. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " | ", textBlock = """
            ^/[[:digit:]]+$
            ^/(?P<id>[0-9]+)$
            ^/(?<id>[0-9]+)$
            (?i)^/API
            \\pL+
            \\Q.*\\E
            (?U)a+
            ^/x\\z
            """)
    void acceptsGoSyntax(String regexp) {
        assertDoesNotThrow(() -> new PathRegexpMatcher().compile(List.of(regexp.replace("\\\\", "\\"))));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
