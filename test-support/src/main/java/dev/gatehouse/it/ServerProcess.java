package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A server from a Debian package (etcd, Redis) that a test runs as its own process on loopback ports, in a folder
 * of its own: started, stopped and started again on the same ports and data (to play an outage), killed (to play a
 * crash). {@code ./test.sh} installs the packages and sets {@code IT_KV_STORES=required}, which makes a missing
 * binary fail the test; run by hand without the packages, the test is skipped with a message saying what to
 * install.
 */
public abstract class ServerProcess implements AutoCloseable {

    /** {@code required} (./test.sh) turns a missing binary into a failure instead of a skip. */
    public static final String REQUIRED_VARIABLE = "IT_KV_STORES";

    protected final Path dir;
    private final Path log;
    private Process process;

    protected ServerProcess(Path dir) {
        this.dir = dir;
        this.log = dir.resolve("server.log");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The command line that runs the server in the foreground. */
    protected abstract List<String> command();

    /** The port that accepts connections once the server is ready. */
    protected abstract int readyPort();

    /** Starts the server (again, after {@link #stop()}) and waits until it accepts connections. */
    public synchronized void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return;
        }
        Process started = new ProcessBuilder(command()).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        process = started;
        Poll.until(getClass().getSimpleName() + " listening on 127.0.0.1:" + readyPort(), Duration.ofSeconds(30), () -> {
            if (!started.isAlive()) {
                fail(getClass().getSimpleName() + " exited with " + started.exitValue() + ": " + logTail());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", readyPort()), 500);
                return true;
            }
        }, this::logTail);
        afterStart();
    }

    /** Runs once the port accepts connections (waits for readiness beyond the port, sets the server up). */
    protected void afterStart() throws IOException, InterruptedException {
    }

    /** Stops the server as an operator would (SIGTERM, SIGKILL after 10 s); {@link #start()} brings it back. */
    public synchronized void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }

    /** Kills the server without warning (SIGKILL), as a crash would. */
    public synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** The last lines the server wrote, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /** Runs a client command line (etcdctl, redis-cli) with {@code stdin}, and returns its output; fails the test on an error. */
    protected static String run(List<String> command, String stdin) {
        try {
            Process client = new ProcessBuilder(command).redirectErrorStream(true).start();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return e.toString();
                }
            });
            try (var in = client.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!client.waitFor(30, TimeUnit.SECONDS)) {
                client.destroyForcibly();
                fail("timed out after 30 s: " + String.join(" ", command));
            }
            String text = output.get(10, TimeUnit.SECONDS);
            if (client.exitValue() != 0) {
                fail(String.join(" ", command) + " exited with " + client.exitValue() + ": " + text);
            }
            return text;
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError(String.join(" ", command) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + String.join(" ", command), e);
        }
    }

    /** The binary {@code name} on the PATH; skips the test without it, or fails it under ./test.sh. */
    protected static String binary(String name, String debianPackage) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String folder : path.split(File.pathSeparator)) {
            Path candidate = Path.of(folder, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String message = "this test needs " + name + " (apt-get install " + debianPackage + ")";
        if ("required".equals(System.getenv(REQUIRED_VARIABLE))) {
            fail(message + "; " + REQUIRED_VARIABLE + "=required");
        }
        Assumptions.abort(message + "; skipped (./test.sh installs it and makes this a failure)");
        return name;
    }

    /** A loopback port free right now (the server binds it a moment later; collisions are retried by no one). */
    protected static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds {@code values} to {@code list} (for command lines built in steps). */
    protected static List<String> with(List<String> list, String... values) {
        List<String> out = new ArrayList<>(list);
        out.addAll(List.of(values));
        return out;
    }
}
