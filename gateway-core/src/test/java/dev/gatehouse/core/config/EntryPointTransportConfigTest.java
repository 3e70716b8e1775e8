package dev.gatehouse.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code entryPoints.<name>.transport}: Traefik's keys, defaults and duration syntax, from every source. */
class EntryPointTransportConfigTest {

    @TempDir
    Path dir;

    private EntryPointTransportConfig web(List<String> args, Map<String, String> env) throws ConfigurationException {
        return StaticConfigurationLoader.load(args, env, dir, null).configuration().entryPoints().get("web")
                .transportOrDefault();
    }

    @Test
    void defaultsAreTraefiks() throws Exception {
        EntryPointTransportConfig transport = web(List.of("--entryPoints.web.address=:80"), Map.of());
        RespondingTimeoutsConfig timeouts = transport.respondingTimeoutsOrDefault();
        assertEquals(Duration.ofSeconds(60), timeouts.readTimeoutOrDefault());
        assertEquals(Duration.ZERO, timeouts.writeTimeoutOrDefault());
        assertEquals(Duration.ofSeconds(180), timeouts.idleTimeoutOrDefault());
        assertEquals(0, transport.keepAliveMaxRequestsOrDefault());
        assertEquals(Duration.ZERO, transport.keepAliveMaxTimeOrDefault());
    }

    @Test
    void flagsTakeGoDurationsAndPlainSeconds() throws Exception {
        EntryPointTransportConfig transport = web(List.of("--entryPoints.web.address=:80",
                "--entryPoints.web.transport.respondingTimeouts.readTimeout=1m30s",
                "--entryPoints.web.transport.respondingTimeouts.writeTimeout=5",
                "--entryPoints.web.transport.respondingTimeouts.idleTimeout=250ms",
                "--entryPoints.web.transport.keepAliveMaxRequests=100",
                "--entryPoints.web.transport.keepAliveMaxTime=1h"), Map.of());
        RespondingTimeoutsConfig timeouts = transport.respondingTimeoutsOrDefault();
        assertEquals(Duration.ofSeconds(90), timeouts.readTimeoutOrDefault());
        assertEquals(Duration.ofSeconds(5), timeouts.writeTimeoutOrDefault());
        assertEquals(Duration.ofMillis(250), timeouts.idleTimeoutOrDefault());
        assertEquals(100, transport.keepAliveMaxRequestsOrDefault());
        assertEquals(Duration.ofHours(1), transport.keepAliveMaxTimeOrDefault());
    }

    @Test
    void environmentVariablesAndFileBindTheSameKeys() throws Exception {
        Files.writeString(dir.resolve("gatehouse.yml"), """
                entryPoints:
                  web:
                    address: ":80"
                    transport:
                      respondingTimeouts:
                        readTimeout: 0
                        idleTimeout: 10s
                      keepAliveMaxTime: 2m
                """);
        EntryPointTransportConfig transport = web(List.of(), Map.of(
                "GATEHOUSE_ENTRYPOINTS_WEB_TRANSPORT_RESPONDINGTIMEOUTS_WRITETIMEOUT", "3s",
                "TRAEFIK_ENTRYPOINTS_WEB_TRANSPORT_KEEPALIVEMAXREQUESTS", "7"));
        RespondingTimeoutsConfig timeouts = transport.respondingTimeoutsOrDefault();
        assertEquals(Duration.ZERO, timeouts.readTimeoutOrDefault(), "0 turns the read deadline off");
        assertEquals(Duration.ofSeconds(10), timeouts.idleTimeoutOrDefault());
        assertEquals(Duration.ofSeconds(3), timeouts.writeTimeoutOrDefault());
        assertEquals(7, transport.keepAliveMaxRequestsOrDefault());
        assertEquals(Duration.ofMinutes(2), transport.keepAliveMaxTimeOrDefault());
    }

    @Test
    void aBadDurationNamesItsKey() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> web(List.of(
                "--entryPoints.web.address=:80", "--entryPoints.web.transport.respondingTimeouts.readTimeout=soon"),
                Map.of()));
        assertTrue(e.getMessage().contains("entryPoints.web.transport.respondingTimeouts.readTimeout"), e.getMessage());
        assertTrue(e.getMessage().contains("soon"), e.getMessage());
    }
}
