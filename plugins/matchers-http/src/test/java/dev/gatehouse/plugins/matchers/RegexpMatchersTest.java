package dev.gatehouse.plugins.matchers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.RequestPredicate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * TRAEFIK-FACTS 7: regexp matchers search the value with Go's RE2 semantics ({@code ^}/{@code $} anchor
 * explicitly), and RE2's linear-time matching holds on input that makes backtracking engines explode.
 */
class RegexpMatchersTest {

    private record Ctx(String host, String path) implements MatchContext {
        @Override
        public Request request() {
            throw new UnsupportedOperationException("host and path only");
        }
    }

    private static RequestPredicate compile(String name, String regexp) {
        return AllMatchers.named(name).compile(List.of(regexp));
    }

    @ParameterizedTest(name = "PathRegexp({0}) on {1}: {2}")
    @CsvSource(delimiterString = " | ", textBlock = """
            ^/(css|js)                      | /css/main.css        | true
            ^/(css|js)                      | /img/css             | false
            (css|js)                        | /img/css             | true
            ^/products/(shoes|socks)/[0-9]+$ | /products/shoes/31   | true
            ^/products/(shoes|socks)/[0-9]+$ | /products/shoes/31/x | false
            \\.(jpeg|jpg|png)$              | /a/b.png             | true
            \\.(jpeg|jpg|png)$              | /a/b.png.txt         | false
            (?i)^/products                  | /PRODUCTS-for-sale   | true
            ^/products                      | /PRODUCTS            | false
            ^/[[:digit:]]+$                 | /2024                | true
            ^/[[:digit:]]+$                 | /20x4                | false
            ^/(?P<id>[0-9]+)$               | /42                  | true
            ^/a.c$                          | /a/c                 | true
            ^/x$                            | /x                   | true
            /x$                             | /x/                  | false
            ^/a%2Fb$                        | /a%2Fb               | true
            ^/é$                            | /é                   | true
            ^/.$                            | /é                   | true
            """)
    void pathRegexpSearchesThePath(String regexp, String path, boolean expected) {
        assertEquals(expected, compile("PathRegexp", regexp).test(new Ctx("h", path)));
    }

    /** The gateway presents the host lower-cased, without port or trailing dot (MatchContext.host()). */
    @ParameterizedTest(name = "HostRegexp({0}) on {1}: {2}")
    @CsvSource(delimiterString = " | ", textBlock = """
            ^.+\\.example\\.com$           | a.example.com        | true
            ^.+\\.example\\.com$           | a.b.example.com      | true
            ^.+\\.example\\.com$           | example.com          | false
            ^example\\.(com|org)$          | example.org          | true
            ^example\\.(com|org)$          | example.net          | false
            example                        | www.example.com      | true
            ^Example\\.com$                | example.com          | false
            (?i)^Example\\.com$            | example.com          | true
            ^[a-z]+-[[:digit:]]\\.test$    | api-1.test           | true
            ^192\\.168\\.                  | 192.168.1.10         | true
            ^::1$                          | ::1                  | true
            """)
    void hostRegexpSearchesTheLowerCasedHost(String regexp, String host, boolean expected) {
        assertEquals(expected, compile("HostRegexp", regexp).test(new Ctx(host, "/")));
    }

    @Test
    void regexpMatchersGiveNoHostIndex() {
        assertNull(compile("HostRegexp", "^example\\.com$").possibleHosts());
        assertNull(compile("PathRegexp", "^/").possibleHosts());
    }

    /** {@code (a+)+$} on 'aaaa...!' backtracks for ages in java.util.regex; RE2 is linear. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"(a+)+$", "(a|a)+$", "(a|aa)+$", "(.*a){12}$", "^(\\w+\\s?)*$"})
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void hostileRegexpsFinishQuickly(String regexp) {
        String hostile = "a".repeat(10_000) + "!";
        RequestPredicate path = compile("PathRegexp", regexp);
        RequestPredicate host = compile("HostRegexp", regexp);
        for (int i = 0; i < 5; i++) {
            assertFalse(path.test(new Ctx("h", hostile)));
            assertFalse(host.test(new Ctx(hostile, "/")));
        }
    }
}
