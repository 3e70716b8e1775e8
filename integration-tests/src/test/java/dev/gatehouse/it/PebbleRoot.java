package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The roots of the certificates a test.sh Pebble issues (new at every start), and trust in the first: read from its
 * management interface, over HTTPS trusting the CA test.sh made for Pebble itself.
 */
final class PebbleRoot {

    private PebbleRoot() {
    }

    /**
     * @param prefix the variables' prefix test.sh exports for that Pebble ({@code IT_PEBBLE}, {@code IT_DNS_PEBBLE})
     */
    static TrustManager[] trustManagers(String prefix) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("pebble-root", root(prefix, 0));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        return factory.getTrustManagers();
    }

    /**
     * Pebble's root {@code index}: 0 signs the default chain, 1 the alternate one that {@code PEBBLE_ALTERNATE_ROOTS=1}
     * makes it offer.
     */
    static X509Certificate root(String prefix, int index) throws Exception {
        KeyStore pebbleCa = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(Path.of(System.getenv(prefix + "_TRUSTSTORE")))) {
            pebbleCa.load(in, System.getenv(prefix + "_TRUSTSTORE_PASSWORD").toCharArray());
        }
        TrustManagerFactory forManagement = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        forManagement.init(pebbleCa);
        SSLContext management = SSLContext.getInstance("TLS");
        management.init(null, forManagement.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(management).connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<byte[]> root = client.send(HttpRequest.newBuilder(
                URI.create(System.getenv(prefix + "_MANAGEMENT") + "/roots/" + index)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, root.statusCode());
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(root.body()));
    }
}
