package dev.gatehouse.distribution;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example third-party plugin (examples/plugin-request-id), built by this build, installed the way a user
 * installs a plugin: its jar copied into the {@code plugins/} folder of an unpacked distribution. Then
 * {@code bin/gatehouse plugins} lists it, and {@code bin/gatehouse} serves a file configuration that uses its
 * {@code requestId} middleware and its {@code Weekday} matcher.
 *
 * <p>The same through Docker labels ({@code traefik.http.middlewares.rid.requestId.headerName=...}) belongs with
 * the Docker provider's distribution tests, which are not in this build yet.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ExamplePluginIT {

  static final String VERSION = System.getProperty("gatehouse.test.version", "0.1.0-SNAPSHOT");

  @TempDir Path installRoot;
  @TempDir Path work;

  Process gateway;
  HttpServer backend;
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() throws InterruptedException {
    if (gateway != null && gateway.isAlive()) {
      gateway.destroy();
      if (!gateway.waitFor(30, TimeUnit.SECONDS)) {
        gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (backend != null) {
      backend.stop(0);
    }
  }

  @Test
  void examplePluginFromTheFolderServesItsMiddlewareAndMatcher() throws Exception {
    Path home = unzip();
    Path jar = Path.of(System.getProperty("gatehouse.test.example.plugin", "target/example-plugins/plugin-request-id.jar"));
    assertTrue(Files.isRegularFile(jar), "example plugin not built: " + jar.toAbsolutePath());
    Files.copy(jar, home.resolve("plugins").resolve(jar.getFileName()));

    int port = freePort();
    Path conf = Files.createDirectories(work.resolve("conf")).resolve("gatehouse.yml");
    Files.writeString(conf, """
        entryPoints:
          web:
            address: "127.0.0.1:%d"
        providers:
          file:
            filename: dynamic.yml
        """.formatted(port));
    int backendPort = startBackend();
    Files.writeString(conf.resolveSibling("dynamic.yml"), """
        http:
          routers:
            traced:
              rule: PathPrefix(`/traced`) && Weekday(`mon`, `sun`)
              middlewares: [trace]
              service: app
            closed-today:
              rule: PathPrefix(`/closed`) && Weekday(`%s`, `%s`)
              service: app
          middlewares:
            trace:
              requestId:
                headerName: X-Trace-Id
          services:
            app:
              loadBalancer:
                servers:
                  - url: "http://127.0.0.1:%d"
        """.formatted(day(1), day(6), backendPort));

    // bin/gatehouse plugins: the plugin would load, with both extensions.
    Path listing = work.resolve("plugins.out");
    ProcessBuilder list = new ProcessBuilder(home.resolve("bin/gatehouse").toString(), "plugins", "--configFile=" + conf)
        .directory(work.toFile()).redirectErrorStream(true).redirectOutput(listing.toFile());
    productEnvironment(list);
    Process plugins = list.start();
    assertTrue(plugins.waitFor(60, TimeUnit.SECONDS), "gatehouse plugins exits");
    String listed = Files.readString(listing);
    assertEquals(0, plugins.exitValue(), listed);
    assertTrue(listed.contains("request-id 1.0.0  started  (requires API >=0.1.0 & <0.2.0)"), listed);
    assertTrue(listed.contains("matcher Weekday") && listed.contains("middleware type requestId"), listed);

    // bin/gatehouse with the file configuration.
    Path log = work.resolve("gatehouse.log");
    ProcessBuilder run = new ProcessBuilder(home.resolve("bin/gatehouse").toString(), "--configFile=" + conf)
        .directory(work.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    productEnvironment(run);
    gateway = run.start();
    awaitLog(log, "Gatehouse " + VERSION + " ready");
    assertTrue(Files.readString(log).contains("Loaded plugin request-id 1.0.0"), Files.readString(log));

    HttpResponse<String> fresh = get(port, "/traced/a", null);
    assertEquals(200, fresh.statusCode(), fresh.body());
    String id = fresh.headers().firstValue("X-Trace-Id").orElse(null);
    assertNotNull(id, fresh.headers().map().toString());
    assertEquals("X-Trace-Id=" + id, fresh.body(), "the backend saw the id the client got");

    HttpResponse<String> given = get(port, "/traced/b", "client-7");
    assertEquals("client-7", given.headers().firstValue("X-Trace-Id").orElse(null));
    assertEquals("X-Trace-Id=client-7", given.body());

    assertEquals(404, get(port, "/closed", null).statusCode(), "Weekday leaves out today");
  }

  /** The day {@code offset} days after today (UTC), as the Weekday matcher takes it. */
  static String day(int offset) {
    DayOfWeek day = LocalDate.now(ZoneOffset.UTC).getDayOfWeek().plus(offset);
    return day.name().substring(0, 3).toLowerCase(Locale.ROOT);
  }

  HttpResponse<String> get(int port, String path, String traceId) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10));
    if (traceId != null) {
      request.header("X-Trace-Id", traceId);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Answers with the X-Trace-Id it received. */
  int startBackend() throws IOException {
    backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    backend.createContext("/", exchange -> {
      try (exchange) {
        byte[] body = ("X-Trace-Id=" + exchange.getRequestHeaders().getFirst("X-Trace-Id")).getBytes(UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      }
    });
    backend.start();
    return backend.getAddress().getPort();
  }

  Path unzip() throws IOException {
    Path zip = Path.of(System.getProperty("gatehouse.test.zip", "target/gatehouse-" + VERSION + ".zip"));
    assertTrue(Files.isRegularFile(zip), "distribution zip not built: " + zip.toAbsolutePath());
    try (FileSystem fs = FileSystems.newFileSystem(zip, Map.of("enablePosixFileAttributes", "true"));
        Stream<Path> entries = Files.walk(fs.getPath("/"))) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        Path target = installRoot.resolve(fs.getPath("/").relativize(entry).toString());
        if (Files.isDirectory(entry)) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(entry, target);
          Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(entry));
        }
      }
    }
    return installRoot.resolve("gatehouse-" + VERSION);
  }

  /** The JDK running the tests, and the product's default JVM options (not the build's). */
  static void productEnvironment(ProcessBuilder pb) {
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().remove("JAVA_OPTS");
    pb.environment().remove("GATEHOUSE_OPTS");
  }

  void awaitLog(Path log, String text) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      String content = Files.exists(log) ? Files.readString(log) : "";
      if (content.contains(text)) {
        return;
      }
      if (!gateway.isAlive()) {
        fail("gatehouse exited with " + gateway.exitValue() + " before '" + text + "':\n" + content);
      }
      Thread.sleep(50);
    }
    fail("no '" + text + "' within 60 s:\n" + Files.readString(log));
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
