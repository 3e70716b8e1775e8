package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend process killed with SIGKILL under load costs only the requests that were in flight to it: at most one
 * per client connection. Requests sent after that go to the surviving server, including the ones the gateway had
 * already sent towards the dead one and could not deliver (a refused connection never reached it, so the gateway
 * tries the next server; passive health then leaves the dead one out).
 */
class BackendKilledUnderLoadTest {

    private static final int CONNECTIONS = 8;

    @TempDir
    Path dir;

    @Test
    void aBackendKilledUnderLoadCostsOnlyTheRequestsInFlightToIt() throws Exception {
        try (BackendProcess doomed = BackendProcess.start("doomed");
             BackendProcess survivor = BackendProcess.start("survivor")) {
            Path gw = dir.resolve("gw");
            GatewayHarness.withDynamic(gw, """
                    http:
                      routers:
                        pool:
                          rule: "PathPrefix(`/`)"
                          service: pool
                      services:
                        pool:
                          loadBalancer:
                            servers:
                              - url: %s
                              - url: %s
                    """.formatted(doomed.url(), survivor.url()));
            int port = GatewayHarness.freePort();
            Path config = gw.resolve("gatehouse.yml");
            Files.writeString(config, ReloadUnderLoadTest.staticConfig(port, gw.resolve("dynamic"), ""));

            try (GatewayProcess gateway = GatewayProcess.start(gw, config, gw.resolve("plugins"),
                    "http://127.0.0.1:" + port + "/ready")) {
                List<KeepAliveLoad.Phase> phases;
                try (KeepAliveLoad load = KeepAliveLoad.start(port, CONNECTIONS, List.of("/pool"), Duration.ofSeconds(60))) {
                    load.awaitRequests(1000, Duration.ofSeconds(20));
                    load.phase("killed");
                    doomed.kill();
                    load.awaitRequests(1000, Duration.ofSeconds(20));
                    // Requests sent from here on started well after the kill: all of them must reach the survivor.
                    load.phase("after");
                    load.awaitRequests(1000, Duration.ofSeconds(20));
                    phases = load.stop();
                }
                KeepAliveLoad.Phase before = phases.get(0);
                KeepAliveLoad.Phase killed = phases.get(1);
                KeepAliveLoad.Phase after = phases.get(2);
                System.out.println("Backend killed under load: " + phases);
                assertTrue(before.count(200, "backend=doomed") > 0 && before.count(200, "backend=survivor") > 0,
                        "both servers answered before the kill: " + before);
                // A request is counted in the phase it was sent in: the ones in flight at the kill are in the first two.
                long failed = before.failed.get() + killed.failed.get() + after.failed.get();
                assertTrue(failed <= CONNECTIONS, "the kill cost " + failed + " requests; at most the " + CONNECTIONS
                        + " that can be in flight (one per connection) may fail: " + phases + "\n" + gateway.output());
                assertEquals(0, after.failed.get(), "after the kill: " + after);
                assertEquals(after.requests.get(), after.count(200, "backend=survivor"),
                        "after the kill everything goes to the survivor: " + after);
            }
        }
    }
}
