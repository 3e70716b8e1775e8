package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gatehouse.testkit.TestGateway;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium: {@code src/test/browser/dashboard.test.mjs}, driven by
 * playwright-core (installed with {@code npm ci} from the committed lock file into
 * {@code target/browser}), loads the page from a running gateway, checks that it logs no error, that a
 * broken router shows its error, that a provider that cannot reach its source (a Docker socket that does not exist)
 * is shown down with its problem, and that a router created while the page is open appears, enabled, through
 * the live refresh; screenshots go to {@code target/screenshots}.
 *
 * <p>Needs {@code node} and Debian's {@code chromium}. {@code ./test.sh} installs both and sets
 * {@code IT_BROWSER_TESTS=required}, which makes their absence a failure; elsewhere the test is
 * skipped with the reason.
 */
class DashboardBrowserTest {

    private static final Path SOURCES = Path.of("src/test/browser");
    private static final Path WORK = Path.of("target/browser");
    private static final Path SCREENSHOTS = Path.of("target/screenshots");
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    private static final String DYNAMIC = """
            http:
              routers:
                dashboard:
                  rule: PathPrefix(`/dashboard`)
                  service: dashboard@internal
                api:
                  rule: PathPrefix(`/api`)
                  service: api@internal
                broken:
                  rule: Host(`x`) &&
                  service: app
              services:
                app:
                  loadBalancer:
                    servers:
                      - url: http://127.0.0.1:1
              middlewares:
                strip:
                  stripPrefix:
                    prefixes: ["/x"]
            tcp:
              routers:
                db:
                  rule: HostSNI(`db.test`)
                  service: db
                  tls:
                    passthrough: true
              services:
                db:
                  loadBalancer:
                    servers:
                      - address: 127.0.0.1:1
            """;

    private static final String CREATED = """
            http:
              routers:
                fresh:
                  rule: PathPrefix(`/fresh`)
                  service: app
                  middlewares: [strip]
            """;

    @Test
    void theDashboardShowsRoutersTheirStatusAndErrorsInARealBrowser() throws Exception {
        String node = tool("node", "node");
        String chromium = System.getenv().getOrDefault("IT_CHROMIUM", "/usr/bin/chromium");
        if (!Files.isExecutable(Path.of(chromium))) {
            missing("chromium is not at " + chromium + " (apt-get install chromium, or set IT_CHROMIUM)");
        }
        installPlaywright(tool("npm", "npm"));

        TestCertificates.Leaf certificate = TestCertificates.ca(dir.resolve("certs")).leaf("dash", "ec", "dash.test");
        String dynamic = DYNAMIC + """
                udp:
                  routers:
                    dns:
                      service: dns
                  services:
                    dns:
                      loadBalancer:
                        servers:
                          - address: 127.0.0.1:53
                tls:
                  certificates:
                    - certFile: %s
                      keyFile: %s
                """.formatted(certificate.cert(), certificate.key());
        try (TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"), dynamic).staticConfig("""
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                  dns:
                    address: "127.0.0.1:0/udp"
                providers:
                  file:
                    directory: dynamic
                  docker:
                    endpoint: "unix://%s"
                api: {}
                """.formatted(dir.resolve("no-engine/docker.sock"))).start()) {
            Files.createDirectories(SCREENSHOTS);
            ProcessBuilder builder = new ProcessBuilder(node, "dashboard.test.mjs").directory(WORK.toFile())
                    .redirectErrorStream(true);
            builder.environment().put("DASHBOARD_URL", gateway.url("/dashboard/"));
            builder.environment().put("SCREENSHOTS", SCREENSHOTS.toAbsolutePath().toString());
            builder.environment().put("CHROMIUM", chromium);
            builder.environment().put("BROKEN_ROUTER", "broken@file");
            builder.environment().put("BROKEN_ERROR", "position 13");
            builder.environment().put("NEW_ROUTER", "fresh@file");
            builder.environment().put("CERTIFICATE_DOMAIN", "dash.test");
            builder.environment().put("CERTIFICATE_ISSUER", "Gatehouse Test CA");
            builder.environment().put("PROVIDER_DOWN", "docker");
            builder.environment().put("PROVIDER_ERROR", "no-engine/docker.sock does not exist");
            Process process = builder.start();
            List<String> output = Collections.synchronizedList(new ArrayList<>());
            Thread reader = new Thread(() -> follow(process, output, gateway), "browser-test-output");
            reader.setDaemon(true);
            reader.start();
            boolean finished = process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            reader.join(5_000);
            String transcript = String.join("\n", output);
            assertTrue(finished, "the browser test did not finish in " + TIMEOUT + ":\n" + transcript);
            assertEquals(0, process.exitValue(), "the browser test failed (screenshots in " + SCREENSHOTS.toAbsolutePath()
                    + "):\n" + transcript);
            assertTrue(output.contains("PASS"), transcript);
            assertTrue(Files.size(SCREENSHOTS.resolve("routers.png")) > 0);
        }
    }

    /** Copies the script's output; creates the new router when the script asks for it, then tells it so. */
    private static void follow(Process process, List<String> output, TestGateway gateway) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                OutputStream stdin = process.getOutputStream()) {
            for (String line; (line = lines.readLine()) != null; ) {
                output.add(line);
                System.out.println("[browser] " + line);
                if (line.equals("NEED fresh@file")) {
                    long generation = gateway.application().generation();
                    gateway.writeDynamic("created.yml", CREATED);
                    try {
                        gateway.awaitReload(generation, () -> gateway.routerEnabled("fresh@file"), Duration.ofSeconds(20));
                    } catch (AssertionError e) {
                        output.add("the gateway did not take the new router: " + e.getMessage());
                        stdin.close(); // the script stops waiting and fails
                        continue;
                    }
                    stdin.write("created\n".getBytes(StandardCharsets.UTF_8));
                    stdin.flush();
                }
            }
        } catch (IOException e) {
            output.add("reading the browser test's output failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code npm ci} into target/browser from the committed package.json and package-lock.json, when they changed. */
    private static void installPlaywright(String npm) throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        byte[] lock = Files.readAllBytes(SOURCES.resolve("package-lock.json"));
        Path installed = WORK.resolve("node_modules/.installed-lock.json");
        boolean upToDate = Files.exists(installed) && java.util.Arrays.equals(lock, Files.readAllBytes(installed))
                && Files.exists(WORK.resolve("node_modules/playwright-core/package.json"));
        for (String file : List.of("package.json", "package-lock.json", "dashboard.test.mjs")) {
            Files.copy(SOURCES.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (upToDate) {
            return;
        }
        Process process = new ProcessBuilder(npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts")
                .directory(WORK.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            fail("npm ci in " + WORK.toAbsolutePath() + " failed (playwright-core comes from the npm registry):\n" + out);
        }
        Files.write(installed, lock);
    }

    /** The command's path on PATH, or a failure (under ./test.sh) or skip (elsewhere) naming what is missing. */
    private static String tool(String command, String debianPackage) {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(folder, command);
            if (!folder.isEmpty() && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        missing(command + " is not on PATH (apt-get install " + debianPackage + ")");
        return null;
    }

    private static void missing(String what) {
        String message = "the dashboard browser test needs " + what;
        if ("required".equals(System.getenv("IT_BROWSER_TESTS"))) {
            fail(message + "; ./test.sh should have installed it");
        }
        Assumptions.abort(message + "; skipped (./test.sh installs it and makes this a failure)");
    }
}
