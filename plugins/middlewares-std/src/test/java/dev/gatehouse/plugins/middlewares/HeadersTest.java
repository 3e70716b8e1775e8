package dev.gatehouse.plugins.middlewares;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.plugins.middlewares.headers.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.http.HttpTester;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Traefik's headers/header_test.go, headers_test.go and secure_test.go cases. */
class HeadersTest {

    /** A config built by changing the empty one: tests name only the options they set. */
    private static Headers.Config config(UnaryOperator<Builder> change) {
        return change.apply(new Builder()).build();
    }

    static final class Builder {
        Map<String, String> req;
        Map<String, String> res;
        Boolean cred;
        List<String> allowHeaders;
        List<String> allowMethods;
        List<String> origins;
        List<String> originRegex;
        List<String> expose;
        Long maxAge;
        Boolean vary;
        List<String> allowedHosts;
        List<String> hostsProxy;
        Map<String, String> sslProxy;
        Long sts;
        Boolean stsSub;
        Boolean stsPreload;
        Boolean forceSts;
        Boolean frameDeny;
        String frameValue;
        Boolean nosniff;
        Boolean xss;
        String xssValue;
        String csp;
        String referrer;
        String permissions;
        Boolean dev;

        Headers.Config build() {
            return new Headers.Config(req, res, cred, allowHeaders, allowMethods, origins, originRegex, expose, maxAge, vary,
                    allowedHosts, hostsProxy, sslProxy, sts, stsSub, stsPreload, forceSts, frameDeny, frameValue, nosniff, xss,
                    xssValue, csp, null, null, referrer, permissions, dev);
        }
    }

    private static MiddlewareTester tester(Headers.Config config) throws Exception {
        return new MiddlewareTester(new Headers().create(config, null)).respond((request, response, callback) -> {
            response.getHeaders().put("X-Backend", "yes");
            response.getHeaders().put("Vary", "Accept-Encoding");
            response.setStatus(200);
            response.write(true, ByteBuffer.wrap("backend".getBytes(StandardCharsets.UTF_8)), callback);
        });
    }

    @Test
    void customRequestHeadersAreSetAndEmptyValuesRemove() throws Exception {
        try (MiddlewareTester t = tester(config(b -> {
            b.req = Map.of("X-Custom-Request-Header", "test_request", "X-Remove-Me", "", "Host", "rewritten.example");
            return b;
        }))) {
            t.get("/", "X-Custom-Request-Header: original", "X-Remove-Me: x");
            assertEquals(List.of("test_request"), t.seen().headers().getValuesList("X-Custom-Request-Header"));
            assertNull(t.seen().header("X-Remove-Me"));
            assertEquals("rewritten.example", t.seen().header("Host"));
        }
    }

    @Test
    void customResponseHeadersAreSetAndEmptyValuesRemove() throws Exception {
        try (MiddlewareTester t = tester(config(b -> {
            b.res = Map.of("X-Custom-Response-Header", "test_response", "X-Backend", "");
            return b;
        }))) {
            HttpTester.Response r = t.get("/");
            assertEquals("test_response", r.get("X-Custom-Response-Header"));
            assertNull(r.get("X-Backend"));
            assertEquals("backend", r.getContent());
        }
    }

    @Test
    void responseHeadersAreAlsoSetWhenTheBackendWritesNothing() throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new Headers().create(config(b -> {
            b.res = Map.of("X-Custom", "v");
            return b;
        }), null))) {
            assertEquals("v", t.get("/").get("X-Custom"));
        }
    }

    /** origins; regexes; Origin sent; expected Access-Control-Allow-Origin (with credentials: * sends the Origin back). */
    @ParameterizedTest(name = "preflight from {2}")
    @CsvSource(delimiter = ';', nullValues = "null", value = {
        "*;                    '';                              https://foo.bar.org; https://foo.bar.org",
        "https://foo.bar.org;  '';                              https://foo.bar.org; https://foo.bar.org",
        "https://foo.bar.org;  '';                              https://evil.org;    null",
        "'';                   ^https://([a-z]+)\\.bar\\.org$; https://any.bar.org; https://any.bar.org",
        "'';                   ^https://([a-z]+)\\.bar\\.org$; https://bar.org;     null",
    })
    void preflightIsAnsweredByTheMiddleware(String origins, String regexes, String origin, String expected) throws Exception {
        try (MiddlewareTester t = tester(config(b -> {
            b.origins = origins.isEmpty() ? null : List.of(origins);
            b.originRegex = regexes.isEmpty() ? null : List.of(regexes);
            b.allowMethods = List.of("GET", "OPTIONS", "PUT");
            b.allowHeaders = List.of("origin", "X-Requested-With");
            b.cred = true;
            b.maxAge = 600L;
            b.res = Map.of("X-Custom", "not on preflights");
            return b;
        }))) {
            HttpTester.Response r = t.send("OPTIONS", "/", null, "Origin: " + origin, "Access-Control-Request-Method: GET",
                    "Access-Control-Request-Headers: origin");
            assertEquals(200, r.getStatus());
            assertNull(t.seen(), "a preflight never reaches the backend");
            assertEquals(expected, r.get("Access-Control-Allow-Origin"));
            assertEquals("GET,OPTIONS,PUT", r.get("Access-Control-Allow-Methods"));
            assertEquals("origin,X-Requested-With", r.get("Access-Control-Allow-Headers"));
            assertEquals("true", r.get("Access-Control-Allow-Credentials"));
            assertEquals("600", r.get("Access-Control-Max-Age"));
            assertNull(r.get("X-Custom"));
        }
    }

    /** Traefik's "Fix CORS Max-Age set to 0 by default": sent only when set, 0 included. */
    @ParameterizedTest(name = "accessControlMaxAge {0}")
    @CsvSource(nullValues = "null", value = {"null, null", "0, 0", "600, 600"})
    void preflightSendsMaxAgeOnlyWhenSet(Long maxAge, String expected) throws Exception {
        try (MiddlewareTester t = tester(config(b -> {
            b.origins = List.of("*");
            b.maxAge = maxAge;
            return b;
        }))) {
            HttpTester.Response r = t.send("OPTIONS", "/", null, "Origin: https://a", "Access-Control-Request-Method: GET");
            assertEquals(expected, r.get("Access-Control-Max-Age"));
            assertNull(r.get("Access-Control-Allow-Methods"));
        }
    }

    /**
     * Traefik's header_test.go CORS cases with accessControlAllowCredentials ("Fix CORS wildcard when
     * allow-credentials is true"): browsers refuse a {@code *} with credentials, so each {@code *} answers with what
     * the request asked for, and a {@code *} in the exposed headers sends none. Columns: credentials; expected
     * Allow-Origin, Allow-Methods, Allow-Headers, Expose-Headers (on the preflight).
     */
    @ParameterizedTest(name = "wildcards, credentials {0}")
    @CsvSource(delimiter = ';', nullValues = "null", value = {
        "true;  https://foo.bar.org; PUT; X-Custom,X-Other; null",
        "false; *;                   *;   *;                *",
    })
    void wildcardsWithCredentialsAnswerWithTheRequest(boolean credentials, String origin, String methods, String headers,
            String expose) throws Exception {
        try (MiddlewareTester t = tester(config(b -> {
            b.origins = List.of("*");
            b.allowMethods = List.of("*");
            b.allowHeaders = List.of("*");
            b.expose = List.of("*");
            b.cred = credentials;
            return b;
        }))) {
            HttpTester.Response r = t.send("OPTIONS", "/", null, "Origin: https://foo.bar.org",
                    "Access-Control-Request-Method: PUT", "Access-Control-Request-Headers: X-Custom,X-Other");
            assertEquals(origin, r.get("Access-Control-Allow-Origin"));
            assertEquals(methods, r.get("Access-Control-Allow-Methods"));
            assertEquals(headers, r.get("Access-Control-Allow-Headers"));
            assertEquals(expose, r.get("Access-Control-Expose-Headers"));

            HttpTester.Response simple = t.get("/", "Origin: https://foo.bar.org");
            assertEquals(origin, simple.get("Access-Control-Allow-Origin"));
            assertEquals(expose, simple.get("Access-Control-Expose-Headers"));
        }
    }

    @Test
    void optionsWithoutRequestMethodIsNotAPreflight() throws Exception {
        try (MiddlewareTester t = tester(config(b -> {
            b.origins = List.of("*");
            return b;
        }))) {
            t.send("OPTIONS", "/", null, "Origin: https://a");
            assertNotNull(t.seen());
        }
    }

    @Test
    void corsResponseHeadersOnNormalRequests() throws Exception {
        try (MiddlewareTester t = tester(config(b -> {
            b.origins = List.of("https://foo.bar.org");
            b.expose = List.of("X-Custom-Header", "X-Other");
            b.cred = true;
            b.vary = true;
            return b;
        }))) {
            HttpTester.Response r = t.get("/", "Origin: https://foo.bar.org");
            assertEquals("https://foo.bar.org", r.get("Access-Control-Allow-Origin"));
            assertEquals("X-Custom-Header,X-Other", r.get("Access-Control-Expose-Headers"));
            assertEquals("true", r.get("Access-Control-Allow-Credentials"));
            assertEquals("Accept-Encoding,Origin", r.get("Vary"));

            HttpTester.Response other = t.get("/", "Origin: https://evil.org");
            assertNull(other.get("Access-Control-Allow-Origin"));
            assertEquals("true", other.get("Access-Control-Allow-Credentials"));
        }
    }

    @Test
    void wildcardOriginIsSentEvenWithoutAnOrigin() throws Exception {
        try (MiddlewareTester t = tester(config(b -> {
            b.origins = List.of("*");
            return b;
        }))) {
            assertEquals("*", t.get("/").get("Access-Control-Allow-Origin"));
        }
    }

    @Test
    void securityHeaders() throws Exception {
        try (MiddlewareTester t = tester(config(b -> {
            b.frameDeny = true;
            b.nosniff = true;
            b.xss = true;
            b.csp = "default-src 'self'";
            b.referrer = "same-origin";
            b.permissions = "camera=()";
            return b;
        }))) {
            HttpTester.Response r = t.get("/");
            assertEquals("DENY", r.get("X-Frame-Options"));
            assertEquals("nosniff", r.get("X-Content-Type-Options"));
            assertEquals("1; mode=block", r.get("X-XSS-Protection"));
            assertEquals("default-src 'self'", r.get("Content-Security-Policy"));
            assertEquals("same-origin", r.get("Referrer-Policy"));
            assertEquals("camera=()", r.get("Permissions-Policy"));
            assertNull(r.get("Strict-Transport-Security"));
        }
    }

    @Test
    void customValuesReplaceFrameDenyAndXssFilter() throws Exception {
        try (MiddlewareTester t = tester(config(b -> {
            b.frameDeny = true;
            b.frameValue = "SAMEORIGIN";
            b.xss = true;
            b.xssValue = "0";
            return b;
        }))) {
            HttpTester.Response r = t.get("/");
            assertEquals("SAMEORIGIN", r.get("X-Frame-Options"));
            assertEquals("0", r.get("X-XSS-Protection"));
        }
    }

    @Test
    void anEmptyCustomResponseHeaderRemovesASecurityHeader() throws Exception {
        try (MiddlewareTester t = tester(config(b -> {
            b.frameDeny = true;
            b.res = Map.of("X-Frame-Options", "");
            return b;
        }))) {
            assertNull(t.get("/").get("X-Frame-Options"));
        }
    }

    /** sts options; secure-proxy header sent; expected Strict-Transport-Security. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', nullValues = "null", value = {
        "plain HTTP gets no STS;              false; false; false; false; false; null",
        "forceSTSHeader on plain HTTP;        true;  false; false; false; false; max-age=31536000",
        "sslProxyHeaders make it SSL;         false; true;  false; false; false; max-age=31536000",
        "includeSubdomains and preload;       true;  false; true;  true;  false; 'max-age=31536000; includeSubDomains; preload'",
        "isDevelopment suppresses STS;        true;  true;  false; false; true;  null",
    })
    void strictTransportSecurity(String desc, boolean force, boolean viaProxy, boolean sub, boolean preload, boolean dev,
            String expected) throws Exception {
        try (MiddlewareTester t = tester(config(b -> {
            b.sts = 31536000L;
            b.forceSts = force;
            b.stsSub = sub;
            b.stsPreload = preload;
            b.sslProxy = Map.of("X-Forwarded-Proto", "https");
            b.dev = dev;
            return b;
        }))) {
            HttpTester.Response r = viaProxy ? t.get("/", "X-Forwarded-Proto: https") : t.get("/");
            assertEquals(expected, r.get("Strict-Transport-Security"), desc);
        }
    }

    /**
     * Traefik's TestNew_allowedHosts: a host not in the list gets 500 "Bad Host" (unrolled/secure's answer).
     * Columns: allowed; hostsProxyHeaders; Host; X-Forwarded-Host; development; status.
     */
    @ParameterizedTest(name = "{2} / {3}")
    @CsvSource(delimiter = ';', nullValues = "null", value = {
        "foo.com; false; foo.com;  null;     false; 200",
        "foo.com; false; bar.com;  null;     false; 500",
        "foo.com; true;  bar.com;  foo.com;  false; 200",
        "foo.com; true;  foo.com;  bar.com;  false; 500",
        "foo.com; false; bar.com;  null;     true;  200",
    })
    void allowedHosts(String allowed, boolean proxyHeaders, String host, String forwardedHost, boolean dev, int status)
            throws Exception {
        try (MiddlewareTester t = tester(config(b -> {
            b.allowedHosts = List.of(allowed);
            b.hostsProxy = proxyHeaders ? List.of("X-Forwarded-Host") : null;
            b.dev = dev;
            return b;
        }))) {
            HttpTester.Response r = forwardedHost == null ? t.get("/", "Host: " + host)
                    : t.get("/", "Host: " + host, "X-Forwarded-Host: " + forwardedHost);
            assertEquals(status, r.getStatus());
            if (status == 500) {
                assertEquals("Bad Host\n", r.getContent());
                assertNull(t.seen());
            }
        }
    }

    /** Traefik's TestNew_withoutOptions ("headers configuration not valid") and TestNew_withSTSSecondsZero. */
    @Test
    void noOptionsIsRefusedButAnOptionSetToItsDefaultCounts() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Headers().create(config(b -> b), null));
        assertTrue(e.getMessage().contains("customRequestHeaders"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Headers().create(null, null));
        try (MiddlewareTester t = tester(config(b -> {
            b.sts = 0L;
            return b;
        }))) {
            HttpTester.Response r = t.get("/");
            assertEquals("yes", r.get("X-Backend"));
            assertNull(r.get("Strict-Transport-Security"));
        }
    }

    @Test
    void invalidOriginRegexIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Headers().create(config(b -> {
            b.originRegex = List.of("(");
            return b;
        }), null));
    }

    /** Traefik v3 still reads the options it deprecated and ignores them: so a v2-era middleware keeps working. */
    @Test
    void deprecatedSslAndFeaturePolicyOptionsHaveNoEffectAndAreNamed() throws Exception {
        Headers.Config deprecated = new Headers.Config(null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, true, null, null, null, null, null, null, null, null, null, null,
                "camera 'none'", true, true, "secure.example", true);
        try (MiddlewareTester t = tester(deprecated)) {
            HttpTester.Response r = t.get("/page");
            assertEquals(200, r.getStatus(), "sslRedirect does not redirect in Traefik v3");
            assertEquals("DENY", r.get("X-Frame-Options"), "the other options still apply");
            assertNull(r.get("Feature-Policy"));
            assertNull(r.get("Location"));
        }
        List<String> notes = new Headers().deprecations(deprecated);
        assertEquals(5, notes.size(), notes.toString());
        assertTrue(notes.get(0).contains("'featurePolicy'") && notes.get(0).contains("'permissionsPolicy'"), notes.get(0));
        assertTrue(notes.get(1).contains("'sslRedirect'") && notes.get(1).contains("redirectScheme"), notes.get(1));
        assertEquals(List.of(), new Headers().deprecations(config(b -> b)));
    }
}
