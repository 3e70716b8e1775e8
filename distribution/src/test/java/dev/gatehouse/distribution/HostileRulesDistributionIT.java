package dev.gatehouse.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, items 1 and 4, against the distribution as a user runs it ({@code bin/gatehouse}, with the product's
 * JVM options: a bounded heap, 512 KiB thread stacks, exit on OutOfMemoryError). The 104-byte dynamic file
 * made the JVM run out of memory and exit with status 3, at start and again at every restart, and made
 * {@code gatehouse check} die the same way; a router whose rule is 10,000 {@code &&} terms threw
 * StackOverflowError, rejected the whole configuration and blocked every later change. Now the process stays
 * up, reports each element's error in one line, serves every other router, and applies later changes; {@code
 * check} lists the errors and exits 1, as docs/operations.md says.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HostileRulesDistributionIT {

  /** The file: 104 bytes, one router whose regexp compiles to 10^8 instructions. */
  static final String BOMB_FILE = """
      http:
        routers:
          bomb:
            rule: "PathRegexp(`((((a{100}){100}){100}){100})`)"
            service: app
      """;

  @TempDir static Path installRoot;
  static Path home;

  @TempDir Path work;
  HttpServer backend;
  Installation.Running gateway;
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void unzip() throws IOException {
    home = Installation.unzip(installRoot);
  }

  @BeforeEach
  void startBackend() throws IOException {
    backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    backend.createContext("/", exchange -> {
      byte[] body = "backend".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    backend.start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (gateway != null) {
      gateway.close();
    }
    backend.stop(0);
  }

  @Test
  void hostileRulesDisableTheirRoutersAloneInTheRunningGatewayAndInCheck() throws Exception {
    int port = Installation.freePort();
    Path conf = Files.createDirectories(work.resolve("conf"));
    Path dynamic = Files.createDirectories(conf.resolve("dynamic"));
    Path config = conf.resolve("gatehouse.yml");
    Files.writeString(config, """
        entryPoints:
          web:
            address: "127.0.0.1:%d"
        providers:
          providersThrottleDuration: 200ms
          file:
            directory: dynamic
            watch: true
        log:
          level: INFO
        """.formatted(port));
    Files.writeString(dynamic.resolve("bomb.yml"), BOMB_FILE);
    assertEquals(104, Files.size(dynamic.resolve("bomb.yml")), "the issue's file is 104 bytes");
    String chain = String.join(" && ", Collections.nCopies(10_000, "PathPrefix(`/chain`)"));
    Files.writeString(dynamic.resolve("chain.yml"), """
        http:
          routers:
            chain:
              rule: "%s"
              service: app
            deep:
              rule: "%sPathPrefix(`/deep`)%s"
              service: app
        """.formatted(chain, "(".repeat(100), ")".repeat(100)));
    Files.writeString(dynamic.resolve("good.yml"), """
        http:
          routers:
            good:
              rule: PathPrefix(`/good`)
              service: app
          services:
            app:
              loadBalancer:
                servers:
                  - url: http://127.0.0.1:%d
        """.formatted(backend.getAddress().getPort()));

    gateway = Installation.start(home, work, work.resolve("gatehouse.log"), "--configFile=" + config);
    gateway.awaitReady();
    String base = "http://127.0.0.1:" + port;
    assertEquals(200, status(base + "/good"), gateway.output());
    assertEquals(200, status(base + "/chain/x"), "the 10,000-term router serves\n" + gateway.output());
    assertEquals(404, status(base + "/aaaa"));
    gateway.awaitLog("router bomb@file");
    String log = gateway.output();
    assertTrue(log.contains("PathRegexp regexp `((((a{100}){100}){100}){100})` is refused: its nested repetition "
        + "counts multiply to 100,000,000; the limit is 1,000"), log);
    assertTrue(log.contains("router deep@file") && log.contains("nests '(' and '!' more than 64 levels deep"), log);
    assertFalse(log.contains("router chain@file"), log);
    assertNoCrashOrStackTrace(log);

    // A later, unrelated change is applied: the bad routers block nothing.
    Files.writeString(dynamic.resolve("later.yml"), """
        http:
          routers:
            later:
              rule: PathPrefix(`/later`)
              service: app@file
        """);
    awaitStatus(base + "/later", 200);
    assertTrue(gateway.process().isAlive());
    assertEquals(200, status(base + "/good"));
    assertNoCrashOrStackTrace(gateway.output());

    // `gatehouse check` on the same files: the errors, exit 1 (docs/operations.md), no crash.
    Path checkOut = work.resolve("check.out");
    ProcessBuilder check = new ProcessBuilder(home.resolve("bin/gatehouse").toString(), "check",
        "--configFile=" + config).directory(work.toFile()).redirectErrorStream(true).redirectOutput(checkOut.toFile());
    Installation.productEnvironment(check);
    Process checking = check.start();
    assertTrue(checking.waitFor(60, TimeUnit.SECONDS), "check finishes");
    String output = Files.readString(checkOut);
    assertEquals(1, checking.exitValue(), output);
    assertTrue(output.contains("gatehouse check: 2 errors:"), output);
    assertTrue(output.contains("router bomb@file") && output.contains("multiply to 100,000,000"), output);
    assertTrue(output.contains("router deep@file"), output);
    assertNoCrashOrStackTrace(output);
  }

  static void assertNoCrashOrStackTrace(String log) {
    assertTrue(log.lines().noneMatch(line -> line.contains("OutOfMemoryError") || line.contains("StackOverflowError")
        || line.startsWith("\tat ") || line.length() > 2_000), log.length() > 20_000 ? log.substring(0, 20_000) : log);
  }

  int status(String url) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  void awaitStatus(String url, int expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    int last = -1;
    while (System.nanoTime() < deadline) {
      last = status(url);
      if (last == expected) {
        return;
      }
      if (!gateway.process().isAlive()) {
        fail("gatehouse exited with " + gateway.process().exitValue() + ":\n" + gateway.output());
      }
      Thread.sleep(100);
    }
    fail(url + " answered " + last + ", not " + expected + ", within 30 s:\n" + gateway.output());
  }
}
