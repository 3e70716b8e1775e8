package dev.gatehouse.plugins.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

/**
 * The certificate request and the chain choice as lego makes them for Traefik ({@code disableCommonName},
 * {@code emailAddresses}, {@code preferredChain}); Pebble 2.4 does not mirror the request's CN or e-mail names in
 * what it issues, so they are read from the request here.
 */
class CertificateRequestsTest {

    private static PKCS10CertificationRequest request(List<String> emails, boolean commonName, String... domains)
            throws Exception {
        KeyPair key = Keys.generate("EC256");
        return new PKCS10CertificationRequest(CertificateRequests.csr(key, List.of(domains), emails, commonName));
    }

    private static List<String> alternativeNames(PKCS10CertificationRequest csr, int tag) {
        Extensions extensions = Extensions.getInstance(
                csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)[0].getAttrValues().getObjectAt(0));
        GeneralNames names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
        return Arrays.stream(names.getNames()).filter(name -> name.getTagNo() == tag)
                .map(name -> name.getName().toString()).toList();
    }

    @Test
    void theFirstDomainIsTheCommonNameUnlessDisabled() throws Exception {
        PKCS10CertificationRequest withCn = request(List.of(), true, "a.example.test", "b.example.test");
        assertEquals("a.example.test", withCn.getSubject().getRDNs(BCStyle.CN)[0].getFirst().getValue().toString());
        assertEquals(List.of("a.example.test", "b.example.test"), alternativeNames(withCn, GeneralName.dNSName));

        PKCS10CertificationRequest withoutCn = request(List.of(), false, "a.example.test", "b.example.test");
        assertEquals(0, withoutCn.getSubject().getRDNs().length, withoutCn.getSubject().toString());
        assertEquals(List.of("a.example.test", "b.example.test"), alternativeNames(withoutCn, GeneralName.dNSName));
    }

    @Test
    void aFirstDomainLongerThanACommonNameMayBeIsLeftOut() throws Exception {
        String longName = "a".repeat(60) + ".example.test";
        assertEquals(0, request(List.of(), true, longName).getSubject().getRDNs().length);
    }

    @Test
    void emailAddressesAreEmailAlternativeNames() throws Exception {
        PKCS10CertificationRequest csr = request(List.of("ops@example.test", "pki@example.test"), true, "a.example.test");
        assertEquals(List.of("ops@example.test", "pki@example.test"), alternativeNames(csr, GeneralName.rfc822Name));
    }

    private static X509Certificate certificate(String subject, String issuer) throws Exception {
        KeyPair key = Keys.generate("EC256");
        Instant now = Instant.now();
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(new X500Name(issuer),
                BigInteger.ONE, Date.from(now), Date.from(now.plus(Duration.ofDays(1))), new X500Name(subject),
                key.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    }

    @Test
    void preferredChainIsTheFirstWhoseTopCertificateTheNamedCaIssued() throws Exception {
        X509Certificate leaf = certificate("CN=a.example.test", "CN=Intermediate");
        List<X509Certificate> byDefault = List.of(leaf, certificate("CN=Intermediate", "CN=Root X1"));
        List<X509Certificate> crossSigned = List.of(leaf, certificate("CN=Intermediate", "CN=Old Root, O=Old"));
        List<X509Certificate> other = List.of(leaf, certificate("CN=Intermediate", "CN=Other Root"));

        assertSame(crossSigned, CertificateRequests.preferredChain(byDefault, List.of(other, crossSigned), "Old Root"));
        assertSame(byDefault, CertificateRequests.preferredChain(byDefault, List.of(crossSigned), "Root X1"));
        assertSame(byDefault, CertificateRequests.preferredChain(byDefault, List.of(other, crossSigned), "No Such Root"),
                "no match: the default chain");
        assertSame(byDefault, CertificateRequests.preferredChain(byDefault, List.of(crossSigned), "Intermediate"),
                "only the top certificate's issuer counts");
        assertSame(byDefault, CertificateRequests.preferredChain(byDefault, List.of(crossSigned), null));
    }

    @Test
    void clientTimeoutBelowTheResponseHeaderTimeoutIsRefusedAsByTraefik() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AcmeConfig(null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, Duration.ofSeconds(10), null,
                null, null, null));
        assertTrue(e.getMessage().startsWith("clientTimeout must be at least clientResponseHeaderTimeout"), e.getMessage());
    }

    @Test
    void aTimeoutThatIsNotPositiveIsRefusedNamingItsKey() {
        for (Duration bad : List.of(Duration.ZERO, Duration.ofSeconds(-5))) {
            IllegalArgumentException client = assertThrows(IllegalArgumentException.class, () -> new AcmeConfig(null,
                    null, null, null, null, null, null, null, null, null, null, null, null, null, bad, null, null, null,
                    null));
            assertTrue(client.getMessage().startsWith("clientTimeout must be a positive duration"), client.getMessage());
            IllegalArgumentException headers = assertThrows(IllegalArgumentException.class, () -> new AcmeConfig(null,
                    null, null, null, null, null, null, null, null, null, null, null, null, null, null, bad, null, null,
                    null));
            assertTrue(headers.getMessage().startsWith("clientResponseHeaderTimeout must be a positive duration"),
                    headers.getMessage());
            IllegalArgumentException certificate = assertThrows(IllegalArgumentException.class, () -> new AcmeConfig(
                    null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    null, bad));
            assertTrue(certificate.getMessage().startsWith("certificateTimeout must be a positive duration"),
                    certificate.getMessage());
        }
    }

    @Test
    void caServerNameIsMatchedAgainstTheServersAlternativeNames() throws Exception {
        KeyPair key = Keys.generate("EC256");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("CN=ignored.example.test"),
                BigInteger.ONE, Date.from(now), Date.from(now.plus(Duration.ofDays(1))),
                new X500Name("CN=ignored.example.test"), key.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "acme.example.test"),
                new GeneralName(GeneralName.dNSName, "*.ca.example.test"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        X509Certificate server = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        assertTrue(CaServerTrust.matches(server, "acme.example.test"));
        assertTrue(CaServerTrust.matches(server, "one.ca.example.test"));
        assertTrue(CaServerTrust.matches(server, "127.0.0.1"));
        assertTrue(!CaServerTrust.matches(server, "two.one.ca.example.test"), "a wildcard covers one label");
        assertTrue(!CaServerTrust.matches(server, "ignored.example.test"), "the CN is not a name");
        assertTrue(!CaServerTrust.matches(server, "127.0.0.2"));
    }

    /** A caCertificates file that is missing, not PEM or empty stops the resolver at start, naming the file. */
    @Test
    void anUnusableCaCertificatesFileStopsTheStartNamingIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path missing = dir.resolve("missing.pem");
        java.nio.file.Path notPem = java.nio.file.Files.writeString(dir.resolve("key.pem"),
                "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        java.nio.file.Path text = java.nio.file.Files.writeString(dir.resolve("notes.txt"), "the CA is at ...\n");
        java.nio.file.Path empty = java.nio.file.Files.writeString(dir.resolve("empty.pem"), "");
        String notPemFile = " is not a PEM certificate file (expected -----BEGIN CERTIFICATE----- blocks)";
        Map<java.nio.file.Path, String> expected = Map.of(
                missing, missing + " does not exist",
                notPem, notPem + notPemFile,
                text, text + notPemFile,
                empty, empty + " holds no PEM certificate");
        for (Map.Entry<java.nio.file.Path, String> file : expected.entrySet()) {
            AcmeConfig config = new AcmeConfig(null, null, null, null, null, new AcmeConfig.HttpChallenge("web", null),
                    null, null, null, List.of(file.getKey().toString()), null, null, null, null, null, null, null, null,
                    null);
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> new AcmeResolver(location -> null).start(config, named("le")));
            assertEquals("certificatesResolvers.le.acme.caCertificates: " + file.getValue(), refused.getMessage());
        }
    }

    private static AcmeConfig trustConfig(List<String> caCertificates, Boolean caSystemCertPool, String caServerName) {
        return new AcmeConfig(null, null, null, null, null, null, null, null, null, caCertificates, null, null, null,
                null, null, null, caSystemCertPool, caServerName, null);
    }

    /**
     * As Traefik (lego's CreateCertPool): {@code caCertificates} alone trusts those CAs only; {@code caSystemCertPool}
     * adds the system's (the JVM's); {@code caServerName} alone, without the system pool, trusts nothing.
     */
    @Test
    void caCertificatesAreTheWholePoolUnlessCaSystemCertPool(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        X509Certificate privateCa = certificate("CN=Private ACME CA", "CN=Private ACME CA");
        java.nio.file.Path pem = dir.resolve("ca.pem");
        java.nio.file.Files.writeString(pem, Keys.pem(List.of(privateCa)));
        int jvmCas = systemIssuers();

        X509Certificate[] only = CaServerTrust.trustManager(trustConfig(List.of(pem.toString()), null, null))
                .getAcceptedIssuers();
        assertEquals(List.of(privateCa), List.of(only));

        X509Certificate[] withSystem = CaServerTrust.trustManager(trustConfig(List.of(pem.toString()), true, null))
                .getAcceptedIssuers();
        assertEquals(jvmCas + 1, withSystem.length);
        assertTrue(List.of(withSystem).contains(privateCa));

        assertEquals(0, CaServerTrust.trustManager(trustConfig(List.of(), null, "acme.example.test"))
                .getAcceptedIssuers().length);
        assertEquals(null, CaServerTrust.sslContext(trustConfig(List.of(), true, null)),
                "neither caCertificates nor caServerName: the JVM's default trust");
    }

    private static int systemIssuers() throws Exception {
        javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        factory.init((java.security.KeyStore) null);
        return ((javax.net.ssl.X509TrustManager) factory.getTrustManagers()[0]).getAcceptedIssuers().length;
    }

    /** The context of a resolver named {@code name} that is refused before it could issue anything. */
    private static dev.gatehouse.api.CertResolverContext named(String name) {
        return new dev.gatehouse.api.CertResolverContext() {
            @Override
            public String resolverName() {
                return name;
            }

            @Override
            public void issued(Set<String> domains, java.security.PrivateKey key,
                    List<X509Certificate> chain) {
                throw new AssertionError("nothing is issued by a resolver that does not start");
            }

            @Override
            public void failed(Set<String> domains, Throwable cause) {
            }

            @Override
            public void tlsAlpnChallenge(String domain, byte[] acmeValidation) {
            }

            @Override
            public void tlsAlpnChallengeDone(String domain) {
            }
        };
    }
}
