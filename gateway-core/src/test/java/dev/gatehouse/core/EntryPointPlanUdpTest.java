package dev.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.StaticConfigurationLoader;
import dev.gatehouse.core.udp.UdpEntryPointSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** UDP entry points are planned beside the HTTP listeners, never as one of them nor as a default of HTTP routers. */
class EntryPointPlanUdpTest {

    @TempDir
    Path dir;

    private EntryPointPlan plan(String... flags) throws ConfigurationException {
        return EntryPointPlan.from(StaticConfigurationLoader.load(List.of(flags), Map.of(), dir, null).configuration());
    }

    @Test
    void aUdpEntryPointIsNoHttpListenerAndNoDefaultOfHttpRouters() throws Exception {
        EntryPointPlan plan = plan("--entryPoints.web.address=:80", "--entryPoints.dns.address=127.0.0.1:53/udp",
                "--entryPoints.dns.udp.timeout=10s", "--entryPoints.dns.asDefault=true");
        assertEquals(List.of("web"), plan.names());
        assertEquals(List.of("web"), plan.defaults);
        assertEquals(List.of(new UdpEntryPointSpec("dns", "127.0.0.1", 53, Duration.ofSeconds(10), 10_000, false)),
                plan.udpEntryPoints);
    }

    @Test
    void onlyUdpEntryPointsOpenNoHttpListener() throws Exception {
        EntryPointPlan plan = plan("--entryPoints.dns.address=[::1]:53/udp");
        assertEquals(List.of(), plan.names());
        assertEquals("::1", plan.udpEntryPoints.get(0).host());
        assertEquals("[::1]:53/udp", plan.udpEntryPoints.get(0).address());
        assertEquals(Duration.ofSeconds(3), plan.udpEntryPoints.get(0).idleTimeout());
    }
}
