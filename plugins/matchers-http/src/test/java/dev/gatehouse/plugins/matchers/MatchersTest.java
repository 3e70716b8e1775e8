package dev.gatehouse.plugins.matchers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.Matcher;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.server.Request;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each matcher against the host and path a request would present (TRAEFIK-FACTS 3 and 4). */
class MatchersTest {

    private record Ctx(String host, String path) implements MatchContext {
        @Override
        public Request request() {
            throw new UnsupportedOperationException("these matchers read host and path only");
        }
    }

    private static boolean matches(Matcher matcher, String argument, String host, String path) {
        return matcher.compile(List.of(argument)).test(new Ctx(host, path));
    }

    @ParameterizedTest(name = "Host({0}) on {1}: {2}")
    @CsvSource(textBlock = """
            example.com,    example.com,      true
            Example.COM,    example.com,      true
            example.com,    www.example.com,  false
            example.com.,   example.com,      true
            *.example.com,  a.example.com,    true
            *.example.com,  a.b.example.com,  false
            *.example.com,  example.com,      false
            *.example.com,  .example.com,     false
            *.example.com,  aexample.com,     false
            """)
    void host(String argument, String host, boolean expected) {
        // The gateway lower-cases the request's host before matchers see it.
        assertEquals(expected, matches(new HostMatcher(), argument, host, "/"));
    }

    /** The routing index hint: exact hosts only; a wildcard could match any label, so it gives none. */
    @ParameterizedTest(name = "Host({0}) indexes under [{1}]")
    @CsvSource(delimiterString = " | ", nullValues = "none", textBlock = """
            example.com    | example.com
            Example.COM.   | example.com
            *.example.com  | none
            """)
    void hostGivesItsExactHostToTheRoutingIndex(String argument, String indexed) {
        Set<String> hosts = new HostMatcher().compile(List.of(argument)).possibleHosts();
        assertEquals(indexed == null ? null : Set.of(indexed), hosts);
    }

    @ParameterizedTest(name = "{0}({1}) on {2}: {3}")
    @CsvSource(textBlock = """
            Path,        /products,  /products,           true
            Path,        /products,  /products/,          false
            Path,        /products,  /products/1,         false
            PathPrefix,  /products,  /products,           true
            PathPrefix,  /products,  /products/1,         true
            PathPrefix,  /products,  /products-for-sale,  true
            PathPrefix,  /products,  /product,            false
            PathPrefix,  /,          /anything,           true
            """)
    void paths(String name, String argument, String path, boolean expected) {
        Matcher matcher = name.equals("Path") ? new PathMatcher() : new PathPrefixMatcher();
        assertEquals(expected, matches(matcher, argument, "h", path));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            Path       | products      | must start with '/'
            PathPrefix | products      | must start with '/'
            Host       | a.*.example   | '*' only as the whole first label
            Host       | ""            | empty
            """)
    void rejectsBadArgumentsWithAReason(String name, String argument, String reason) {
        Matcher matcher = switch (name) {
            case "Path" -> new PathMatcher();
            case "PathPrefix" -> new PathPrefixMatcher();
            default -> new HostMatcher();
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> matcher.compile(List.of(argument)));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"Host", "Path", "PathPrefix", "Method"})
    void takesExactlyOneArgument(String name) {
        Matcher matcher = switch (name) {
            case "Host" -> new HostMatcher();
            case "Path" -> new PathMatcher();
            case "PathPrefix" -> new PathPrefixMatcher();
            default -> new MethodMatcher();
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> matcher.compile(List.of("/a", "/b")));
        assertEquals(name + " expects 1 argument, got 2", e.getMessage());
    }
}
