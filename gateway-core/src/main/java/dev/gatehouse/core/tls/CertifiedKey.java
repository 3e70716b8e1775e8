package dev.gatehouse.core.tls;

import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * A private key with its certificate chain (leaf first): what a handshake presents.
 *
 * @param key the private key
 * @param chain the leaf, then intermediates
 */
public record CertifiedKey(PrivateKey key, List<X509Certificate> chain) {

    public CertifiedKey {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("empty certificate chain");
        }
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** The key algorithm as TLS key managers name it: {@code RSA} or {@code EC} (and others as Java names them). */
    public String keyType() {
        return key.getAlgorithm();
    }

    /**
     * The DNS names the leaf certifies, lower case: its subject alternative names, or its common name when it
     * has none (as Traefik does for old certificates).
     */
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        try {
            Collection<List<?>> sans = leaf().getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(2).equals(san.get(0)) || Integer.valueOf(7).equals(san.get(0))) {
                        names.add(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // fall back to the common name
        }
        if (names.isEmpty()) {
            String cn = commonName(leaf().getSubjectX500Principal());
            if (cn != null) {
                names.add(cn.toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    /** The CN of a distinguished name, or null when it has none. */
    public static String commonName(X500Principal principal) {
        for (String part : splitRdn(principal.getName(X500Principal.RFC2253))) {
            if (part.regionMatches(true, 0, "CN=", 0, 3)) {
                return part.substring(3).replace("\\", "");
            }
        }
        return null;
    }

    private static List<String> splitRdn(String name) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '\\') {
                i++;
            } else if (name.charAt(i) == ',') {
                parts.add(name.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(name.substring(start));
        return parts;
    }
}
