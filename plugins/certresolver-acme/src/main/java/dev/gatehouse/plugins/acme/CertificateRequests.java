package dev.gatehouse.plugins.acme;

import java.io.IOException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * What Gatehouse sends to and takes from the CA around a certificate, as lego does it for Traefik: the certificate
 * request ({@code disableCommonName}, {@code emailAddresses}) and the choice among the offered chains
 * ({@code preferredChain}).
 */
final class CertificateRequests {

    /** The longest common name X.509 allows (ub-common-name); lego leaves a longer first domain out of the CN. */
    private static final int MAX_COMMON_NAME = 64;

    private CertificateRequests() {
    }

    /**
     * A PKCS#10 request (DER) for {@code domains}, every one a DNS subject alternative name and the first the common
     * name (unless {@code commonName} is false or it is too long), with {@code emailAddresses} as e-mail alternative
     * names.
     */
    static byte[] csr(KeyPair key, Collection<String> domains, List<String> emailAddresses, boolean commonName)
            throws IOException {
        String first = domains.iterator().next();
        X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
        if (commonName && first.length() <= MAX_COMMON_NAME) {
            subject.addRDN(BCStyle.CN, first);
        }
        List<GeneralName> names = new ArrayList<>();
        domains.forEach(domain -> names.add(new GeneralName(GeneralName.dNSName, domain)));
        emailAddresses.forEach(address -> names.add(new GeneralName(GeneralName.rfc822Name, address)));
        ExtensionsGenerator extensions = new ExtensionsGenerator();
        extensions.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(names.toArray(GeneralName[]::new)));
        X500Name name = subject.build();
        try {
            return new JcaPKCS10CertificationRequestBuilder(name, key.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(new JcaContentSignerBuilder(
                            "EC".equals(key.getPrivate().getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA")
                            .build(key.getPrivate()))
                    .getEncoded();
        } catch (OperatorCreationException e) {
            throw new IOException("cannot sign the certificate request: " + e.getMessage(), e);
        }
    }

    /**
     * lego's choice for {@code preferredChain}: the first chain (the CA's default, then its alternates in order)
     * whose top certificate was issued by a CA with that common name; the default chain when none matches.
     */
    static List<X509Certificate> preferredChain(List<X509Certificate> defaultChain,
            List<List<X509Certificate>> alternates, String preferredIssuer) {
        if (preferredIssuer == null) {
            return defaultChain;
        }
        List<List<X509Certificate>> all = new ArrayList<>();
        all.add(defaultChain);
        all.addAll(alternates);
        for (List<X509Certificate> chain : all) {
            if (!chain.isEmpty() && topIssuerCommonName(chain).filter(preferredIssuer::equals).isPresent()) {
                return chain;
            }
        }
        return defaultChain;
    }

    static Optional<String> topIssuerCommonName(List<X509Certificate> chain) {
        X500Principal issuer = chain.get(chain.size() - 1).getIssuerX500Principal();
        X500Name name = X500Name.getInstance(issuer.getEncoded());
        return java.util.Arrays.stream(name.getRDNs(BCStyle.CN))
                .map(rdn -> rdn.getFirst().getValue().toString())
                .findFirst();
    }
}
