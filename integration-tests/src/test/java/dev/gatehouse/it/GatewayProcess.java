package dev.gatehouse.it;

import dev.gatehouse.testkit.TestGateway;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A gateway in a process of its own ({@code java dev.gatehouse.core.Gatehouse}, on this test's class path),
 * for what only a real process has: signals. The static configuration and the plugins folder are made by the
 * test (a {@link TestGateway} that is not started makes the plugins and dynamic folders). Stopped with
 * SIGTERM, gracefully, as an operator would.
 */
final class GatewayProcess implements AutoCloseable {

    private final Process process;
    private final Path output;

    private GatewayProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /**
     * Starts the gateway in {@code dir} and waits (at most 60 s) until {@code readyUrl} answers 200.
     *
     * @param configFile the static configuration
     * @param pluginsDir the plugins folder
     */
    static GatewayProcess start(Path dir, Path configFile, Path pluginsDir, String readyUrl) throws Exception {
        return start(dir, configFile, pluginsDir, readyUrl, java.util.Map.of());
    }

    /** As {@link #start(Path, Path, Path, String)}, with {@code environment} added to the process's variables. */
    static GatewayProcess start(Path dir, Path configFile, Path pluginsDir, String readyUrl,
            java.util.Map<String, String> environment) throws Exception {
        // Surefire runs the tests from a manifest-only jar: its property names the real class path.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", classPath, "dev.gatehouse.core.Gatehouse", "--configFile=" + configFile,
                "--plugins.dir=" + pluginsDir));
        Path output = dir.resolve("process-output.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        // The gateway reads every GATEHOUSE_* variable as configuration: the test's own must not leak in.
        builder.environment().keySet().removeIf(name -> name.startsWith("GATEHOUSE_"));
        builder.environment().putAll(environment);
        GatewayProcess gateway = new GatewayProcess(builder.start(), output);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!gateway.process.isAlive()) {
                throw new IllegalStateException("the gateway exited with " + gateway.process.exitValue() + ":\n"
                        + gateway.output());
            }
            if (Http.status(readyUrl) == 200) {
                return gateway;
            }
            Thread.sleep(200);
        }
        gateway.close();
        throw new IllegalStateException("the gateway did not answer " + readyUrl + " within 60 s:\n" + gateway.output());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Sends {@code signal} (such as {@code USR1}) with kill(1). */
    void signal(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid())).redirectErrorStream(true).start();
        String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + pid() + " failed: " + out);
        }
    }

    /** What the gateway printed (its log, unless {@code log.filePath} sends it elsewhere). */
    String output() {
        try {
            return Files.exists(output) ? Files.readString(output) : "";
        } catch (IOException e) {
            return "(cannot read " + output + ": " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();   // SIGTERM: a graceful stop
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
