package dev.gatehouse.distribution;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.it.DockerEngine;
import dev.gatehouse.it.RawHttp;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The standard middlewares (the bundled middlewares-std plugin) end to end through the distribution: one
 * {@code bin/gatehouse} process, with the same routers and middlewares declared twice, in a dynamic file (routers
 * on {@code Host(`file.test`)}) and as Docker labels on a container started here on the engine of ./test.sh
 * (routers on {@code Host(`docker.test`)}). Every check runs against both hosts; one family per test.
 *
 * <p>The backend is that container: busybox httpd on host networking at 127.0.0.1, whose CGI scripts show what
 * the gateway sent ({@link EchoContainer}). The file's services point at it too, so both halves differ only in
 * where the configuration came from. Middlewares with state (rateLimit, inFlightReq, circuitBreaker) have one
 * instance per provider, so the two runs of a check do not share it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MiddlewaresDistributionIT {

  static final String FILE = "file.test";
  static final String DOCKER = "docker.test";
  static final Duration WAIT = Duration.ofSeconds(30);
  /** {@code openssl passwd -apr1 -salt gatehse1 s3cret}, as htpasswd's -m writes it. */
  static final String ALICE = "alice:$apr1$gatehse1$6hxrtw09AejO5rsf/BGrG1";

  /** One router per check: name, rule (ANDed with the host), middlewares, service (file; the labels' differs for late). */
  record Route(String name, String rule, String middlewares, String service) {
  }

  static final List<Route> ROUTES = List.of(
      new Route("strip", "PathPrefix(`/strip`)", "strip", "echo"),
      new Route("stripre", "PathPrefix(`/v`)", "stripre", "echo"),
      new Route("add", "PathPrefix(`/echo`)", "add", "echo"),
      new Route("replace", "PathPrefix(`/replace`)", "replace", "echo"),
      new Route("replacere", "PathPrefix(`/rx/`)", "replacere", "echo"),
      new Route("secure", "PathPrefix(`/secure`)", "to-https", "echo"),
      new Route("old", "PathPrefix(`/old/`)", "moved", "echo"),
      new Route("headers", "PathPrefix(`/cgi-bin/echo/headers`)", "hdrs", "echo"),
      new Route("basic", "PathPrefix(`/cgi-bin/echo/basic`)", "basic", "echo"),
      new Route("forward", "PathPrefix(`/cgi-bin/echo/forward`)", "fwd", "echo"),
      new Route("allowed", "PathPrefix(`/cgi-bin/echo/allowed`)", "allow", "echo"),
      new Route("denied", "PathPrefix(`/cgi-bin/echo/denied`)", "deny", "echo"),
      new Route("slow", "PathPrefix(`/cgi-bin/slow`)", "one-at-a-time", "echo"),
      new Route("limited", "PathPrefix(`/cgi-bin/echo/limited`)", "limit", "echo"),
      new Route("buffered", "PathPrefix(`/cgi-bin/echo/buffered`)", "small-bodies", "echo"),
      new Route("big", "PathPrefix(`/big.txt`)", "gz", "echo"),
      new Route("errors", "PathPrefix(`/cgi-bin/fail/errors`)", "pages", "echo"),
      new Route("late", "PathPrefix(`/late`)", "patient", "late-file"),
      new Route("breaker", "PathPrefix(`/cgi-bin/fail/cb`) || PathPrefix(`/cgi-bin/echo/cb`)", "breaker", "echo"),
      new Route("chain", "PathPrefix(`/chain`)", "chained", "echo"));

  /** The middlewares of the file; {@link #LABELS} declares the same. @ECHO@ is the container's port. */
  static final String FILE_MIDDLEWARES = """
        middlewares:
          strip:
            stripPrefix:
              prefixes: [/strip]
          stripre:
            stripPrefixRegex:
              regex: ["^/v[0-9]+"]
          add:
            addPrefix:
              prefix: /cgi-bin
          replace:
            replacePath:
              path: /cgi-bin/echo
          replacere:
            replacePathRegex:
              regex: "^/rx/(.*)"
              replacement: "/cgi-bin/$1"
          to-https:
            redirectScheme:
              scheme: https
              port: "8443"
              permanent: true
          moved:
            redirectRegex:
              regex: "^http://([^/]+)/old/(.*)"
              replacement: "http://${1}/new/${2}"
          hdrs:
            headers:
              customRequestHeaders:
                X-Custom-Request: "yes"
                User-Agent: ""
              customResponseHeaders:
                X-Custom-Response: "yes"
              frameDeny: true
              contentTypeNosniff: true
              accessControlAllowOriginList: ["https://app.example"]
              accessControlAllowMethods: [GET, PUT]
              accessControlAllowHeaders: [X-Api-Key]
              accessControlMaxAge: 600
          basic:
            basicAuth:
              users: ["@ALICE@"]
              realm: gatehouse-test
              headerField: X-WebAuth-User
          fwd:
            forwardAuth:
              address: "http://127.0.0.1:@ECHO@/cgi-bin/auth"
              authResponseHeaders: [X-Auth-User]
          allow:
            ipAllowList:
              sourceRange: [127.0.0.1/32]
          deny:
            ipAllowList:
              sourceRange: [192.0.2.0/24]
          one-at-a-time:
            inFlightReq:
              amount: 1
          limit:
            rateLimit:
              average: 5
              period: 1m
              burst: 5
          small-bodies:
            buffering:
              maxRequestBodyBytes: 1000
          gz:
            compress: {}
          pages:
            errors:
              status: ["500-599"]
              service: echo
              query: "/cgi-bin/page?status={status}"
          patient:
            retry:
              attempts: 6
              initialInterval: 500ms
          breaker:
            circuitBreaker:
              expression: ResponseCodeRatio(500, 600, 0, 600) > 0.25
              fallbackDuration: 60s
          chain-strip:
            stripPrefix:
              prefixes: [/chain]
          chained:
            chain:
              middlewares: [chain-strip, add]
      """;

  /** The same middlewares as labels, as a Traefik user writes them. */
  static final String LABELS = """
      traefik.http.middlewares.strip.stripprefix.prefixes=/strip
      traefik.http.middlewares.stripre.stripprefixregex.regex=^/v[0-9]+
      traefik.http.middlewares.add.addprefix.prefix=/cgi-bin
      traefik.http.middlewares.replace.replacepath.path=/cgi-bin/echo
      traefik.http.middlewares.replacere.replacepathregex.regex=^/rx/(.*)
      traefik.http.middlewares.replacere.replacepathregex.replacement=/cgi-bin/$1
      traefik.http.middlewares.to-https.redirectscheme.scheme=https
      traefik.http.middlewares.to-https.redirectscheme.port=8443
      traefik.http.middlewares.to-https.redirectscheme.permanent=true
      traefik.http.middlewares.moved.redirectregex.regex=^http://([^/]+)/old/(.*)
      traefik.http.middlewares.moved.redirectregex.replacement=http://${1}/new/${2}
      traefik.http.middlewares.hdrs.headers.customrequestheaders.X-Custom-Request=yes
      traefik.http.middlewares.hdrs.headers.customrequestheaders.User-Agent=
      traefik.http.middlewares.hdrs.headers.customresponseheaders.X-Custom-Response=yes
      traefik.http.middlewares.hdrs.headers.framedeny=true
      traefik.http.middlewares.hdrs.headers.contenttypenosniff=true
      traefik.http.middlewares.hdrs.headers.accesscontrolalloworiginlist=https://app.example
      traefik.http.middlewares.hdrs.headers.accesscontrolallowmethods=GET,PUT
      traefik.http.middlewares.hdrs.headers.accesscontrolallowheaders=X-Api-Key
      traefik.http.middlewares.hdrs.headers.accesscontrolmaxage=600
      traefik.http.middlewares.basic.basicauth.users=@ALICE@
      traefik.http.middlewares.basic.basicauth.realm=gatehouse-test
      traefik.http.middlewares.basic.basicauth.headerfield=X-WebAuth-User
      traefik.http.middlewares.fwd.forwardauth.address=http://127.0.0.1:@ECHO@/cgi-bin/auth
      traefik.http.middlewares.fwd.forwardauth.authresponseheaders=X-Auth-User
      traefik.http.middlewares.allow.ipallowlist.sourcerange=127.0.0.1/32
      traefik.http.middlewares.deny.ipallowlist.sourcerange=192.0.2.0/24
      traefik.http.middlewares.one-at-a-time.inflightreq.amount=1
      traefik.http.middlewares.limit.ratelimit.average=5
      traefik.http.middlewares.limit.ratelimit.period=1m
      traefik.http.middlewares.limit.ratelimit.burst=5
      traefik.http.middlewares.small-bodies.buffering.maxrequestbodybytes=1000
      traefik.http.middlewares.gz.compress=true
      traefik.http.middlewares.pages.errors.status=500-599
      traefik.http.middlewares.pages.errors.service=echo
      traefik.http.middlewares.pages.errors.query=/cgi-bin/page?status={status}
      traefik.http.middlewares.patient.retry.attempts=6
      traefik.http.middlewares.patient.retry.initialinterval=500ms
      traefik.http.middlewares.breaker.circuitbreaker.expression=ResponseCodeRatio(500, 600, 0, 600) > 0.25
      traefik.http.middlewares.breaker.circuitbreaker.fallbackduration=60s
      traefik.http.middlewares.chain-strip.stripprefix.prefixes=/chain
      traefik.http.middlewares.chained.chain.middlewares=chain-strip,add
      """;

  @TempDir static Path root;

  static DockerEngine docker;
  static Installation.Running gateway;
  static int port;
  /** Where the retry checks' servers start late: one per host, so a check never finds the other's running. */
  static final Map<String, Integer> latePorts = new java.util.HashMap<>();

  @BeforeAll
  static void start() throws Exception {
    docker = DockerEngine.require();
    String run = UUID.randomUUID().toString().substring(0, 8);
    Path home = Installation.unzip(Files.createDirectories(root.resolve("install")));
    Path work = Files.createDirectories(root.resolve("work"));
    port = Installation.freePort();
    int echo = Installation.freePort();
    latePorts.put(FILE, Installation.freePort());
    latePorts.put(DOCKER, Installation.freePort());

    List<String> labels = new ArrayList<>(List.of("test.run=" + run,
        "traefik.http.services.echo.loadbalancer.server.port=" + echo));
    for (Route route : ROUTES) {
      String prefix = "traefik.http.routers." + route.name() + ".";
      labels.add(prefix + "rule=Host(`" + DOCKER + "`) && (" + route.rule() + ")");
      labels.add(prefix + "middlewares=" + route.middlewares());
      labels.add(prefix + "service=" + (route.service().equals("late-file") ? "late-docker@file" : route.service()));
    }
    LABELS.replace("@ECHO@", String.valueOf(echo)).replace("@ALICE@", ALICE).lines().forEach(labels::add);
    EchoContainer.run(docker, "gh-mw-" + run, root, echo, labels);

    StringBuilder dynamic = new StringBuilder("http:\n  routers:\n");
    for (Route route : ROUTES) {
      dynamic.append("    ").append(route.name()).append(":\n")
          .append("      rule: \"Host(`").append(FILE).append("`) && (").append(route.rule()).append(")\"\n")
          .append("      middlewares: [").append(route.middlewares()).append("]\n")
          .append("      service: ").append(route.service()).append('\n');
    }
    dynamic.append(FILE_MIDDLEWARES.replace("@ECHO@", String.valueOf(echo)).replace("@ALICE@", ALICE));
    dynamic.append("""
          services:
            echo:
              loadBalancer:
                servers:
                  - url: "http://127.0.0.1:%d"
            late-file:
              loadBalancer:
                # the always-on passive health check would leave the server out after its first refusal
                passiveHealthCheck:
                  maxFailedAttempts: 100
                servers:
                  - url: "http://127.0.0.1:%d"
            late-docker:
              loadBalancer:
                passiveHealthCheck:
                  maxFailedAttempts: 100
                servers:
                  - url: "http://127.0.0.1:%d"
        """.formatted(echo, latePorts.get(FILE), latePorts.get(DOCKER)));
    Files.writeString(work.resolve("dynamic.yml"), dynamic);
    Path conf = work.resolve("gatehouse.yml");
    Files.writeString(conf, """
        entryPoints:
          web:
            address: "127.0.0.1:%d"
        providers:
          providersThrottleDuration: 200ms
          file:
            filename: dynamic.yml
          docker:
            endpoint: "%s"
            exposedByDefault: true
            constraints: "Label(`test.run`,`%s`)"
        log:
          level: INFO
        """.formatted(port, docker.host(), run));

    gateway = Installation.start(home, work, work.resolve("gatehouse.log"), "--configFile=" + conf);
    gateway.awaitReady();
    for (String host : List.of(FILE, DOCKER)) {
      await(host, "/strip/cgi-bin/echo", r -> r.status() == 200, "the " + host + " routers");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (docker != null) {
      docker.close();
    }
  }

  // ---- path ----------------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {FILE, DOCKER})
  void pathMiddlewaresRewriteWhatTheBackendReceives(String host) throws Exception {
    Map<String, String> stripped = echoed(get(host, "/strip/cgi-bin/echo?q=1"));
    assertEquals("/cgi-bin/echo?q=1", stripped.get("uri"));
    assertEquals("/strip", stripped.get("HTTP_X_FORWARDED_PREFIX"));

    Map<String, String> regex = echoed(get(host, "/v2/cgi-bin/echo"));
    assertEquals("/cgi-bin/echo", regex.get("uri"));
    assertEquals("/v2", regex.get("HTTP_X_FORWARDED_PREFIX"));

    assertEquals("/cgi-bin/echo/x", echoed(get(host, "/echo/x")).get("uri"), "addPrefix");

    Map<String, String> replaced = echoed(get(host, "/replace/me"));
    assertEquals("/cgi-bin/echo", replaced.get("uri"));
    assertEquals("/replace/me", replaced.get("HTTP_X_REPLACED_PATH"));

    Map<String, String> replacedRegex = echoed(get(host, "/rx/echo/y"));
    assertEquals("/cgi-bin/echo/y", replacedRegex.get("uri"));
    assertEquals("/rx/echo/y", replacedRegex.get("HTTP_X_REPLACED_PATH"));
  }

  // ---- redirects -----------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {FILE, DOCKER})
  void redirectsAnswerWithTheNewLocation(String host) throws Exception {
    RawHttp.Response scheme = get(host, "/secure/page?x=1");
    assertEquals(301, scheme.status(), "permanent redirectScheme");
    assertEquals(List.of("https://" + host + ":8443/secure/page?x=1"), scheme.all("Location"));

    RawHttp.Response regex = get(host, "/old/thing");
    assertEquals(302, regex.status(), "redirectRegex, not permanent");
    assertEquals(List.of("http://" + host + "/new/thing"), regex.all("Location"));
  }

  // ---- headers -------------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {FILE, DOCKER})
  void headersSetAndRemoveRequestHeadersAndAddSecurityAndCorsHeaders(String host) throws Exception {
    RawHttp.Response response = send(host, "GET", "/cgi-bin/echo/headers", new byte[0],
        "Origin: https://app.example", "User-Agent: curl/8");
    Map<String, String> seen = echoed(response);
    assertEquals("yes", seen.get("HTTP_X_CUSTOM_REQUEST"));
    assertNull(seen.get("HTTP_USER_AGENT"), "an empty custom request header removes it");
    assertEquals(List.of("yes"), response.all("X-Custom-Response"));
    assertEquals(List.of("DENY"), response.all("X-Frame-Options"));
    assertEquals(List.of("nosniff"), response.all("X-Content-Type-Options"));
    assertEquals(List.of("https://app.example"), response.all("Access-Control-Allow-Origin"));

    RawHttp.Response preflight = send(host, "OPTIONS", "/cgi-bin/echo/headers", new byte[0],
        "Origin: https://app.example", "Access-Control-Request-Method: PUT", "Access-Control-Request-Headers: X-Api-Key");
    assertEquals(200, preflight.status());
    assertEquals("", preflight.bodyText(), "answered by the gateway, not the backend");
    assertEquals(List.of("https://app.example"), preflight.all("Access-Control-Allow-Origin"));
    assertEquals(List.of("GET,PUT"), preflight.all("Access-Control-Allow-Methods"));
    assertEquals(List.of("X-Api-Key"), preflight.all("Access-Control-Allow-Headers"));
    assertEquals(List.of("600"), preflight.all("Access-Control-Max-Age"));
  }

  // ---- auth ----------------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {FILE, DOCKER})
  void basicAuthChecksTheHtpasswdHashAndForwardAuthAsksTheAuthService(String host) throws Exception {
    RawHttp.Response anonymous = get(host, "/cgi-bin/echo/basic");
    assertEquals(401, anonymous.status());
    assertEquals(List.of("Basic realm=\"gatehouse-test\""), anonymous.all("WWW-Authenticate"));
    assertEquals(401, send(host, "GET", "/cgi-bin/echo/basic", new byte[0], basic("alice:wrong")).status());
    Map<String, String> alice = echoed(send(host, "GET", "/cgi-bin/echo/basic", new byte[0], basic("alice:s3cret")));
    assertEquals("alice", alice.get("HTTP_X_WEBAUTH_USER"));

    RawHttp.Response denied = get(host, "/cgi-bin/echo/forward");
    assertEquals(401, denied.status(), "the auth service's answer, as is");
    assertEquals("denied by auth\n", denied.bodyText());
    assertEquals(List.of("no key"), denied.all("X-Auth-Reason"));
    Map<String, String> passed = echoed(send(host, "GET", "/cgi-bin/echo/forward", new byte[0], "X-Api-Key: open-sesame"));
    assertEquals("alice", passed.get("HTTP_X_AUTH_USER"), "authResponseHeaders copied onto the request");
  }

  // ---- access control ------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {FILE, DOCKER})
  void ipAllowListAdmitsOnlyItsRanges(String host) throws Exception {
    assertEquals(200, get(host, "/cgi-bin/echo/allowed").status());
    assertEquals(403, get(host, "/cgi-bin/echo/denied").status());
  }

  @ParameterizedTest
  @ValueSource(strings = {FILE, DOCKER})
  void inFlightReqRefusesASecondRequestWhileTheFirstIsServed(String host) throws Exception {
    // Two requests at once to a backend that takes two seconds: whichever arrives first is served, the other
    // meets amount: 1 and gets 429. Afterwards the slot is free again.
    List<CompletableFuture<RawHttp.Response>> both = List.of(slow(host), slow(host));
    List<Integer> statuses = new ArrayList<>();
    for (CompletableFuture<RawHttp.Response> request : both) {
      statuses.add(request.get(30, TimeUnit.SECONDS).status());
    }
    statuses.sort(null);
    assertEquals(List.of(200, 429), statuses);
    // The slot is given back when the gateway has finished the exchange, which may be a moment after the client
    // has read the response: a few tries, a bounded time.
    int after = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (int tries = 0; tries < 20 && after != 200 && System.nanoTime() < deadline; tries++) {
      if (tries > 0) {
        Thread.sleep(100);
      }
      after = get(host, "/cgi-bin/slow").status();
    }
    assertEquals(200, after, "served once the first has finished");
  }

  /** On a thread of its own: the common pool may have a single thread on two cores, which would serialise them. */
  static CompletableFuture<RawHttp.Response> slow(String host) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return get(host, "/cgi-bin/slow");
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    }, task -> new Thread(task, "slow-request").start());
  }

  @ParameterizedTest
  @ValueSource(strings = {FILE, DOCKER})
  void rateLimitLetsTheBurstThroughThenAnswers429WithRetryAfter(String host) throws Exception {
    int ok = 0;
    List<RawHttp.Response> limited = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      RawHttp.Response r = get(host, "/cgi-bin/echo/limited");
      if (r.status() == 200) {
        ok++;
      } else {
        limited.add(r);
      }
    }
    // burst 5, then 5 a minute: the next token is 12 s away, far beyond these ten requests.
    assertEquals(5, ok);
    assertEquals(5, limited.size());
    for (RawHttp.Response r : limited) {
      assertEquals(429, r.status());
      assertFalse(r.all("Retry-After").isEmpty(), "Retry-After on 429");
    }
  }

  // ---- bodies --------------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {FILE, DOCKER})
  void bufferingRefusesTooLargeBodiesAndCompressGzips(String host) throws Exception {
    assertEquals(413, post(host, "/cgi-bin/echo/buffered", new byte[2000]).status());
    Map<String, String> small = echoed(post(host, "/cgi-bin/echo/buffered", new byte[100]));
    assertEquals("POST", small.get("method"));
    assertEquals("100", small.get("length"));

    RawHttp.Response gzipped = send(host, "GET", "/big.txt", new byte[0], "Accept-Encoding: br;q=0, gzip");
    assertEquals(200, gzipped.status());
    assertEquals(List.of("gzip"), gzipped.all("Content-Encoding"));
    assertTrue(gzipped.body().length < EchoContainer.BIG.length() / 4, "compressed: " + gzipped.body().length);
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
      assertArrayEquals(EchoContainer.BIG.getBytes(UTF_8), in.readAllBytes());
    }
    RawHttp.Response plain = get(host, "/big.txt");
    assertTrue(plain.all("Content-Encoding").isEmpty(), "no Accept-Encoding, no compression");
    assertEquals(EchoContainer.BIG, plain.bodyText());
  }

  // ---- failures ------------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {FILE, DOCKER})
  void errorsServesThePageAndRetryWaitsForALateServer(String host) throws Exception {
    RawHttp.Response page = get(host, "/cgi-bin/fail/errors");
    assertEquals(503, page.status(), "the backend's status");
    assertEquals("error page for status=503\n", page.bodyText());

    // Nothing listens on the late port yet: the first attempts are refused, the server comes up while the
    // retry middleware waits (500 ms and more between attempts), and the client gets its answer.
    CompletableFuture<RawHttp.Response> pending = CompletableFuture.supplyAsync(() -> {
      try {
        return get(host, "/late/x");
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    Thread.sleep(400);
    HttpServer late = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), latePorts.get(host)), 16);
    late.createContext("/", exchange -> {
      try (exchange) {
        byte[] body = ("late " + exchange.getRequestURI()).getBytes(UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      }
    });
    late.start();
    try {
      RawHttp.Response answered = pending.get(30, TimeUnit.SECONDS);
      assertEquals(200, answered.status(), answered.bodyText());
      assertEquals("late /late/x", answered.bodyText());
    } finally {
      late.stop(0);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {FILE, DOCKER})
  void circuitBreakerOpensOnServerErrorsAndAnswersItself(String host) throws Exception {
    assertEquals(200, get(host, "/cgi-bin/echo/cb").status(), "closed at first");
    long deadline = System.nanoTime() + WAIT.toNanos();
    RawHttp.Response last = null;
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < 4; i++) {
        get(host, "/cgi-bin/fail/cb");
      }
      last = get(host, "/cgi-bin/echo/cb");
      if (last.status() == 503) {
        break;
      }
    }
    assertEquals(503, last.status(), "the breaker answers for the healthy path too once open: " + last.bodyText());
    assertEquals("Service Unavailable", last.bodyText().strip());
  }

  // ---- chain ---------------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {FILE, DOCKER})
  void chainAppliesItsMiddlewaresInOrder(String host) throws Exception {
    // stripPrefix /chain, then addPrefix /cgi-bin; the other order would send /cgi-bin/chain/echo.
    Map<String, String> seen = echoed(get(host, "/chain/echo"));
    assertEquals("/cgi-bin/echo", seen.get("uri"));
    assertEquals("/chain", seen.get("HTTP_X_FORWARDED_PREFIX"));
  }

  // ---- client --------------------------------------------------------------------------------------

  static RawHttp.Response get(String host, String path) throws IOException {
    return send(host, "GET", path, new byte[0]);
  }

  static RawHttp.Response post(String host, String path, byte[] body) throws IOException {
    return send(host, "POST", path, body, "Content-Type: application/octet-stream");
  }

  static RawHttp.Response send(String host, String method, String path, byte[] body, String... headers)
      throws IOException {
    StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close");
    for (String header : headers) {
      head.append("\r\n").append(header);
    }
    if (body.length > 0) {
      head.append("\r\nContent-Length: ").append(body.length);
    }
    return RawHttp.exchange(port, head.toString(), body);
  }

  static String basic(String credentials) {
    return "Authorization: Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(UTF_8));
  }

  /** What the backend's echo script saw; fails with the answer when it was not the script's. */
  static Map<String, String> echoed(RawHttp.Response response) {
    assertEquals(200, response.status(), () -> "status " + response.status() + ": " + response.bodyText()
        + "\n" + gateway.output());
    Map<String, String> seen = EchoContainer.parse(response.bodyText());
    assertTrue(seen.containsKey("uri"), () -> "not the echo script: " + response.bodyText());
    return seen;
  }

  static RawHttp.Response await(String host, String path, Predicate<RawHttp.Response> ok, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    Object last = null;
    while (System.nanoTime() < deadline) {
      try {
        RawHttp.Response r = get(host, path);
        if (ok.test(r)) {
          return r;
        }
        last = r.status() + " " + r.bodyText();
      } catch (IOException e) {
        last = e;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(what + " not served within " + WAIT + "; last: " + last + "\n" + gateway.output());
  }
}
