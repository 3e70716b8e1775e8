package dev.gatehouse.testkit;

import dev.gatehouse.core.GatewayApplication;
import dev.gatehouse.core.config.StaticConfigurationLoader;
import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ProblemKind;
import dev.gatehouse.core.plugin.LoadedPlugin;
import dev.gatehouse.core.plugin.PluginProblem;
import dev.gatehouse.core.runtime.RouterInfo;
import dev.gatehouse.core.runtime.RuntimeModel;
import dev.gatehouse.core.runtime.Status;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.function.BooleanSupplier;
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
 * <p>{@code ${backend}} in the dynamic configuration stands for the URL of {@link #backend()} (the backend starts
 * when the configuration names it, or on the first call of {@link #backend()}). With JUnit 5,
 * {@link GatehouseExtension} starts and stops one for a test class.
 *
 * <p>Gatehouse's own integration tests run on this class too, with every bundled plugin
 * ({@link Builder#bundledPluginsFrom}) and a static configuration of their own ({@link Builder#staticConfig}).
 */
public final class TestGateway implements AutoCloseable {

    /** A folder of plugin jars to use instead of the ones inside the kit (for a kit built without them). */
    public static final String BUNDLED_PLUGINS_PROPERTY = "gatehouse.testkit.plugins";

    private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(10);

    private static final String DEFAULT_STATIC_CONFIG = """
            entryPoints:
              web:
                address: "127.0.0.1:0"
            providers:
              providersThrottleDuration: 50ms
              file:
                directory: dynamic
            """;

    private final Path dir;
    private final LogBuffer logs = new LogBuffer();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final List<String> flags;
    private final Map<String, String> env;
    private String staticYaml;
    private TestBackend backend;
    private GatewayApplication application;

    private TestGateway(Path dir, TestBackend backend, String staticYaml, List<String> flags, Map<String, String> env) {
        this.dir = dir;
        this.backend = backend;
        this.staticYaml = staticYaml;
        this.flags = new ArrayList<>(flags);
        this.env = new LinkedHashMap<>(env);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Replaces the static configuration of a gateway from {@link Builder#prepare()}, before {@link #start()}
     * (see {@link Builder#staticConfig}).
     */
    public TestGateway staticConfig(String yaml) {
        requireNotStarted();
        this.staticYaml = Objects.requireNonNull(yaml, "yaml");
        return this;
    }

    /** Adds a static configuration flag to a gateway from {@link Builder#prepare()}, before {@link #start()}. */
    public TestGateway flag(String flag) {
        requireNotStarted();
        flags.add(Objects.requireNonNull(flag, "flag"));
        return this;
    }

    /** Adds an environment variable (as the gateway sees it) to a gateway from {@link Builder#prepare()}, before {@link #start()}. */
    public TestGateway env(String name, String value) {
        requireNotStarted();
        env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * Starts a gateway from {@link Builder#prepare()} ({@link Builder#start()} does both). What it logs (to the
     * {@code System.err} of the moment it starts) is also captured, see {@link #logs()}.
     *
     * @return this gateway, started
     */
    public TestGateway start() {
        requireNotStarted();
        try {
            Path config = dir.resolve("gatehouse.yml");
            Files.writeString(config, staticYaml);
            List<String> args = new ArrayList<>();
            args.add("--configFile=" + config);
            args.add("--plugins.dir=" + pluginsDir());
            args.addAll(flags);
            // The gateway's log handler writes to the System.err of the moment it starts: tee it.
            PrintStream original = System.err;
            System.setErr(new PrintStream(new Tee(original, logs), true, StandardCharsets.UTF_8));
            try {
                application = GatewayApplication.start(StaticConfigurationLoader.load(args, Map.copyOf(env), dir, null));
            } finally {
                System.setErr(original);
            }
            return this;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // The message is the gateway's own (for a configuration error: what is wrong, where, how to fix it).
            throw new IllegalStateException("cannot start the test gateway: " + e.getMessage(), e);
        }
    }

    private GatewayApplication started() {
        if (application == null) {
            throw new IllegalStateException("the test gateway is not started: call start() first");
        }
        return application;
    }

    private void requireNotStarted() {
        if (application != null) {
            throw new IllegalStateException("the test gateway is already started: set the static configuration before");
        }
    }

    /** {@code http://127.0.0.1:<port of the web entry point><path>}. */
    public String url(String path) {
        return "http://127.0.0.1:" + port("web") + path;
    }

    /** The port the entry point {@code entryPoint} listens on (entry points of the tests listen on port 0). */
    public int port(String entryPoint) {
        return started().port(entryPoint);
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

    /** The echo backend that {@code ${backend}} in the dynamic configuration points at; started on first use. */
    public synchronized TestBackend backend() {
        if (backend == null) {
            backend = TestBackend.start("backend");
        }
        return backend;
    }

    /**
     * Adds (or replaces) a dynamic configuration file and waits until the gateway has applied a configuration
     * that contains it. {@code ${backend}} is replaced as in {@link Builder#dynamic(String)}.
     */
    public void dynamic(String name, String yaml) {
        long generation = started().generation();
        writeDynamic(name + ".yml", withBackend(yaml));
        if (!poll(() -> started().generation() > generation, RELOAD_TIMEOUT)) {
            throw new AssertionError("the gateway did not apply " + name + ".yml within " + RELOAD_TIMEOUT);
        }
    }

    /**
     * Writes (or replaces, atomically) the file {@code fileName} of the dynamic configuration folder, as is,
     * without waiting for the gateway to apply it (see {@link #awaitReload}).
     */
    public void writeDynamic(String fileName, String yaml) {
        writeAtomically(dynamicDir().resolve(fileName), yaml);
    }

    /** Deletes the file {@code fileName} of the dynamic configuration folder, without waiting. */
    public void deleteDynamic(String fileName) {
        try {
            Files.delete(dynamicDir().resolve(fileName));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until the gateway has applied a configuration newer than {@code generation} (read it from
     * {@code application().generation()} before changing files) for which {@code condition} holds.
     *
     * @throws AssertionError naming the router status and the configuration problems, after {@code timeout}
     */
    public void awaitReload(long generation, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        boolean applied = poll(() -> started().generation() > generation && condition.getAsBoolean(), timeout);
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted while waiting for a reload");
        }
        if (!applied) {
            throw new AssertionError("no configuration satisfying the condition was applied within " + timeout
                    + "; router status: " + routers() + ", problems: " + configurationProblems());
        }
    }

    /** The status of each router ({@code name@provider} to {@code enabled} or the reason it is not). */
    public Map<String, String> routers() {
        return started().runtime().routerStatus();
    }

    /** Whether the router ({@code name@provider}) is enabled in the configuration applied now. */
    public boolean routerEnabled(String router) {
        return "enabled".equals(routers().get(router));
    }

    /**
     * The routers, services and middlewares of the configuration applied now, each with its status and typed errors
     * (what the API shows): {@code gateway.model().middleware("rid@file").status()}.
     */
    public RuntimeModel model() {
        return started().runtime().model();
    }

    /**
     * The router's status in the configuration applied now: {@code ENABLED}, {@code WARNING} (it serves, with
     * errors) or {@code DISABLED}; null when no provider published it.
     */
    public Status routerStatus(String router) {
        RouterInfo info = model().router(router);
        return info == null ? null : info.status();
    }

    /**
     * The kinds of the problems about one element now, in the order found: {@code MIDDLEWARE} for
     * {@code problemKinds(ConfigElement.router("app@file"))} when its middleware could not be created.
     */
    public List<ProblemKind> problemKinds(ConfigElement element) {
        return model().problems(element).stream().map(problem -> problem.kind()).toList();
    }

    /** Errors in the dynamic configuration as a user reads them, each naming the element and where it came from. */
    public List<String> configurationProblems() {
        return started().runtime().problems().stream().map(Object::toString).toList();
    }

    /** Plugins, or extensions of plugins, that were left out, and why. Empty when all loaded. */
    public List<String> pluginProblems() {
        return started().pluginProblems().stream().map(PluginProblem::toString).toList();
    }

    /** The plugins in use, as {@code id version: kind name, kind name}. */
    public List<String> plugins() {
        List<String> plugins = new ArrayList<>();
        for (LoadedPlugin plugin : started().loadedPlugins()) {
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

    /** The plugins folder the gateway loaded its plugins from. */
    public Path pluginsDir() {
        return dir.resolve("plugins");
    }

    /** The dynamic configuration folder, watched by the file provider of the default static configuration. */
    public Path dynamicDir() {
        return dir.resolve("dynamic");
    }

    /**
     * Sets the idle timeout of every entry point for the connections opened from now on (HTTP/2 streams take
     * it too), so that a test of what a timeout does runs in seconds instead of the default 30.
     */
    public void entryPointIdleTimeout(Duration timeout) {
        for (Connector connector : started().jetty().getConnectors()) {
            ((AbstractConnector) connector).setIdleTimeout(timeout.toMillis());
        }
    }

    /** A TCP port of 127.0.0.1 that was free a moment ago, for a test that needs a fixed address. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The gateway itself, for what this class does not cover. Not a stable API. */
    public GatewayApplication application() {
        return started();
    }

    @Override
    public void close() {
        try {
            if (application != null) {
                application.stop();
            }
        } finally {
            synchronized (this) {
                if (backend != null) {
                    backend.close();
                }
            }
        }
    }

    private String withBackend(String yaml) {
        return yaml.contains("${backend}") ? yaml.replace("${backend}", backend().url()) : yaml;
    }

    /** How to start a {@link TestGateway}: {@link #start()}, or {@link #prepare()} and then {@link TestGateway#start()}. */
    public static final class Builder {
        private final List<Path> pluginJars = new ArrayList<>();
        private final List<String[]> pluginClasses = new ArrayList<>();
        private final List<String> flags = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private String dynamicYaml = "http: {}\n";
        private String staticYaml = DEFAULT_STATIC_CONFIG;
        private boolean bundledPlugins = true;
        private Path bundledPluginsFolder;
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

        /**
         * Takes the bundled plugins from a folder of plugin jars instead of the ones inside the kit (which are the
         * rule matchers and the file provider only); the system property {@value #BUNDLED_PLUGINS_PROPERTY} does
         * the same for every gateway.
         */
        public Builder bundledPluginsFrom(Path folder) {
            this.bundledPluginsFolder = Objects.requireNonNull(folder, "folder");
            return this;
        }

        /** The gateway's folder; a new temporary one by default. */
        public Builder dir(Path dir) {
            this.dir = dir;
            return this;
        }

        /**
         * Replaces the static configuration (YAML, written to {@code gatehouse.yml}; relative paths in it are
         * relative to the gateway's folder). The default has the entry point {@code web} on {@code 127.0.0.1:0}
         * and the file provider on {@code dynamic/}; a replacement that keeps the dynamic configuration working
         * keeps that provider.
         */
        public Builder staticConfig(String yaml) {
            this.staticYaml = Objects.requireNonNull(yaml, "yaml");
            return this;
        }

        /** An environment variable as the gateway sees it, such as {@code GATEHOUSE_LOG_FORMAT=json}. */
        public Builder env(String name, String value) {
            env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Writes the gateway's folder ({@code plugins/} with the bundled plugins and the plugins under test,
         * {@code dynamic/test.yml}, {@code gatehouse.yml}) and returns the gateway, not started: for a test that
         * adds files to the folder, or runs a command or a gateway process on it. {@link TestGateway#start()}
         * starts it.
         */
        public TestGateway prepare() {
            try {
                Path home = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("gatehouse-testkit");
                Path plugins = Files.createDirectories(home.resolve("plugins"));
                Path dynamic = Files.createDirectories(home.resolve("dynamic"));
                if (bundledPlugins) {
                    copyBundledPlugins(bundledPluginsFolder, plugins);
                }
                for (Path jar : pluginJars) {
                    Files.copy(jar, plugins.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
                for (String[] classes : pluginClasses) {
                    packPlugin(classes[0], Path.of(classes[1]), plugins.resolve(classes[0] + "-under-test.jar"));
                }
                String yaml = dynamicYaml;
                TestBackend backend = null;
                if (yaml.contains("${backend}")) {
                    backend = TestBackend.start("backend");
                    yaml = yaml.replace("${backend}", backend.url());
                }
                writeAtomically(dynamic.resolve("test.yml"), yaml);
                Files.writeString(home.resolve("gatehouse.yml"), staticYaml);
                return new TestGateway(home, backend, staticYaml, flags, env);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the test gateway's folder: " + e.getMessage(), e);
            }
        }

        /** Writes the gateway's folder and starts the gateway (see {@link #prepare()}). */
        public TestGateway start() {
            TestGateway gateway = prepare();
            try {
                return gateway.start();
            } catch (RuntimeException e) {
                gateway.close();
                throw e;
            }
        }
    }

    private static void copyBundledPlugins(Path from, Path plugins) throws IOException {
        String property = System.getProperty(BUNDLED_PLUGINS_PROPERTY);
        Path folder = from != null ? from : property != null && !property.isBlank() ? Path.of(property) : null;
        if (folder != null) {
            try (Stream<Path> jars = Files.list(folder)) {
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

    /**
     * Checks {@code condition} every 20 ms until it holds (true) or {@code timeout} passed (false). Kept here
     * rather than in Gatehouse's test-support (which is not published); an interrupt ends the wait (false,
     * with the thread's interrupt flag set).
     */
    private static boolean poll(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
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
