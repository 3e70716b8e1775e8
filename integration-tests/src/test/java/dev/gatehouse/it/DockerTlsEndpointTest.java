package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker provider talking to the engine over {@code tcp://} with TLS, as on a host whose engine is reached
 * across the network: ./test.sh's dockerd also listens on 127.0.0.1 with {@code --tlsverify} (client certificates
 * required) and certificates it made with openssl. Containers are started through the engine's unix socket, as
 * an operator would on that host, and routed through a gateway that reaches the engine only over TLS.
 */
class DockerTlsEndpointTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private DockerEngine docker;
    private DockerEngine.Tls tls;
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void engine() {
        docker = DockerEngine.require();
        tls = docker.tls();
    }

    @AfterEach
    void removeContainers() {
        if (docker != null) {
            docker.close();
        }
    }

    /** A gateway with the file provider (one route to {@code fileBackend}) and the Docker provider over TLS. */
    private TestGateway gateway(String tlsYaml, TestBackend fileBackend) throws Exception {
        String dynamic = """
                http:
                  routers:
                    from-file:
                      rule: Host(`file.example.dev`)
                      service: from-file
                  services:
                    from-file:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(fileBackend.url());
        return Gateways.withDynamic(dir, dynamic).staticConfig("""
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                providers:
                  providersThrottleDuration: 200ms
                  file:
                    directory: dynamic
                  docker:
                    endpoint: "%s"
                    constraints: Label(`test.run`,`%s`)
                    tls:
                %s
                """.formatted(tls.host(), run, tlsYaml.indent(6).stripTrailing()));
    }

    private static RawHttp.Response get(TestGateway gateway, String host) {
        try {
            return RawHttp.exchange(gateway.port("web"), "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close");
        } catch (IOException e) {
            return new RawHttp.Response(-1, List.of(), e.toString().getBytes());
        }
    }

    private static RawHttp.Response awaitStatus(TestGateway gateway, String host, int status, String bodyPart)
            throws InterruptedException {
        RawHttp.Response[] last = {null};
        try {
            return Poll.untilValue(host + ": " + status + " with '" + bodyPart + "'", WAIT,
                    () -> last[0] = get(gateway, host), r -> r.status() == status && r.bodyText().contains(bodyPart));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last answer " + (last[0] == null ? "none"
                    : last[0].status() + " " + last[0].bodyText().strip()) + "\n" + gateway.logs());
        }
    }

    private static List<String> awaitLog(TestGateway gateway, String... parts) throws InterruptedException {
        try {
            return Poll.untilValue(String.join(" ... ", parts) + " logged", WAIT, () -> gateway.logLines(parts),
                    lines -> !lines.isEmpty());
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + gateway.logs());
        }
    }

    private void runLabelled(String name, String host) {
        int port = Gateways.freePort();
        docker.runHttpd(name, port, "over-tls " + name, "--stop-timeout", "1", "-l", "test.run=" + run,
                "-l", "traefik.http.routers." + name + ".rule=Host(`" + host + "`)",
                "-l", "traefik.http.services." + name + ".loadbalancer.server.port=" + port);
    }

    @Test
    void aLabelledContainerIsRoutedAndUnroutedThroughAnEngineReachedOverTls() throws Exception {
        String name = "tls-" + run;
        runLabelled(name, "tls.example.dev");
        try (TestBackend file = TestBackend.echo("file");
             TestGateway gateway = gateway("""
                     ca: %s
                     cert: %s
                     key: %s
                     """.formatted(tls.ca(), tls.cert(), tls.key()), file).start()) {
            awaitStatus(gateway, "tls.example.dev", 200, "over-tls " + name);
            awaitLog(gateway, "Connected to the Docker engine at " + tls.host());

            // Events come over the same TLS endpoint: a stop is followed as on the unix socket.
            docker.docker("stop", "-t", "1", name);
            awaitStatus(gateway, "tls.example.dev", 404, "");
            assertTrue(gateway.logLines("unreachable").isEmpty(), gateway.logs());
        }
    }

    @Test
    void aWrongCaOrAMissingClientCertificateIsReportedNamingTheEndpointAndEverythingElseKeepsServing() throws Exception {
        runLabelled("refused-" + run, "refused.example.dev");
        record Case(String what, String yaml, String expected) {
        }
        List<Case> cases = List.of(
                new Case("a CA that did not sign the engine's certificate", """
                        ca: %s
                        cert: %s
                        key: %s
                        """.formatted(tls.wrongCa(), tls.cert(), tls.key()),
                        "the engine's certificate is not signed by providers.docker.tls.ca"),
                new Case("no client certificate for an engine that requires one", """
                        ca: %s
                        """.formatted(tls.ca()),
                        "the engine refused the TLS connection"));
        for (Case c : cases) {
            try (TestBackend file = TestBackend.echo("file");
                 TestGateway gateway = gateway(c.yaml(), file).flag("--log.level=DEBUG").start()) {
                List<String> warnings = awaitLog(gateway, "Docker engine at " + tls.host(), "unreachable");
                assertTrue(warnings.get(0).contains(c.expected()), c.what() + ": " + warnings.get(0));
                assertEquals(200, get(gateway, "file.example.dev").status(), c.what() + ": the file provider's route");
                assertTrue(get(gateway, "file.example.dev").bodyText().contains("backend=file"));
                assertEquals(404, get(gateway, "refused.example.dev").status(),
                        c.what() + ": nothing is read from an engine the gateway could not authenticate with");
                // Retried with backoff (each attempt logs at DEBUG), but reported once: the state has not changed.
                Poll.until("two attempts after the first", WAIT,
                        () -> gateway.logLines("Docker provider error").size() >= 3, gateway::logs);
                assertEquals(1, gateway.logLines("Docker engine at " + tls.host(), "unreachable").size(),
                        c.what() + ":\n" + gateway.logs());
                assertTrue(gateway.logLines("ERROR").isEmpty(), c.what() + ":\n" + gateway.logs());
            }
        }
    }
}
