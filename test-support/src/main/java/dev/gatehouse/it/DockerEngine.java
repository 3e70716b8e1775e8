package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The Docker engine that {@code ./test.sh} starts for the tests (its own dockerd, socket and data root), driven with
 * the {@code docker} command line as a user would; used by the in-process integration tests and the distribution
 * tests. Containers and networks made through it are removed by {@link #close()}.
 *
 * <p>{@code ./test.sh} always sets {@code IT_DOCKER_HOST}; then an engine that does not answer fails the
 * test. Without the variable (one module run by hand), the Docker tests are skipped with a message saying how to
 * run them.
 */
public final class DockerEngine implements AutoCloseable {

    public static final String HOST_VARIABLE = "IT_DOCKER_HOST";

    private final String host;
    private final String image;
    private final String control;
    private final List<String> containers = new ArrayList<>();
    private final List<String> networks = new ArrayList<>();

    private DockerEngine(String host, String image, String control) {
        this.host = host;
        this.image = image;
        this.control = control;
    }

    /** The engine of ./test.sh; skips the test when run outside it, fails it when the engine does not answer. */
    public static DockerEngine require() {
        String host = System.getenv(HOST_VARIABLE);
        Assumptions.assumeTrue(host != null && !host.isBlank(), HOST_VARIABLE + " is not set: the Docker tests need the"
                + " engine that ./test.sh starts (run ./test.sh -pl integration-tests -am, or -pl distribution -am)");
        String image = System.getenv().getOrDefault("IT_DOCKER_IMAGE", "gatehouse-test/httpd:1");
        DockerEngine engine = new DockerEngine(host, image, System.getenv("IT_DOCKERD_CTL"));
        Result version = engine.run(30, "version", "--format", "{{.Server.Version}}");
        if (version.status != 0) {
            fail(HOST_VARIABLE + "=" + host + " is set but the Docker engine does not answer: " + version.output);
        }
        return engine;
    }

    public String host() {
        return host;
    }

    public String image() {
        return image;
    }

    /**
     * The same engine's TLS endpoint and the PEM files for it, which ./test.sh makes (scripts/docker-engine.sh):
     * the engine requires a client certificate signed by {@code ca}; {@code wrongCa} signed nothing of the engine's.
     */
    record Tls(String host, String ca, String cert, String key, String wrongCa) {
    }

    /** The engine's TLS endpoint; fails the test when ./test.sh did not describe it. */
    Tls tls() {
        String[] names = {"IT_DOCKER_TLS_HOST", "IT_DOCKER_TLS_CA", "IT_DOCKER_TLS_CERT", "IT_DOCKER_TLS_KEY",
                "IT_DOCKER_TLS_WRONG_CA"};
        String[] values = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            values[i] = System.getenv(names[i]);
            if (values[i] == null || values[i].isBlank()) {
                fail(names[i] + " is not set: ./test.sh (scripts/docker-engine.sh) sets it with the engine's TLS endpoint");
            }
        }
        return new Tls(values[0], values[1], values[2], values[3], values[4]);
    }

    /** {@code docker run -d --name NAME ARGS...}; the container is removed by {@link #close()}. */
    public String run(String name, String... args) {
        containers.add(name);
        List<String> command = new ArrayList<>(List.of("run", "-d", "--name", name));
        command.addAll(List.of(args));
        return docker(command.toArray(String[]::new)).strip();
    }

    /**
     * {@code docker run} of the test image serving {@code body} with busybox httpd on host networking, bound to
     * 127.0.0.1:{@code port}: traffic stays on loopback.
     */
    public String runHttpd(String name, int port, String body, String... options) {
        List<String> args = new ArrayList<>(List.of("--network", "host"));
        args.addAll(List.of(options));
        args.addAll(List.of(image, "sh", "-c", "mkdir -p /tmp/w && echo '" + body + "' > /tmp/w/index.html && exec httpd -f -p 127.0.0.1:"
                + port + " -h /tmp/w"));
        return run(name, args.toArray(String[]::new));
    }

    /** {@code docker network create NAME}; removed by {@link #close()}. */
    public void createNetwork(String name) {
        networks.add(name);
        docker("network", "create", name);
    }

    /** Runs {@code docker ARGS} against the tests' engine; fails the test when it exits non-zero. */
    public String docker(String... args) {
        Result result = run(120, args);
        if (result.status != 0) {
            fail("docker " + String.join(" ", args) + " exited with " + result.status + ": " + result.output);
        }
        return result.output;
    }

    /** Stops the tests' dockerd (with the script that ./test.sh wrote); its containers stop with it. */
    public void stopDaemon() {
        daemon("stop");
    }

    /** Starts the tests' dockerd again and waits until it answers. */
    public void startDaemon() {
        daemon("start");
    }

    private void daemon(String action) {
        if (control == null) {
            fail("IT_DOCKERD_CTL is not set: ./test.sh sets it to the script that starts and stops its dockerd");
        }
        Result result = exec(120, List.of(control, action));
        if (result.status != 0) {
            fail("dockerd " + action + " failed: " + result.output);
        }
    }

    @Override
    public void close() {
        if (!containers.isEmpty()) {
            List<String> rm = new ArrayList<>(List.of("rm", "-f"));
            rm.addAll(containers);
            run(60, rm.toArray(String[]::new));
        }
        for (String network : networks) {
            run(60, "network", "rm", network);
        }
    }

    private record Result(int status, String output) {
    }

    private Result run(int timeoutSeconds, String... args) {
        List<String> command = new ArrayList<>(List.of("docker", "-H", host));
        command.addAll(List.of(args));
        return exec(timeoutSeconds, command);
    }

    private static Result exec(int timeoutSeconds, List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
            }
            return new Result(process.exitValue(), output.get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            return new Result(-1, e.toString());
        }
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
