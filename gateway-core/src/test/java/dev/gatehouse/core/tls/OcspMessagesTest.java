package dev.gatehouse.core.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCSP request the stapler sends and the checks on what comes back, against OpenSSL's own OCSP responder
 * ({@code openssl ocsp -index ... -reqin -respout}): a response is kept only when successful, about this very
 * certificate, and signed by its issuer or by a responder the issuer delegated to.
 */
class OcspMessagesTest {

    @TempDir
    Path dir;

    private OcspTestCa ca;
    private X509Certificate leaf;
    private X509Certificate other;

    @BeforeEach
    void makeCertificates() throws Exception {
        ca = new OcspTestCa(dir);
        leaf = ca.issue("leaf", "rsa", null);
        other = ca.issue("other", "ec", null);
        ca.issue("delegated", "ec", "extendedKeyUsage=OCSPSigning");
        ca.issue("undelegated", "ec", "extendedKeyUsage=serverAuth");
        ca.index(leaf, 'V');
        ca.index(other, 'V');
    }

    @Test
    void theRequestIsTheOneOpenSslMakesForTheCertificate() throws Exception {
        ca.openssl("ocsp", "-issuer", "ca.pem", "-cert", "leaf.pem", "-no_nonce", "-reqout", "openssl-req.der");
        assertArrayEquals(Files.readAllBytes(dir.resolve("openssl-req.der")), OcspMessages.request(leaf, ca.ca));
    }

    @Test
    void acceptsAResponseSignedByTheIssuerOrADelegatedResponder() throws Exception {
        for (String signer : List.of("ca", "delegated")) {
            OcspMessages.Checked checked = OcspMessages.check(respond(leaf, signer, "-nmin", "60"), leaf, ca.ca);
            assertEquals(OcspMessages.CertStatus.GOOD, checked.status(), signer);
            assertEquals(Duration.ofMinutes(60), Duration.between(checked.thisUpdate(), checked.nextUpdate()), signer);
        }
    }

    @Test
    void readsRevokedAndAMissingNextUpdate() throws Exception {
        ca.index(leaf, 'R');
        OcspMessages.Checked checked = OcspMessages.check(respond(leaf, "ca"), leaf, ca.ca);
        assertEquals(OcspMessages.CertStatus.REVOKED, checked.status());
        assertNull(checked.nextUpdate(), "openssl gives no nextUpdate without -nmin/-ndays");
    }

    @Test
    void refusesAResponseSignedByACertificateTheIssuerDidNotDelegateTo() throws Exception {
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                () -> OcspMessages.check(respond(leaf, "undelegated", "-nmin", "60"), leaf, ca.ca));
        assertTrue(e.getMessage().contains("signature"), e.getMessage());
    }

    @Test
    void refusesAResponseSignedByAnotherCa() throws Exception {
        ca.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "rogue.key", "-out", "rogue.pem", "-days", "2", "-subj", "/CN=OCSP Test CA");
        byte[] forged = ca.respond(OcspMessages.request(leaf, ca.ca), "rogue");
        assertThrows(GeneralSecurityException.class, () -> OcspMessages.check(forged, leaf, ca.ca));
    }

    @Test
    void refusesAResponseAboutAnotherCertificate() throws Exception {
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                () -> OcspMessages.check(respond(other, "ca", "-nmin", "60"), leaf, ca.ca));
        assertTrue(e.getMessage().contains("not about certificate serial"), e.getMessage());
    }

    @Test
    void refusesUnsuccessfulAndMalformedResponses() {
        // OCSPResponse { responseStatus tryLater (3) }
        GeneralSecurityException tryLater = assertThrows(GeneralSecurityException.class,
                () -> OcspMessages.check(new byte[] {0x30, 0x03, 0x0a, 0x01, 0x03}, leaf, ca.ca));
        assertTrue(tryLater.getMessage().contains("tryLater"), tryLater.getMessage());
        GeneralSecurityException html = assertThrows(GeneralSecurityException.class,
                () -> OcspMessages.check("<html>proxy error</html>".getBytes(StandardCharsets.US_ASCII), leaf, ca.ca));
        assertTrue(html.getMessage().contains("not a well-formed OCSP response"), html.getMessage());
    }

    @Test
    void findsTheResponderInTheCertificateAndAppliesOverrides() throws Exception {
        X509Certificate withAia = ca.issue("aia", "ec", "authorityInfoAccess=caIssuers;URI:http://ca.test/ca.crt,"
                + "OCSP;URI:http://ocsp.test/one,OCSP;URI:http://ocsp.test/two");
        try (OcspStapler stapler = new OcspStapler(Map.of("http://ocsp.test/two", "http://127.0.0.1:1/"))) {
            assertEquals(List.of("http://ocsp.test/one", "http://127.0.0.1:1/"), stapler.responders(withAia));
            assertEquals(List.of(), stapler.responders(leaf));
        }
    }

    /** OpenSSL's answer to our request for {@code certificate}. */
    private byte[] respond(X509Certificate certificate, String signer, String... options) throws Exception {
        return ca.respond(OcspMessages.request(certificate, ca.ca), signer, options);
    }
}
