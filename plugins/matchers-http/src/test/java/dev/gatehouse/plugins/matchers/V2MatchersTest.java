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
import org.junit.jupiter.api.Test;

/** The v2 rule syntax's host and path matchers: several arguments, gorilla/mux {name:regexp} templates. */
class V2MatchersTest {

    private record Ctx(String host, String path) implements MatchContext {
        @Override
        public Request request() {
            throw new UnsupportedOperationException("these matchers read host and path only");
        }
    }

    private static Matcher named(String name) {
        return switch (name) {
            case "Host" -> new V2HostMatcher();
            case "HostRegexp" -> new V2HostRegexpMatcher();
            case "Path" -> new V2PathMatcher();
            case "PathPrefix" -> new V2PathMatcher.Prefix();
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** matcher; arguments (|); host; path; matches. Cases after Traefik's matcher_v2_test.go. */
    @ParameterizedTest(name = "{0}({1}) on {2}{3}: {4}")
    @CsvSource(delimiter = ';', textBlock = """
            Host;       foo.com|bar.com;                  bar.com;          /;              true
            Host;       foo.com|bar.com;                  baz.com;          /;              false
            Host;       Foo.COM;                          foo.com;          /;              true
            Host;       foo.com.;                         foo.com;          /;              true
            HostRegexp; {dummy:.*}.example.com;           a.b.example.com;  /;              true
            HostRegexp; {sub:[a-z]+}.example.com;         w1.example.com;   /;              false
            HostRegexp; {sub}.example.com;                a.example.com;    /;              true
            HostRegexp; {sub}.example.com;                a.b.example.com;  /;              false
            HostRegexp; {sub}.example.com;                example.com;      /;              false
            HostRegexp; example.com|{x:[a-z]+}.test;      abc.test;         /;              true
            HostRegexp; {subdomain:(foo\\.)?bar\\.com};     bar.com;          /;              true
            HostRegexp; {subdomain:(foo\\.)?bar\\.com};     fooubar.com;      /;              false
            HostRegexp; ^[A-Z]+\\.com$;                     example.com;      /;              false
            Path;       /css{path:(/.*)?};                any;              /css/a/b;       true
            Path;       /css/{name:[a-z]+}.css;           any;              /css/main.css;  true
            Path;       /css/{name:[a-z]+}.css;           any;              /css/main.css2; false
            Path;       /a|/b;                            any;              /b;             true
            Path;       /products;                        any;              /products/;     false
            PathPrefix; /api/{version:v[0-9]+}/;          any;              /api/v2/items;  true
            PathPrefix; /api/{version:v[0-9]+}/;          any;              /api/beta/x;    false
            PathPrefix; /{id:[0-9]{3}};                   any;              /123/x;         true
            PathPrefix; /static;                          any;              /static-files;  true
            """)
    void templates(String matcher, String arguments, String host, String path, boolean matches) {
        assertEquals(matches, named(matcher).compile(List.of(arguments.split("\\|"))).test(new Ctx(host, path)));
    }

    @ParameterizedTest(name = "{0}({1}) is refused")
    @CsvSource(delimiter = ';', textBlock = """
            Path;       css
            Path;       /a/{id
            Path;       /a/}
            Path;       /a/{:[0-9]+}
            HostRegexp; {sub:[a-z+}.example.com
            Host;       bücher.example
            """)
    void invalidArgumentsAreRefused(String matcher, String argument) {
        assertThrows(IllegalArgumentException.class, () -> named(matcher).compile(List.of(argument)));
    }

    @Test
    void noArgumentIsRefusedAndHostsAreIndexed() {
        assertThrows(IllegalArgumentException.class, () -> new V2HostMatcher().compile(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new V2QueryMatcher().compile(List.of("page")));
        assertThrows(IllegalArgumentException.class, () -> new V2HeadersMatcher().compile(List.of("X-A")));
        // Traefik's matcher_v2_test.go: an empty name or value, or a value too many, is an error.
        assertThrows(IllegalArgumentException.class, () -> new V2HeadersMatcher().compile(List.of("X-A", "")));
        assertThrows(IllegalArgumentException.class, () -> new V2HeadersMatcher().compile(List.of("", "a")));
        assertThrows(IllegalArgumentException.class, () -> new V2HeadersMatcher().compile(List.of("X-A", "a", "b")));
        assertThrows(IllegalArgumentException.class, () -> new V2HeadersMatcher.Regexp().compile(List.of("X-A", "")));
        assertThrows(IllegalArgumentException.class, () -> new V2HeadersMatcher.Regexp().compile(List.of("X-A", "(a")));
        assertThrows(IllegalArgumentException.class, () -> new V2QueryMatcher().compile(List.of("titi={test")));
        assertThrows(IllegalArgumentException.class, () -> new V2ClientIPMatcher().compile(List.of("1")));
        assertEquals(Set.of("a.com", "b.com"), new V2HostMatcher().compile(List.of("a.com", "B.com")).possibleHosts());
        assertTrue(new V2HostMatcher.HostHeader().name().startsWith("v2:"));
    }
}
