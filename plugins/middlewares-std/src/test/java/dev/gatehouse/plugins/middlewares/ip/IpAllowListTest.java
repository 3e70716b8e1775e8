package dev.gatehouse.plugins.middlewares.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.plugins.middlewares.MiddlewareTester;
import dev.gatehouse.plugins.middlewares.internal.SourceCriterion;
import java.util.List;
import org.eclipse.jetty.http.HttpTester;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Traefik's ip_allowlist_test.go and pkg/ip strategy tests; TRAEFIK-FACTS 28 for depth. */
class IpAllowListTest {

    private static final String XFF = "X-Forwarded-For: 10.0.0.1,11.0.0.1,12.0.0.1,13.0.0.1";

    /** sourceRange (|); depth; excludedIPs (|); trusted; expected status. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "depth 1 is the last entry;               13.0.0.1;     1; '';                     true;  200",
        "depth 3 counts from the right;           11.0.0.1;     3; '';                     true;  200",
        "depth 3 is not the last;                 13.0.0.1;     3; '';                     true;  403",
        "depth 5 is nothing;                      10.0.0.0/8;   5; '';                     true;  403",
        "CIDR contains depth 4;                   10.0.0.0/8;   4; '';                     true;  200",
        "excluded IPs skip from the right;        12.0.0.1;     0; 13.0.0.1;               true;  200",
        "excluded CIDRs skip several;             11.0.0.1;     0; 12.0.0.0/8|13.0.0.0/8;  true;  200",
        "untrusted X-Forwarded-For is not used;   13.0.0.1;     1; '';                     false; 403",
    })
    void strategies(String desc, String ranges, int depth, String excluded, boolean trusted, int status) throws Exception {
        SourceCriterion.IpStrategyConfig strategy = new SourceCriterion.IpStrategyConfig(depth,
                excluded.isEmpty() ? null : List.of(excluded.split("\\|")));
        try (MiddlewareTester t = new MiddlewareTester(new IpAllowList().create(
                new IpAllowList.Config(List.of(ranges.split("\\|")), strategy, null)))) {
            t.trustForwardedHeaders(trusted);
            HttpTester.Response r = t.get("/", XFF);
            assertEquals(status, r.getStatus(), desc);
            if (status == 403) {
                assertEquals("Forbidden", r.getContent());
                assertNull(t.seen());
            }
        }
    }

    @Test
    void remoteAddressByDefaultAndRejectStatusCode() throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new IpAllowList().create(new IpAllowList.Config(List.of("192.0.2.0/24"), null, 404)))) {
            t.trustForwardedHeaders(true);
            HttpTester.Response r = t.get("/", "X-Forwarded-For: 192.0.2.1");
            assertEquals(404, r.getStatus(), "the local connector's address is not in 192.0.2.0/24; X-Forwarded-For is not looked at");
        }
    }

    @Test
    void invalidOptionsAreRejected() {
        IpAllowList type = new IpAllowList();
        assertThrows(IllegalArgumentException.class, () -> type.create(new IpAllowList.Config(List.of(), null, null)));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> type.create(new IpAllowList.Config(List.of("10.0.0.0/33"), null, null)));
        assertTrue(bad.getMessage().contains("sourceRange"));
        assertThrows(IllegalArgumentException.class, () -> type.create(new IpAllowList.Config(List.of("example.com"), null, null)));
        assertThrows(IllegalArgumentException.class, () -> type.create(new IpAllowList.Config(List.of("10.0.0.1"),
                new SourceCriterion.IpStrategyConfig(-1, null), null)));
    }
}
