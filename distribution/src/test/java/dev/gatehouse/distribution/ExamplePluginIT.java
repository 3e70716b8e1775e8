package dev.gatehouse.distribution;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.it.DockerEngine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example third-party plugin (examples/plugin-request-id), built by this build, installed the way a user
 * installs a plugin: its jar copied into the {@code plugins/} folder of an unpacked distribution. Then
 * {@code bin/gatehouse plugins} lists it, and {@code bin/gatehouse} serves a file configuration that uses its
 * {@code requestId} middleware and its {@code Weekday} matcher, and the same declared by Docker labels
 * ({@code traefik.http.middlewares.trace.requestId.headerName=...}) on a container started on the engine of
 * ./test.sh.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ExamplePluginIT {

  @TempDir Path installRoot;
  @TempDir Path work;

  Installation.Running gateway;
  HttpServer backend;
  DockerEngine docker;
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() throws InterruptedException {
    if (gateway != null) {
      gateway.close();
    }
    if (backend != null) {
      backend.stop(0);
    }
    if (docker != null) {
      docker.close();
    }
  }

  /** An unpacked distribution with the example plugin's jar copied into its plugins/ folder. */
  Path installWithPlugin() throws IOException {
    Path home = Installation.unzip(installRoot);
    Path jar = Path.of(System.getProperty("gatehouse.test.example.plugin", "target/example-plugins/plugin-request-id.jar"));
    assertTrue(Files.isRegularFile(jar), "example plugin not built: " + jar.toAbsolutePath());
    Files.copy(jar, home.resolve("plugins").resolve(jar.getFileName()));
    return home;
  }

  @Test
  void examplePluginFromTheFolderServesItsMiddlewareAndMatcher() throws Exception {
    Path home = installWithPlugin();
    int port = Installation.freePort();
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
    Installation.productEnvironment(list);
    Process plugins = list.start();
    assertTrue(plugins.waitFor(60, TimeUnit.SECONDS), "gatehouse plugins exits");
    String listed = Files.readString(listing);
    assertEquals(0, plugins.exitValue(), listed);
    assertTrue(listed.contains("request-id 1.0.0  started  (requires API >=0.2.0 & <0.3.0)"), listed);
    assertTrue(listed.contains("matcher Weekday") && listed.contains("middleware type requestId"), listed);

    // bin/gatehouse with the file configuration.
    gateway = Installation.start(home, work, work.resolve("gatehouse.log"), "--configFile=" + conf);
    gateway.awaitReady();
    assertTrue(gateway.output().contains("Loaded plugin request-id 1.0.0"), gateway.output());

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

  @Test
  void examplePluginMiddlewareAndMatcherFromDockerLabels() throws Exception {
    docker = DockerEngine.require();
    Path home = installWithPlugin();
    String run = UUID.randomUUID().toString().substring(0, 8);
    int port = Installation.freePort();
    int echo = Installation.freePort();
    EchoContainer.run(docker, "gh-rid-" + run, work, echo, List.of(
        "test.run=" + run,
        "traefik.http.services.app.loadbalancer.server.port=" + echo,
        "traefik.http.routers.traced.rule=PathPrefix(`/cgi-bin/echo/traced`) && Weekday(`mon`, `sun`)",
        "traefik.http.routers.traced.middlewares=trace",
        "traefik.http.middlewares.trace.requestId.headerName=X-Trace-Id",
        "traefik.http.routers.closed.rule=PathPrefix(`/cgi-bin/echo/closed`) && Weekday(`" + day(1) + "`, `" + day(6) + "`)"));
    Path conf = Files.createDirectories(work.resolve("conf")).resolve("gatehouse.yml");
    Files.writeString(conf, """
        entryPoints:
          web:
            address: "127.0.0.1:%d"
        providers:
          providersThrottleDuration: 200ms
          docker:
            endpoint: "%s"
            constraints: "Label(`test.run`,`%s`)"
        """.formatted(port, docker.host(), run));
    gateway = Installation.start(home, work, work.resolve("gatehouse.log"), "--configFile=" + conf);
    gateway.awaitReady();

    HttpResponse<String> fresh = awaitRouted(port, "/cgi-bin/echo/traced/a");
    String id = fresh.headers().firstValue("X-Trace-Id").orElse(null);
    assertNotNull(id, fresh.headers().map().toString());
    assertEquals(id, EchoContainer.parse(fresh.body()).get("HTTP_X_TRACE_ID"), "the backend saw the id the client got");

    HttpResponse<String> given = get(port, "/cgi-bin/echo/traced/b", "client-7");
    assertEquals("client-7", given.headers().firstValue("X-Trace-Id").orElse(null));
    assertEquals("client-7", EchoContainer.parse(given.body()).get("HTTP_X_TRACE_ID"));

    assertEquals(404, get(port, "/cgi-bin/echo/closed", null).statusCode(), "Weekday leaves out today");
    assertTrue(gateway.output().contains("Loaded plugin request-id 1.0.0"), gateway.output());
  }

  /** Polls until the container's router answers 200 (the provider reads the engine after start). */
  HttpResponse<String> awaitRouted(int port, String path) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    HttpResponse<String> last = null;
    while (System.nanoTime() < deadline) {
      last = get(port, path, null);
      if (last.statusCode() == 200) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(path + " not routed within 30 s; last " + last.statusCode() + " " + last.body()
        + "\n" + gateway.output());
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

}
