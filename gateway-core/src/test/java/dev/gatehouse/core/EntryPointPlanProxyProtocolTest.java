package dev.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.StaticConfigurationLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code entryPoints.<name>.proxyProtocol} as flags give it, and the mistakes Traefik refuses too. */
class EntryPointPlanProxyProtocolTest {

    @TempDir
    Path dir;

    private EntryPointPlan plan(String... flags) throws ConfigurationException {
        return EntryPointPlan.from(StaticConfigurationLoader.load(List.of(flags), Map.of(), dir, null).configuration());
    }

    @Test
    void trustedIpsOrInsecureSwitchItOn() throws Exception {
        assertNotNull(plan("--entryPoints.web.address=:80", "--entryPoints.web.proxyProtocol.trustedIPs=10.0.0.0/8,::1")
                .listeners.get(0).proxyProtocol());
        assertNotNull(plan("--entrypoints.web.address=:80", "--entrypoints.web.proxyprotocol.insecure=true")
                .listeners.get(0).proxyProtocol(), "Traefik's lower-case flag");
        assertNull(plan("--entryPoints.web.address=:80").listeners.get(0).proxyProtocol(), "off by default");
    }

    @Test
    void withoutTrustedIpsItIsRefused() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> plan("--entryPoints.web.address=:80", "--entryPoints.web.proxyProtocol=true"));
        assertTrue(e.getMessage().contains("entryPoints.web.proxyProtocol: set trustedIPs"), e.getMessage());
    }

    @Test
    void anInvalidTrustedIpIsAnErrorNamingTheKey() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> plan("--entryPoints.web.address=:80",
                "--entryPoints.web.proxyProtocol.trustedIPs=lb.example.com"));
        assertTrue(e.getMessage().contains("entryPoints.web.proxyProtocol.trustedIPs: "), e.getMessage());
        assertTrue(e.getMessage().contains("lb.example.com"), e.getMessage());
    }
}
