package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloads lose nothing: a gateway process under steady keep-alive load goes through many configuration changes
 * (dynamic files rewritten in place and replaced by rename; Docker containers started and stopped) and the routes
 * that did not change answer every request, on connections the gateway never closes.
 *
 * <p>The load: 8 keep-alive HTTP/1.1 connections on loopback, one request after another on each, for the length
 * of the changes (bounded in time and count). A failed request is any answer but 200, or a connection closed or
 * reset under a request; a dropped connection is one the gateway closed or announced closing.
 */
class ReloadUnderLoadTest {

    private static final int CONNECTIONS = 8;
    private static final Duration APPLY_WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private static String router(String name, String rule, String service) {
        return """
                    %s:
                      rule: "%s"
                      service: %s
                """.formatted(name, rule, service);
    }

    private static String service(String name, String url) {
        return """
                    %s:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(name, url);
    }

    private static String http(String routers, String services) {
        return "http:\n  routers:\n" + routers + (services.isEmpty() ? "" : "  services:\n" + services);
    }

    /** The gateway's static configuration: one entry point, the file provider, and {@code more} providers. */
    static String staticConfig(int port, Path dynamic, String moreProviders) {
        return """
                entryPoints:
                  web:
                    address: "127.0.0.1:%d"
                ping:
                  entryPoint: web
                providers:
                  providersThrottleDuration: 100ms
                  file:
                    directory: %s
                %s
                """.formatted(port, dynamic, moreProviders.indent(2).stripTrailing());
    }

    /**
     * {@code cat > file}: the shell truncates the file, the program writes it a moment later (in one write: a writer
     * that pauses mid-file for longer than the settle interval cannot be told from one that has finished).
     */
    private static void rewriteInPlace(Path file, String content) throws IOException, InterruptedException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            Thread.sleep(10);
            channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** Writes a hidden temporary file and renames it over {@code file}, in one step. */
    private static void replaceByRename(Path file, String content) throws IOException {
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(temp, content);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Polls until GET {@code path} answers 200 with {@code bodyStart}; fails after {@link #APPLY_WAIT}. */
    private static void awaitRoute(String base, String path, String bodyStart, GatewayProcess gateway)
            throws InterruptedException {
        long deadline = System.nanoTime() + APPLY_WAIT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                var response = Http.get(base + path);
                if (response.statusCode() == 200 && response.body().startsWith(bodyStart)) {
                    return;
                }
                last = response.statusCode() + " " + response.body().lines().findFirst().orElse("");
            } catch (RuntimeException e) {
                last = e.toString();
            }
            Thread.sleep(50);
        }
        throw new AssertionError(path + " did not answer " + bodyStart + " within " + APPLY_WAIT + "; last: " + last
                + "\n" + gateway.output());
    }

    private static long reloads(GatewayProcess gateway) {
        return gateway.output().lines().filter(line -> line.contains("Configuration applied")).count();
    }

    private static void assertNothingLost(KeepAliveLoad.Phase load, GatewayProcess gateway) {
        System.out.println("Reload under load: " + load);
        assertTrue(load.requests.get() > 1000, "the load ran: " + load);
        assertEquals(0, load.failed.get(), "requests on unchanged routes failed during the reloads: " + load);
        assertEquals(0, load.dropped.get(), "keep-alive connections dropped during the reloads: " + load);
        assertTrue(gateway.output().lines().noneMatch(line -> line.contains("ERROR")), gateway.output());
    }

    @Test
    void hundredFileChangesInPlaceAndByRenameFailNoRequestAndDropNoConnection() throws Exception {
        try (TestBackend stable = TestBackend.echo("stable");
             TestBackend changing = TestBackend.echo("changing")) {
            Path gw = dir.resolve("gw");
            Gateways.withDynamic(gw, "{}\n");
            Path dynamic = gw.resolve("dynamic");
            // stable.yml never changes; shared.yml holds a route that never changes next to one that changes, and is
            // rewritten in place; other.yml is replaced by rename; extra files come and go by rename.
            Files.writeString(dynamic.resolve("stable.yml"), http(router("stable-file", "PathPrefix(`/stable/file`)",
                    "stable-file"), service("stable-file", stable.url())));
            Path shared = dynamic.resolve("shared.yml");
            Path other = dynamic.resolve("other.yml");
            Files.writeString(shared, sharedFile(stable, changing, 0));
            Files.writeString(other, http(router("other", "PathPrefix(`/other/0`)", "changing@file"), ""));
            int port = Gateways.freePort();
            String base = "http://127.0.0.1:" + port;
            Path config = gw.resolve("gatehouse.yml");
            Files.writeString(config, staticConfig(port, dynamic, ""));

            try (GatewayProcess gateway = GatewayProcess.start(gw, config, gw.resolve("plugins"), base + "/other/0")) {
                awaitRoute(base, "/stable/shared", "backend=stable", gateway);
                long reloadsBefore = reloads(gateway);
                KeepAliveLoad.Phase load;
                try (KeepAliveLoad generator = KeepAliveLoad.start(port, CONNECTIONS,
                        List.of("/stable/file", "/stable/shared"), Duration.ofSeconds(60))) {
                    generator.awaitRequests(200, Duration.ofSeconds(10));
                    int changes = 100;
                    for (int i = 1; i <= changes && generator.running(); i++) {
                        switch (i % 4) {
                            case 0, 1 -> rewriteInPlace(shared, sharedFile(stable, changing, i));
                            case 2 -> replaceByRename(other, http(router("other", "PathPrefix(`/other/" + i + "`)",
                                    "changing@file"), ""));
                            default -> toggleExtraFile(dynamic, i);
                        }
                        Thread.sleep(80);
                    }
                    // The last changes are applied: the reloads were real, not skipped.
                    awaitRoute(base, "/flip/" + 100, "backend=changing", gateway);
                    awaitRoute(base, "/other/" + 98, "backend=changing", gateway);
                    load = generator.stop().get(0);
                }
                assertNothingLost(load, gateway);
                long applied = reloads(gateway) - reloadsBefore;
                assertTrue(applied >= 20, "only " + applied + " reloads under load:\n" + gateway.output());
            }
        }
    }

    /** The file rewritten in place: a route that never changes, and the changing route {@code /flip/<version>}. */
    private static String sharedFile(TestBackend stable, TestBackend changing, int version) {
        return http(router("stable-shared", "PathPrefix(`/stable/shared`)", "stable-shared")
                        + router("flip", "PathPrefix(`/flip/" + version + "`)", "changing"),
                service("stable-shared", stable.url()) + service("changing", changing.url()));
    }

    /** Adds {@code extra-<i>.yml} by renaming it into the folder, or takes the previous one out by renaming it away. */
    private static void toggleExtraFile(Path dynamic, int i) throws IOException {
        int pair = i / 8;
        Path extra = dynamic.resolve("extra-" + pair + ".yml");
        if ((i / 4) % 2 == 0) {
            replaceByRename(extra, http(router("extra-" + pair, "PathPrefix(`/extra/" + pair + "`)", "changing@file"), ""));
        } else {
            Files.move(extra, dynamic.resolve(".gone-" + pair + ".yml"), StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /**
     * Labels routing {@code prefix} to a busybox httpd container on {@code port}, with the prefix stripped (httpd
     * serves its one page at {@code /}), under this run's constraint label.
     */
    private static String[] routedLabels(String run, String name, String prefix, int port) {
        return new String[] {"-l", "test.run=" + run,
                "-l", "traefik.http.routers." + name + ".rule=PathPrefix(`" + prefix + "`)",
                "-l", "traefik.http.routers." + name + ".middlewares=" + name + "-strip",
                "-l", "traefik.http.middlewares." + name + "-strip.stripprefix.prefixes=" + prefix,
                "-l", "traefik.http.services." + name + ".loadbalancer.server.port=" + port};
    }

    @Test
    void dockerContainersStartedAndStoppedUnderLoadFailNoRequestAndDropNoConnection() throws Exception {
        try (DockerEngine docker = DockerEngine.require(); TestBackend stable = TestBackend.echo("stable")) {
            String run = UUID.randomUUID().toString().substring(0, 8);
            Path gw = dir.resolve("gw");
            Gateways.withDynamic(gw, "{}\n");
            Path dynamic = gw.resolve("dynamic");
            Files.writeString(dynamic.resolve("stable.yml"), http(router("stable-file", "PathPrefix(`/stable/file`)",
                    "stable-file"), service("stable-file", stable.url())));
            // A container that stays up the whole time: its route must not fail while others come and go.
            int stayingPort = Gateways.freePort();
            docker.runHttpd("staying-" + run, stayingPort, "staying", routedLabels(run, "staying", "/stable/docker",
                    stayingPort));
            int port = Gateways.freePort();
            String base = "http://127.0.0.1:" + port;
            Path config = gw.resolve("gatehouse.yml");
            Files.writeString(config, staticConfig(port, dynamic, """
                    docker:
                      endpoint: "%s"
                      constraints: "Label(`test.run`,`%s`)"
                    """.formatted(docker.host(), run)));

            try (GatewayProcess gateway = GatewayProcess.start(gw, config, gw.resolve("plugins"), base + "/stable/file")) {
                awaitRoute(base, "/stable/docker", "staying", gateway);
                long reloadsBefore = reloads(gateway);
                KeepAliveLoad.Phase load;
                int cycles = 10;
                try (KeepAliveLoad generator = KeepAliveLoad.start(port, CONNECTIONS,
                        List.of("/stable/file", "/stable/docker"), Duration.ofSeconds(60))) {
                    generator.awaitRequests(200, Duration.ofSeconds(10));
                    // Each cycle is two changes: a routed container starts, and the one of the cycle before stops.
                    for (int i = 0; i < cycles && generator.running(); i++) {
                        int containerPort = Gateways.freePort();
                        docker.runHttpd("churn-" + i + "-" + run, containerPort, "churn-" + i,
                                routedLabels(run, "churn-" + i, "/churn/" + i, containerPort));
                        if (i > 0) {
                            docker.docker("rm", "-f", "churn-" + (i - 1) + "-" + run);
                        }
                    }
                    awaitRoute(base, "/churn/" + (cycles - 1), "churn-" + (cycles - 1), gateway);
                    load = generator.stop().get(0);
                }
                assertNothingLost(load, gateway);
                long applied = reloads(gateway) - reloadsBefore;
                assertTrue(applied >= 5, "only " + applied + " reloads under load:\n" + gateway.output());
            }
        }
    }
}
