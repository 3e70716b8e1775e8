package dev.gatehouse.testkit;

import dev.gatehouse.core.GatewayApplication;
import dev.gatehouse.core.config.StaticConfigurationLoader;
import dev.gatehouse.core.plugin.LoadedPlugin;
import dev.gatehouse.core.plugin.PluginProblem;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * A real Gatehouse in the test's JVM, for testing a plugin: the bundled plugins (rule matchers, file provider)
 * and the plugin under test in a fresh plugins folder, one dynamic configuration file, an echo backend, and an
 * HTTP client. Everything listens on {@code 127.0.0.1:0}.
 *
 * <pre>{@code
 * try (TestGateway gateway = TestGateway.builder()
 *         .pluginClasses("request-id", Path.of("target/classes"))
 *         .dynamic("""
 *             http:
 *               routers:
 *                 app: {rule: "PathPrefix(`/`)", middlewares: [rid], service: app}
 *               middlewares:
 *                 rid: {requestId: {}}
 *               services:
 *                 app: {loadBalancer: {servers: [{url: "${backend}"}]}}
 *             """)
 *         .start()) {
 *     HttpResponse<String> response = gateway.get("/hello");
 *     assertEquals(200, response.statusCode());
 *     assertNotNull(gateway.backend().lastRequest().header("X-Request-Id"));
 * }
 * }</pre>
 *
 * <p>{@code ${backend}} in the dynamic configuration stands for the URL of {@link #backend()}. With JUnit 5,
 * {@link GatehouseExtension} starts and stops one for a test class.
 */
public final class TestGateway implements AutoCloseable {

    /** A folder of plugin jars to use instead of the ones inside the kit (for a kit built without them). */
    public static final String BUNDLED_PLUGINS_PROPERTY = "gatehouse.testkit.plugins";

    private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(10);

    private final Path dir;
    private final TestBackend backend;
    private final GatewayApplication application;
    private final LogBuffer logs;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private TestGateway(Path dir, TestBackend backend, GatewayApplication application, LogBuffer logs) {
        this.dir = dir;
        this.backend = backend;
        this.application = application;
        this.logs = logs;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code http://127.0.0.1:<port of the web entry point><path>}. */
    public String url(String path) {
        return "http://127.0.0.1:" + application.port("web") + path;
    }

    /** GET {@code path} through the gateway with headers given as name, value, name, value...; waits at most 10 s. */
    public HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10));
        if (headers.length % 2 != 0) {
            throw new IllegalArgumentException("headers come in name, value pairs");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request.build());
    }

    /** Sends any request (build it with {@link #url(String)}); waits for the whole response. */
    public HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The client {@link #get} uses, for requests of your own. */
    public HttpClient client() {
        return client;
    }

    /** The echo backend that {@code ${backend}} in the dynamic configuration points at. */
    public TestBackend backend() {
        return backend;
    }

    /**
     * Adds (or replaces) a dynamic configuration file and waits until the gateway has applied a configuration
     * that contains it. {@code ${backend}} is replaced as in {@link Builder#dynamic(String)}.
     */
    public void dynamic(String name, String yaml) {
        long generation = application.generation();
        writeAtomically(dir.resolve("dynamic").resolve(name + ".yml"), yaml.replace("${backend}", backend.url()));
        long deadline = System.nanoTime() + RELOAD_TIMEOUT.toNanos();
        while (application.generation() <= generation) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the gateway did not apply " + name + ".yml within " + RELOAD_TIMEOUT);
            }
            sleep(20);
        }
    }

    /** The status of each router ({@code name@provider} to {@code enabled} or the reason it is not). */
    public Map<String, String> routers() {
        return application.runtime().routerStatus();
    }

    /** Errors in the dynamic configuration, each naming the element and where it came from. */
    public List<String> configurationProblems() {
        return application.runtime().problems().stream().map(Object::toString).toList();
    }

    /** Plugins, or extensions of plugins, that were left out, and why. Empty when all loaded. */
    public List<String> pluginProblems() {
        return application.pluginProblems().stream().map(PluginProblem::toString).toList();
    }

    /** The plugins in use, as {@code id version: kind name, kind name}. */
    public List<String> plugins() {
        List<String> plugins = new ArrayList<>();
        for (LoadedPlugin plugin : application.loadedPlugins()) {
            plugins.add(plugin.id() + " " + plugin.version() + ": " + String.join(", ", plugin.extensions()));
        }
        return plugins;
    }

    /** Everything the gateway logged since it started. */
    public String logs() {
        return logs.text();
    }

    /** The logged lines that contain every one of {@code parts}. */
    public List<String> logLines(String... parts) {
        return logs().lines().filter(line -> Stream.of(parts).allMatch(line::contains)).toList();
    }

    /** The gateway's folder: {@code gatehouse.yml}, {@code plugins/}, {@code dynamic/}. */
    public Path dir() {
        return dir;
    }

    /** The gateway itself, for what this class does not cover. Not a stable API. */
    public GatewayApplication application() {
        return application;
    }

    @Override
    public void close() {
        try {
            application.stop();
        } finally {
            backend.close();
        }
    }

    /** How to start a {@link TestGateway}. */
    public static final class Builder {
        private final List<Path> pluginJars = new ArrayList<>();
        private final List<String[]> pluginClasses = new ArrayList<>();
        private final List<String> flags = new ArrayList<>();
        private String dynamicYaml = "http: {}\n";
        private boolean bundledPlugins = true;
        private Path dir;

        private Builder() {
        }

        /** Adds a built plugin jar or zip (for example {@code target/my-plugin-1.0.jar} in an integration test). */
        public Builder pluginJar(Path jar) {
            pluginJars.add(Objects.requireNonNull(jar, "jar"));
            return this;
        }

        /**
         * Adds the plugin whose compiled classes are in {@code classesDir} (usually {@code target/classes}, where
         * PF4J's annotation processor also wrote {@code META-INF/extensions.idx}): the kit packs them into a
         * plugin jar with id {@code pluginId}, so a plain {@code mvn test} tests the plugin before it is packaged.
         */
        public Builder pluginClasses(String pluginId, Path classesDir) {
            pluginClasses.add(new String[] {Objects.requireNonNull(pluginId, "pluginId"), classesDir.toString()});
            return this;
        }

        /**
         * The dynamic configuration (YAML, Traefik's layout), served by the file provider. {@code ${backend}}
         * stands for the echo backend's URL.
         */
        public Builder dynamic(String yaml) {
            this.dynamicYaml = Objects.requireNonNull(yaml, "yaml");
            return this;
        }

        /** A static configuration flag, such as {@code --plugins.disabled=provider-file} or {@code --log.level=DEBUG}. */
        public Builder flag(String flag) {
            flags.add(flag);
            return this;
        }

        /** Leaves the bundled plugins out: only the plugin under test (then there is no file provider and no Host/Path matchers). */
        public Builder withoutBundledPlugins() {
            this.bundledPlugins = false;
            return this;
        }

        /** The gateway's folder; a new temporary one by default. */
        public Builder dir(Path dir) {
            this.dir = dir;
            return this;
        }

        public TestGateway start() {
            TestBackend backend = TestBackend.start("backend");
            try {
                Path home = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("gatehouse-testkit");
                Path plugins = Files.createDirectories(home.resolve("plugins"));
                Path dynamic = Files.createDirectories(home.resolve("dynamic"));
                if (bundledPlugins) {
                    copyBundledPlugins(plugins);
                }
                for (Path jar : pluginJars) {
                    Files.copy(jar, plugins.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
                for (String[] classes : pluginClasses) {
                    packPlugin(classes[0], Path.of(classes[1]), plugins.resolve(classes[0] + "-under-test.jar"));
                }
                writeAtomically(dynamic.resolve("test.yml"), dynamicYaml.replace("${backend}", backend.url()));
                Path config = home.resolve("gatehouse.yml");
                Files.writeString(config, """
                        entryPoints:
                          web:
                            address: "127.0.0.1:0"
                        providers:
                          providersThrottleDuration: 50ms
                          file:
                            directory: dynamic
                        """);
                List<String> args = new ArrayList<>();
                args.add("--configFile=" + config);
                args.add("--plugins.dir=" + plugins);
                args.addAll(flags);
                LogBuffer logs = new LogBuffer();
                // The gateway's log handler writes to the System.err of the moment it starts: tee it.
                PrintStream original = System.err;
                System.setErr(new PrintStream(new Tee(original, logs), true, StandardCharsets.UTF_8));
                GatewayApplication application;
                try {
                    application = GatewayApplication.start(StaticConfigurationLoader.load(args, Map.of(), home, null));
                } finally {
                    System.setErr(original);
                }
                return new TestGateway(home, backend, application, logs);
            } catch (Exception e) {
                backend.close();
                if (e instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException("cannot start the test gateway: " + e, e);
            }
        }
    }

    private static void copyBundledPlugins(Path plugins) throws IOException {
        String folder = System.getProperty(BUNDLED_PLUGINS_PROPERTY);
        if (folder != null && !folder.isBlank()) {
            try (Stream<Path> jars = Files.list(Path.of(folder))) {
                for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                    Files.copy(jar, plugins.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return;
        }
        for (String name : bundledPluginNames()) {
            try (InputStream in = TestGateway.class.getResourceAsStream("bundled/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("the bundled plugin " + name + " is not inside gateway-testkit: it is"
                            + " copied in when the kit is packaged, so build the kit with 'mvn package' (or later), or"
                            + " point -D" + BUNDLED_PLUGINS_PROPERTY + " at a folder of plugin jars");
                }
                Files.copy(in, plugins.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static List<String> bundledPluginNames() throws IOException {
        try (InputStream in = TestGateway.class.getResourceAsStream("bundled-index.txt")) {
            if (in == null) {
                throw new IllegalStateException("bundled-index.txt is missing from gateway-testkit");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        }
    }

    /** Packs compiled classes into a PF4J plugin jar, as the plugin's own build would. */
    static void packPlugin(String pluginId, Path classes, Path jar) throws IOException {
        if (!Files.isDirectory(classes)) {
            throw new IllegalArgumentException("no compiled classes at " + classes.toAbsolutePath()
                    + " (pluginClasses expects a folder such as target/classes)");
        }
        if (!Files.isRegularFile(classes.resolve("META-INF/extensions.idx"))) {
            throw new IllegalArgumentException(classes.toAbsolutePath() + " has no META-INF/extensions.idx: are the"
                    + " extensions annotated with @org.pf4j.Extension, and is pf4j (its annotation processor) on the"
                    + " compile class path?");
        }
        Manifest manifest = new Manifest();
        Attributes attributes = manifest.getMainAttributes();
        attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.putValue("Plugin-Id", pluginId);
        attributes.putValue("Plugin-Version", "0.0.0-test");
        try (OutputStream out = Files.newOutputStream(jar);
             JarOutputStream jarOut = new JarOutputStream(out, manifest);
             Stream<Path> walk = Files.walk(classes)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString)).toList()) {
                String entry = classes.relativize(file).toString().replace(File.separatorChar, '/');
                if (entry.equals("META-INF/MANIFEST.MF")) {
                    continue;
                }
                jarOut.putNextEntry(new JarEntry(entry));
                Files.copy(file, jarOut);
                jarOut.closeEntry();
            }
        }
    }

    private static void writeAtomically(Path target, String text) {
        try {
            Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
            Files.writeString(temp, text);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
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
