package dev.gatehouse.plugins.middlewares;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.plugins.middlewares.path.AddPrefix;
import dev.gatehouse.plugins.middlewares.path.ReplacePath;
import dev.gatehouse.plugins.middlewares.path.ReplacePathRegex;
import dev.gatehouse.plugins.middlewares.path.StripPrefix;
import dev.gatehouse.plugins.middlewares.path.StripPrefixRegex;
import java.util.List;
import org.eclipse.jetty.http.HttpTester;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Traefik's strip_prefix_test.go, strip_prefix_regex_test.go, add_prefix_test.go, replace_path(_regex)_test.go. */
class PathMiddlewaresTest {

    /** prefixes (|-separated); request path; expected status; path the backend sees (raw); X-Forwarded-Prefix. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', nullValues = "null", value = {
        "no prefixes configured;                  '';              /noprefixes;   200; /noprefixes; null",
        "wildcard (.*) requests;                  /;               /;             200; '';          /",
        "prefix and path matching;                /stat;           /stat;         200; '';          /stat",
        "path prefix on exactly matching path;    /stat/;          /stat/;        200; '';          /stat/",
        "path prefix on matching longer path;     /stat/;          /stat/us;      200; /us;         /stat/",
        "path prefix on mismatching path;         /stat/;          /status;       200; /status;     null",
        "general prefix on matching path;         /stat;           /stat/;        200; /;           /stat",
        "earlier prefix matching;                 /stat|/stat/us;  /stat/us;      200; /us;         /stat",
        "later prefix matching;                   /mismatch|/stat; /stat;         200; '';          /stat",
        "prefix matching within slash boundaries; /stat;           /status;       200; /us;         /stat",
        "raw path is also stripped;               /stat;           /stat/a%2Fb;   200; /a%2Fb;      /stat",
        "encoded char in prefix segment;          /api/;           /ap%69/a%2Fb;  200; /a%2Fb;      /api/",
        "dot in the path not stripped;            /api;            /api./foo;     400; null;        null",
        "multiple dots not stripped;              /api;            /api../foo;    400; null;        null",
    })
    void stripPrefix(String desc, String prefixes, String path, int status, String expectedPath, String expectedHeader)
            throws Exception {
        List<String> list = prefixes.isEmpty() ? List.of() : List.of(prefixes.split("\\|"));
        try (MiddlewareTester t = new MiddlewareTester(new StripPrefix().create(new StripPrefix.Config(list, false), null))) {
            HttpTester.Response r = t.get(path);
            assertEquals(status, r.getStatus(), desc);
            if (status != 200) {
                assertNull(t.seen(), "the backend must not be called");
                return;
            }
            assertEquals(expectedPath, t.seen().path());
            assertEquals(expectedHeader, t.seen().header("X-Forwarded-Prefix"));
        }
    }

    @Test
    void stripPrefixKeepsTheQueryAndForceSlashNeverEmptiesThePath() throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new StripPrefix().create(new StripPrefix.Config(List.of("/stat"), true), null))) {
            t.get("/stat?a=1");
            assertEquals("/?a=1", t.seen().pathQuery());
            t.get("/stat/us");
            assertEquals("/us", t.seen().path());
            assertEquals(400, t.get("/api../foo".replace("/api", "/stat")).getStatus());
        }
        try (MiddlewareTester t = new MiddlewareTester(new StripPrefix().create(new StripPrefix.Config(List.of("/stat"), null), null))) {
            t.get("/stat?a=1");
            assertEquals("?a=1", t.seen().pathQuery(), "empty path, query kept; the gateway sends /?a=1");
        }
    }

    @Test
    void stripPrefixAddsToAnExistingForwardedPrefix() throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new StripPrefix().create(new StripPrefix.Config(List.of("/b"), false), null))) {
            t.get("/b/c", "X-Forwarded-Prefix: /a");
            assertEquals(List.of("/a", "/b"), t.seen().headers().getValuesList("X-Forwarded-Prefix"));
        }
    }

    /** Traefik's strip_prefix_regex_test.go. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', nullValues = "null", value = {
        "/a/test;                 200; /test;   /a/",
        "/a/test/;                200; /test/;  /a/",
        "/b/api/;                 200; '';      /b/api/",
        "/b/api;                  200; /b/api;  null",
        "/b/api/test1;            200; /test1;  /b/api/",
        "/b/api2/test2;           200; /test2;  /b/api2/",
        "/c/api/123/;             200; '';      /c/api/123/",
        "/c/api/123/test3;        200; /test3;  /c/api/123/",
        "/c/api/abc/test4;        200; /c/api/abc/test4; null",
        "/a/api/a%2Fb;            200; /a%2Fb;  /a/api/",
        "/t /test;                200; /test;   /t /",
        "/a/api./foo;             200; /api./foo; /a/",
        "/t /./foo;               400; null;    null",
    })
    void stripPrefixRegex(String path, int status, String expectedPath, String expectedHeader) throws Exception {
        StripPrefixRegex.Config config = new StripPrefixRegex.Config(
                List.of("/a/api/", "/b/([a-z0-9]+)/", "/c/[a-z0-9]+/[0-9]+/", "/a/", "/t /"));
        try (MiddlewareTester t = new MiddlewareTester(new StripPrefixRegex().create(config, null))) {
            HttpTester.Response r = t.get(path.replace(" ", "%20"));
            assertEquals(status, r.getStatus(), path);
            if (status != 200) {
                return;
            }
            assertEquals(expectedPath, t.seen().path());
            assertEquals(expectedHeader, t.seen().header("X-Forwarded-Prefix"));
        }
    }

    @ParameterizedTest(name = "{0} + {1} = {2}")
    @CsvSource(delimiter = ';', value = {
        "/foo; /;          /foo/",
        "/foo; /bar;       /foo/bar",
        "foo;  /bar;       /foo/bar",
        "/foo; /a%2Fb;     /foo/a%2Fb",
        "/foo/; /bar?x=1;  /foo//bar?x=1",
    })
    void addPrefix(String prefix, String path, String expected) throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new AddPrefix().create(new AddPrefix.Config(prefix), null))) {
            t.get(path);
            assertEquals(expected, t.seen().pathQuery());
        }
    }

    @Test
    void addPrefixRejectsAnEmptyPrefix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AddPrefix().create(new AddPrefix.Config(""), null));
        assertTrue(e.getMessage().contains("prefix"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ';', value = {
        "/foo;           /replacement-path; /foo",
        "/foo/bar?q=1;   /replacement-path; /foo/bar",
        "/foo%2Fbar;     /replacement-path; /foo%2Fbar",
        "/foo;           /a%20b;            /foo",
    })
    void replacePath(String path, String replacement, String header) throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new ReplacePath().create(new ReplacePath.Config(replacement), null))) {
            t.get(path);
            assertEquals(replacement, t.seen().path());
            assertEquals(header, t.seen().header("X-Replaced-Path"));
            if (path.contains("?")) {
                assertEquals(replacement + "?q=1", t.seen().pathQuery());
            }
        }
    }

    /**
     * Traefik's replace_path_regex_test.go (its case names first), then more of Go's template syntax. The path is the
     * raw one the backend gets; a rewrite whose result Go's URL.JoinPath would change (repeated slashes, dot
     * segments) is refused with 400, as Traefik refuses it.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', nullValues = "null", value = {
        "simple regex;                      /whoami/and/whoami; ^/whoami/(.*);        /who-am-i/$1;     200; /who-am-i/and/whoami;   /whoami/and/whoami",
        "simple replace (no regex);         /whoami/and/whoami; /whoami;              /who-am-i;        200; /who-am-i/and/who-am-i; /whoami/and/whoami",
        "empty replacement;                 /whoami/and/whoami; /whoami;              '';               200; /and;                   /whoami/and/whoami",
        "empty trimmed replacement;         /whoami/and/whoami; /whoami;              ' ';              200; /and;                   /whoami/and/whoami",
        "no match;                          /whoami/and/whoami; /no-match;            /whoami;          200; /whoami/and/whoami;     null",
        "multiple replacement;              /downloads/src/source.go; ^(?i)/downloads/([^/]+)/([^/]+)$; /downloads/$1-$2; 200; /downloads/src-source.go; /downloads/src/source.go",
        "replacement with escaped char;     /aaa/bbb;           /aaa/bbb;             /foo%2Fbar;       200; /foo%2Fbar;             /aaa/bbb",
        "path and regex with escaped char;  /aaa%2Fbbb;         /aaa%2Fbbb;           /foo/bar;         200; /foo/bar;               /aaa%2Fbbb",
        "path with escaped char (no match); /aaa%2Fbbb;         /aaa/bbb;             /foo/bar;         200; /aaa%2Fbbb;             null",
        "path with percent encoded backspace char; /foo/%08bar; ^/foo/(.*);           /$1;              200; /%08bar;                /foo/%08bar",
        "path with ..;                      /foo../bar;         ^/foo(.*);            /$1;              400; null;                   null",
        "repeated slashes are refused;      /whoami/and/whoami; /whoami;              /who-am-i/$1;     400; null;                   null",
        "braces and named groups;           /aaa/bbb;           /(?P<x>a+)/(b+);      /${2}b/${x}x;     200; /bbbb/aaax;             /aaa/bbb",
        "dollar dollar;                     /aaa;               /(a+);                /$$1;             200; /$1;                    /aaa",
        "a bad escape in the result is 500; /aaa;               /aaa;                 /%zz;             500; null;                   null",
    })
    void replacePathRegex(String desc, String path, String regex, String replacement, int status, String expectedPath,
            String expectedHeader) throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new ReplacePathRegex().create(new ReplacePathRegex.Config(regex, replacement), null))) {
            assertEquals(status, t.get(path).getStatus(), desc);
            if (status != 200) {
                assertNull(t.seen(), desc);
                return;
            }
            assertEquals(expectedPath, t.seen().path(), desc);
            assertEquals(expectedHeader, t.seen().header("X-Replaced-Path"), desc);
        }
    }

    @Test
    void invalidRegexIsRejectedWithItsReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ReplacePathRegex().create(new ReplacePathRegex.Config("/(?=a)", "/b"), null));
        assertTrue(e.getMessage().contains("lookahead"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new StripPrefixRegex().create(new StripPrefixRegex.Config(List.of("((")), null));
    }
}
