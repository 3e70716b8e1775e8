package dev.gatehouse.core.tls;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * A self-signed EC P-256 certificate, made at start for the default certificate (Traefik serves its
 * "TRAEFIK DEFAULT CERT" the same way until a real one exists).
 */
public final class SelfSignedCertificate {

    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

    private SelfSignedCertificate() {
    }

    /**
     * @param commonName the subject and issuer common name
     * @param dnsNames subject alternative names (may be empty)
     * @param validity how long from now it is valid (it starts an hour ago, for clocks a little behind)
     */
    public static CertifiedKey create(String commonName, List<String> dnsNames, Duration validity)
            throws GeneralSecurityException {
        return create(newKeyPair(), commonName, dnsNames, validity);
    }

    /** An EC P-256 key pair. */
    public static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** The same, with a given EC key pair (tests make thousands of certificates with one key). */
    public static CertifiedKey create(KeyPair pair, String commonName, List<String> dnsNames, Duration validity)
            throws GeneralSecurityException {
        return create(pair, commonName, dnsNames, validity, null);
    }

    /**
     * The ACME TLS-ALPN-01 certificate of RFC 8737 for {@code domain}: self-signed, the domain as its only
     * name, and the critical {@code id-pe-acmeIdentifier} extension holding {@code acmeValidation} (the SHA-256
     * digest of the key authorization).
     */
    public static CertifiedKey acmeTlsAlpn01(String domain, byte[] acmeValidation) throws GeneralSecurityException {
        byte[] extension = Der.sequence(Der.oid("1.3.6.1.5.5.7.1.31"), Der.tlv(0x01, new byte[] {(byte) 0xff}),
                Der.tlv(Der.OCTET_STRING, Der.tlv(Der.OCTET_STRING, acmeValidation)));
        return create(newKeyPair(), domain, List.of(domain), Duration.ofDays(7), extension);
    }

    private static CertifiedKey create(KeyPair pair, String commonName, List<String> dnsNames, Duration validity,
            byte[] extraExtension) throws GeneralSecurityException {
        byte[] algorithm = Der.sequence(Der.oid("1.2.840.10045.4.3.2"));    // ecdsa-with-SHA256
        byte[] name = Der.sequence(Der.tlv(Der.SET, Der.sequence(Der.oid("2.5.4.3"), Der.utf8(commonName))));
        Instant now = Instant.now();
        byte[] serial = new byte[16];
        new SecureRandom().nextBytes(serial);
        serial[0] &= 0x7f;
        byte[] extensions = new byte[0];
        if (!dnsNames.isEmpty()) {
            byte[][] names = new byte[dnsNames.size()][];
            for (int i = 0; i < names.length; i++) {
                names[i] = Der.tlv(0x82, dnsNames.get(i).getBytes(StandardCharsets.US_ASCII));
            }
            byte[] san = Der.sequence(Der.oid("2.5.29.17"), Der.tlv(Der.OCTET_STRING, Der.sequence(names)));
            extensions = Der.tlv(0xa3, extraExtension == null ? Der.sequence(san) : Der.sequence(san, extraExtension));
        }
        byte[] tbs = Der.sequence(
                Der.tlv(0xa0, Der.integer(BigInteger.TWO)),   // v3
                Der.integer(new BigInteger(serial)),
                algorithm,
                name,
                Der.sequence(utcTime(now.minus(Duration.ofHours(1))), utcTime(now.plus(validity))),
                name,
                pair.getPublic().getEncoded(),
                extensions);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(pair.getPrivate());
        signer.update(tbs);
        byte[] certificate = Der.sequence(tbs, algorithm, Der.bitString(signer.sign()));
        X509Certificate x509 = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(certificate));
        return new CertifiedKey(pair.getPrivate(), List.of(x509));
    }

    private static byte[] utcTime(Instant instant) {
        return Der.tlv(Der.UTC_TIME, UTC_TIME.format(instant).getBytes(StandardCharsets.US_ASCII));
    }
}
