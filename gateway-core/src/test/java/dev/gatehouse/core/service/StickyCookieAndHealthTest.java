package dev.gatehouse.core.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gatehouse.core.config.dynamic.StickyConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StickyCookieAndHealthTest {

    @Test
    void defaultNameIsTraefiksAbbreviatedSha1OfTheServiceName() {
        // "_" + sha1("_TRAEFIK_BACKEND_" + name)[:5 hex]
        String name = StickyCookie.defaultName("svc@file");
        assertEquals(6, name.length());
        assertEquals('_', name.charAt(0));
        assertEquals(name, StickyCookie.defaultName("svc@file"));
    }

    @Test
    void setCookieCarriesTheConfiguredAttributes() {
        StickyCookie cookie = StickyCookie.of(new StickyConfig.CookieConfig("pin", true, true, "Strict", 60, "/app", "ex.com"),
                "svc@file");
        assertEquals("pin=abc; Path=/app; Domain=ex.com; Max-Age=60; HttpOnly; Secure; SameSite=Strict",
                cookie.setCookie("abc").getValue());
    }

    @Test
    void anUnknownSameSiteIsAnError() {
        assertThrows(IllegalArgumentException.class,
                () -> StickyCookie.of(new StickyConfig.CookieConfig(null, null, null, "sometimes", null, null, null), "s"));
    }

    @Test
    void cookieValueIsTheFirst16HexDigitsOfSha256() {
        assertEquals(16, StickyCookie.valueFor("http://10.0.0.1:80").length());
    }

    @ParameterizedTest(name = "status {0}, expected {1}: {2}")
    @CsvSource({"200,, true", "302,, true", "404,, false", "500,, false", "-1,, false", "204, 204, true",
            "200, 204, false"})
    void healthyIff2xxOr3xxOrTheConfiguredStatus(int status, Integer expected, boolean healthy) {
        assertEquals(healthy, HealthChecker.isHealthy(status, expected));
    }
}
