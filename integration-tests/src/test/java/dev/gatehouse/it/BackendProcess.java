package dev.gatehouse.it;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A backend in a process of its own, for what only a process can show: being killed with SIGKILL, so that its
 * sockets are reset by the kernel with no goodbye. It answers every request with {@code backend=<name>} (HTTP/1.1,
 * keep-alive) on 127.0.0.1 and a free port, with the JDK's own HTTP server, on this test's class path.
 */
final class BackendProcess implements AutoCloseable {

    private static final String LISTENING = "listening on port ";

    private final String name;
    private final Process process;
    private final int port;

    private BackendProcess(String name, Process process, int port) {
        this.name = name;
        this.process = process;
        this.port = port;
    }

    /** Starts the backend called {@code name}, and waits (at most 30 s) until it listens. */
    static BackendProcess start(String name) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-XX:TieredStopAtLevel=1",
                // Without it, the JDK's server writes headers and body in two packets and Nagle holds the second.
                "-Dsun.net.httpserver.nodelay=true", "-cp", classPath, BackendProcess.class.getName(), name)
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return e.toString();
            }
        });
        String line;
        try {
            line = first.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("backend " + name + " did not start within 30 s", e);
        }
        if (line == null || !line.startsWith(LISTENING)) {
            process.destroyForcibly();
            throw new IllegalStateException("backend " + name + " did not start: " + line);
        }
        // Keep draining its output so that it never blocks on a full pipe.
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // discarded
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "backend-" + name + "-output");
        drain.setDaemon(true);
        drain.start();
        return new BackendProcess(name, process, Integer.parseInt(line.substring(LISTENING.length()).strip()));
    }

    String name() {
        return name;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** SIGKILL: the process ends at once and the kernel resets its connections. Waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Linux
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("backend " + name + " still runs 10 s after SIGKILL");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    /** The backend itself: {@code java dev.gatehouse.it.BackendProcess NAME}. */
    public static void main(String[] args) throws IOException {
        byte[] body = ("backend=" + args[0] + "\n").getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().put("Content-Type", List.of("text/plain"));
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
        System.out.println(LISTENING + server.getAddress().getPort());
        System.out.flush();
    }
}
