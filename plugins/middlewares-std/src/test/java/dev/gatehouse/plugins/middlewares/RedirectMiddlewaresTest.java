package dev.gatehouse.plugins.middlewares;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gatehouse.plugins.middlewares.redirect.RedirectRegex;
import dev.gatehouse.plugins.middlewares.redirect.RedirectScheme;
import org.eclipse.jetty.http.HttpTester;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Traefik's redirect_scheme_test.go and redirect_regex_test.go. */
class RedirectMiddlewaresTest {

    /** scheme; port; permanent; method; host; target; X-Forwarded-Proto (trusted); expected status; Location. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', nullValues = "null", value = {
        "HTTP to HTTPS;                         https; null; false; GET;  foo;          /;            null;  302; https://foo/",
        "HTTP to HTTPS with explicit 443;       https; 443;  false; GET;  foo;          /;            null;  302; https://foo/",
        "HTTP to HTTPS with port;               https; 8443; false; GET;  foo;          /;            null;  302; https://foo:8443/",
        "HTTP with port to HTTPS with port;     https; 8443; false; GET;  foo:8000;     /;            null;  302; https://foo:8443/",
        "HTTP with port to HTTPS, port dropped; https; null; false; GET;  foo:8000;     /;            null;  302; https://foo/",
        "path and query kept;                   https; null; false; GET;  foo;          /a/b?x=1&y=2; null;  302; https://foo/a/b?x=1&y=2",
        "permanent GET;                         https; null; true;  GET;  foo;          /;            null;  301; https://foo/",
        "permanent POST;                        https; null; true;  POST; foo;          /;            null;  308; https://foo/",
        "temporary POST;                        https; null; false; POST; foo;          /;            null;  307; https://foo/",
        "IPv6 host;                             https; 8443; false; GET;  [::1]:8000;   /;            null;  302; https://[::1]:8443/",
        "already HTTPS per X-Forwarded-Proto;   https; null; false; GET;  foo;          /;            https; 200; null",
        "X-Forwarded-Proto wss counts as https; https; null; false; GET;  foo;          /;            wss;   200; null",
        "HTTPS to HTTP per X-Forwarded-Proto;   http;  null; false; GET;  foo;          /;            https; 302; http://foo/",
        "HTTP to HTTP with port 80 is a no-op;  http;  80;   false; GET;  foo;          /;            null;  200; null",
        "HTTP to HTTP port 8080;                http;  8080; false; GET;  foo;          /;            null;  302; http://foo:8080/",
    })
    void redirectScheme(String desc, String scheme, String port, boolean permanent, String method, String host,
            String target, String forwardedProto, int status, String location) throws Exception {
        RedirectScheme.Config config = new RedirectScheme.Config(scheme, port, permanent, null);
        try (MiddlewareTester t = new MiddlewareTester(new RedirectScheme().create(config, null))) {
            t.trustForwardedHeaders(true);
            HttpTester.Response r = forwardedProto == null
                    ? t.send(method, target, null, "Host: " + host)
                    : t.send(method, target, null, "Host: " + host, "X-Forwarded-Proto: " + forwardedProto);
            assertEquals(status, r.getStatus(), desc);
            assertEquals(location, r.get("Location"), desc);
            if (status == 200) {
                assertNotNull(t.seen());
            } else {
                assertNull(t.seen());
            }
        }
    }

    @Test
    void untrustedForwardedProtoIsIgnored() throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new RedirectScheme().create(new RedirectScheme.Config("https", null, null, null), null))) {
            HttpTester.Response r = t.get("/", "Host: foo", "X-Forwarded-Proto: https");
            assertEquals(302, r.getStatus());
            assertEquals("https://foo/", r.get("Location"));
        }
    }

    @Test
    void forcePermanentRedirectIs308ForEveryMethod() throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new RedirectScheme().create(new RedirectScheme.Config("https", null, false, true), null))) {
            assertEquals(308, t.get("/", "Host: foo").getStatus());
            assertEquals(308, t.send("POST", "/", "x", "Host: foo").getStatus());
        }
    }

    @Test
    void schemeIsRequiredAndPortMustBeANumber() {
        assertThrows(IllegalArgumentException.class, () -> new RedirectScheme().create(new RedirectScheme.Config("", null, null, null), null));
        assertThrows(IllegalArgumentException.class, () -> new RedirectScheme().create(new RedirectScheme.Config("https", "abc", null, null), null));
    }

    /** regex; replacement; permanent; method; host; target; expected status; Location. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', nullValues = "null", value = {
        "simple redirection;           ^(?:http?:\\/\\/)(foo)(\\.com)(:\\d+)(.*)$; https://${1}bar$2:443$4; false; GET;  foo.com:80; /;        302; https://foobar.com:443/",
        "URL doesn't match regex;      ^(?:http?:\\/\\/)(bar)(\\.com)(:\\d+)(.*)$; https://${1}bar$2:443$4; false; GET;  foo.com:80; /;        200; null",
        "HTTPS permanent;              ^(?:http?:\\/\\/)(foo)(\\.com)(:\\d+)(.*)$; https://${1}bar$2:443$4; true;  GET;  foo.com:80; /;        301; https://foobar.com:443/",
        "to path with query;           ^http://foo.com:80(.*)$;                    https://foo.com:443$1;   false; GET;  foo.com:80; /a?b=c;   302; https://foo.com:443/a?b=c",
        "POST temporary is 307;        ^http://foo.com(.*)$;                       https://foo.com$1;       false; POST; foo.com;    /;        307; https://foo.com/",
        "POST permanent is 308;        ^http://foo.com(.*)$;                       https://foo.com$1;       true;  POST; foo.com;    /;        308; https://foo.com/",
        "same URL goes on;             ^http://foo.com(.*)$;                       http://foo.com$1;        false; GET;  foo.com;    /;        200; null",
        "missing group is empty;       ^http://foo.com(.*)$;                       http://bar.com$2$1;      false; GET;  foo.com;    /x;       302; http://bar.com/x",
    })
    void redirectRegex(String desc, String regex, String replacement, boolean permanent, String method, String host,
            String target, int status, String location) throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new RedirectRegex().create(new RedirectRegex.Config(regex, replacement, permanent), null))) {
            HttpTester.Response r = t.send(method, target, method.equals("GET") ? null : "body", "Host: " + host);
            assertEquals(status, r.getStatus(), desc);
            assertEquals(location, r.get("Location"), desc);
        }
    }

    @Test
    void redirectRegexNeedsAValidRegex() {
        assertThrows(IllegalArgumentException.class, () -> new RedirectRegex().create(new RedirectRegex.Config("(", "x", null), null));
    }
}
