package com.example.gatehouse.requestid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.GatehouseExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The plugin in a real gateway, configured as a user would configure it. */
class RequestIdPluginTest {

    @RegisterExtension
    static final GatehouseExtension gateway = GatehouseExtension.with(kit -> kit
            .pluginClasses("request-id", Path.of("target/classes"))
            .dynamic("""
                    http:
                      routers:
                        default-header:
                          rule: PathPrefix(`/default`)
                          middlewares: [rid]
                          service: app
                        custom-header:
                          rule: PathPrefix(`/custom`)
                          middlewares: [correlation]
                          service: app
                        every-day:
                          rule: PathPrefix(`/week`) && Weekday(`mon`, `sun`)
                          service: app
                        not-today:
                          rule: PathPrefix(`/not-today`) && Weekday(`%s`, `%s`)
                          service: app
                      middlewares:
                        rid:
                          requestId: {}
                        correlation:
                          requestId:
                            headerName: X-Correlation-Id
                      services:
                        app:
                          loadBalancer:
                            servers:
                              - url: "${backend}"
                    """.formatted(day(1), day(6))));

    /** The day {@code offset} days after today (UTC), as Weekday takes it: a range tomorrow..+6 leaves out today. */
    private static String day(int offset) {
        DayOfWeek day = LocalDate.now(ZoneOffset.UTC).getDayOfWeek().plus(offset);
        return day.name().substring(0, 3).toLowerCase(Locale.ROOT);
    }

    @Test
    void pluginLoadsWithBothExtensions() {
        assertEquals(List.of(), gateway.gateway().pluginProblems());
        assertTrue(gateway.gateway().plugins().stream().anyMatch(p -> p.startsWith("request-id ")
                && p.contains("middleware type requestId") && p.contains("matcher Weekday")),
                gateway.gateway().plugins().toString());
    }

    @Test
    void requestWithoutAnIdGetsAFreshOneThatTheBackendAndTheClientSee() {
        HttpResponse<String> first = gateway.get("/default/a");
        assertEquals(200, first.statusCode(), first.body());
        String id = first.headers().firstValue("X-Request-Id").orElse(null);
        assertNotNull(id);
        assertEquals(id, gateway.backend().lastRequest().header("X-Request-Id"));

        String second = gateway.get("/default/b").headers().firstValue("X-Request-Id").orElseThrow();
        assertNotEquals(id, second, "every request gets its own id");
    }

    @Test
    void requestWithAnIdKeepsIt() {
        HttpResponse<String> response = gateway.get("/default/c", "X-Request-Id", "from-client-42");
        assertEquals("from-client-42", response.headers().firstValue("X-Request-Id").orElse(null));
        assertEquals("from-client-42", gateway.backend().lastRequest().header("X-Request-Id"));
    }

    @Test
    void headerNameOptionChangesTheHeader() {
        HttpResponse<String> response = gateway.get("/custom/a");
        String id = response.headers().firstValue("X-Correlation-Id").orElse(null);
        assertNotNull(id);
        assertEquals(id, gateway.backend().lastRequest().header("X-Correlation-Id"));
        assertEquals(null, gateway.backend().lastRequest().header("X-Request-Id"));
    }

    @Test
    void weekdayRulesRouteOnlyOnTheirDays() {
        assertEquals(200, gateway.get("/week").statusCode());
        assertEquals(404, gateway.get("/not-today").statusCode());
    }
}
