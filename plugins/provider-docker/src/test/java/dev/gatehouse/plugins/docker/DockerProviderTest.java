package dev.gatehouse.plugins.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.api.Provider;
import dev.gatehouse.api.ProviderContext;
import dev.gatehouse.it.FakeDockerEngine;
import dev.gatehouse.it.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The provider against a fake engine: start-up errors, the event loop, and an engine answering 500. */
class DockerProviderTest {

    private static final GatewayEnvironment ENVIRONMENT = new GatewayEnvironment() {
        @Override
        public String version() {
            return "test";
        }

        @Override
        public Path home() {
            return Path.of(".");
        }

        @Override
        public Path resolve(String path) {
            return Path.of(path);
        }
    };

    private static final class Recording implements ProviderContext {
        final List<ConfigurationSnapshot> snapshots = new CopyOnWriteArrayList<>();
        final List<String> problems = new CopyOnWriteArrayList<>();

        @Override
        public void publish(ConfigurationSnapshot snapshot) {
            snapshots.add(snapshot);
        }

        @Override
        public void reportUnavailable(String problem) {
            problems.add(problem);
        }

        String last() {
            return snapshots.isEmpty() ? "" : snapshots.get(snapshots.size() - 1).toString();
        }
    }

    private static DockerProviderConfig config(String endpoint, String defaultRule) {
        return new DockerProviderConfig(endpoint, null, null, null, defaultRule, null, null, null, null, null);
    }

    @Test
    void optionsThatCannotWorkStopTheStartNamingTheOption() {
        DockerProvider provider = new DockerProvider(ENVIRONMENT);
        Recording context = new Recording();
        IllegalArgumentException endpoint = assertThrows(IllegalArgumentException.class,
                () -> provider.start(config("http://localhost:2375", null), context));
        assertTrue(endpoint.getMessage().startsWith("providers.docker.endpoint: "), endpoint.getMessage());
        IllegalArgumentException rule = assertThrows(IllegalArgumentException.class,
                () -> provider.start(config(null, "Host(`{{ .Labels.x }}`)"), context));
        assertTrue(rule.getMessage().startsWith("providers.docker.defaultRule: template 'Host(`{{ .Labels.x }}`)'"), rule.getMessage());
        DockerProviderConfig constraints = new DockerProviderConfig(null, null, null, null, null, null, null, "Label(`a`)", null, null);
        IllegalArgumentException c = assertThrows(IllegalArgumentException.class, () -> provider.start(constraints, context));
        assertTrue(c.getMessage().startsWith("providers.docker.constraints 'Label(`a`)'"), c.getMessage());
        DockerProviderConfig tls = new DockerProviderConfig("tcp://127.0.0.1:2376",
                new DockerProviderConfig.Tls("/nonexistent/ca.pem", null, null, null), null, null, null, null, null, null, null, null);
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class, () -> provider.start(tls, context));
        assertTrue(t.getMessage().startsWith("providers.docker.tls.ca: "), t.getMessage());
    }

    @Test
    void followsEventsKeepsTheLastSnapshotWhileTheEngineFailsAndResyncsOnce() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger(DockerWatcher.class.getName());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= java.util.logging.Level.INFO.intValue()) {
                    warnings.add(record.getMessage() + " " + List.of(record.getParameters() == null ? new Object[0] : record.getParameters()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(handler);
        Recording context = new Recording();
        try (FakeDockerEngine engine = new FakeDockerEngine()) {
            engine.container("a1", "web-1", Map.of(), "10.0.0.1", 80);
            Provider.Running running = new DockerProvider(ENVIRONMENT).start(config(engine.endpoint(), null), context);
            try {
                await(() -> context.last().contains("rule=Host(`web-1`)"), "the first snapshot");

                engine.container("b2", "api", Map.of("traefik.http.routers.api.rule", "Path(`/api`)"), "10.0.0.2", 8080);
                engine.event("start", "b2");
                await(() -> context.last().contains("url=http://10.0.0.2:8080"), "the snapshot after a start event");
                int published = context.snapshots.size();

                // The engine fails: its stream ends and it answers 500. Nothing is withdrawn.
                engine.listStatus(500);
                engine.cutStreams();
                await(() -> warnings.stream().anyMatch(w -> w.contains("is unreachable")), "the unreachable warning");
                int failedBefore = engine.failedLists();
                await(() -> engine.failedLists() >= failedBefore + 2, "two more attempts, each answered 500");
                assertEquals(published, context.snapshots.size(), "no snapshot while the engine fails");
                assertEquals(1, warnings.stream().filter(w -> w.contains("is unreachable")).count(), warnings.toString());

                // Back, with a container gone meanwhile: the provider resynchronises.
                engine.remove("a1");
                engine.listStatus(200);
                await(() -> !context.last().contains("web-1") && context.last().contains("10.0.0.2"), "the resync");
                await(() -> warnings.stream().anyMatch(w -> w.contains("is reachable again")), "the reachable-again line");
                assertEquals(1, context.problems.size(), "reported down once: " + context.problems);
                String problem = context.problems.get(0);
                assertTrue(problem.startsWith("Docker engine at " + engine.endpoint() + " is unreachable: ")
                        && !problem.contains("Exception"), "in a user's words: " + problem);
                assertTrue(context.snapshots.size() > published, "a snapshot after the engine is back, even if unchanged");
            } finally {
                running.close();
            }
        } finally {
            log.removeHandler(handler);
        }
    }

    @Test
    void aFirstReadOfManyContainersFromTheListAndOfHealthCheckedOnesInspectedConcurrently() throws Exception {
        Recording context = new Recording();
        int count = 10 * ContainerReader.PARALLEL_INSPECTS;
        try (FakeDockerEngine engine = new FakeDockerEngine()) {
            for (int i = 0; i < count; i++) {
                // every third without a health check (read from the list), one of them still starting
                String health = i % 3 == 0 ? null : i == 1 ? "starting" : "healthy";
                engine.container("c" + i, "web-" + i, Map.of(), "10.0.1." + i, 80, health);
            }
            DockerProviderConfig once = new DockerProviderConfig(engine.endpoint(), null, false, null, null, null, null, null, null, null);
            Provider.Running running = new DockerProvider(ENVIRONMENT).start(once, context);
            try {
                await(() -> context.snapshots.size() == 1, "the snapshot");
                String snapshot = context.last();
                for (int i = 0; i < count; i++) {
                    boolean routed = snapshot.contains("rule=Host(`web-" + i + "`)")
                            && snapshot.contains("url=http://10.0.1." + i + ":80");
                    assertEquals(i != 1, routed, "container web-" + i + " (health starting: not routed) in " + snapshot);
                }
            } finally {
                running.close();
            }
        }
    }

    @Test
    void withoutWatchReadsOnce() throws Exception {
        Recording context = new Recording();
        try (FakeDockerEngine engine = new FakeDockerEngine()) {
            engine.container("a1", "web-1", Map.of(), "10.0.0.1", 80);
            DockerProviderConfig once = new DockerProviderConfig(engine.endpoint(), null, false, null, null, null, null, null, null, null);
            Provider.Running running = new DockerProvider(ENVIRONMENT).start(once, context);
            try {
                await(() -> context.snapshots.size() == 1, "the one snapshot");
                // A watching provider subscribes to the events before its first read, so by now it would have.
                assertEquals(0, engine.eventStreamsOpened(), "no event stream: nothing could change the snapshot");
                assertEquals(1, context.snapshots.size());
            } finally {
                running.close();
            }
        }
    }

    /** Generous: it returns as soon as the condition holds, and a loaded CI machine took 18 s to connect once. */
    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Poll.until(what, Duration.ofSeconds(60), condition::getAsBoolean);
    }
}
