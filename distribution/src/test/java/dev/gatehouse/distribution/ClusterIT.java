package dev.gatehouse.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.it.EtcdServer;
import dev.gatehouse.it.Poll;
import dev.gatehouse.it.RawHttp;
import dev.gatehouse.it.RedisServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's proof that several instances act as one: three {@code bin/gatehouse} processes from the distribution
 * zip, one real etcd (their shared provider and certificate storage), one real Redis (their shared rate limit), the
 * real Pebble of ./test.sh (skipped without it, as the other ACME tests), a backend on loopback.
 *
 * <p>Only instance {@code c} listens on the port Pebble validates HTTP-01 on, so an order by {@code a} or {@code b}
 * succeeds only when {@code c} answers the challenge it found in the store. Each instance also has a file provider of
 * its own, so a test can make one instance (not all) want a certificate. The set-up (three gateways) is shared; the
 * tests run in order, the ones that kill or stop an instance last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterIT {

  /** The static providersThrottleDuration of every instance; a change in etcd is served within it + 500 ms. */
  private static final Duration THROTTLE = Duration.ofMillis(500);
  /** How long etcd is down in the outage test (the issue's 30 s). */
  private static final Duration ETCD_OUTAGE = Duration.ofSeconds(30);
  /** The order lock's lease (certresolver-acme's ORDER_LOCK_TTL): a killed holder's lock is gone after it. */
  private static final Duration ORDER_LOCK_LEASE = Duration.ofSeconds(30);
  private static final Duration ISSUE_WAIT = Duration.ofSeconds(90);
  private static final int RATE_AVERAGE = 100;
  /**
   * The limit's burst: tokens that pile up while no request comes (the senders stalled on a loaded machine) are kept
   * up to it, so a stall shorter than burst/average (0.5 s) loses none of the average. The window counted starts once
   * the load has emptied the bucket, so the burst itself is not counted.
   */
  private static final int RATE_BURST = 50;
  private static final Duration RATE_WINDOW = Duration.ofSeconds(10);
  private static final String DIRECTORY = System.getenv("IT_PEBBLE_DIRECTORY");
  private static final String ROUTED_BODY = "cluster-backend";

  @TempDir
  static Path dir;

  private EtcdServer etcd;
  private RedisServer redis;
  private HttpServer backend;
  private final List<Instance> instances = new ArrayList<>();
  private Instance a;
  private Instance b;
  private Instance c;

  /** One gateway process and its ports; {@code dynamic} is its own file provider's folder. */
  private record Instance(String name, Installation.Running running, int web, int websecure, int api, Path dynamic) {
    String log() {
      return running.output();
    }
  }

  @BeforeAll
  void startCluster() throws Exception {
    assumeTrue(DIRECTORY != null, "Pebble is not running (test.sh starts it)");
    Path home = Installation.unzip(dir.resolve("install"));
    etcd = EtcdServer.in(dir.resolve("etcd")).start();
    redis = RedisServer.in(dir.resolve("redis")).start();
    backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/", exchange -> {
      byte[] body = ROUTED_BODY.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    backend.setExecutor(Executors.newFixedThreadPool(8));
    backend.start();
    // Every instance's etcd provider serves this service; routers are added by the tests.
    etcd.put("traefik/http/services/backend/loadbalancer/servers/0/url",
        "http://127.0.0.1:" + backend.getAddress().getPort());

    int pebbleHttp = Integer.parseInt(System.getenv("IT_PEBBLE_HTTP_PORT"));
    for (String name : List.of("a", "b", "c")) {
      int web = name.equals("c") ? pebbleHttp : Installation.freePort();
      int websecure = Installation.freePort();
      int api = Installation.freePort();
      Path cwd = Files.createDirectories(dir.resolve(name));
      Path dynamic = Files.createDirectories(cwd.resolve("dynamic"));
      Path conf = cwd.resolve("gatehouse.yml");
      Files.writeString(conf, staticConfig(web, websecure, api, dynamic));
      instances.add(new Instance(name, Installation.start(home, cwd, cwd.resolve("gatehouse.log"), "--configFile=" + conf),
          web, websecure, api, dynamic));
    }
    for (Instance instance : instances) {
      instance.running().awaitReady();
    }
    a = instances.get(0);
    b = instances.get(1);
    c = instances.get(2);
  }

  @AfterAll
  void stopCluster() throws Exception {
    for (Instance instance : instances) {
      instance.running().close();
    }
    if (backend != null) {
      backend.stop(0);
      ((ExecutorService) backend.getExecutor()).shutdownNow();
    }
    if (redis != null) {
      redis.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  private String staticConfig(int web, int websecure, int api, Path dynamic) {
    return """
        entryPoints:
          web:
            address: "127.0.0.1:%d"
          websecure:
            address: "127.0.0.1:%d"
          traefik:
            address: "127.0.0.1:%d"
        api:
          insecure: true
        providers:
          providersThrottleDuration: %dms
          etcd:
            endpoints: ["%s"]
          file:
            directory: "%s"
            watch: true
        storage:
          etcd:
            endpoints: ["%s"]
        certificatesResolvers:
          le:
            acme:
              email: ops@example.com
              caServer: %s
              storage: acme.json
              caCertificates: ["%s"]
              httpChallenge:
                entryPoint: web
        """.formatted(web, websecure, api, THROTTLE.toMillis(), etcd.address(), dynamic, etcd.address(), DIRECTORY,
        System.getenv("IT_PEBBLE_CA"));
  }

  // ---- 1. a router written once into etcd is served by all three -----------------------------------------------

  @Test
  @Order(1)
  void aRouterWrittenOnceIntoEtcdIsServedByAllThreeWithinTheThrottlePlusHalfASecond() throws Exception {
    String host = "once.cluster.test";
    // A first router, untimed: the instances have just started, and the first configuration they apply from etcd
    // runs code the JVM has not compiled yet. The timed one is the steady state.
    etcd.putAll(Map.of("traefik/http/routers/warmup/entrypoints/0", "web",
        "traefik/http/routers/warmup/service", "backend",
        "traefik/http/routers/warmup/rule", "Host(`warmup.cluster.test`)"));
    for (Instance instance : instances) {
      Poll.until(instance.name() + " routes warmup.cluster.test", Duration.ofSeconds(15),
          () -> routes(instance, "warmup.cluster.test"), instance::log);
    }
    // One etcd transaction (one revision, one watch event), timed from just before etcdctl starts.
    long written = System.nanoTime();
    etcd.putAll(Map.of("traefik/http/routers/once/entrypoints/0", "web",
        "traefik/http/routers/once/service", "backend",
        "traefik/http/routers/once/rule", "Host(`" + host + "`)"));
    long[] servedAfterMillis = new long[instances.size()];
    Poll.until("all three route " + host, THROTTLE.plusSeconds(10), () -> {
      boolean all = true;
      for (int i = 0; i < instances.size(); i++) {
        if (servedAfterMillis[i] == 0) {
          if (routes(instances.get(i), host)) {
            servedAfterMillis[i] = Math.max(1, (System.nanoTime() - written) / 1_000_000);
          } else {
            all = false;
          }
        }
      }
      return all;
    });
    System.out.println("ClusterIT propagation: served by a, b, c after " + Arrays.toString(servedAfterMillis)
        + " ms (etcdctl's start included)");
    long slowest = Arrays.stream(servedAfterMillis).max().orElseThrow();
    assertTrue(slowest <= THROTTLE.plusMillis(500).toMillis(),
        "served by all three after " + Arrays.toString(servedAfterMillis) + " ms; expected within "
            + THROTTLE.plusMillis(500).toMillis() + " ms");
  }

  // ---- 2. rateLimit with redis: one limit for the three --------------------------------------------------------

  @Test
  @Order(2)
  void aRateLimitWithRedisLetsThroughItsAverageAcrossTheThreeInstances() throws Exception {
    String path = "/limited";
    etcd.putAll(Map.of("traefik/http/middlewares/shared-limit/ratelimit/average", String.valueOf(RATE_AVERAGE),
        "traefik/http/middlewares/shared-limit/ratelimit/burst", String.valueOf(RATE_BURST),
        "traefik/http/middlewares/shared-limit/ratelimit/redis/endpoints/0", redis.address(),
        "traefik/http/routers/limited/entrypoints/0", "web",
        "traefik/http/routers/limited/service", "backend",
        "traefik/http/routers/limited/middlewares/0", "shared-limit",
        "traefik/http/routers/limited/rule", "PathPrefix(`" + path + "`)"));
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    for (Instance instance : instances) {
      Poll.until(instance.name() + " routes " + path, Duration.ofSeconds(10),
          () -> send(client, instance, path) != 404, instance::log);
    }

    // Each instance is offered about 150 requests/s (paced senders on kept-alive connections): more than the average,
    // so each instance's own in-memory limiter would let 100/s through, 300/s for the three. Shared in Redis, the
    // three let 100/s through together.
    int sendersPerInstance = 4;
    Duration interval = Duration.ofNanos(1_000_000_000L / 38);
    long maxPerSender = RATE_WINDOW.toNanos() / interval.toNanos();
    // Each answer as (sent at, status). The bucket starts full (its burst on top of the average): the window counted
    // starts at the first 429, when the load has emptied it, and ends with the last answer.
    Queue<long[]> answers = new ConcurrentLinkedQueue<>();
    AtomicLong firstLimited = new AtomicLong(Long.MAX_VALUE);
    AtomicLong lastAnswered = new AtomicLong(Long.MIN_VALUE);
    ExecutorService senders = Executors.newFixedThreadPool(instances.size() * sendersPerInstance);
    try {
      List<Future<?>> running = new ArrayList<>();
      long start = System.nanoTime();
      for (Instance instance : instances) {
        for (int s = 0; s < sendersPerInstance; s++) {
          running.add(senders.submit(() -> {
            for (long n = 0; n < maxPerSender && System.nanoTime() - start < RATE_WINDOW.toNanos(); n++) {
              long wait = start + n * interval.toNanos() - System.nanoTime();
              if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);   // pacing the load, not waiting for an event
              }
              long sent = System.nanoTime();
              int status = send(client, instance, path);
              long answered = System.nanoTime();
              lastAnswered.accumulateAndGet(answered, Math::max);
              if (status == 429) {
                firstLimited.accumulateAndGet(answered, Math::min);
              }
              answers.add(new long[] {sent, status});
            }
            return null;
          }));
        }
      }
      for (Future<?> sender : running) {
        sender.get(RATE_WINDOW.toSeconds() + 30, TimeUnit.SECONDS);
      }
    } finally {
      senders.shutdownNow();
    }
    assertTrue(firstLimited.get() != Long.MAX_VALUE, "nothing was limited: " + answers.size() + " requests");
    long windowStart = firstLimited.get();
    double seconds = (lastAnswered.get() - windowStart) / 1e9;
    int allowed = 0;
    int limited = 0;
    int other = 0;
    for (long[] answer : answers) {
      if (answer[0] >= windowStart) {
        if (answer[1] == 200) {
          allowed++;
        } else if (answer[1] == 429) {
          limited++;
        } else {
          other++;
        }
      }
    }
    // Over the window the requests actually took (a loaded machine makes it longer than RATE_WINDOW).
    double expected = RATE_AVERAGE;
    double allowedRate = allowed / seconds;
    double offeredPerInstance = (allowed + limited + other) / seconds / instances.size();
    String summary = ("%d allowed, %d limited (429), %d other over %.2f s: %.1f/s allowed (expected %.0f/s), "
        + "%.1f/s offered to each instance")
        .formatted(allowed, limited, other, seconds, allowedRate, expected, offeredPerInstance);
    System.out.println("ClusterIT rate limit: " + summary);
    assertEquals(0, other, summary);
    assertTrue(offeredPerInstance > RATE_AVERAGE * 1.1,
        "the load was too small to tell a shared limit from three separate ones: " + summary);
    assertTrue(Math.abs(allowedRate - expected) <= RATE_AVERAGE * 0.1,
        "expected " + RATE_AVERAGE + "/s ± 10 % for the three together: " + summary);
  }

  /** The status of {@code GET path} on the instance's web entry point, over the client's kept-alive connections. */
  private static int send(HttpClient client, Instance instance, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.web() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  // ---- 3. one order per domain, one certificate for all, validation answered by another instance ---------------

  @Test
  @Order(3)
  void oneInstanceOrdersTheCertificateAnotherAnswersTheValidationAndAllThreeServeIt() throws Exception {
    String host = "shared-" + Long.toHexString(System.nanoTime()) + ".cluster.test";
    long ordersBefore = ordersAtPebble();
    // Only a wants it at first: a orders, and Pebble's validation reaches c (the only one on Pebble's HTTP port).
    writeTlsRouter(a, host);
    X509Certificate orderedByA = awaitPebbleCertificate(a, host);
    assertTrue(a.log().contains(orderingLine(host)), "a ordered:\n" + a.log());
    assertFalse(c.log().contains(orderingLine(host)), "c, which answered the validation, did not order");
    assertEquals(1, ordersAtPebble() - ordersBefore, "one order at Pebble for " + host);

    // Then all three want it (the router in etcd): b and c take it from the store, nobody orders again.
    putTlsRouter(host);
    for (Instance instance : instances) {
      assertEquals(orderedByA.getSerialNumber(), awaitPebbleCertificate(instance, host).getSerialNumber(),
          instance.name() + " serves the certificate a ordered");
    }
    assertEquals(1, ordersAtPebble() - ordersBefore, "still one order for " + host);
    for (Instance other : List.of(b, c)) {
      assertFalse(other.log().contains(orderingLine(host)), other.name() + " did not order:\n" + other.log());
    }
  }

  // ---- 4. etcd down for 30 s ----------------------------------------------------------------------------------

  @Test
  @Order(4)
  void withEtcdStoppedAllThreeKeepServingAndAKeyChangedAsItReturnsIsApplied() throws Exception {
    String host = "outage.cluster.test";
    etcd.putAll(Map.of("traefik/http/routers/outage/entrypoints/0", "web",
        "traefik/http/routers/outage/service", "backend",
        "traefik/http/routers/outage/rule", "Host(`" + host + "`)"));
    for (Instance instance : instances) {
      Poll.until(instance.name() + " routes " + host, Duration.ofSeconds(10), () -> routes(instance, host),
          instance::log);
    }

    etcd.stop();
    long stopped = System.nanoTime();
    for (Instance instance : instances) {
      Poll.until(instance.name() + "'s API reports the etcd provider down", Duration.ofSeconds(15),
          () -> etcdProviderDown(instance), () -> providers(instance));
    }
    // For the whole outage, every instance keeps routing with its last configuration (checked every ~half second).
    int rounds = 0;
    while (System.nanoTime() - stopped < ETCD_OUTAGE.toNanos()) {
      for (Instance instance : instances) {
        assertTrue(routes(instance, host), instance.name() + " stopped routing " + host + " while etcd was down");
      }
      rounds++;
      TimeUnit.MILLISECONDS.sleep(500);   // the sampling period of the observation, not a wait for an event
    }
    assertTrue(rounds > 10, "checked only " + rounds + " times during the outage");

    etcd.start();
    String moved = "moved.cluster.test";
    etcd.put("traefik/http/routers/outage/rule", "Host(`" + moved + "`)");
    for (Instance instance : instances) {
      Poll.until(instance.name() + " applies the rule changed as etcd returned", Duration.ofSeconds(30),
          () -> routes(instance, moved) && !routes(instance, host), instance::log);
      Poll.until(instance.name() + "'s API reports the etcd provider up again", Duration.ofSeconds(15),
          () -> !etcdProviderDown(instance), () -> providers(instance));
    }
  }

  // ---- 5. the lock holder killed mid-order --------------------------------------------------------------------

  @Test
  @Order(5)
  void whenTheLockHolderIsKilledMidOrderAnotherCompletesItAfterTheLease() throws Exception {
    String host = "killed-" + Long.toHexString(System.nanoTime()) + ".cluster.test";
    long finalizedBefore = finalizedAtPebble();
    // a and b want it at the same moment; c (which answers Pebble's validation) must stay up, so it does not.
    writeTlsRouter(a, host);
    writeTlsRouter(b, host);
    Instance holder = Poll.untilValue("a or b starts ordering " + host, ISSUE_WAIT,
        () -> a.log().contains(orderingLine(host)) ? a : b.log().contains(orderingLine(host)) ? b : null,
        instance -> instance != null);
    holder.running().process().destroyForcibly();   // SIGKILL: no release of the lock, no cleanup
    assertTrue(holder.running().process().waitFor(10, TimeUnit.SECONDS), holder.name() + " killed");
    long killed = System.nanoTime();
    Instance survivor = holder == a ? b : a;
    assertNotNull(etcd.get("gatehouse/locks/acme/le/order/" + host),
        "the killed holder's lock is still there (its lease runs)");

    X509Certificate completed = awaitPebbleCertificate(survivor, host, ORDER_LOCK_LEASE.plus(ISSUE_WAIT));
    assertTrue(survivor.log().contains(orderingLine(host)), survivor.name() + " completed the order:\n" + survivor.log());
    // Not before the killed holder's lease ran out (it was taken moments before the kill: a few seconds of margin).
    Duration untilCompleted = Duration.ofNanos(System.nanoTime() - killed);
    assertTrue(untilCompleted.compareTo(ORDER_LOCK_LEASE.minusSeconds(5)) > 0,
        "completed " + untilCompleted.toMillis() + " ms after the kill, before the holder's lease could expire");

    // One certificate in the end: the one in the store, which c takes from there too.
    writeTlsRouter(c, host);
    assertEquals(completed.getSerialNumber(), awaitPebbleCertificate(c, host).getSerialNumber());
    assertEquals(completed.getSerialNumber(), storedSerial(host), "the store holds the certificate served");
    assertEquals(1, finalizedAtPebble() - finalizedBefore, "Pebble issued one certificate for " + host);
    assertFalse(c.log().contains(orderingLine(host)), "c did not order");
  }

  // ---- 6. stopping: the etcd client's threads end before the plugin is unloaded --------------------------------

  @Test
  @Order(6)
  void anInstanceStoppedWithSigtermLogsNoErrorWhileItsEtcdClientsShutDown() throws Exception {
    // c has both etcd clients (provider and storage) and a resolver watching the store.
    c.running().process().destroy();   // SIGTERM, as a service manager stops it
    assertTrue(c.running().process().waitFor(30, TimeUnit.SECONDS), "c stopped within 30 s:\n" + c.log());
    String log = c.log();
    int stopping = log.indexOf("Stopping");
    assertTrue(stopping >= 0, log);
    String shutdown = log.substring(stopping);
    assertFalse(shutdown.contains(" ERROR ") || shutdown.contains("NoClassDefFoundError")
        || shutdown.contains("IllegalAccessError"), "c's shutdown:\n" + shutdown);
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  private static String orderingLine(String host) {
    return "ACME resolver le: ordering a certificate for [" + host + "]";
  }

  private static int status(Instance instance, String host) throws IOException {
    return RawHttp.exchange(instance.web(), "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close").status();
  }

  private static boolean routes(Instance instance, String host) throws IOException {
    RawHttp.Response response = RawHttp.exchange(instance.web(),
        "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close");
    return response.status() == 200 && response.bodyText().equals(ROUTED_BODY);
  }

  private static String providers(Instance instance) {
    try {
      return RawHttp.exchange(instance.api(), "GET /api/providers HTTP/1.1\r\nHost: api\r\nConnection: close")
          .bodyText();
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** Whether /api/providers reports the etcd provider {@code "status":"down"}. */
  private static boolean etcdProviderDown(Instance instance) {
    String json = providers(instance).replace(" ", "");
    int etcd = json.indexOf("\"name\":\"etcd\"");
    if (etcd < 0) {
      return false;
    }
    int start = json.lastIndexOf('{', etcd);
    int end = json.indexOf('}', etcd);
    return json.substring(start, end < 0 ? json.length() : end).contains("\"status\":\"down\"");
  }

  private static void writeTlsRouter(Instance instance, String host) throws IOException {
    String name = host.replace('.', '-');
    Path file = instance.dynamic().resolve(name + ".yml");
    Path written = instance.dynamic().resolve(name + ".tmp");
    Files.writeString(written, """
        http:
          routers:
            %s:
              rule: Host(`%s`)
              service: backend@etcd
              entryPoints: [websecure]
              tls:
                certResolver: le
        """.formatted(name, host));
    Files.move(written, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private void putTlsRouter(String host) {
    String router = "traefik/http/routers/" + host.replace('.', '-');
    etcd.putAll(Map.of(router + "/entrypoints/0", "websecure",
        router + "/service", "backend",
        router + "/tls/certresolver", "le",
        router + "/rule", "Host(`" + host + "`)"));
  }

  private static long pebbleLogLines(String text) throws IOException {
    try (var lines = Files.lines(Path.of(System.getenv("IT_PEBBLE_LOG")))) {
      return lines.filter(line -> line.contains(text)).count();
    }
  }

  /** New orders Pebble received (its log names each request's path). */
  private static long ordersAtPebble() throws IOException {
    return pebbleLogLines("/order-plz");
  }

  /** Orders Pebble finalized: one certificate issued for each. */
  private static long finalizedAtPebble() throws IOException {
    return pebbleLogLines("/finalize-order/");
  }

  private BigInteger storedSerial(String host) throws Exception {
    String stored = etcd.get("gatehouse/acme/le/certificates/" + host);
    assertNotNull(stored, "no certificate stored for " + host);
    int begin = stored.indexOf("-----BEGIN CERTIFICATE-----");
    int end = stored.indexOf("-----END CERTIFICATE-----", begin) + "-----END CERTIFICATE-----".length();
    assertTrue(begin >= 0, stored);
    String pem = stored.substring(begin, end).replace("\\n", "\n");
    return ((X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))).getSerialNumber();
  }

  private static X509Certificate awaitPebbleCertificate(Instance instance, String host) throws Exception {
    return awaitPebbleCertificate(instance, host, ISSUE_WAIT);
  }

  /**
   * Waits until {@code instance} serves {@code host} over HTTPS with a certificate Pebble issued (not the default
   * one it serves meanwhile) and routes the request; returns that certificate. The chain is not checked against
   * Pebble's root (new at each Pebble start): the issuer's name and the serial number are what the tests compare.
   */
  private static X509Certificate awaitPebbleCertificate(Instance instance, String host, Duration wait)
      throws Exception {
    return Poll.untilValue(instance.name() + " serves a certificate from Pebble for " + host, wait, () -> {
      X509Certificate leaf = handshake(instance.websecure(), host);
      return leaf != null && leaf.getIssuerX500Principal().getName().contains("Pebble") ? leaf : null;
    }, leaf -> leaf != null);
  }

  /** The leaf served for {@code host} on {@code port}, when the request over that connection is routed (200). */
  private static X509Certificate handshake(int port, String host) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");   // new each time: no resumed session
    context.init(null, new TrustManager[] {new AnyCertificate()}, null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setServerNames(List.of(new SNIHostName(host)));
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      X509Certificate leaf = (X509Certificate) socket.getSession().getPeerCertificates()[0];
      socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      byte[] head = in.readNBytes(12);
      return new String(head, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200") ? leaf : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Trusts any server: the tests compare the served certificates themselves. */
  private static final class AnyCertificate implements X509TrustManager {
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
  }
}
