package dev.gatehouse.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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

    private X509Certificate ca;
    private X509Certificate leaf;
    private X509Certificate other;

    @BeforeEach
    void makeCertificates() throws Exception {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
                "-out", "ca.pem", "-days", "2", "-subj", "/CN=OCSP Test CA");
        ca = read("ca.pem");
        leaf = issue("leaf", "rsa", null);
        other = issue("other", "ec", null);
        issue("delegated", "ec", "extendedKeyUsage=OCSPSigning");
        issue("undelegated", "ec", "extendedKeyUsage=serverAuth");
        Files.writeString(dir.resolve("index.txt"), indexLine('V', leaf, "/CN=leaf") + indexLine('V', other, "/CN=other"));
    }

    @Test
    void openSslReadsTheRequestAsOneForTheCertificate() throws Exception {
        Files.write(dir.resolve("req.der"), OcspMessages.request(leaf, ca));
        String text = openssl("ocsp", "-reqin", "req.der", "-req_text");
        assertTrue(text.contains("Hash Algorithm: sha1"), text);
        assertTrue(text.contains("Serial Number: " + leaf.getSerialNumber().toString(16).toUpperCase(Locale.ROOT)), text);
    }

    @Test
    void acceptsAResponseSignedByTheIssuerOrADelegatedResponder() throws Exception {
        for (String signer : List.of("ca", "delegated")) {
            OcspMessages.Checked checked = OcspMessages.check(respond(leaf, signer, "-nmin", "60"), leaf, ca);
            assertEquals(OcspMessages.CertStatus.GOOD, checked.status(), signer);
            assertEquals(Duration.ofMinutes(60), Duration.between(checked.thisUpdate(), checked.nextUpdate()), signer);
        }
    }

    @Test
    void readsRevokedAndAMissingNextUpdate() throws Exception {
        Files.writeString(dir.resolve("index.txt"), "R\t301231235959Z\t261201000000Z\t" + serial(leaf) + "\tunknown\t/CN=leaf\n");
        OcspMessages.Checked checked = OcspMessages.check(respond(leaf, "ca"), leaf, ca);
        assertEquals(OcspMessages.CertStatus.REVOKED, checked.status());
        assertNull(checked.nextUpdate(), "openssl gives no nextUpdate without -nmin/-ndays");
    }

    @Test
    void refusesAResponseSignedByACertificateTheIssuerDidNotDelegateTo() throws Exception {
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                () -> OcspMessages.check(respond(leaf, "undelegated", "-nmin", "60"), leaf, ca));
        assertTrue(e.getMessage().contains("signature"), e.getMessage());
    }

    @Test
    void refusesAResponseSignedByAnotherCa() throws Exception {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "rogue.key", "-out", "rogue.pem", "-days", "2", "-subj", "/CN=OCSP Test CA");
        Files.write(dir.resolve("req.der"), OcspMessages.request(leaf, ca));
        openssl("ocsp", "-index", "index.txt", "-rsigner", "rogue.pem", "-rkey", "rogue.key", "-CA", "rogue.pem",
                "-reqin", "req.der", "-respout", "resp.der");
        assertThrows(GeneralSecurityException.class,
                () -> OcspMessages.check(Files.readAllBytes(dir.resolve("resp.der")), leaf, ca));
    }

    @Test
    void refusesAResponseAboutAnotherCertificate() throws Exception {
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                () -> OcspMessages.check(respond(other, "ca", "-nmin", "60"), leaf, ca));
        assertTrue(e.getMessage().contains("not about certificate serial"), e.getMessage());
    }

    @Test
    void refusesUnsuccessfulAndMalformedResponses() {
        // OCSPResponse { responseStatus tryLater (3) }
        GeneralSecurityException tryLater = assertThrows(GeneralSecurityException.class,
                () -> OcspMessages.check(new byte[] {0x30, 0x03, 0x0a, 0x01, 0x03}, leaf, ca));
        assertTrue(tryLater.getMessage().contains("tryLater"), tryLater.getMessage());
        GeneralSecurityException html = assertThrows(GeneralSecurityException.class,
                () -> OcspMessages.check("<html>proxy error</html>".getBytes(StandardCharsets.US_ASCII), leaf, ca));
        assertTrue(html.getMessage().contains("not a well-formed OCSP response"), html.getMessage());
    }

    @Test
    void findsTheResponderInTheCertificateAndAppliesOverrides() throws Exception {
        X509Certificate withAia = issue("aia", "ec", "authorityInfoAccess=caIssuers;URI:http://ca.test/ca.crt,"
                + "OCSP;URI:http://ocsp.test/one,OCSP;URI:http://ocsp.test/two");
        try (OcspStapler stapler = new OcspStapler(Map.of("http://ocsp.test/two", "http://127.0.0.1:1/"))) {
            assertEquals(List.of("http://ocsp.test/one", "http://127.0.0.1:1/"), stapler.responders(withAia));
            assertEquals(List.of(), stapler.responders(leaf));
        }
    }

    /** OpenSSL's answer to our request for {@code certificate}, signed by {@code signer} (a file stem). */
    private byte[] respond(X509Certificate certificate, String signer, String... options) throws Exception {
        Files.write(dir.resolve("req.der"), OcspMessages.request(certificate, ca));
        List<String> args = new ArrayList<>(List.of("ocsp", "-index", "index.txt", "-rsigner", signer + ".pem",
                "-rkey", signer + ".key", "-CA", "ca.pem", "-reqin", "req.der", "-respout", "resp.der"));
        args.addAll(List.of(options));
        openssl(args.toArray(new String[0]));
        return Files.readAllBytes(dir.resolve("resp.der"));
    }

    private X509Certificate issue(String name, String keyType, String extension) throws Exception {
        List<String> request = new ArrayList<>(List.of("req", "-new", "-nodes", "-keyout", name + ".key", "-out",
                name + ".csr", "-subj", "/CN=" + name, "-newkey", keyType.equals("rsa") ? "rsa:2048" : "ec"));
        if (keyType.equals("ec")) {
            request.addAll(List.of("-pkeyopt", "ec_paramgen_curve:P-256"));
        }
        if (extension != null) {
            request.addAll(List.of("-addext", extension));
        }
        openssl(request.toArray(new String[0]));
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial",
                String.valueOf(new java.security.SecureRandom().nextInt(Integer.MAX_VALUE)), "-days", "2",
                "-out", name + ".pem", "-copy_extensions", "copy");
        return read(name + ".pem");
    }

    private X509Certificate read(String file) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(dir.resolve(file))));
    }

    private static String serial(X509Certificate certificate) {
        String hex = certificate.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
        return hex.length() % 2 == 0 ? hex : "0" + hex;
    }

    private static String indexLine(char status, X509Certificate certificate, String subject) {
        return status + "\t301231235959Z\t\t" + serial(certificate) + "\tunknown\t" + subject + "\n";
    }

    private String openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + output);
        }
        return output;
    }
}
