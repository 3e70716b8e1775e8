package dev.gatehouse.plugins.middlewares.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.plugins.middlewares.MiddlewareTester;
import dev.gatehouse.plugins.middlewares.internal.SourceCriterion;
import java.util.List;
import org.eclipse.jetty.http.HttpTester;
import org.junit.jupiter.api.Test;

/** {@code ipWhiteList}, Traefik v2's name of ipAllowList that v3 still accepts: the same filtering, and a deprecation. */
class IpWhiteListTest {

    @Test
    void filtersAsIpAllowListWithTheV2Options() throws Exception {
        SourceCriterion.IpStrategyConfig depthOne = new SourceCriterion.IpStrategyConfig(1, null);
        try (MiddlewareTester t = new MiddlewareTester(new IpWhiteList().create(
                new IpWhiteList.Config(List.of("13.0.0.0/8"), depthOne), null))) {
            t.trustForwardedHeaders(true);
            assertEquals(200, t.get("/", "X-Forwarded-For: 10.0.0.1,13.0.0.1").getStatus());
            HttpTester.Response refused = t.get("/", "X-Forwarded-For: 13.0.0.1,10.0.0.1");
            assertEquals(403, refused.getStatus());
            assertEquals("Forbidden", refused.getContent());
        }
    }

    @Test
    void saysItIsDeprecatedAndNamesTheReplacement() {
        List<String> notes = new IpWhiteList().deprecations(new IpWhiteList.Config(List.of("10.0.0.0/8"), null));
        assertEquals(1, notes.size());
        assertTrue(notes.get(0).contains("'ipAllowList'"), notes.get(0));
    }

    @Test
    void anEmptySourceRangeIsRejectedAsForIpAllowList() {
        assertThrows(IllegalArgumentException.class, () -> new IpWhiteList().create(new IpWhiteList.Config(List.of(), null), null));
    }
}
