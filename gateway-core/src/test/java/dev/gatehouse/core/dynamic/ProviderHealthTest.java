package dev.gatehouse.core.dynamic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.ConfigurationSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What /api/providers, the dashboard and the provider metrics show, on a clock the test moves. */
class ProviderHealthTest {

    private Instant now = Instant.parse("2026-12-07T04:00:00Z");
    private final ProviderHealth health = new ProviderHealth(new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    });

    private static ConfigurationSnapshot twoContainers() {
        return ConfigurationSnapshot.of(
                ConfigurationFragment.of("container a", Map.of("http", Map.of(
                        "routers", Map.of("a", Map.of(), "a2", Map.of()),
                        "services", Map.of("a", Map.of()),
                        "middlewares", Map.of("strip", Map.of())))),
                ConfigurationFragment.of("container b", Map.of(
                        "http", Map.of("routers", Map.of("b", Map.of())),
                        "tcp", Map.of("services", Map.of("db", Map.of())))),
                ConfigurationFragment.failed("container c", "a label that cannot be read"));
    }

    @Test
    void aProviderGoesFromStartingToUpToDownAndBackKeepingWhatItPublishedLast() {
        health.starting("docker");
        assertEquals(ProviderHealth.State.STARTING, health.status("docker").state());
        assertNull(health.status("docker").lastPublished());

        Instant firstRead = now;
        health.published("docker", twoContainers());
        ProviderHealth.Status up = health.status("docker");
        assertTrue(up.up());
        assertEquals(new ProviderHealth.ElementCounts(3, 2, 1), up.published(), "HTTP and TCP elements of every fragment");
        assertEquals(firstRead, up.lastPublished());

        now = now.plus(Duration.ofMinutes(5));
        Instant wentDown = now;
        health.unavailable("docker", "Docker engine at unix:///var/run/docker.sock is unreachable");
        now = now.plus(Duration.ofMinutes(1));
        health.unavailable("docker", "Docker engine at unix:///var/run/docker.sock is unreachable: still");
        ProviderHealth.Status down = health.status("docker");
        assertFalse(down.up());
        assertEquals(ProviderHealth.State.DOWN, down.state());
        assertEquals("Docker engine at unix:///var/run/docker.sock is unreachable: still", down.problem());
        assertEquals(wentDown, down.since(), "down since the first report");
        assertEquals(firstRead, down.lastPublished(), "its last successful read is kept");
        assertEquals(up.published(), down.published(), "what it published last keeps serving");

        now = now.plus(Duration.ofMinutes(1));
        health.published("docker", twoContainers());
        ProviderHealth.Status back = health.status("docker");
        assertTrue(back.up());
        assertNull(back.problem());
        assertEquals(now, back.since());
        assertEquals(now, back.lastPublished());
    }

    @Test
    void aProviderThatCouldNotStartIsListedFailedWithItsProblemInStartOrder() {
        health.starting("file");
        health.failed("docker", "providers.docker.endpoint: 'http://x' must start with unix:// or tcp://");
        health.published("file", ConfigurationSnapshot.of());
        List<ProviderHealth.Status> all = health.statuses();
        assertEquals(List.of("file", "docker"), all.stream().map(ProviderHealth.Status::provider).toList());
        assertEquals(ProviderHealth.State.FAILED, all.get(1).state());
        assertEquals("failed", all.get(1).state().apiName());
        assertTrue(all.get(1).problem().startsWith("providers.docker.endpoint"));
        assertEquals(ProviderHealth.ElementCounts.NONE, all.get(0).published());
    }
}
