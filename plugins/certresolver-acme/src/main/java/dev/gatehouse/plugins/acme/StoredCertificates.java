package dev.gatehouse.plugins.acme;

import dev.gatehouse.api.Storage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A resolver's certificates in its storage, each in two entries of its own: {@code certificates/<main domain>}
 * (a {@code domains:} line, then the chain in PEM) and {@code keys/<main domain>} (the private key, stored as a
 * secret: encrypted when {@code storage.encryptionKey} is set). The key is written before the certificate, and a
 * reader checks that they match, so a reader that comes between the two writes of a renewal sees the old pair or
 * waits for the new one, never a mix.
 *
 * <p>Before shared storage, one {@code certificates/} entry held the key too: such an entry is read as it is and
 * rewritten in the two entries (so an imported {@code acme.json} has its keys encrypted).
 */
final class StoredCertificates {

    private static final Logger LOG = LoggerFactory.getLogger(StoredCertificates.class);
    static final String CERTIFICATES = "certificates/";
    static final String KEYS = "keys/";
    private static final String DOMAINS = "domains: ";

    private final Storage storage;
    private final String prefix;

    /** One stored certificate. */
    record Entry(Set<String> domains, List<X509Certificate> chain, KeyPair key) {
    }

    StoredCertificates(Storage storage, String prefix) {
        this.storage = storage;
        this.prefix = prefix;
    }

    String certificateKey(Set<String> domains) {
        return prefix + CERTIFICATES + domains.iterator().next();
    }

    /** Stores a certificate: its key first, then the certificate that the watchers react to. */
    void write(Set<String> domains, KeyPair key, List<X509Certificate> chain) throws IOException, GeneralSecurityException {
        String main = domains.iterator().next();
        storage.putSecret(prefix + KEYS + main, Keys.pem(key).getBytes(StandardCharsets.UTF_8));
        storage.put(prefix + CERTIFICATES + main, ("domains: " + String.join(",", domains) + "\n" + Keys.pem(chain))
                .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The certificate stored at {@code key} with its private key; empty when the entry is gone.
     *
     * @throws IOException when it cannot be read, or its private key is missing or is not the certificate's
     */
    Optional<Entry> read(String key) throws IOException, GeneralSecurityException {
        Optional<byte[]> value = storage.get(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String text = new String(value.get(), StandardCharsets.UTF_8);
        String first = text.lines().findFirst().orElse("");
        if (!first.startsWith(DOMAINS)) {
            throw new IOException("no domains line");
        }
        Set<String> domains = new LinkedHashSet<>(List.of(first.substring(DOMAINS.length()).strip().split(",")));
        List<X509Certificate> chain = Keys.chain(text);
        if (chain.isEmpty()) {
            throw new IOException("no certificate");
        }
        KeyPair pair;
        if (text.contains("PRIVATE KEY-----")) {
            pair = Keys.keyPair(text);
            write(domains, pair, chain);
            LOG.info("Storage: the certificate {} now keeps its private key in an entry of its own", key);
        } else {
            String keyEntry = prefix + KEYS + key.substring((prefix + CERTIFICATES).length());
            Optional<byte[]> stored = storage.getSecret(keyEntry);
            if (stored.isEmpty()) {
                throw new IOException("its private key " + keyEntry + " is not stored");
            }
            pair = Keys.keyPair(new String(stored.get(), StandardCharsets.UTF_8));
        }
        if (!chain.get(0).getPublicKey().equals(pair.getPublic())) {
            throw new IOException("its private key is not the certificate's (a renewal being stored)");
        }
        return Optional.of(new Entry(java.util.Collections.unmodifiableSet(domains), chain, pair));
    }
}
