package dev.gatehouse.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.config.dynamic.ServersTransportConfig;
import dev.gatehouse.core.proxy.JettyUpstreamClient;
import dev.gatehouse.core.proxy.UpstreamClient;
import dev.gatehouse.core.proxy.UpstreamSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transport clients are shared by equal configurations and stopped when the last runtime gives them back. */
class SharedTransportsTest {

    private final List<UpstreamClient> made = new ArrayList<>();
    private final SharedTransports shared = new SharedTransports(config -> {
        if (config.peerCertURI() != null) {
            throw new IllegalArgumentException("peerCertURI and spiffe are not supported");
        }
        UpstreamClient client = new JettyUpstreamClient(UpstreamSettings.DEFAULTS, null);
        client.start();
        made.add(client);
        return client;
    });

    private static ServersTransportConfig transport(int maxIdle) {
        return new ServersTransportConfig(null, null, null, null, maxIdle, null, null, null, null);
    }

    @Test
    void anEqualConfigurationGetsTheRunningClientUntilTheLastLeaseIsGivenBack() throws Exception {
        SharedTransports.Lease first = shared.acquire(transport(4));
        // Another runtime, another but equal configuration object (bound again from the files).
        SharedTransports.Lease second = shared.acquire(transport(4));
        assertSame(first.client(), second.client());
        assertEquals(1, made.size());

        first.stop();
        first.stop();   // twice gives back once
        assertTrue(second.client().isRunning(), "stopped while a runtime still holds it");
        second.stop();
        assertTrue(second.client().isStopped());
        assertEquals(0, shared.running());

        SharedTransports.Lease again = shared.acquire(transport(4));
        assertNotSame(second.client(), again.client(), "a stopped client is never handed out again");
        again.stop();
    }

    @Test
    void aChangedConfigurationGetsAClientOfItsOwn() throws Exception {
        SharedTransports.Lease before = shared.acquire(transport(4));
        SharedTransports.Lease after = shared.acquire(transport(5));
        assertNotSame(before.client(), after.client());
        assertEquals(2, shared.running());
        before.stop();
        assertTrue(before.client().isStopped());
        assertTrue(after.client().isRunning());
        after.stop();
    }

    @Test
    void aRenewedCertificateFileMakesANewClient(@TempDir Path dir) throws Exception {
        Path ca = dir.resolve("ca.pem");
        Files.writeString(ca, "first");
        ServersTransportConfig config = new ServersTransportConfig(null, null, List.of(ca.toString()), null, null, null,
                null, null, null);
        SharedTransports.Lease before = shared.acquire(config);
        SharedTransports.Lease same = shared.acquire(config);
        assertSame(before.client(), same.client());

        Files.writeString(ca, "renewed, longer");
        SharedTransports.Lease after = shared.acquire(config);
        assertNotSame(before.client(), after.client(), "the renewed file is read by a new client");
        for (SharedTransports.Lease lease : List.of(before, same, after)) {
            lease.stop();
        }
        assertEquals(0, shared.running());
    }

    @Test
    void aConfigurationThatCannotBeBuiltIsNotKept() {
        ServersTransportConfig broken = new ServersTransportConfig(null, null, null, null, null, null, null,
                "spiffe://example.org/backend", null);
        assertThrows(IllegalArgumentException.class, () -> shared.acquire(broken));
        assertEquals(0, shared.running());
    }
}
