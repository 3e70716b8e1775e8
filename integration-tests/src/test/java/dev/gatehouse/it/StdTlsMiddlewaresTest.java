package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * passTLSClientCert through the real gateway: over mutual TLS the backend receives the client's certificate and
 * the selected fields as Traefik writes them; over plain HTTP a client cannot forge those headers.
 */
class StdTlsMiddlewaresTest {

    @TempDir
    Path dir;

    @Test
    void withoutMutualTlsNoCertificateHeaderReachesTheBackendNotEvenAForgedOne() throws Exception {
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         app:
                           rule: PathPrefix(`/`)
                           middlewares: [client-cert]
                           service: app
                       middlewares:
                         client-cert:
                           passTLSClientCert:
                             pem: true
                             info:
                               notAfter: true
                               subject:
                                 commonName: true
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(backend.url()))) {
            gateway.start();
            Echoed echoed = Echoed.parse(Http.get(gateway.url("/"), "X-Forwarded-Tls-Client-Cert", "forged",
                    "X-Forwarded-Tls-Client-Cert-Info", "Subject%3D%22CN%3Dadmin%22").body());
            assertEquals("/", echoed.uri());
            assertNull(echoed.header("X-Forwarded-Tls-Client-Cert"));
            assertNull(echoed.header("X-Forwarded-Tls-Client-Cert-Info"));
        }
    }

    @Test
    void overMutualTlsTheBackendReceivesTheClientCertificateAndItsInfoAsTraefikWritesThem() throws Exception {
        TestCertificates ca = TestCertificates.ca(dir.resolve("certs"));
        TestCertificates.Leaf server = ca.leaf("server", "ec", "mtls.test");
        TestCertificates.Leaf client = ca.leafWithSubject("client", "ec", "/C=FR/O=Gatehouse/OU=Edge Team/CN=client.test",
                "client.test", "alice.example");
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"), """
                     http:
                       routers:
                         app:
                           rule: Host(`mtls.test`)
                           middlewares: [client-cert]
                           service: app
                           tls:
                             options: mtls
                       middlewares:
                         client-cert:
                           passTLSClientCert:
                             pem: true
                             info:
                               notAfter: true
                               notBefore: true
                               sans: true
                               serialNumber: true
                               subject:
                                 country: true
                                 organization: true
                                 organizationalUnit: true
                                 commonName: true
                               issuer:
                                 commonName: true
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     tls:
                       options:
                         mtls:
                           clientAuth:
                             caFiles: [%s]
                             clientAuthType: RequireAndVerifyClientCert
                       certificates:
                         - {certFile: %s, keyFile: %s}
                     """.formatted(backend.url(), ca.caFile(), server.cert(), server.key())).start()) {
            String response = TestCertificates.handshake(ca.clientContext(client), gateway.port("web"), "mtls.test", null,
                    null, "GET /who HTTP/1.1\r\nHost: mtls.test\r\nX-Forwarded-Tls-Client-Cert: forged").response();
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            Echoed echoed = Echoed.parse(response.substring(response.indexOf("\r\n\r\n") + 4));

            X509Certificate certificate = (X509Certificate) TestCertificates.readCertificates(client.cert()).iterator().next();
            // pem: the PEM body without its BEGIN/END lines and line breaks, i.e. the DER in standard base64; the
            // client's own value is replaced.
            assertEquals(Base64.getEncoder().encodeToString(certificate.getEncoded()),
                    echoed.header("X-Forwarded-Tls-Client-Cert"));
            // info: Traefik's fields in its order (Subject C, O, OU, CN; Issuer; SerialNumber in decimal; NB and NA
            // in Unix seconds; SAN), quoted, joined with ';', then escaped as Go's url.QueryEscape.
            String info = "Subject=\"C=FR,O=Gatehouse,OU=Edge Team,CN=client.test\""
                    + ";Issuer=\"CN=Gatehouse Test CA\""
                    + ";SerialNumber=\"" + certificate.getSerialNumber() + "\""
                    + ";NB=\"" + certificate.getNotBefore().getTime() / 1000 + "\""
                    + ";NA=\"" + certificate.getNotAfter().getTime() / 1000 + "\""
                    + ";SAN=\"client.test,alice.example\"";
            String escaped = info.replace("=", "%3D").replace("\"", "%22").replace(";", "%3B").replace(",", "%2C")
                    .replace(" ", "+");
            assertEquals(escaped, echoed.header("X-Forwarded-Tls-Client-Cert-Info"));
        }
    }
}
