package dev.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.StaticConfigurationLoader;
import dev.gatehouse.core.server.EntryPointTimeouts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each entry point's listener gets of {@code transport}: Traefik's defaults, the configured values, errors. */
class EntryPointPlanTimeoutsTest {

    @TempDir
    Path dir;

    private EntryPointPlan plan(String... flags) throws ConfigurationException {
        return EntryPointPlan.from(StaticConfigurationLoader.load(List.of(flags), Map.of(), dir, null).configuration());
    }

    @Test
    void anEntryPointWithoutTransportGetsTraefiksDefaults() throws Exception {
        EntryPointTimeouts timeouts = plan("--entryPoints.web.address=:80").listeners.get(0).timeouts();
        assertEquals(new EntryPointTimeouts(Duration.ofSeconds(60), Duration.ZERO, Duration.ofSeconds(180), 0,
                Duration.ZERO), timeouts);
    }

    @Test
    void configuredValuesReachTheListener() throws Exception {
        EntryPointTimeouts timeouts = plan("--entryPoints.web.address=:80",
                "--entryPoints.web.transport.respondingTimeouts.readTimeout=5s",
                "--entryPoints.web.transport.respondingTimeouts.writeTimeout=7s",
                "--entryPoints.web.transport.respondingTimeouts.idleTimeout=0",
                "--entryPoints.web.transport.keepAliveMaxRequests=10",
                "--entryPoints.web.transport.keepAliveMaxTime=1m").listeners.get(0).timeouts();
        assertEquals(new EntryPointTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(7), Duration.ZERO, 10,
                Duration.ofMinutes(1)), timeouts);
    }

    @Test
    void aNegativeKeepAliveMaxRequestsIsAnErrorNamingTheKey() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> plan("--entryPoints.web.address=:80",
                "--entryPoints.web.transport.keepAliveMaxRequests=-1"));
        assertTrue(e.getMessage().contains("entryPoints.web.transport.keepAliveMaxRequests: -1 is negative"),
                e.getMessage());
    }
}
