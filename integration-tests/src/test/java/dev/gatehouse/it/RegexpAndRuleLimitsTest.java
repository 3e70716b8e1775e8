package dev.gatehouse.it;

import static dev.gatehouse.core.dynamic.ConfigElement.router;
import static dev.gatehouse.core.dynamic.ProblemKind.INVALID;
import static dev.gatehouse.core.dynamic.ProblemKind.MIDDLEWARE;
import static dev.gatehouse.it.ModelAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.runtime.Status;
import dev.gatehouse.testkit.TestGateway;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, items 1 and 4, through the real gateway with the bundled plugins: a regexp beyond Go's bounds
 * (Traefik's) disables its router or middleware alone, with a problem that names the element, the regexp and
 * why; a rule of ten thousand terms is an ordinary router; every other router keeps serving. On the old code the
 * first regexp exhausted the heap and the rule threw StackOverflowError, failing the whole configuration.
 */
class RegexpAndRuleLimitsTest {

    @TempDir
    Path dir;

    /** The regexp of the 104-byte file: 10^8 instructions for RE2/J. */
    static final String BOMB = "((((a{100}){100}){100}){100})";

    @Test
    void refusedRegexpsDisableTheirElementsAloneAndALongRuleServes() throws Exception {
        String longRule = String.join(" && ", Collections.nCopies(10_000, "PathPrefix(`/chain`)"));
        try (TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         good:
                           rule: PathPrefix(`/good`)
                           service: app
                         api:
                           rule: PathRegexp(`^/api/v[0-9]+/`) && HostRegexp(`^127\\.0\\.0\\.[0-9]+$`)
                           service: app
                         chain:
                           rule: "%s"
                           service: app
                         bomb:
                           rule: PathRegexp(`%s`)
                           service: app
                         big:
                           rule: PathRegexp(`(a{1000}){1000}`)
                           service: app
                         host:
                           rule: HostRegexp(`(x{1000}){2}`)
                           service: app
                         header:
                           rule: HeaderRegexp(`X-A`, `(a{500}){3}`)
                           service: app
                         query:
                           rule: QueryRegexp(`q`, `(?:()){1000}`)
                           service: app
                         strip:
                           rule: PathPrefix(`/strip`)
                           middlewares: [strip-bomb]
                           service: app
                         replace:
                           rule: PathPrefix(`/replace`)
                           middlewares: [replace-bomb]
                           service: app
                         redirect:
                           rule: PathPrefix(`/redirect`)
                           middlewares: [redirect-bomb]
                           service: app
                         cors:
                           rule: PathPrefix(`/cors`)
                           middlewares: [cors-bomb]
                           service: app
                         stripok:
                           rule: PathPrefix(`/v1/ok`)
                           middlewares: [strip-ok]
                           service: app
                       middlewares:
                         strip-bomb:
                           stripPrefixRegex:
                             regex: ["^/strip", "%s"]
                         replace-bomb:
                           replacePathRegex:
                             regex: "(a{1000}){1000}"
                             replacement: /x
                         redirect-bomb:
                           redirectRegex:
                             regex: "(?:a?b?c?d?e?f?g?h?i?j?){1000}"
                             replacement: http://example.com/
                         cors-bomb:
                           headers:
                             accessControlAllowOriginListRegex: ["%s"]
                         strip-ok:
                           stripPrefixRegex:
                             regex: ["^/v[0-9]+"]
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(longRule, BOMB, BOMB, BOMB, backend.url()))) {
            gateway.start();

            assertEquals(200, Http.get(gateway.url("/good")).statusCode());
            assertEquals(200, Http.get(gateway.url("/chain/x")).statusCode(), "the 10,000-term rule serves");
            assertEquals(200, Http.get(gateway.url("/api/v2/users")).statusCode());
            assertEquals(404, Http.get(gateway.url("/api/vx/users")).statusCode());
            assertEquals(200, Http.get(gateway.url("/v1/ok")).statusCode());
            for (String path : List.of("/strip", "/replace", "/redirect", "/cors")) {
                assertEquals(404, Http.get(gateway.url(path)).statusCode(), path);
            }

            for (String router : List.of("good", "api", "chain", "stripok")) {
                assertEquals(Status.ENABLED, gateway.routerStatus(router + "@file"), router);
            }
            for (String router : List.of("bomb", "big", "host", "header", "query", "strip", "replace", "redirect",
                    "cors")) {
                assertEquals(Status.DISABLED, gateway.routerStatus(router + "@file"), router);
            }

            String file = gateway.dynamicDir().resolve("test.yml").toString();
            // Which expression was refused, and by which limit, is what the user must read: the words are tested.
            assertProblem(gateway, file, router("bomb@file"), INVALID, "PathRegexp regexp `" + BOMB + "` is refused",
                    "repetition counts multiply to 100,000,000; the limit is 1,000");
            assertProblem(gateway, file, router("big@file"), INVALID, "multiply to 1,000,000");
            assertProblem(gateway, file, router("host@file"), INVALID, "HostRegexp regexp", "multiply to 2,000");
            assertProblem(gateway, file, router("header@file"), INVALID, "HeaderRegexp regexp", "multiply to 1,500");
            assertProblem(gateway, file, router("query@file"), INVALID, "QueryRegexp regexp", "steps that match nothing");
            assertProblem(gateway, file, router("strip@file"), MIDDLEWARE, "strip-bomb@file",
                    "regex `" + BOMB + "` is refused", "multiply to 100,000,000");
            assertProblem(gateway, file, router("replace@file"), MIDDLEWARE, "replace-bomb@file", "multiply to 1,000,000");
            assertProblem(gateway, file, router("redirect@file"), MIDDLEWARE, "redirect-bomb@file",
                    "steps that match nothing");
            assertProblem(gateway, file, router("cors@file"), MIDDLEWARE, "cors-bomb@file",
                    "accessControlAllowOriginListRegex `" + BOMB + "` is refused");
            assertFalse(gateway.logLines("ERROR", "bomb@file", "multiply to 100,000,000").isEmpty(), gateway.logs());
            assertTrue(gateway.logs().lines().noneMatch(line -> line.contains("StackOverflowError")
                    || line.contains("OutOfMemoryError") || line.startsWith("\tat ")), gateway.logs());
        }
    }
}
