package dev.gatehouse.core.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The certificates served by SNI, immutable: an exact-name map, then a wildcard map keyed by the parent
 * domain ({@code *.example.com} under {@code example.com}), then the default certificate. A handshake costs
 * at most two hash lookups whatever the number of certificates. Where several certificates claim one name,
 * the first added wins (configured certificates before resolver ones), per key type (RSA, EC), so that a
 * client offering only one kind still gets a certificate it accepts.
 */
public final class CertificateStore {

    private static final AtomicLong ALIASES = new AtomicLong();

    /** A certificate ready for the key manager: its alias (unique in this process) and the chain as an array. */
    public record Entry(String alias, CertifiedKey certified, X509Certificate[] chain) {
        PrivateKey key() {
            return certified.key();
        }

        String keyType() {
            return certified.keyType();
        }
    }

    private final Map<String, Entry[]> exact;
    private final Map<String, Entry[]> wildcard;
    private final Entry defaultEntry;
    private final Map<String, Entry> byAlias;

    private CertificateStore(Map<String, Entry[]> exact, Map<String, Entry[]> wildcard, Entry defaultEntry,
            Map<String, Entry> byAlias) {
        this.exact = exact;
        this.wildcard = wildcard;
        this.defaultEntry = defaultEntry;
        this.byAlias = byAlias;
    }

    public static Entry entry(CertifiedKey key) {
        return new Entry("gh" + ALIASES.incrementAndGet(), key, key.chain().toArray(new X509Certificate[0]));
    }

    /**
     * @param certificates in order of preference
     * @param defaultCertificate served when nothing matches (and the options are not SNI-strict)
     */
    public static CertificateStore of(List<Entry> certificates, Entry defaultCertificate) {
        Map<String, List<Entry>> exact = new HashMap<>();
        Map<String, List<Entry>> wildcard = new HashMap<>();
        Map<String, Entry> byAlias = new HashMap<>();
        for (Entry entry : certificates) {
            byAlias.put(entry.alias(), entry);
            for (String name : entry.certified().names()) {
                if (name.startsWith("*.")) {
                    wildcard.computeIfAbsent(name.substring(2), n -> new ArrayList<>()).add(entry);
                } else {
                    exact.computeIfAbsent(name, n -> new ArrayList<>()).add(entry);
                }
            }
        }
        if (defaultCertificate != null) {
            byAlias.put(defaultCertificate.alias(), defaultCertificate);
        }
        return new CertificateStore(freeze(exact), freeze(wildcard), defaultCertificate, byAlias);
    }

    private static Map<String, Entry[]> freeze(Map<String, List<Entry>> map) {
        Map<String, Entry[]> frozen = new HashMap<>(Math.max(16, map.size() * 2));
        map.forEach((name, entries) -> frozen.put(name, entries.toArray(new Entry[0])));
        return frozen;
    }

    /**
     * The certificate for {@code serverName} and a key of {@code keyType} (any when null): exact name first, then
     * a wildcard one level up; null when none matches (the caller decides about the default).
     */
    public Entry select(String serverName, String keyType) {
        if (serverName == null || serverName.isEmpty()) {
            return null;
        }
        String name = normalise(serverName);
        Entry[] exactEntries = exact.get(name);
        if (exactEntries != null) {
            // An exact name wins even when its key type is not the one asked first: the handshake asks again.
            return pick(exactEntries, keyType);
        }
        int dot = name.indexOf('.');
        return dot > 0 ? pick(wildcard.get(name.substring(dot + 1)), keyType) : null;
    }

    /** Whether any certificate (of any key type) matches {@code serverName}. */
    public boolean covers(String serverName) {
        return select(serverName, null) != null;
    }

    public Entry defaultEntry() {
        return defaultEntry;
    }

    public Entry byAlias(String alias) {
        return byAlias.get(alias);
    }

    /** How many distinct certificates the store holds, the default one excluded. */
    public int size() {
        return byAlias.size() - (defaultEntry == null ? 0 : 1);
    }

    private static Entry pick(Entry[] entries, String keyType) {
        if (entries == null) {
            return null;
        }
        for (Entry entry : entries) {
            if (keyType == null || matches(entry.keyType(), keyType)) {
                return entry;
            }
        }
        return null;
    }

    /** Whether a key of algorithm {@code algorithm} can serve a handshake asking for {@code keyType}. */
    static boolean matches(String algorithm, String keyType) {
        return algorithm.equalsIgnoreCase(keyType)
                || "RSASSA-PSS".equalsIgnoreCase(keyType) && "RSA".equalsIgnoreCase(algorithm)
                || "EdDSA".equalsIgnoreCase(algorithm) && "Ed25519".equalsIgnoreCase(keyType)
                || "Ed25519".equalsIgnoreCase(algorithm) && "EdDSA".equalsIgnoreCase(keyType);
    }

    static String normalise(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return n.toLowerCase(Locale.ROOT);
            }
        }
        return n;
    }
}
