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
 * A backend process killed with SIGKILL under load costs only the requests that were on their way to it, and no
 * more than there are client connections (8). Requests sent once it is dead go to the surviving server: a refused
 * connection never reached the dead one, so the gateway tries the next server, and passive health then leaves the
 * dead one out.
 *
 * <p>Why the bound holds: a request is lost only on one of the gateway's connections to the killed server (in flight
 * when it died, or sent on a pooled connection in the moment before the gateway saw it reset), each such connection
 * loses at most one request and is then closed, and the gateway opens no more connections to a server than it has
 * requests for it at once: at most one per client connection.
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
            Gateways.withDynamic(gw, """
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
            int port = Gateways.freePort();
            Path config = gw.resolve("gatehouse.yml");
            Files.writeString(config, ReloadUnderLoadTest.staticConfig(port, gw.resolve("dynamic"), ""));

            try (GatewayProcess gateway = GatewayProcess.start(gw, config, gw.resolve("plugins"),
                    "http://127.0.0.1:" + port + "/ready")) {
                List<KeepAliveLoad.Phase> phases;
                try (KeepAliveLoad load = KeepAliveLoad.start(port, CONNECTIONS, List.of("/pool"), Duration.ofSeconds(60))) {
                    load.awaitRequests(1000, Duration.ofSeconds(20));
                    load.phase("killed");
                    doomed.kill();
                    load.phase("dead"); // the process is gone (a pooled connection may not be known closed yet)
                    load.awaitRequests(1000, Duration.ofSeconds(20));
                    // Sent 1000 requests after the kill: all of them must reach the survivor.
                    load.phase("after");
                    load.awaitRequests(1000, Duration.ofSeconds(20));
                    phases = load.stop();
                }
                KeepAliveLoad.Phase before = phases.get(0);
                KeepAliveLoad.Phase killed = phases.get(1);
                KeepAliveLoad.Phase dead = phases.get(2);
                KeepAliveLoad.Phase after = phases.get(3);
                System.out.println("Backend killed under load: " + phases);
                assertTrue(before.count(200, "backend=doomed") > 0 && before.count(200, "backend=survivor") > 0,
                        "both servers answered before the kill: " + before);
                // A request is counted in the phase it was sent in: the ones in flight at the kill are in the first two.
                long failed = before.failed.get() + killed.failed.get() + dead.failed.get() + after.failed.get();
                assertTrue(failed <= CONNECTIONS, "the kill cost " + failed + " requests; at most the " + CONNECTIONS
                        + " that can be in flight (one per connection) may fail: " + phases + "\n" + gateway.output());
                assertEquals(0, after.failed.get(), "after the kill: " + after);
                assertEquals(after.requests.get(), after.count(200, "backend=survivor"),
                        "after the kill everything goes to the survivor: " + after);
            }
        }
    }
}
