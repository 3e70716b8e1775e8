package dev.gatehouse.distribution;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gatehouse.it.DockerEngine;
import dev.gatehouse.it.Poll;
import dev.gatehouse.it.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image (scripts/build-image.sh) and examples/compose/ run as a user runs them, with docker-compose
 * against the engine of ./test.sh: both services answer through the gateway by Host, the HTTPS router gets a
 * certificate from Pebble (./test.sh's Let's Encrypt stand-in), and {@code docker restart} of the gateway's container
 * brings it back serving within seconds, with the same certificate and no error or warning in its log.
 *
 * <p>The example runs with examples/compose/test.yml over it (Pebble instead of Let's Encrypt, free ports, host
 * networking: Pebble listens on the host's 127.0.0.1 and validates there). Host networking cannot be combined with
 * published ports, so the copy of the example run here has the gateway's two {@code ports} lines taken out; the rest
 * is the file as shipped. The image is built once per distribution build (the script skips an up-to-date image):
 * about 80 s on the 2-core machine; the rest of the test about 30 s.
 */
class ComposeExampleIT {

  private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
  private static final Path EXAMPLE = REPOSITORY.resolve("examples/compose");
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** "Within seconds": the measured restart is 5-10 s on the loaded 2-core machine (JVM start and provider sync). */
  private static final Duration RESTARTED_WITHIN = Duration.ofSeconds(30);
  private static final Pattern WARNING_OR_ERROR = Pattern.compile("^\\S+ (WARN|ERROR) ", Pattern.MULTILINE);

  @TempDir
  Path dir;

  @Test
  void theExampleServesBothServicesGetsACertificateAndComesBackAfterDockerRestart() throws Exception {
    DockerEngine docker = DockerEngine.require();
    String pebble = System.getenv("IT_PEBBLE_DIRECTORY");
    Assumptions.assumeTrue(pebble != null && !pebble.isBlank(),
        "IT_PEBBLE_DIRECTORY is not set: this test needs the Pebble that ./test.sh starts");
    try (docker) {
      String image = "gatehouse:" + Installation.VERSION;
      Path dist = Path.of("target/gatehouse-" + Installation.VERSION).toAbsolutePath();
      // The JDK running the tests (17, the build's target) makes the image's runtime.
      Path jdk = Path.of(System.getProperty("java.home"));
      Result build = exec(600, Map.of("DOCKER_HOST", docker.host(), "JAVA_HOME", jdk.toString()),
          List.of(REPOSITORY.resolve("scripts/build-image.sh").toString(), dist.toString(), image));
      assertEquals(0, build.status, "scripts/build-image.sh failed:\n" + build.output);

      Path project = copyOfTheExample();
      int webPort = Installation.freePort();
      int websecurePort = Integer.parseInt(System.getenv("IT_PEBBLE_TLS_PORT"));
      String socket = docker.host().replaceFirst("^unix://", "");
      Map<String, String> env = Map.of("GATEHOUSE_IMAGE", image, "BACKEND_IMAGE", docker.image(),
          "DOCKER_SOCKET", socket, "DOCKER_GID", String.valueOf(Files.getAttribute(Path.of(socket), "unix:gid")),
          "WEB_PORT", String.valueOf(webPort));
      String name = "ghcompose" + UUID.randomUUID().toString().substring(0, 8);
      List<String> compose = List.of("docker-compose", "-H", docker.host(), "-p", name,
          "-f", project.resolve("docker-compose.yml").toString(), "-f", project.resolve("test.yml").toString());
      try {
        Result up = exec(300, env, concat(compose, "up", "-d"));
        assertEquals(0, up.status, "docker-compose up failed:\n" + up.output);
        String gateway = name + "_gatehouse_1";

        awaitSites(webPort, websecurePort, "after docker-compose up", docker, gateway);
        // Until the order completes, the router is served with the default certificate.
        X509Certificate issued = Poll.untilValue("a certificate from Pebble for two.example.com", WAIT,
            () -> certificate(websecurePort), c -> c.getIssuerX500Principal().getName().contains("Pebble"));

        long restart = System.nanoTime();
        docker.docker("restart", gateway);
        awaitSites(webPort, websecurePort, "after docker restart", docker, gateway);
        Duration back = Duration.ofNanos(System.nanoTime() - restart);
        System.out.printf("ComposeExampleIT: serving again %d ms after `docker restart` was called%n", back.toMillis());
        assertTrue(back.compareTo(RESTARTED_WITHIN) < 0, "serving again only after " + back.toMillis() + " ms");
        assertEquals(issued.getSerialNumber(), certificate(websecurePort).getSerialNumber(),
            "after the restart the certificate comes from the ACME storage volume, not from a new order");

        String log = docker.docker("logs", gateway);
        assertEquals(2, log.split("ready in ", -1).length - 1, "two starts in the log:\n" + log);
        assertTrue(!WARNING_OR_ERROR.matcher(log).find() && !log.contains("Exception")
                && !log.contains("closed network connection") && !log.contains("Server closed"),
            "no warning or error in the gateway's log across the restart:\n" + log);
      } finally {
        exec(120, env, concat(compose, "down", "-v", "-t", "2"));
      }
    }
  }

  /** The example's files as shipped, less the gateway's published ports (host networking in the test). */
  private Path copyOfTheExample() throws IOException {
    Path project = Files.createDirectories(dir.resolve("compose"));
    List<String> lines = Files.readAllLines(EXAMPLE.resolve("docker-compose.yml"), UTF_8);
    List<String> kept = lines.stream()
        .filter(l -> !l.equals("    ports:") && !l.matches(" {6}- \"(80:80|443:443)\""))
        .collect(Collectors.toList());
    assertEquals(lines.size() - 3, kept.size(), "the gateway's ports block in examples/compose/docker-compose.yml changed");
    Files.write(project.resolve("docker-compose.yml"), kept, UTF_8);
    Files.copy(EXAMPLE.resolve("test.yml"), project.resolve("test.yml"));
    for (String site : List.of("site-one", "site-two")) {
      Files.createDirectories(project.resolve(site));
      Files.copy(EXAMPLE.resolve(site).resolve("index.html"), project.resolve(site).resolve("index.html"));
    }
    return project;
  }

  private static void awaitSites(int webPort, int websecurePort, String when, DockerEngine docker, String gateway)
      throws InterruptedException {
    try {
      Poll.until("one.example.com on the web entry point " + when, WAIT,
          () -> RawHttp.exchange(webPort, "GET / HTTP/1.1\r\nHost: one.example.com\r\nConnection: close")
              .bodyText().contains("hello from site one"));
      Poll.until("two.example.com over HTTPS " + when, WAIT,
          () -> https(websecurePort).contains("hello from site two"));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\ngateway log:\n" + docker.docker("logs", gateway), e);
    }
  }

  /** GET https://two.example.com/ at 127.0.0.1:{@code port} (SNI two.example.com); the body. */
  private static String https(int port) throws Exception {
    try (SSLSocket socket = open(port)) {
      OutputStream out = socket.getOutputStream();
      out.write("GET / HTTP/1.1\r\nHost: two.example.com\r\nConnection: close\r\n\r\n".getBytes(UTF_8));
      out.flush();
      RawHttp.Response response = RawHttp.read(socket.getInputStream());
      return response.status() + " " + response.bodyText();
    }
  }

  private static X509Certificate certificate(int port) throws Exception {
    try (SSLSocket socket = open(port)) {
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  /**
   * A TLS connection to 127.0.0.1:{@code port} for two.example.com that accepts any certificate: Pebble's roots are
   * new at every start; the test checks which certificate is served instead.
   */
  private static SSLSocket open(int port) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    Socket plain = new Socket();
    plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    plain.setSoTimeout(10_000);
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setServerNames(List.of(new SNIHostName("two.example.com")));
    socket.setSSLParameters(parameters);
    return socket;
  }

  private static List<String> concat(List<String> head, String... tail) {
    return Stream.concat(head.stream(), Stream.of(tail)).collect(Collectors.toList());
  }

  private record Result(int status, String output) {
  }

  private static Result exec(int timeoutSeconds, Map<String, String> env, List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      fail(command.get(0) + " cannot be run (" + e.getMessage() + "): ./test.sh installs it (docker-compose, Debian)");
      return null;
    }
    CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return new Result(-1, "timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
    }
    return new Result(process.exitValue(), output.get(10, TimeUnit.SECONDS));
  }

  private static String read(InputStream in) {
    try {
      return new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
