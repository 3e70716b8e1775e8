package dev.gatehouse.core.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpstreamServerTest {

    @ParameterizedTest(name = "{0} preservePath={1} + {2} = {3}")
    @CsvSource({
            "http://s/base, true, /x?q=1, /base/x?q=1",
            "http://s/base/, true, /x, /base/x",
            "http://s/base, false, /x, /x",
            "http://s, true, /x, /x",
            "http://s/, true, '', /",
            "http://s/base, true, '', /base/",
    })
    void preservePathJoinsWithOneSlash(String url, boolean preserve, String pathQuery, String expected) {
        assertEquals(expected, UpstreamServer.parse(url, preserve).target(pathQuery));
    }

    @ParameterizedTest
    @CsvSource({"h2c://10.0.0.1:8080, http, 8080, true", "https://x, https, 443, false", "http://x, http, 80, false"})
    void schemesAndDefaultPorts(String url, String scheme, int port, boolean h2c) {
        UpstreamServer server = UpstreamServer.parse(url);
        assertEquals(scheme, server.scheme());
        assertEquals(port, server.port());
        assertEquals(h2c, server.h2c());
    }

    @ParameterizedTest
    @CsvSource({"ftp://x", "ws://x"})
    void otherSchemesAreErrors(String url) {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UpstreamServer.parse(url)).getMessage()
                .contains("h2c://"));
    }
}
