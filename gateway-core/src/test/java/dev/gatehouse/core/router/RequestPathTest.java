package dev.gatehouse.core.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Traefik's request-path normalisation and sanitisation (docs: "Request Path"; rfc3986 2.3, 6.2.2). */
class RequestPathTest {

    /** raw path | with sanitizePath (default) | without. */
    @ParameterizedTest(name = "{0} -> {1} (unsanitised {2})")
    @CsvSource(delimiterString = " | ", textBlock = """
            /                    | /                 | /
            /products            | /products         | /products
            /products/           | /products/        | /products/
            /%41%42c             | /ABc              | /ABc
            /%7e/%7E/%2d%2E%5f   | /~/~/-._          | /~/~/-._
            /a%2Fb               | /a%2Fb            | /a%2Fb
            /a%2fb               | /a%2Fb            | /a%2Fb
            /a%3F%3fb            | /a%3F%3Fb         | /a%3F%3Fb
            /100%25              | /100%25           | /100%25
            /%2541               | /%2541            | /%2541
            /foo%20bar           | /foo%20bar        | /foo%20bar
            /caf%c3%a9           | /caf%C3%A9        | /caf%C3%A9
            /a/../b              | /b                | /a/../b
            /a/./b               | /a/b              | /a/./b
            //x                  | /x                | //x
            /foo/bar//           | /foo/bar/         | /foo/bar//
            /./foo/../bar//      | /bar/             | /./foo/../bar//
            /../../etc/passwd    | /etc/passwd       | /../../etc/passwd
            /a/b/..              | /a                | /a/b/..
            /a/b/../             | /a/               | /a/b/../
            /a/.                 | /a                | /a/.
            /..                  | /                 | /..
            /a/%2e%2e/b          | /b                | /a/../b
            /a/%2E/b             | /a/b              | /a/./b
            /a/%2e%2E%2Fb        | /a/..%2Fb         | /a/..%2Fb
            /a/...b/.c/..d       | /a/...b/.c/..d    | /a/...b/.c/..d
            /a/...               | /a/...            | /a/...
            /a;b/../c            | /c                | /a;b/../c
            """)
    void normalisesAndSanitises(String raw, String sanitised, String unsanitised) {
        assertEquals(sanitised, RequestPath.of(raw, true));
        assertEquals(unsanitised, RequestPath.of(raw, false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/products/shoes", "/a%2Fb", "/x/", "/a-b_c.d~e", "/.well-known/acme"})
    void returnsTheSameStringWhenNothingChanges(String path) {
        assertSame(path, RequestPath.of(path, true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "*"})
    void leavesWhatIsNotARootedPathAlone(String path) {
        assertEquals(path.isEmpty() ? "/" : path, RequestPath.of(path, true));
    }

    /** Traefik's withRoutingPath (mux_test.go): what rules match; never what is forwarded. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = " | ", textBlock = """
            /foo%20bar           | /foo bar
            /caf%C3%A9           | /caf\u00e9
            /a%2Fb%3A%3F%23      | /a%2Fb%3A%3F%23
            /%5B%5D%40%21%24%26  | /%5B%5D%40%21%24%26
            /%27%28%29%2A%2B%2C  | /%27%28%29%2A%2B%2C
            /%3B%3D%25           | /%3B%3D%25
            /%22%3C%3E%5C%60     | /"<>\\`
            /plain               | /plain
            """)
    void routingDecodesEveryEscapeButTheReservedOnes(String normalised, String routing) {
        assertEquals(routing, RequestPath.routing(normalised));
    }
}
