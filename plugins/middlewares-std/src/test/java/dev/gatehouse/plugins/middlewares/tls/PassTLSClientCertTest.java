package dev.gatehouse.plugins.middlewares.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.gatehouse.plugins.middlewares.MiddlewareTester;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** passTLSClientCert (Traefik's pass_tls_client_cert_test.go ideas), with a certificate made by the JDK's keytool. */
class PassTLSClientCertTest {

    static X509Certificate certificate;

    @BeforeAll
    static void makeCertificate(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("client.p12");
        keytool("-genkeypair", "-alias", "c", "-keyalg", "EC", "-keystore", store.toString(), "-storepass", "secret",
                "-dname", "CN=client.example, OU=Eng, OU=Ops, O=Acme, L=Paris, ST=IDF, C=FR, DC=example, DC=org",
                "-ext", "san=dns:a.example,dns:b.example,email:me@example.org,ip:10.0.0.1,ip:2001:db8:0:0:0:0:0:1,uri:spiffe://acme/client",
                "-validity", "365");
        Path pem = dir.resolve("client.pem");
        keytool("-exportcert", "-rfc", "-alias", "c", "-keystore", store.toString(), "-storepass", "secret", "-file", pem.toString());
        try (InputStream in = Files.newInputStream(pem)) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
    }

    /** The middleware behind a handler that puts the client certificates where Jetty's TLS connection does. */
    private static MiddlewareTester tester(PassTLSClientCert.Config config, X509Certificate... certificates) throws Exception {
        Handler.Wrapper middleware = new PassTLSClientCert().create(config, null);
        Handler.Wrapper tls = new Handler.Wrapper() {
            @Override
            public void setHandler(Handler next) {
                middleware.setHandler(next);
                super.setHandler(middleware);
            }

            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (certificates.length > 0) {
                    request.setAttribute(EndPoint.SslSessionData.ATTRIBUTE, EndPoint.SslSessionData.from(null, null, null, certificates));
                }
                return super.handle(request, response, callback);
            }
        };
        return new MiddlewareTester(tls);
    }

    private static final PassTLSClientCert.DistinguishedName ALL = new PassTLSClientCert.DistinguishedName(true, true, true,
            true, true, true, true, true);

    @Test
    void infoFieldsAreTraefiks() throws Exception {
        long nb = certificate.getNotBefore().getTime() / 1000;
        long na = certificate.getNotAfter().getTime() / 1000;
        String serial = certificate.getSerialNumber().toString();
        record Case(String name, PassTLSClientCert.Info info, String expected) {
        }
        List<Case> cases = List.of(
                new Case("everything", new PassTLSClientCert.Info(true, true, true, true, ALL, ALL),
                        "Subject=\"DC=org,DC=example,C=FR,ST=IDF,L=Paris,O=Acme,OU=Ops,OU=Eng,CN=client.example\";"
                                + "Issuer=\"DC=org,DC=example,C=FR,ST=IDF,L=Paris,O=Acme,CN=client.example\";"
                                + "SerialNumber=\"" + serial + "\";NB=\"" + nb + "\";NA=\"" + na + "\";"
                                + "SAN=\"a.example,b.example,me@example.org,10.0.0.1,2001:db8::1,spiffe://acme/client\""),
                new Case("common name only", new PassTLSClientCert.Info(null, null, null, null,
                        new PassTLSClientCert.DistinguishedName(null, null, null, null, null, true, null, null), null),
                        "Subject=\"CN=client.example\""),
                new Case("dates", new PassTLSClientCert.Info(true, true, false, false, null, null),
                        "NB=\"" + nb + "\";NA=\"" + na + "\""),
                new Case("nothing selected", new PassTLSClientCert.Info(null, null, null, null, null, null), ""));
        for (Case c : cases) {
            try (MiddlewareTester t = tester(new PassTLSClientCert.Config(false, c.info()), certificate)) {
                assertEquals(200, t.get("/").getStatus());
                String header = t.seen().header("X-Forwarded-Tls-Client-Cert-Info");
                assertEquals(c.expected(), URLDecoder.decode(header, StandardCharsets.UTF_8), c.name());
                assertNull(t.seen().header("X-Forwarded-Tls-Client-Cert"), c.name() + ": pem is off");
            }
        }
    }

    @Test
    void pemIsTheBase64OfEachCertificateJoinedWithCommas() throws Exception {
        String der = Base64.getEncoder().encodeToString(certificate.getEncoded());
        try (MiddlewareTester t = tester(new PassTLSClientCert.Config(true, null), certificate, certificate)) {
            t.get("/", "X-Forwarded-Tls-Client-Cert: forged");
            assertEquals(der + "," + der, t.seen().header("X-Forwarded-Tls-Client-Cert"));
        }
    }

    @Test
    void withoutMutualTlsTheRequestIsLeftAlone() throws Exception {
        try (MiddlewareTester t = tester(new PassTLSClientCert.Config(true,
                new PassTLSClientCert.Info(true, true, true, true, ALL, ALL)))) {
            assertEquals(200, t.get("/").getStatus());
            assertNull(t.seen().header("X-Forwarded-Tls-Client-Cert"));
            assertNull(t.seen().header("X-Forwarded-Tls-Client-Cert-Info"));
        }
    }

    @Test
    void ipv6IsPrintedAsGoDoes() {
        record Case(String in, String out) {
        }
        for (Case c : List.of(new Case("2001:DB8:0:0:0:0:0:1", "2001:db8::1"), new Case("0:0:0:0:0:0:0:1", "::1"),
                new Case("1:0:0:2:0:0:0:3", "1:0:0:2::3"), new Case("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
                new Case("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"), new Case("10.0.0.1", "10.0.0.1"))) {
            assertEquals(c.out(), PassTLSClientCert.goIp(c.in()), c.in());
        }
    }
}
