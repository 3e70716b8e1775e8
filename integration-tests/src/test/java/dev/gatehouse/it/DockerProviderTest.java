package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.dynamic.ProviderHealth;
import dev.gatehouse.testkit.TestGateway;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider-docker plugin, loaded by PF4J from the plugins folder, against the real Docker engine of ./test.sh:
 * containers labelled as for Traefik are routed as they come and go. Traffic goes only to containers started here:
 * busybox httpd on host networking bound to 127.0.0.1, or on a user network created here.
 *
 * <p>Each test but the first routes only containers carrying its own {@code test.run} label (a constraint), so
 * leftovers of another test can never answer for it.
 */
class DockerProviderTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private DockerEngine docker;
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void engine() {
        docker = DockerEngine.require();
    }

    @AfterEach
    void removeContainers() {
        if (docker != null) {
            docker.close();
        }
    }

    private TestGateway gateway(String dockerOptions) throws Exception {
        return Gateways.withDynamic(dir, "{}\n").staticConfig("""
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                providers:
                  providersThrottleDuration: 200ms
                  docker:
                    endpoint: "%s"
                %s
                """.formatted(docker.host(), dockerOptions.indent(4).stripTrailing()));
    }

    private String constrained() {
        return "constraints: Label(`test.run`,`" + run + "`)";
    }

    private static RawHttp.Response get(TestGateway gateway, String host, String path) {
        try {
            return RawHttp.exchange(gateway.port("web"), "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close");
        } catch (IOException e) {
            return new RawHttp.Response(-1, java.util.List.of(), e.toString().getBytes());
        }
    }

    /** Polls until a response for {@code host} satisfies {@code condition}; returns it, or fails after {@link #WAIT}. */
    private static RawHttp.Response await(TestGateway gateway, String host, Predicate<RawHttp.Response> condition,
            String what) throws InterruptedException {
        RawHttp.Response[] last = {null};
        try {
            return Poll.untilValue(what, WAIT, () -> last[0] = get(gateway, host, "/"), condition);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last answer " + (last[0] == null ? "none"
                    : last[0].status() + " " + last[0].bodyText().strip()) + "; problems: "
                    + gateway.application().runtime().problems());
        }
    }

    private static Predicate<RawHttp.Response> body(String text) {
        return r -> r.status() == 200 && r.bodyText().contains(text);
    }

    @Test
    void theIssuesLabelExampleIsRoutedAfterRunAndGoneAfterStop() throws Exception {
        String network = "gh-net-" + run;
        String name = "nasa-" + run;
        docker.createNetwork(network);
        try (TestGateway gateway = gateway("watch: true").start()) {
            long started = System.nanoTime();
            docker.run(name, "--network", network, "--stop-timeout", "1",
                    "-l", "traefik.http.routers.sample.rule=Host(`nasa-imgs.example.dev`)",
                    docker.image(), "httpd", "-f", "-p", "80", "-h", "/www");
            await(gateway, "nasa-imgs.example.dev", body("hello from busybox httpd"), "the routed container");
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(millis < 5000, "routed " + millis + " ms after docker run was called");
            assertTrue(gateway.routerEnabled("sample@docker"), gateway.application().runtime().routerStatus().toString());
            ProviderHealth.Status health = dockerHealth(gateway);
            assertTrue(health.up() && health.problem() == null && health.published().routers() >= 1, health.toString());

            docker.docker("stop", "-t", "1", name);
            await(gateway, "nasa-imgs.example.dev", r -> r.status() == 404, "404 after docker stop");
        }
    }

    @Test
    void defaultRuleFromTheNameEnableFalseAndExposedByDefaultFalse() throws Exception {
        int one = Gateways.freePort();
        int two = Gateways.freePort();
        int three = Gateways.freePort();
        docker.runHttpd("web-" + run, one, "default-rule", "-l", "test.run=" + run,
                "-l", "traefik.http.services.web.loadbalancer.server.port=" + one);
        docker.runHttpd("off-" + run, two, "disabled", "-l", "test.run=" + run, "-l", "traefik.enable=false",
                "-l", "traefik.http.services.off.loadbalancer.server.port=" + two);
        docker.runHttpd("on-" + run, three, "enabled", "-l", "test.run=" + run, "-l", "traefik.enable=true",
                "-l", "traefik.http.services.on.loadbalancer.server.port=" + three);
        try (TestGateway exposed = gateway(constrained()).start()) {
            await(exposed, "web-" + run, body("default-rule"), "Host(`web-<run>`) from the container name");
            await(exposed, "on-" + run, body("enabled"), "the traefik.enable=true container");
            assertEquals(404, get(exposed, "off-" + run, "/").status(), "traefik.enable=false is not routed");
        }
        try (TestGateway notExposed = gateway(constrained() + "\nexposedByDefault: false").start()) {
            await(notExposed, "on-" + run, body("enabled"), "traefik.enable=true with exposedByDefault=false");
            assertEquals(404, get(notExposed, "web-" + run, "/").status(), "unlabelled container with exposedByDefault=false");
            assertEquals(404, get(notExposed, "off-" + run, "/").status());
        }
    }

    @Test
    void replicasAreLoadBalancedWithALabelMiddlewareAndStoppingOneMovesTrafficToTheOther() throws Exception {
        int a = Gateways.freePort();
        int b = Gateways.freePort();
        String[] labels = {"-l", "test.run=" + run,
                "-l", "traefik.http.routers.app.rule=Host(`app.example.dev`)",
                "-l", "traefik.http.routers.app.middlewares=via",
                "-l", "traefik.http.middlewares.via.addheader.name=X-Via",
                "-l", "traefik.http.middlewares.via.addheader.value=docker-labels"};
        docker.runHttpd("app-a-" + run, a, "replica-a", concat(labels, "-l", "traefik.http.services.app.loadbalancer.server.port=" + a));
        docker.runHttpd("app-b-" + run, b, "replica-b", concat(labels, "-l", "traefik.http.services.app.loadbalancer.server.port=" + b));
        TestGateway harness = gateway(constrained());
        TestPlugins.headerPlugin("test-headers").writeTo(harness.pluginsDir().resolve("test-headers.jar"));
        try (TestGateway gateway = harness.start()) {
            RawHttp.Response first = await(gateway, "app.example.dev", r -> r.status() == 200, "the replicated service");
            assertEquals(java.util.List.of("docker-labels"), first.all("X-Via"), "the middleware defined by labels ran");
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 20 && seen.size() < 2; i++) {
                seen.add(get(gateway, "app.example.dev", "/").bodyText().strip());
            }
            assertEquals(Set.of("replica-a", "replica-b"), seen, "both replicas answer");

            docker.docker("stop", "-t", "1", "app-a-" + run);
            await(gateway, "app.example.dev", r -> {
                for (int i = 0; i < 6; i++) {
                    if (!body("replica-b").test(get(gateway, "app.example.dev", "/"))) {
                        return false;
                    }
                }
                return true;
            }, "only replica-b after replica-a stopped");
        }
    }

    @Test
    void pauseRenameAndHealthAreFollowed() throws Exception {
        int port = Gateways.freePort();
        int checked = Gateways.freePort();
        docker.runHttpd("live-" + run, port, "live", "-l", "test.run=" + run,
                "-l", "traefik.http.services.live.loadbalancer.server.port=" + port);
        // DEBUG: the provider logs each resynchronisation, with how many running containers it read.
        try (TestGateway gateway = gateway(constrained()).flag("--log.level=DEBUG").start()) {
            await(gateway, "live-" + run, body("live"), "the container before pause");
            docker.docker("pause", "live-" + run);
            await(gateway, "live-" + run, r -> r.status() == 404, "no route while paused");
            docker.docker("unpause", "live-" + run);
            await(gateway, "live-" + run, body("live"), "the route back after unpause");
            docker.docker("rename", "live-" + run, "renamed-" + run);
            await(gateway, "renamed-" + run, body("live"), "the default rule following the new name");
            assertEquals(404, get(gateway, "live-" + run, "/").status(), "the old name's rule is gone");

            // Healthy only once its file exists: no traffic while starting, traffic once healthy.
            List<Integer> readBefore = runningContainersRead(gateway);
            docker.runHttpd("checked-" + run, checked, "checked", "-l", "test.run=" + run,
                    "-l", "traefik.http.services.checked.loadbalancer.server.port=" + checked,
                    "--health-cmd", "cat /tmp/healthy", "--health-interval", "1s", "--health-retries", "1");
            int runningBefore = readBefore.isEmpty() ? 0 : readBefore.get(readBefore.size() - 1);
            Poll.until("a resynchronisation that read the new container", WAIT, () -> runningContainersRead(gateway)
                    .stream().skip(readBefore.size()).anyMatch(running -> running > runningBefore), gateway::logs);
            assertEquals(404, get(gateway, "checked-" + run, "/").status(), "no traffic before the health check passes");
            docker.docker("exec", "checked-" + run, "sh", "-c", "echo ok > /tmp/healthy");
            await(gateway, "checked-" + run, body("checked"), "traffic once healthy");
        }
    }

    @Test
    void brokenLabelsAndConflictingDefinitionsDisableOnlyWhatTheyTouchNamingContainerAndLabel() throws Exception {
        int good = Gateways.freePort();
        int bad = Gateways.freePort();
        docker.runHttpd("good-" + run, good, "good", "-l", "test.run=" + run,
                "-l", "traefik.http.routers.good.rule=Host(`good.example.dev`)",
                "-l", "traefik.http.middlewares.shared.stripprefix.prefixes=/one",
                "-l", "traefik.http.services.good.loadbalancer.server.port=" + good);
        docker.runHttpd("bad-" + run, bad, "bad", "-l", "test.run=" + run,
                "-l", "traefik.http.routers.bad.rule=Host(`bad.example.dev`)",
                "-l", "traefik.http.routers.bad.priority=high",
                "-l", "traefik.http.routers.worse..rule=Host(`worse.example.dev`)",
                "-l", "traefik.http.middlewares.shared.stripprefix.prefixes=/two",
                "-l", "traefik.http.services.bad.loadbalancer.server.port=" + bad);
        try (TestGateway gateway = gateway(constrained()).start()) {
            await(gateway, "good.example.dev", body("good"), "the good container");
            assertEquals(404, get(gateway, "bad.example.dev", "/").status(), "the router with a wrong-typed label");
            String problems = gateway.application().runtime().problems().toString();
            assertTrue(problems.contains("container bad-" + run) && problems.contains("priority"), problems);
            assertTrue(problems.contains("label 'traefik.http.routers.worse..rule'"), problems);
            assertTrue(problems.contains("shared@docker") && problems.contains("container bad-" + run)
                    && problems.contains("container good-" + run) && problems.contains("more than once"),
                    "one middleware defined differently by two containers is reported naming both: " + problems);
        }
    }

    @Test
    void restartingDockerdKeepsTheLastConfigurationAndResynchronises() throws Exception {
        int port = Gateways.freePort();
        docker.runHttpd("survivor-" + run, port, "survivor", "--stop-timeout", "1", "-l", "test.run=" + run,
                "-l", "traefik.http.routers.survivor.rule=Host(`survivor.example.dev`)",
                "-l", "traefik.http.services.survivor.loadbalancer.server.port=" + port);
        try (TestGateway gateway = gateway(constrained()).start()) {
            await(gateway, "survivor.example.dev", body("survivor"), "the container before the restart");
            try {
                // The tests' dockerd runs with --live-restore: the container keeps serving while the engine is away.
                docker.stopDaemon();
                awaitLog(gateway, "is unreachable");
                ProviderHealth.Status down = dockerHealth(gateway);
                assertEquals(ProviderHealth.State.DOWN, down.state(), down.toString());
                assertTrue(down.problem().startsWith("Docker engine at " + docker.host() + " is unreachable: ")
                        && !down.problem().contains("Exception"), "the endpoint and what failed, in a user's words: " + down);
                assertTrue(down.published().routers() >= 1, "what it published last is still counted: " + down);
                assertTrue(gateway.routerEnabled("survivor@docker"), "the last configuration is kept while the engine is down");
                assertTrue(body("survivor").test(get(gateway, "survivor.example.dev", "/")), "still served while the engine is down");
                docker.startDaemon();
                awaitLog(gateway, "is reachable again");
                assertEquals(1, gateway.logLines("INFO", "is reachable again").size(), "one INFO line when it is back:\n"
                        + gateway.logs());
                Poll.until("the docker provider up again", WAIT, () -> dockerHealth(gateway).up(), () -> dockerHealth(gateway).toString());
                assertTrue(dockerHealth(gateway).lastPublished().isAfter(down.since()), "read since it came back");
                // A container started after the reconnection proves that the events are followed again.
                int late = Gateways.freePort();
                docker.runHttpd("late-" + run, late, "late", "--stop-timeout", "1", "-l", "test.run=" + run,
                        "-l", "traefik.http.routers.late.rule=Host(`late.example.dev`)",
                        "-l", "traefik.http.services.late.loadbalancer.server.port=" + late);
                await(gateway, "late.example.dev", body("late"), "a container started after the reconnection");
                assertTrue(body("survivor").test(get(gateway, "survivor.example.dev", "/")), "the survivor after the resync");
                assertEquals(1, gateway.logLines("is unreachable").size(), "logged once per state change:\n" + gateway.logs());
                assertTrue(gateway.logLines("ERROR").isEmpty(), "no error logged for an engine restart:\n" + gateway.logs());
                assertTrue(gateway.logLines("Recoverable").isEmpty(), "the Docker client's retries show at DEBUG only:\n"
                        + gateway.logs());
            } finally {
                docker.startDaemon();
            }
        }
    }

    private static ProviderHealth.Status dockerHealth(TestGateway gateway) {
        return gateway.application().providerStatuses().stream().filter(s -> s.provider().equals("docker")).findFirst()
                .orElseThrow();
    }

    /** How many running containers each resynchronisation read, in order (logged at DEBUG). */
    private static List<Integer> runningContainersRead(TestGateway gateway) {
        return gateway.logLines("Docker provider resynchronised after an event: ").stream()
                .map(line -> line.replaceAll(".*resynchronised after an event: (\\d+) running container.*", "$1"))
                .map(Integer::valueOf).toList();
    }

    private static void awaitLog(TestGateway gateway, String text) throws InterruptedException {
        Poll.until("'" + text + "' logged", WAIT, () -> !gateway.logLines(text).isEmpty(), gateway::logs);
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
