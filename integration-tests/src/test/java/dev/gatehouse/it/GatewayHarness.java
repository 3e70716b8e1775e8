package dev.gatehouse.it;

import dev.gatehouse.core.GatewayApplication;
import dev.gatehouse.core.config.StaticConfigurationLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A real gateway in this JVM: its own folder with a static configuration, a plugins folder holding the
 * bundled plugin jars (as the distribution has them) and a dynamic configuration folder watched by the
 * file provider. Entry points listen on free 127.0.0.1 ports.
 *
 * <pre>{@code
 * try (GatewayHarness gateway = GatewayHarness.withDynamic(dir, """
 *         http:
 *           routers: ...
 *         """).start()) {
 *     gateway.url("web", "/")...
 * }
 * }</pre>
 */
public final class GatewayHarness implements AutoCloseable {

    /** The bundled plugins, copied by Maven into target/plugins. */
    public static final Path BUNDLED_PLUGINS = Path.of(System.getProperty("gatehouse.it.plugins", "target/plugins"));

    private final Path dir;
    private final Path pluginsDir;
    private final Path dynamicDir;
    private final List<String> flags = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final LogBuffer logs = new LogBuffer();
    private String staticYaml = """
            entryPoints:
              web:
                address: "127.0.0.1:0"
            ping:
              entryPoint: web
            providers:
              providersThrottleDuration: 200ms
              file:
                directory: dynamic
            """;
    private GatewayApplication application;

    private GatewayHarness(Path dir) {
        this.dir = dir;
        this.pluginsDir = dir.resolve("plugins");
        this.dynamicDir = dir.resolve("dynamic");
    }

    /**
     * Dynamic configuration (for {@link #withDynamic}) with the route most tests need: router {@code app}, rule
     * {@code PathPrefix(`/app`)}, to service {@code app} with the one server {@code serverUrl}.
     */
    public static String appRoute(String serverUrl) {
        return """
                http:
                  routers:
                    app:
                      rule: PathPrefix(`/app`)
                      service: app
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(serverUrl);
    }

    /** A gateway in {@code dir} with the bundled plugins and one dynamic file {@code dynamic/test.yml}. */
    public static GatewayHarness withDynamic(Path dir, String dynamicYaml) {
        GatewayHarness harness = new GatewayHarness(dir);
        try {
            Files.createDirectories(harness.pluginsDir);
            Files.createDirectories(harness.dynamicDir);
            try (Stream<Path> jars = Files.list(BUNDLED_PLUGINS)) {
                for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                    Files.copy(jar, harness.pluginsDir.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        harness.writeDynamic("test.yml", dynamicYaml);
        return harness;
    }

    /**
     * A gateway in {@code dir} whose one router, {@code app@file} ({@code PathPrefix(`/`)} to the service
     * {@code app}), sends every request to {@code backendUrl}: for tests of what entry points do, whatever the route.
     */
    public static GatewayHarness proxyingAllTo(Path dir, String backendUrl) {
        return withDynamic(dir, """
                http:
                  routers:
                    app:
                      rule: PathPrefix(`/`)
                      service: app
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(backendUrl));
    }

    /** Replaces the static configuration (YAML); paths in it are relative to the harness folder. */
    public GatewayHarness staticConfig(String yaml) {
        this.staticYaml = yaml;
        return this;
    }

    /** Adds a command-line flag such as {@code --serversTransport.forwardingTimeouts.responseHeaderTimeout=1s}. */
    public GatewayHarness flag(String flag) {
        flags.add(flag);
        return this;
    }

    /** Adds an environment variable as the gateway would see it, such as {@code GATEHOUSE_LOG_FORMAT=json}. */
    public GatewayHarness env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /**
     * Starts the gateway. Its log (which the gateway sends to the {@code System.err} of the moment it
     * starts) is also captured, see {@link #logs()}.
     */
    public GatewayHarness start() throws Exception {
        Path configFile = dir.resolve("gatehouse.yml");
        Files.writeString(configFile, staticYaml);
        List<String> args = new ArrayList<>();
        args.add("--configFile=" + configFile);
        args.add("--plugins.dir=" + pluginsDir);
        args.addAll(flags);
        PrintStream original = System.err;
        System.setErr(new PrintStream(new Tee(original, logs), true, StandardCharsets.UTF_8));
        try {
            application = GatewayApplication.start(StaticConfigurationLoader.load(args, Map.copyOf(env), dir, null));
        } finally {
            System.setErr(original);
        }
        return this;
    }

    /**
     * Everything the gateway logged since it started (until another gateway in this JVM starts and takes
     * the log over).
     */
    public String logs() {
        return logs.text();
    }

    /** The captured log lines that contain all of {@code parts}. */
    public List<String> logLines(String... parts) {
        return logs().lines().filter(line -> {
            for (String part : parts) {
                if (!line.contains(part)) {
                    return false;
                }
            }
            return true;
        }).toList();
    }

    /** A TCP port that was free a moment ago on 127.0.0.1, for tests that need a fixed address. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sets the idle timeout of every entry point for the connections opened from now on (HTTP/2 streams take
     * it too), so that a test of what a timeout does runs in seconds instead of the default 30.
     */
    public void entryPointIdleTimeout(Duration timeout) {
        for (org.eclipse.jetty.server.Connector connector : application.jetty().getConnectors()) {
            ((org.eclipse.jetty.server.AbstractConnector) connector).setIdleTimeout(timeout.toMillis());
        }
    }

    public GatewayApplication application() {
        return application;
    }

    public Path dir() {
        return dir;
    }

    public Path pluginsDir() {
        return pluginsDir;
    }

    public int port(String entryPoint) {
        return application.port(entryPoint);
    }

    /** {@code http://127.0.0.1:<port of web><path>}. */
    public String url(String path) {
        return "http://127.0.0.1:" + port("web") + path;
    }

    /** Writes (or replaces, atomically) a file of the dynamic configuration folder. */
    public void writeDynamic(String name, String yaml) {
        try {
            Path target = dynamicDir.resolve(name);
            Path temp = dynamicDir.resolve("." + name + ".tmp");
            Files.writeString(temp, yaml);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a file of the dynamic configuration folder. */
    public void deleteDynamic(String name) {
        try {
            Files.delete(dynamicDir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The dynamic configuration folder. */
    public Path dynamicDir() {
        return dynamicDir;
    }

    /** Waits until a configuration newer than {@code generation} is applied and {@code condition} holds. */
    public void awaitReload(long generation, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (application.generation() > generation && condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no configuration satisfying the condition was applied within " + timeout
                + "; router status: " + application.runtime().routerStatus() + ", problems: " + application.runtime().problems());
    }

    /** Whether the router (qualified name) is enabled in the current runtime. */
    public boolean routerEnabled(String router) {
        return "enabled".equals(application.runtime().routerStatus().get(router));
    }

    @Override
    public void close() {
        if (application != null) {
            application.stop();
        }
    }

    /** A thread-safe, growing copy of what was written. */
    private static final class LogBuffer extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            first.flush();
            second.flush();
        }
    }
}
