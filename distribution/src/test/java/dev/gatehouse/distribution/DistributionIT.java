package dev.gatehouse.distribution;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.it.RawHttp;
import dev.gatehouse.otlp.OtlpReceiver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests the built distribution as a user runs it: unzip, start {@code bin/gatehouse} as its own process,
 * route real requests to real backends, reload, stop with SIGTERM, start again.
 *
 * <p>Every wait is bounded; every process and backend started here is stopped in {@link #stopAll()}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DistributionIT {

  static final String VERSION = System.getProperty("gatehouse.test.version", "0.1.0-SNAPSHOT");
  static final Duration READY = Duration.ofSeconds(30);
  static final Duration RELOAD = Duration.ofSeconds(10);
  /** graceTimeOut in the test configuration. */
  static final Duration GRACE = Duration.ofSeconds(8);
  /**
   * How long a test waits for the exit after SIGTERM: the grace time, plus the class-data-sharing archive the
   * first server run of an installation writes as its JVM exits (about 1 s, several on a busy machine).
   */
  static final Duration EXIT = GRACE.plusSeconds(10);

  @TempDir static Path installRoot;
  static Path home;

  @TempDir Path work;

  final List<Process> processes = new ArrayList<>();
  final List<HttpServer> backends = new ArrayList<>();
  final List<ExecutorService> executors = new ArrayList<>();

  @BeforeAll
  static void unzip() throws IOException {
    home = Installation.unzip(installRoot);
  }

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : processes) {
      if (p.isAlive()) {
        p.destroy();
        if (!p.waitFor(EXIT.toSeconds(), TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
    backends.forEach(b -> b.stop(0));
    executors.forEach(ExecutorService::shutdownNow);
  }

  // ---- tests --------------------------------------------------------------------------------------

  /** The plugins the distribution bundles, by artifact id. */
  private static final List<String> BUNDLED_PLUGINS = List.of("matchers-http", "provider-file", "certresolver-acme", "middlewares-std", "provider-docker",
      "provider-etcd", "provider-redis");

  @Test
  void zipHoldsOneTopFolderWithBinLibPluginsConf() throws IOException {
    try (Stream<Path> top = Files.list(installRoot)) {
      assertEquals(List.of(home), top.toList(), "one top folder gatehouse-VERSION/");
    }
    Path script = home.resolve("bin/gatehouse");
    assertTrue(Files.getPosixFilePermissions(script).containsAll(Set.of(
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE)),
        "bin/gatehouse is 0755 in the zip");
    assertTrue(Files.isRegularFile(home.resolve("lib/gateway-core-" + VERSION + ".jar")));
    assertTrue(Files.isRegularFile(home.resolve("lib/gateway-api-" + VERSION + ".jar")));
    try (Stream<Path> plugins = Files.list(home.resolve("plugins"))) {
      assertEquals(BUNDLED_PLUGINS.stream().map(id -> id + "-" + VERSION + ".jar").collect(java.util.stream.Collectors.toSet()),
          plugins.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()),
          "exactly the bundled plugin jars in plugins/");
    }
    try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
      assertTrue(lib.noneMatch(p -> BUNDLED_PLUGINS.stream().anyMatch(id -> p.getFileName().toString().startsWith(id))
          || p.getFileName().toString().startsWith("bcprov")), "plugins (and what they bundle) are not on the core classpath");
    }
    assertTrue(Files.isRegularFile(home.resolve("conf/gatehouse.yml")));
    assertTrue(Files.isRegularFile(home.resolve("conf/dynamic/example.yml")));
    assertTrue(Files.isRegularFile(home.resolve("README.txt")));
  }

  @Test
  void versionCommandPrintsVersionAndExitsZero() throws Exception {
    Path out = work.resolve("version.out");
    ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/gatehouse").toString(), "version")
        .directory(work.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
    Installation.productEnvironment(pb);
    Process p = pb.start();
    processes.add(p);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "`gatehouse version` exits");
    assertEquals(0, p.exitValue(), () -> "exit code, output:\n" + read(out));
    assertTrue(read(out).contains("Gatehouse " + VERSION), () -> "output:\n" + read(out));
  }

  /** Help through the launcher: exit 0, the commands listed, and no class archive learnt from so short a run. */
  @Test
  void helpThroughTheLauncherListsTheCommandsAndLeavesNoClassArchive() throws Exception {
    Path cds = work.resolve("help-cds");
    for (String flag : List.of("--help", "-h", "-v")) {
      Path out = work.resolve("help.out");
      ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/gatehouse").toString(), flag)
          .directory(work.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
      Installation.productEnvironment(pb);
      pb.environment().put("GATEHOUSE_CDS_DIR", cds.toString());
      Process p = pb.start();
      processes.add(p);
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "`gatehouse " + flag + "` exits");
      assertEquals(0, p.exitValue(), () -> "exit code, output:\n" + read(out));
      assertTrue(read(out).contains(flag.equals("-v") ? "Gatehouse " + VERSION : "Commands:"), () -> read(out));
    }
    assertTrue(!Files.exists(cds) || list(cds, ".tmp").isEmpty(), "no archive from a help run");
  }

  @Test
  void routesByHostReloadsTheDynamicFileAndAnswersPing() throws Exception {
    int alpha = backend("alpha", Duration.ZERO);
    int beta = backend("beta", Duration.ZERO);
    int port = freePort();
    Path conf = staticConfig(port);
    writeRoute(conf, "app.test", alpha);

    // Started from an unrelated working directory, through a symlink in yet another folder.
    Path links = Files.createDirectories(work.resolve("links"));
    Path link = Files.createSymbolicLink(links.resolve("gh"), home.resolve("bin/gatehouse"));
    Path cwd = Files.createDirectories(work.resolve("elsewhere"));
    Gateway gw = start(link, cwd, "--configFile=" + conf);
    gw.awaitReady();

    Response r = awaitResponse(port, "app.test", "/", res -> res.status == 200, READY);
    assertEquals("alpha", r.body);
    assertEquals(404, get(port, "unknown.test", "/").status, "no router for this host");

    Response ping = get(port, "anything.test", "/ping");
    assertEquals(200, ping.status);
    assertEquals("OK", ping.body.trim());

    // Reload: replace the route; the new one serves within seconds without a restart.
    writeRoute(conf, "new.test", beta);
    Response reloaded = awaitResponse(port, "new.test", "/", res -> res.status == 200, RELOAD);
    assertEquals("beta", reloaded.body);
    awaitResponse(port, "app.test", "/", res -> res.status == 404, RELOAD);
    assertTrue(gw.process.isAlive());
  }

  @Test
  void tracingAndAccessLogGoToACollectorOverGrpcAndHttpFromThePackagedJars() throws Exception {
    int alpha = backend("alpha", Duration.ZERO);
    int port = freePort();
    try (OtlpReceiver collector = OtlpReceiver.start()) {
      Path conf = staticConfig(port);
      Files.writeString(conf, Files.readString(conf) + """
          tracing:
            serviceName: packaged
            otlp:
              grpc:
                endpoint: %s
                insecure: true
          experimental:
            otlpLogs: true
          accessLog:
            otlp:
              http:
                endpoint: %s
          """.formatted(collector.grpcAddress(), collector.httpEndpoint()));
      writeRoute(conf, "app.test", alpha);
      Gateway gw = start(home.resolve("bin/gatehouse"), work,
          Map.of("OTEL_BSP_SCHEDULE_DELAY", "100", "OTEL_BLRP_SCHEDULE_DELAY", "100"), "--configFile=" + conf);
      gw.awaitReady();
      assertEquals("alpha", awaitResponse(port, "app.test", "/", res -> res.status == 200, READY).body);

      // The SDK, its gRPC sender on Jetty's HTTP/2 client and the JDK's HTTP sender are all in lib/.
      OtlpReceiver.ReceivedSpan proxy = collector.awaitSpans(s -> s.span().getName().equals("ReverseProxy"), 1, READY).get(0);
      assertEquals("grpc", proxy.transport());
      assertTrue(proxy.resource().getAttributesList().stream()
          .anyMatch(kv -> kv.getKey().equals("service.name") && kv.getValue().getStringValue().equals("packaged")));
      assertEquals("http", collector.awaitLogs(l -> l.log().getBody().getStringValue().contains("\"app@file\""), 1, READY)
          .get(0).transport());
      assertFalse(gw.log().contains("Exception"), gw.log());
    }
  }

  @Test
  void defaultConfigurationServesTheDemoAndPing() throws Exception {
    int port = freePort();
    // conf/gatehouse.yml as shipped (the script adds it), only the port moved off :8000 for the test.
    Gateway gw = start(home.resolve("bin/gatehouse"), work, "--entryPoints.web.address=127.0.0.1:" + port);
    gw.awaitReady();
    assertEquals(200, awaitResponse(port, "localhost", "/", res -> res.status == 200, READY).status);
    assertEquals(200, get(port, "localhost", "/ping").status);
    assertFalse(gw.log().contains("ERROR"), () -> "no errors with the default configuration:\n" + gw.log());
  }

  @Test
  void sigtermExitsZeroAndARestartBindsTheSamePortAtOnce() throws Exception {
    int alpha = backend("alpha", Duration.ZERO);
    int port = freePort();
    Path conf = staticConfig(port);
    writeRoute(conf, "app.test", alpha);

    Gateway first = start(home.resolve("bin/gatehouse"), work, "--configFile=" + conf);
    first.awaitReady();
    assertEquals("alpha", awaitResponse(port, "app.test", "/", res -> res.status == 200, READY).body);

    first.process.destroy(); // SIGTERM
    assertTrue(first.process.waitFor(EXIT.toSeconds(), TimeUnit.SECONDS), "exits within the grace time");
    assertEquals(0, first.process.exitValue(), () -> "exit code after SIGTERM, log:\n" + first.log());

    Gateway second = start(home.resolve("bin/gatehouse"), work, "--configFile=" + conf);
    second.awaitReady();
    assertEquals("alpha", awaitResponse(port, "app.test", "/", res -> res.status == 200, READY).body);
    assertFalse(second.log().contains("Address already in use"), () -> second.log());
  }

  @Test
  void aRequestInFlightCompletesWhenSigtermArrives() throws Exception {
    int slow = backend("slow", Duration.ofSeconds(1));
    int port = freePort();
    Path conf = staticConfig(port);
    writeRoute(conf, "app.test", slow);

    Gateway gw = start(home.resolve("bin/gatehouse"), work, "--configFile=" + conf);
    gw.awaitReady();
    awaitResponse(port, "app.test", "/", res -> res.status == 200, READY); // routed (takes 1 s)

    CountDownLatch arrived = new CountDownLatch(1);
    backendLatch = arrived;
    CompletableFuture<Response> inFlight = CompletableFuture.supplyAsync(unchecked(() -> get(port, "app.test", "/")));
    assertTrue(arrived.await(10, TimeUnit.SECONDS), "request reached the backend");
    gw.process.destroy(); // SIGTERM while the backend is still answering

    Response r = inFlight.get(EXIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(200, r.status, () -> "in-flight request, log:\n" + gw.log());
    assertEquals("slow", r.body);
    assertTrue(gw.process.waitFor(EXIT.toSeconds(), TimeUnit.SECONDS), "exits after the request");
    assertEquals(0, gw.process.exitValue(), () -> gw.log());
  }

  @Test
  void theFirstRunLeavesAClassArchiveTheNextRunChecksAndUses() throws Exception {
    int alpha = backend("alpha", Duration.ZERO);
    int port = freePort();
    Path conf = staticConfig(port);
    writeRoute(conf, "app.test", alpha);
    Path cds = work.resolve("cds");
    Map<String, String> env = Map.of("GATEHOUSE_CDS_DIR", cds.toString());

    Gateway first = start(home.resolve("bin/gatehouse"), work, env, "--configFile=" + conf);
    first.awaitReady();
    assertTrue(arguments(first).contains("-XX:ArchiveClassesAtExit="), () -> arguments(first));
    first.process.destroy();
    assertTrue(first.process.waitFor(EXIT.toSeconds(), TimeUnit.SECONDS));
    assertEquals(0, first.process.exitValue(), () -> first.log());
    assertEquals(1, list(cds, ".tmp").size(), "a candidate archive, written at exit");

    Gateway second = start(home.resolve("bin/gatehouse"), work, env, "--configFile=" + conf);
    second.awaitReady();
    assertTrue(arguments(second).contains("-XX:SharedArchiveFile="), () -> arguments(second));
    assertEquals(1, list(cds, ".jsa").size(), "the candidate passed the check and was installed");
    assertEquals(0, list(cds, ".tmp").size());
    assertEquals("alpha", awaitResponse(port, "app.test", "/", res -> res.status == 200, READY).body);
    assertEquals("", read(second.stdout), "no CDS notes on stdout");
  }

  // ---- gateway process ----------------------------------------------------------------------------

  final class Gateway {
    final Process process;
    final Path stderr;
    final Path stdout;

    Gateway(Process process, Path stderr, Path stdout) {
      this.process = process;
      this.stderr = stderr;
      this.stdout = stdout;
    }

    String log() {
      return read(stderr);
    }

    void awaitReady() throws InterruptedException {
      String ready = "Gatehouse " + VERSION + " ready";
      long deadline = System.nanoTime() + READY.toNanos();
      while (System.nanoTime() < deadline) {
        if (log().contains(ready)) {
          return;
        }
        if (!process.isAlive()) {
          fail("gatehouse exited with " + process.exitValue() + " before '" + ready + "':\n" + log());
        }
        Thread.sleep(50);
      }
      fail("no '" + ready + "' within " + READY + ":\n" + log());
    }
  }

  Gateway start(Path script, Path cwd, String... args) throws IOException {
    return start(script, cwd, Map.of(), args);
  }

  Gateway start(Path script, Path cwd, Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(script.toString());
    command.addAll(List.of(args));
    Path stderr = Files.createTempFile(work, "gatehouse-", ".stderr");
    Path stdout = Files.createTempFile(work, "gatehouse-", ".stdout");
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
        .redirectError(stderr.toFile())
        .redirectOutput(stdout.toFile());
    Installation.productEnvironment(pb);
    pb.environment().putAll(env);
    Process p = pb.start();
    processes.add(p);
    return new Gateway(p, stderr, stdout);
  }

  /** The JVM's command line (bin/gatehouse execs java, so the process is the JVM). */
  static String arguments(Gateway gw) {
    return String.join(" ", gw.process.info().arguments().orElse(new String[0]));
  }

  static List<String> list(Path dir, String suffix) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(suffix)).toList();
    }
  }

  /** Static configuration in its own folder; the dynamic file is named relative to it. */
  Path staticConfig(int port) throws IOException {
    Path dir = Files.createDirectories(work.resolve("conf"));
    Path conf = dir.resolve("gatehouse.yml");
    Files.writeString(conf, """
        entryPoints:
          web:
            address: "127.0.0.1:%d"
            transport:
              lifeCycle:
                graceTimeOut: %ds
        ping:
          entryPoint: web
        providers:
          providersThrottleDuration: 200ms
          file:
            filename: dynamic.yml
            watch: true
        log:
          level: INFO
        """.formatted(port, GRACE.toSeconds()));
    return conf;
  }

  static void writeRoute(Path conf, String host, int backendPort) throws IOException {
    Files.writeString(conf.resolveSibling("dynamic.yml"), """
        http:
          routers:
            app:
              rule: "Host(`%s`)"
              service: app
          services:
            app:
              loadBalancer:
                servers:
                  - url: "http://127.0.0.1:%d"
        """.formatted(host, backendPort));
  }

  // ---- backends -----------------------------------------------------------------------------------

  /** When set, every backend counts it down as a request arrives (before its delay). */
  volatile CountDownLatch backendLatch;

  /** A backend on 127.0.0.1, port 0, answering its own name after {@code delay}. */
  int backend(String name, Duration delay) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    ExecutorService executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.createContext("/", exchange -> {
      try (exchange) {
        CountDownLatch latch = backendLatch;
        if (latch != null) {
          latch.countDown();
        }
        exchange.getRequestBody().readAllBytes();
        if (!delay.isZero()) {
          Thread.sleep(delay.toMillis());
        }
        byte[] body = name.getBytes(UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    server.start();
    backends.add(server);
    executors.add(executor);
    return server.getAddress().getPort();
  }

  static int freePort() throws IOException {
    return Installation.freePort();
  }

  // ---- HTTP/1.1 on a raw socket (the JDK HttpClient refuses to set Host) ------------------------------

  record Response(int status, String body) {}

  static Response get(int port, String host, String path) throws IOException {
    RawHttp.Response r = RawHttp.exchange(port, "GET " + path + " HTTP/1.1\r\nHost: " + host
        + "\r\nConnection: close\r\nUser-Agent: gatehouse-distribution-test");
    return new Response(r.status(), r.bodyText());
  }

  interface Check {
    boolean ok(Response r);
  }

  /** Polls until a response passes {@code check}; connection errors count as "not yet". */
  static Response awaitResponse(int port, String host, String path, Check check, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Object last = null;
    while (System.nanoTime() < deadline) {
      try {
        Response r = get(port, host, path);
        if (check.ok(r)) {
          return r;
        }
        last = r;
      } catch (IOException e) {
        last = e;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no expected answer from http://" + host + path + " on :" + port + " within "
        + timeout + "; last: " + last);
  }

  static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "(unreadable " + p + ": " + e + ")";
    }
  }

  static <T> Supplier<T> unchecked(ThrowingSupplier<T> s) {
    return () -> {
      try {
        return s.get();
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    };
  }

  interface ThrowingSupplier<T> {
    T get() throws Exception;
  }

}
