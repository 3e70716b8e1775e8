package dev.gatehouse.core.tls;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PSSParameterSpec;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The two OCSP messages (RFC 6960) the stapler exchanges with a responder: the request for one certificate, and the
 * checks a response must pass before it is stapled (successful, signed by the issuer or by a responder the issuer
 * delegated to, about this very certificate). Written on {@link Der} so that the core needs no ASN.1 library; the
 * JDK's own OCSP code is internal to it.
 */
final class OcspMessages {

    private static final String SHA1 = "1.3.14.3.2.26";
    private static final String SHA256 = "2.16.840.1.101.3.4.2.1";
    private static final String BASIC_RESPONSE = "1.3.6.1.5.5.7.48.1.1";
    private static final String OCSP_SIGNING = "1.3.6.1.5.5.7.3.9";
    private static final String RSASSA_PSS = "1.2.840.113549.1.1.10";
    private static final int ENUMERATED = 0x0a;
    private static final int GENERALIZED_TIME = 0x18;
    private static final DateTimeFormatter GENERALIZED = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    private OcspMessages() {
    }

    /** What a responder said about a certificate. */
    enum CertStatus { GOOD, REVOKED, UNKNOWN }

    /**
     * A response that passed the checks.
     *
     * @param nextUpdate when the responder will have newer information; null when it did not say
     */
    record Checked(CertStatus status, Instant thisUpdate, Instant nextUpdate) {
    }

    /** The DER request for {@code leaf}'s status (one CertID with SHA-1 hashes, as every responder accepts). */
    static byte[] request(X509Certificate leaf, X509Certificate issuer) throws GeneralSecurityException {
        byte[] certId = Der.sequence(
                Der.sequence(Der.oid(SHA1), Der.tlv(Der.NULL)),
                Der.tlv(Der.OCTET_STRING, issuerNameHash(SHA1, issuer)),
                Der.tlv(Der.OCTET_STRING, issuerKeyHash(SHA1, issuer)),
                Der.integer(leaf.getSerialNumber()));
        return Der.sequence(Der.sequence(Der.sequence(Der.sequence(certId))));
    }

    /**
     * Checks a responder's answer about {@code leaf}.
     *
     * @throws GeneralSecurityException saying what is wrong with it
     */
    static Checked check(byte[] response, X509Certificate leaf, X509Certificate issuer) throws GeneralSecurityException {
        try {
            return checkParsed(response, leaf, issuer);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new GeneralSecurityException("the response is not a well-formed OCSP response (" + e.getMessage() + ")");
        }
    }

    private static Checked checkParsed(byte[] response, X509Certificate leaf, X509Certificate issuer)
            throws GeneralSecurityException {
        Der.Reader outer = new Der.Reader(response).next().children();
        Der.Element status = expect(outer.next(), ENUMERATED, "responseStatus");
        int code = new BigInteger(status.content()).intValue();
        if (code != 0) {
            throw new GeneralSecurityException("the responder answered " + responseStatus(code));
        }
        if (!outer.hasNext()) {
            throw new GeneralSecurityException("the response has no responseBytes");
        }
        Der.Reader responseBytes = outer.next().children().next().children();
        String type = oid(responseBytes.next());
        if (!type.equals(BASIC_RESPONSE)) {
            throw new GeneralSecurityException("the response is of type " + type + ", not a basic OCSP response");
        }
        Der.Reader basic = new Der.Reader(responseBytes.next().content()).next().children();
        Der.Element tbs = basic.next();
        Der.Reader algorithm = basic.next().children();
        String signatureOid = oid(algorithm.next());
        byte[] signatureParameters = algorithm.hasNext() ? algorithm.next().encoded() : null;
        byte[] signature = expect(basic.next(), Der.BIT_STRING, "signature").content();
        List<X509Certificate> embedded = new ArrayList<>();
        if (basic.hasNext()) {
            Der.Reader certs = basic.next().children().next().children();
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            while (certs.hasNext()) {
                embedded.add((X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(certs.next().encoded())));
            }
        }
        verifySignature(tbs.encoded(), signatureOid, signatureParameters,
                Arrays.copyOfRange(signature, 1, signature.length), signers(issuer, embedded));

        Der.Reader data = tbs.children();
        if (data.next().tag() == 0xa0) {
            data.next(); // the version came first; then the responderID
        }
        data.next(); // producedAt
        Der.Reader singles = data.next().children();
        while (singles.hasNext()) {
            Der.Reader single = singles.next().children();
            if (!about(single.next(), leaf, issuer)) {
                continue;
            }
            Der.Element certStatus = single.next();
            CertStatus result = switch (certStatus.tag()) {
                case 0x80 -> CertStatus.GOOD;
                case 0xa1 -> CertStatus.REVOKED;
                case 0x82 -> CertStatus.UNKNOWN;
                default -> throw new IllegalArgumentException("certStatus tag " + certStatus.tag());
            };
            Instant thisUpdate = time(single.next());
            Instant nextUpdate = null;
            while (single.hasNext()) {
                Der.Element optional = single.next();
                if (optional.tag() == 0xa0) {
                    nextUpdate = time(optional.children().next());
                }
            }
            return new Checked(result, thisUpdate, nextUpdate);
        }
        throw new GeneralSecurityException("the response is not about certificate serial "
                + leaf.getSerialNumber().toString(16));
    }

    /** Whether a CertID names {@code leaf} as issued by {@code issuer}, under the hash the responder chose. */
    private static boolean about(Der.Element certId, X509Certificate leaf, X509Certificate issuer)
            throws GeneralSecurityException {
        Der.Reader id = certId.children();
        String hash = oid(id.next().children().next());
        byte[] nameHash = id.next().content();
        byte[] keyHash = id.next().content();
        BigInteger serial = new BigInteger(id.next().content());
        if (!serial.equals(leaf.getSerialNumber()) || !hash.equals(SHA1) && !hash.equals(SHA256)) {
            return false;
        }
        return Arrays.equals(nameHash, issuerNameHash(hash, issuer)) && Arrays.equals(keyHash, issuerKeyHash(hash, issuer));
    }

    /**
     * The keys allowed to sign: the issuer's, and that of an embedded responder certificate the issuer signed for
     * OCSP signing (RFC 6960 4.2.2.2).
     */
    private static List<PublicKey> signers(X509Certificate issuer, List<X509Certificate> embedded) {
        List<PublicKey> keys = new ArrayList<>();
        keys.add(issuer.getPublicKey());
        for (X509Certificate candidate : embedded) {
            try {
                candidate.verify(issuer.getPublicKey());
                candidate.checkValidity();
                List<String> usages = candidate.getExtendedKeyUsage();
                if (usages != null && usages.contains(OCSP_SIGNING)) {
                    keys.add(candidate.getPublicKey());
                }
            } catch (GeneralSecurityException e) {
                // not a responder this issuer delegated to
            }
        }
        return keys;
    }

    private static void verifySignature(byte[] signed, String algorithmOid, byte[] parameters, byte[] signature,
            List<PublicKey> keys) throws GeneralSecurityException {
        for (PublicKey key : keys) {
            // The JDK's providers know signature algorithms by their OIDs too.
            Signature verifier = Signature.getInstance(algorithmOid);
            if (algorithmOid.equals(RSASSA_PSS) && parameters != null) {
                AlgorithmParameters pss = AlgorithmParameters.getInstance("RSASSA-PSS");
                try {
                    pss.init(parameters);
                } catch (java.io.IOException e) {
                    throw new GeneralSecurityException("unreadable RSASSA-PSS parameters");
                }
                verifier.setParameter(pss.getParameterSpec(PSSParameterSpec.class));
            }
            try {
                verifier.initVerify(key);
                verifier.update(signed);
                if (verifier.verify(signature)) {
                    return;
                }
            } catch (GeneralSecurityException e) {
                // a key of another type: try the next one
            }
        }
        throw new GeneralSecurityException("the response's signature is not the issuer's nor that of a responder "
                + "certificate the issuer signed for OCSP");
    }

    private static byte[] issuerNameHash(String hashOid, X509Certificate issuer) throws GeneralSecurityException {
        return digest(hashOid).digest(issuer.getSubjectX500Principal().getEncoded());
    }

    /** The hash of the issuer's public key: the bits of its SubjectPublicKeyInfo's BIT STRING. */
    private static byte[] issuerKeyHash(String hashOid, X509Certificate issuer) throws GeneralSecurityException {
        Der.Reader spki = new Der.Reader(issuer.getPublicKey().getEncoded()).next().children();
        spki.next();
        byte[] bits = spki.next().content();
        return digest(hashOid).digest(Arrays.copyOfRange(bits, 1, bits.length));
    }

    private static MessageDigest digest(String oid) throws GeneralSecurityException {
        return MessageDigest.getInstance(oid.equals(SHA1) ? "SHA-1" : "SHA-256");
    }

    private static Der.Element expect(Der.Element element, int tag, String what) {
        if (element.tag() != tag) {
            throw new IllegalArgumentException(what + " has tag " + element.tag());
        }
        return element;
    }

    private static String oid(Der.Element element) {
        byte[] bytes = expect(element, Der.OID, "algorithm").content();
        StringBuilder dotted = new StringBuilder();
        long arc = 0;
        for (int i = 0; i < bytes.length; i++) {
            arc = (arc << 7) | (bytes[i] & 0x7f);
            if ((bytes[i] & 0x80) == 0) {
                if (dotted.length() == 0) {
                    int first = (int) Math.min(arc / 40, 2);
                    dotted.append(first).append('.').append(arc - first * 40L);
                } else {
                    dotted.append('.').append(arc);
                }
                arc = 0;
            }
        }
        return dotted.toString();
    }

    /** A GeneralizedTime in UTC ({@code YYYYMMDDHHMMSS[.fff]Z}, as RFC 5280 requires). */
    private static Instant time(Der.Element element) {
        String text = new String(expect(element, GENERALIZED_TIME, "time").content(), StandardCharsets.US_ASCII);
        if (text.length() < 15 || !text.endsWith("Z")) {
            throw new IllegalArgumentException("time '" + text + "' is not in UTC");
        }
        return LocalDateTime.parse(text.substring(0, 14), GENERALIZED).toInstant(ZoneOffset.UTC);
    }

    private static String responseStatus(int code) {
        return switch (code) {
            case 1 -> "malformedRequest";
            case 2 -> "internalError";
            case 3 -> "tryLater";
            case 5 -> "sigRequired";
            case 6 -> "unauthorized";
            default -> "status " + code;
        };
    }
}
