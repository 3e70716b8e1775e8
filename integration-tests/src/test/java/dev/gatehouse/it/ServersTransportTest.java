package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ProblemKind;
import dev.gatehouse.core.runtime.Status;
import dev.gatehouse.testkit.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code http.serversTransports}: HTTPS to a backend with a self-signed certificate (trusted through rootCAs,
 * or not checked with insecureSkipVerify, checked against serverName), mTLS to a backend that requires a
 * client certificate, h2c backends, and per-transport timeouts. Certificates are made by the JDK's keytool.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ServersTransportTest {

    @TempDir
    static Path certs;

    @TempDir
    Path dir;

    private static Path serverStore;
    private static Path serverPem;
    private static Path clientStore;
    private static Path clientPem;
    private static Path clientKeyPem;
    private static Path clientRsaKeyPem;

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void makeCertificates() throws Exception {
        serverStore = certs.resolve("server.p12");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=backend.test",
                "-ext", "san=dns:backend.test", "-validity", "2", "-storetype", "PKCS12", "-keystore",
                serverStore.toString(), "-storepass", "secret", "-keypass", "secret");
        serverPem = certs.resolve("server.pem");
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", serverStore.toString(), "-storepass", "secret",
                "-file", serverPem.toString());
        clientStore = certs.resolve("client.p12");
        keytool("-genkeypair", "-alias", "client", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=gatehouse",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", clientStore.toString(), "-storepass", "secret",
                "-keypass", "secret");
        clientPem = certs.resolve("client.pem");
        keytool("-exportcert", "-rfc", "-alias", "client", "-keystore", clientStore.toString(), "-storepass", "secret",
                "-file", clientPem.toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(clientStore)) {
            store.load(in, "secret".toCharArray());
        }
        PrivateKey key = (PrivateKey) store.getKey("client", "secret".toCharArray());
        clientKeyPem = certs.resolve("client-key.pem");
        Files.writeString(clientKeyPem, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        // The same key as PKCS#1 (BEGIN RSA PRIVATE KEY), as many tools still write client keys.
        clientRsaKeyPem = certs.resolve("client-key-rsa.pem");
        Process openssl = new ProcessBuilder("openssl", "rsa", "-in", clientKeyPem.toString(), "-traditional",
                "-out", clientRsaKeyPem.toString()).redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0, "openssl rsa failed: " + output);
        assertTrue(Files.readString(clientRsaKeyPem).contains("BEGIN RSA PRIVATE KEY"), "a PKCS#1 key was written");
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0, "keytool failed: " + output);
    }

    /** Answers with the protocol and whether a client certificate came. */
    private static Handler whoAmI(String name) {
        return new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Object session = request.getAttribute(org.eclipse.jetty.io.EndPoint.SslSessionData.ATTRIBUTE);
                Object certificates = session instanceof org.eclipse.jetty.io.EndPoint.SslSessionData data
                        && data.peerCertificates() != null && data.peerCertificates().length > 0 ? "yes" : null;
                String body = "backend=" + name + " protocol=" + request.getConnectionMetaData().getProtocol()
                        + " secure=" + request.isSecure() + " clientCert=" + (certificates != null);
                response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        };
    }

    private static SslContextFactory.Server serverTls(boolean needClientAuth) {
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStorePath(serverStore.toString());
        tls.setKeyStorePassword("secret");
        tls.setKeyStoreType("PKCS12");
        if (needClientAuth) {
            tls.setNeedClientAuth(true);
            tls.setTrustStorePath(clientStore.toString());
            tls.setTrustStorePassword("secret");
            tls.setTrustStoreType("PKCS12");
        }
        return tls;
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String route(String name, String url, String transport) {
        return """
                    %1$s:
                      rule: PathPrefix(`/%1$s`)
                      service: %1$s
                """.formatted(name) + "\u0000" + """
                    %1$s:
                      loadBalancer:
                        %3$s
                        servers:
                          - url: %2$s
                """.formatted(name, url, transport == null ? "" : "serversTransport: " + transport);
    }

    private static String config(String transports, String... routes) {
        StringBuilder routers = new StringBuilder("http:\n  routers:\n");
        StringBuilder services = new StringBuilder("  services:\n");
        for (String route : routes) {
            String[] parts = route.split("\u0000");
            routers.append(parts[0]);
            services.append(parts[1]);
        }
        return routers + services.toString() + "  serversTransports:\n" + transports;
    }

    @Test
    void httpsToASelfSignedBackendNeedsItsCaOrInsecureSkipVerifyAndChecksServerName() throws Exception {
        try (TestBackend backend = TestBackend.tls("tls", serverTls(false), whoAmI("tls"))) {
            String yaml = config("""
                        trusted:
                          rootCAs:
                            - %1$s
                          serverName: backend.test
                        wrongname:
                          rootCAs:
                            - %1$s
                        insecure:
                          insecureSkipVerify: true
                    """.formatted(serverPem),
                    route("plain", backend.url(), null),
                    route("trusted", backend.url(), "trusted"),
                    route("wrongname", backend.url(), "wrongname"),
                    route("insecure", backend.url(), "insecure"));
            try (TestGateway gateway = Gateways.withDynamic(dir, yaml).start()) {
                gateway.awaitReload(0, () -> gateway.routerEnabled("insecure@file") && gateway.routerEnabled("trusted@file"),
                        Duration.ofSeconds(10));
                assertEquals(502, get(gateway.url("/plain")).statusCode(), "an unknown CA must not be trusted");
                HttpResponse<String> trusted = get(gateway.url("/trusted"));
                assertEquals(200, trusted.statusCode(), trusted.body());
                assertTrue(trusted.body().contains("secure=true"), trusted.body());
                assertEquals(502, get(gateway.url("/wrongname")).statusCode(),
                        "127.0.0.1 is not in the certificate: only serverName makes it match");
                assertEquals(200, get(gateway.url("/insecure")).statusCode());
            }
        }
    }

    /** Traefik v3.7's servers transport minVersion, maxVersion and cipherSuites, against a TLS 1.2 RSA backend. */
    @Test
    void tlsVersionsAndCipherSuitesLimitWhatIsOfferedToServers() throws Exception {
        SslContextFactory.Server tls12Only = serverTls(false);
        tls12Only.setIncludeProtocols("TLSv1.2");
        try (TestBackend backend = TestBackend.tls("tls12", tls12Only, whoAmI("tls12"))) {
            String yaml = config("""
                        tls13only:
                          insecureSkipVerify: true
                          minVersion: VersionTLS13
                        upto12:
                          insecureSkipVerify: true
                          maxVersion: VersionTLS12
                        ecdsaonly:
                          insecureSkipVerify: true
                          cipherSuites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]
                        rsasuite:
                          insecureSkipVerify: true
                          cipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
                        inverted:
                          minVersion: VersionTLS13
                          maxVersion: VersionTLS12
                    """,
                    route("tls13only", backend.url(), "tls13only"),
                    route("upto12", backend.url(), "upto12"),
                    route("ecdsaonly", backend.url(), "ecdsaonly"),
                    route("rsasuite", backend.url(), "rsasuite"),
                    route("inverted", backend.url(), "inverted"));
            try (TestGateway gateway = Gateways.withDynamic(dir, yaml).start()) {
                gateway.awaitReload(0, () -> gateway.routerEnabled("upto12@file") && gateway.routerEnabled("rsasuite@file"),
                        Duration.ofSeconds(10));
                assertEquals(502, get(gateway.url("/tls13only")).statusCode(), "the backend speaks TLS 1.2 only");
                assertEquals(200, get(gateway.url("/upto12")).statusCode());
                assertEquals(502, get(gateway.url("/ecdsaonly")).statusCode(),
                        "an ECDSA suite cannot be used with the backend's RSA key over TLS 1.2");
                assertEquals(200, get(gateway.url("/rsasuite")).statusCode());
                assertFalse(gateway.logLines("inverted", "minVersion VersionTLS13 is above maxVersion VersionTLS12")
                        .isEmpty(), gateway.logs());
            }
        }
    }

    @Test
    void mutualTlsPresentsTheConfiguredClientCertificate() throws Exception {
        try (TestBackend backend = TestBackend.tls("mtls", serverTls(true), whoAmI("mtls"))) {
            String yaml = config("""
                        withcert:
                          rootCAs: [%1$s]
                          serverName: backend.test
                          certificates:
                            - certFile: %2$s
                              keyFile: %3$s
                        withpkcs1key:
                          rootCAs: [%1$s]
                          serverName: backend.test
                          certificates:
                            - certFile: %2$s
                              keyFile: %4$s
                        withoutcert:
                          rootCAs: [%1$s]
                          serverName: backend.test
                    """.formatted(serverPem, clientPem, clientKeyPem, clientRsaKeyPem),
                    route("withcert", backend.url(), "withcert"),
                    route("withpkcs1key", backend.url(), "withpkcs1key"),
                    route("withoutcert", backend.url(), "withoutcert@file"));
            try (TestGateway gateway = Gateways.withDynamic(dir, yaml).start()) {
                gateway.awaitReload(0, () -> gateway.routerEnabled("withcert@file"), Duration.ofSeconds(10));
                HttpResponse<String> ok = get(gateway.url("/withcert"));
                assertEquals(200, ok.statusCode(), ok.body());
                assertTrue(ok.body().contains("clientCert=true"), ok.body());
                // PKCS#1 keys are read as entry points read them (servers transports once took PKCS#8 only)
                HttpResponse<String> pkcs1 = get(gateway.url("/withpkcs1key"));
                assertEquals(200, pkcs1.statusCode(), pkcs1.body());
                assertTrue(pkcs1.body().contains("clientCert=true"), pkcs1.body());
                assertEquals(502, get(gateway.url("/withoutcert")).statusCode());
            }
        }
    }

    @Test
    void h2cBackendsGetHttp2AndTimeoutsArePerTransport() throws Exception {
        try (TestBackend h2c = TestBackend.h2c("h2c", whoAmI("h2c"));
             TestBackend slow = TestBackend.delayed("slow", Duration.ofSeconds(3))) {
            String yaml = config("""
                        impatient:
                          forwardingTimeouts:
                            responseHeaderTimeout: 300ms
                        nohttp2:
                          disableHTTP2: true
                    """,
                    route("h2", h2c.url().replace("http://", "h2c://"), null),
                    route("h1", h2c.url().replace("http://", "h2c://"), "nohttp2"),
                    route("slow", slow.url(), "impatient"));
            try (TestGateway gateway = Gateways.withDynamic(dir, yaml).start()) {
                gateway.awaitReload(0, () -> gateway.routerEnabled("slow@file") && gateway.routerEnabled("h2@file"),
                        Duration.ofSeconds(10));
                HttpResponse<String> h2 = get(gateway.url("/h2"));
                assertEquals(200, h2.statusCode(), h2.body());
                assertTrue(h2.body().contains("protocol=HTTP/2.0"), h2.body());
                assertTrue(get(gateway.url("/h1")).body().contains("protocol=HTTP/1.1"));
                long start = System.nanoTime();
                assertEquals(504, get(gateway.url("/slow")).statusCode());
                assertTrue((System.nanoTime() - start) / 1_000_000 < 2500);
            }
        }
    }

    @Test
    void anUnknownTransportDisablesOnlyItsService() throws Exception {
        try (TestBackend backend = TestBackend.echo("b")) {
            String yaml = config("""
                        broken:
                          rootCAs: [/does/not/exist.pem]
                    """,
                    route("fine", backend.url(), null),
                    route("missing", backend.url(), "nosuch"),
                    route("broken", backend.url(), "broken"));
            try (TestGateway gateway = Gateways.withDynamic(dir, yaml).start()) {
                gateway.awaitReload(0, () -> gateway.routerEnabled("fine@file"), Duration.ofSeconds(10));
                assertEquals(200, get(gateway.url("/fine")).statusCode());
                assertEquals(404, get(gateway.url("/missing")).statusCode());
                assertEquals(Status.DISABLED, gateway.routerStatus("missing@file"));
                assertEquals(List.of(ProblemKind.INVALID), gateway.problemKinds(ConfigElement.service("missing@file")),
                        "its serversTransport does not exist");
                assertEquals(List.of(ProblemKind.INVALID), gateway.problemKinds(
                        new ConfigElement(ConfigElement.Type.SERVERS_TRANSPORT, "broken@file")));
                assertEquals(Status.ENABLED, gateway.routerStatus("fine@file"));
            }
        }
    }

    /** The static configuration the harness uses, with {@code serversTransport} as given. */
    private static String staticWithTransport(String serversTransport) {
        return """
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                providers:
                  providersThrottleDuration: 200ms
                  file:
                    directory: dynamic
                serversTransport:
                """ + serversTransport.indent(2);
    }

    private static String oneRoute(String url) {
        return config("", route("app", url, null)).replace("  serversTransports:\n", "");
    }

    @Test
    void staticInsecureSkipVerifyIsTheDefaultForServicesWithoutTheirOwnTransport() throws Exception {
        try (TestBackend backend = TestBackend.tls("tls", serverTls(false), whoAmI("tls"))) {
            try (TestGateway gateway = Gateways.withDynamic(dir.resolve("checked"), oneRoute(backend.url()))
                    .start()) {
                gateway.awaitReload(0, () -> gateway.routerEnabled("app@file"), Duration.ofSeconds(10));
                assertEquals(502, get(gateway.url("/app")).statusCode(), "a self-signed certificate must not be trusted");
            }
            try (TestGateway gateway = Gateways.withDynamic(dir.resolve("insecure"), oneRoute(backend.url()))
                    .staticConfig(staticWithTransport("insecureSkipVerify: true")).start()) {
                gateway.awaitReload(0, () -> gateway.routerEnabled("app@file"), Duration.ofSeconds(10));
                HttpResponse<String> response = get(gateway.url("/app"));
                assertEquals(200, response.statusCode(), response.body());
                assertTrue(response.body().contains("secure=true"), response.body());
            }
            try (TestGateway gateway = Gateways.withDynamic(dir.resolve("flag"), oneRoute(backend.url()))
                    .flag("--serversTransport.insecureSkipVerify=true").start()) {
                gateway.awaitReload(0, () -> gateway.routerEnabled("app@file"), Duration.ofSeconds(10));
                assertEquals(200, get(gateway.url("/app")).statusCode(), "the flag form binds as the file form");
            }
        }
    }

    @Test
    void staticRootCAsTrustTheBackendsCaReadRelativeToTheConfigurationFile() throws Exception {
        // Static serversTransport has no serverName (as Traefik's): the certificate must name 127.0.0.1.
        Path store = dir.resolve("ip.p12");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", "secret", "-keypass", "secret");
        Path gatewayDir = dir.resolve("gateway");
        Files.createDirectories(gatewayDir.resolve("certs"));
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", store.toString(), "-storepass", "secret",
                "-file", gatewayDir.resolve("certs/backend-ca.pem").toString());
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStorePath(store.toString());
        tls.setKeyStorePassword("secret");
        tls.setKeyStoreType("PKCS12");
        try (TestBackend backend = TestBackend.tls("ip", tls, whoAmI("ip"));
             TestGateway gateway = Gateways.withDynamic(gatewayDir, oneRoute(backend.url()))
                    .staticConfig(staticWithTransport("rootCAs:\n  - certs/backend-ca.pem")).start()) {
            gateway.awaitReload(0, () -> gateway.routerEnabled("app@file"), Duration.ofSeconds(10));
            HttpResponse<String> response = get(gateway.url("/app"));
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(response.body().contains("secure=true"), response.body());
        }
    }
}
