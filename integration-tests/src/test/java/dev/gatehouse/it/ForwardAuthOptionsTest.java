package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code forwardAuth} options of Traefik v3 beyond the basics, through the real gateway, a real authentication
 * service and a real backend: {@code forwardBody}/{@code maxBodySize}, {@code maxResponseBodySize},
 * {@code headerField} (the access log's user), {@code preserveLocationHeader}, {@code authSigninURL} and
 * {@code tls.cert}/{@code tls.key} (a client certificate the service requires), with the expectations of
 * Traefik's {@code forward_test.go}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForwardAuthOptionsTest {

    @TempDir
    static Path dir;

    private static TestBackend backend;
    private static TestBackend auth;
    private static TestBackend mtlsAuth;
    private static TestGateway gateway;
    private static final AtomicInteger backendCalls = new AtomicInteger();

    /** Answers with the body it got. */
    static Handler bodyBackend() {
        return new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws IOException {
                backendCalls.incrementAndGet();
                String body = Content.Source.asString(request, StandardCharsets.UTF_8);
                response.write(true, ByteBuffer.wrap(("backend got '" + body + "'").getBytes(StandardCharsets.UTF_8)),
                        callback);
                return true;
            }
        };
    }

    /**
     * The authentication service, by the last path segment of {@code X-Forwarded-Uri}: {@code body} lets in a body
     * holding "secret"; {@code redirect} answers 302 to a relative {@code /login}; {@code unauthorized} 401;
     * {@code chatty} 403 with a 1000-byte body; else 200 naming the user {@code alice} in {@code X-Auth-User}. It
     * says in {@code X-Client-Cert} whether the caller presented a certificate.
     */
    static Handler authService() {
        return new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws IOException {
                String uri = request.getHeaders().get("X-Forwarded-Uri");
                String body = Content.Source.asString(request, StandardCharsets.UTF_8);
                boolean certificate = request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE)
                        instanceof EndPoint.SslSessionData tls && tls.peerCertificates() != null
                        && tls.peerCertificates().length > 0;
                response.getHeaders().put("X-Client-Cert", String.valueOf(certificate));
                String answer = "";
                if (uri.endsWith("/body")) {
                    response.setStatus(body.contains("secret") ? 200 : 403);
                    answer = "auth got '" + body + "'";
                } else if (uri.endsWith("/redirect")) {
                    response.setStatus(302);
                    response.getHeaders().put("Location", "/login");
                } else if (uri.endsWith("/unauthorized")) {
                    response.setStatus(401);
                } else if (uri.endsWith("/chatty")) {
                    response.setStatus(403);
                    answer = "x".repeat(1000);
                } else {
                    response.setStatus(200);
                    response.getHeaders().put("X-Auth-User", "alice");
                }
                response.write(true, ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        };
    }

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.with("backend", bodyBackend());
        auth = TestBackend.with("auth", authService());
        TestCertificates ca = TestCertificates.ca(dir.resolve("pki"));
        TestCertificates.Leaf server = ca.leaf("auth-server", "ec", "auth.test");
        TestCertificates.Leaf client = ca.leaf("gateway-client", "rsa", "gateway.test");
        Path clientKeyPkcs1 = ca.traditionalKey(client, "rsa");
        mtlsAuth = TestBackend.tls("mtls-auth", requiringClientCertificates(server, ca.caFile()), authService());
        gateway = Gateways.withDynamic(dir, """
                http:
                  routers:
                    body:
                      rule: PathPrefix(`/body`)
                      middlewares: [with-body]
                      service: backend
                    small:
                      rule: PathPrefix(`/small`)
                      middlewares: [with-small-body]
                      service: backend
                    resolved:
                      rule: PathPrefix(`/resolved`)
                      middlewares: [plain]
                      service: backend
                    preserved:
                      rule: PathPrefix(`/preserved`)
                      middlewares: [preserve-location]
                      service: backend
                    signin:
                      rule: PathPrefix(`/signin`)
                      middlewares: [signin]
                      service: backend
                    limited:
                      rule: PathPrefix(`/limited`)
                      middlewares: [small-answers]
                      service: backend
                    user:
                      rule: PathPrefix(`/user`)
                      middlewares: [user-field]
                      service: backend
                    mtls:
                      rule: PathPrefix(`/mtls`)
                      middlewares: [with-certificate]
                      service: backend
                    nocert:
                      rule: PathPrefix(`/nocert`)
                      middlewares: [without-certificate]
                      service: backend
                  middlewares:
                    with-body:
                      forwardAuth:
                        address: %1$s/verify
                        forwardBody: true
                        maxBodySize: 1024
                    with-small-body:
                      forwardAuth:
                        address: %1$s/verify
                        forwardBody: true
                        maxBodySize: 16
                    plain:
                      forwardAuth:
                        address: %1$s/verify
                    preserve-location:
                      forwardAuth:
                        address: %1$s/verify
                        preserveLocationHeader: true
                    signin:
                      forwardAuth:
                        address: %1$s/verify
                        authSigninURL: https://login.example.test/start
                    small-answers:
                      forwardAuth:
                        address: %1$s/verify
                        maxResponseBodySize: 100
                    user-field:
                      forwardAuth:
                        address: %1$s/verify
                        headerField: X-Auth-User
                    with-certificate:
                      forwardAuth:
                        address: %2$s/verify
                        tls:
                          insecureSkipVerify: true
                          cert: %3$s
                          key: %4$s
                    without-certificate:
                      forwardAuth:
                        address: %2$s/verify
                        tls:
                          insecureSkipVerify: true
                  services:
                    backend:
                      loadBalancer:
                        servers:
                          - url: %5$s
                """.formatted(auth.url(), mtlsAuth.url(), client.cert(), clientKeyPkcs1, backend.url()))
                .staticConfig("""
                        entryPoints:
                          web:
                            address: "127.0.0.1:0"
                        providers:
                          providersThrottleDuration: 200ms
                          file:
                            directory: dynamic
                        accessLog:
                          filePath: logs/access.json
                          format: json
                        """).start();
        gateway.awaitReload(0, () -> gateway.routerEnabled("body@file") && gateway.routerEnabled("mtls@file"),
                Duration.ofSeconds(10));
    }

    /** A TLS server with the leaf's certificate that requires a client certificate signed by {@code caFile}. */
    private static SslContextFactory.Server requiringClientCertificates(TestCertificates.Leaf leaf, Path caFile)
            throws Exception {
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        List<Certificate> chain = List.copyOf(x509.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(leaf.cert()))));
        String keyPem = Files.readString(leaf.key());
        byte[] der = Base64.getMimeDecoder().decode(keyPem.replaceAll("-----[A-Z ]+-----", ""));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der)),
                "secret".toCharArray(), chain.toArray(new Certificate[0]));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", x509.generateCertificate(new ByteArrayInputStream(Files.readAllBytes(caFile))));
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(keys);
        tls.setKeyStorePassword("secret");
        tls.setTrustStore(trust);
        tls.setNeedClientAuth(true);
        return tls;
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        backend.close();
        auth.close();
        mtlsAuth.close();
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        return Http.client().send(HttpRequest.newBuilder(URI.create(gateway.url(path))).timeout(Duration.ofSeconds(10))
                .method(method, publisher).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void forwardBodySendsTheBodyToTheServiceAndStillToTheBackend() throws Exception {
        HttpResponse<String> allowed = send("POST", "/body", "the secret word");
        assertEquals(200, allowed.statusCode(), allowed.body());
        assertEquals("backend got 'the secret word'", allowed.body());

        HttpResponse<String> denied = send("POST", "/body", "no password here");
        assertEquals(403, denied.statusCode());
        assertEquals("auth got 'no password here'", denied.body(), "the service decided on the body it was sent");
    }

    @Test
    void aBodyOverMaxBodySizeIsUnauthorizedWithoutAskingAnyone() throws Exception {
        int before = backendCalls.get();
        HttpResponse<String> tooLarge = send("POST", "/small", "a secret longer than sixteen bytes");
        assertEquals(401, tooLarge.statusCode());
        assertEquals(before, backendCalls.get());
        assertEquals(200, send("POST", "/small", "secret").statusCode(), "16 bytes or fewer go through");
    }

    @Test
    void aRelativeLocationIsResolvedAgainstTheAddressUnlessPreserved() throws Exception {
        HttpResponse<String> resolved = send("GET", "/resolved/redirect", null);
        assertEquals(302, resolved.statusCode());
        assertEquals(auth.url() + "/login", resolved.headers().firstValue("Location").orElse(null));

        HttpResponse<String> preserved = send("GET", "/preserved/redirect", null);
        assertEquals(302, preserved.statusCode());
        assertEquals("/login", preserved.headers().firstValue("Location").orElse(null));
    }

    @Test
    void authSigninUrlRedirectsAnUnauthorizedClient() throws Exception {
        HttpResponse<String> redirected = send("GET", "/signin/unauthorized", null);
        assertEquals(302, redirected.statusCode());
        assertEquals("https://login.example.test/start", redirected.headers().firstValue("Location").orElse(null));
        assertEquals(401, send("GET", "/resolved/unauthorized", null).statusCode(), "without it the 401 goes back as it is");
    }

    @Test
    void anAnswerOverMaxResponseBodySizeIsUnauthorized() throws Exception {
        assertEquals(401, send("GET", "/limited/chatty", null).statusCode());
        HttpResponse<String> full = send("GET", "/resolved/chatty", null);
        assertEquals(403, full.statusCode());
        assertEquals(1000, full.body().length());
    }

    @Test
    void headerFieldNamesTheUserInTheAccessLog() throws Exception {
        assertEquals(200, send("GET", "/user/x", null).statusCode());
        Path log = dir.resolve("logs/access.json");
        String line = Poll.untilValue("the access log line of /user/x", Duration.ofSeconds(10),
                () -> Files.readAllLines(log).stream().filter(l -> l.contains("\"/user/x\"")).findFirst().orElse(null),
                Objects::nonNull);
        assertTrue(line.contains("\"ClientUsername\":\"alice\""), "access log line: " + line);
    }

    @Test
    void tlsCertAndKeyPresentAClientCertificateToTheService() throws Exception {
        HttpResponse<String> withCertificate = send("GET", "/mtls/x", null);
        assertEquals(200, withCertificate.statusCode(), withCertificate.body());
        assertEquals("backend got ''", withCertificate.body());
        assertEquals(500, send("GET", "/nocert/x", null).statusCode(), "the service refuses a handshake without one");
    }
}
