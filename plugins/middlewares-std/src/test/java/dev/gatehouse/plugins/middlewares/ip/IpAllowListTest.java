package dev.gatehouse.plugins.middlewares.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
                new IpAllowList.Config(List.of(ranges.split("\\|")), strategy, null), null))) {
            t.trustForwardedHeaders(trusted);
            HttpTester.Response r = t.get("/", XFF);
            assertEquals(status, r.getStatus(), desc);
            if (status == 403) {
                assertEquals("Forbidden", r.getContent());
                assertNull(t.seen());
            }
        }
    }

    /**
     * Traefik's TestDepthStrategy_GetIP cases with ipv6Subnet (pkg/ip/strategy_test.go): the chosen address, masked to
     * the subnet, must equal {@code expected}, which is the only allowed address. An IPv4 address is left alone.
     * Columns: depth; X-Forwarded-For (| for commas); ipv6Subnet; expected client address; another address that
     * must not be the client.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', nullValues = "null", value = {
        "Use depth with IPv4 and IPv6 subnet;       2; 10.0.0.3|10.0.0.2|10.0.0.1;           80;   10.0.0.2;           10.0.0.3",
        "Use depth with IPv6 subnet;                2; 10.0.0.3|::abcd:ffff:c0a8:1|10.0.0.1; 80;   ::abcd:0:0:0;       ::abcd:ffff:c0a8:1",
        "Use depth with IPv6, no subnet;            2; 10.0.0.3|::abcd:ffff:c0a8:1|10.0.0.1; null; ::abcd:ffff:c0a8:1; ::abcd:0:0:0",
        "a /64 puts a whole subnet in one client;   1; 2001:db8:1:2:aaaa:bbbb:cccc:dddd;     64;   2001:db8:1:2::;     2001:db8:1:2:aaaa:bbbb:cccc:dddd",
    })
    void depthWithIpv6Subnet(String desc, int depth, String xff, Integer ipv6Subnet, String expected, String other)
            throws Exception {
        SourceCriterion.IpStrategyConfig strategy = new SourceCriterion.IpStrategyConfig(depth, null, ipv6Subnet);
        String header = "X-Forwarded-For: " + xff.replace('|', ',');
        try (MiddlewareTester t = new MiddlewareTester(new IpAllowList().create(
                new IpAllowList.Config(List.of(expected), strategy, null), null))) {
            t.trustForwardedHeaders(true);
            assertEquals(200, t.get("/", header).getStatus(), desc);
        }
        try (MiddlewareTester t = new MiddlewareTester(new IpAllowList().create(
                new IpAllowList.Config(List.of(other), strategy, null), null))) {
            t.trustForwardedHeaders(true);
            assertEquals(403, t.get("/", header).getStatus(), desc + ": the client is not " + other);
        }
    }

    /** Traefik's IPStrategy.Get: a subnet outside 1-128 is an error where it applies; excludedIPs ignores it. */
    @ParameterizedTest(name = "ipv6Subnet {0} with depth {1}")
    @CsvSource({"0, 1, true", "129, 0, true", "-1, 1, true", "128, 1, false", "500, 0, true"})
    void ipv6SubnetOutOfRangeIsRefused(int ipv6Subnet, int depth, boolean refused) {
        IpAllowList.Config config = new IpAllowList.Config(List.of("10.0.0.1"),
                new SourceCriterion.IpStrategyConfig(depth, null, ipv6Subnet), null);
        if (refused) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IpAllowList().create(config, null));
            assertTrue(e.getMessage().contains("ipStrategy.ipv6Subnet"), e.getMessage());
        } else {
            assertNotNull(new IpAllowList().create(config, null));
        }
        assertNotNull(new IpAllowList().create(new IpAllowList.Config(List.of("10.0.0.1"),
                new SourceCriterion.IpStrategyConfig(0, List.of("10.0.0.0/8"), ipv6Subnet), null), null), "not used with excludedIPs");
    }

    @Test
    void remoteAddressByDefaultAndRejectStatusCode() throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new IpAllowList().create(new IpAllowList.Config(List.of("192.0.2.0/24"), null, 404), null))) {
            t.trustForwardedHeaders(true);
            HttpTester.Response r = t.get("/", "X-Forwarded-For: 192.0.2.1");
            assertEquals(404, r.getStatus(), "the local connector's address is not in 192.0.2.0/24; X-Forwarded-For is not looked at");
        }
    }

    @Test
    void invalidOptionsAreRejected() {
        IpAllowList type = new IpAllowList();
        assertThrows(IllegalArgumentException.class, () -> type.create(new IpAllowList.Config(List.of(), null, null), null));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> type.create(new IpAllowList.Config(List.of("10.0.0.0/33"), null, null), null));
        assertTrue(bad.getMessage().contains("sourceRange"));
        assertThrows(IllegalArgumentException.class, () -> type.create(new IpAllowList.Config(List.of("example.com"), null, null), null));
        assertThrows(IllegalArgumentException.class, () -> type.create(new IpAllowList.Config(List.of("10.0.0.1"),
                new SourceCriterion.IpStrategyConfig(-1, null), null), null));
    }
}
