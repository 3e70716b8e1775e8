package dev.gatehouse.plugins.acme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.Storage;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * Each certificate and each private key is an entry of its own, the key stored as a secret; a certificate stored
 * before that (key and chain in one entry, as acme.json had them) is read and split.
 */
class StoredCertificatesTest {

    /** A storage in memory that marks what went through putSecret, as an encrypting store would treat it. */
    static class MemoryStorage implements Storage {
        final Map<String, byte[]> entries = new TreeMap<>();
        final List<String> secrets = new ArrayList<>();

        @Override
        public synchronized Optional<byte[]> get(String key) {
            return Optional.ofNullable(entries.get(key));
        }

        @Override
        public synchronized void put(String key, byte[] value) {
            entries.put(key, value);
        }

        @Override
        public synchronized void putSecret(String key, byte[] value) {
            secrets.add(key);
            entries.put(key, value);
        }

        @Override
        public synchronized List<String> list(String prefix) {
            return entries.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
        }

        @Override
        public synchronized void delete(String key) {
            entries.remove(key);
        }

        @Override
        public Optional<Lock> tryLock(String name, Duration ttl) {
            return Optional.of(() -> { });
        }
    }

    static X509Certificate certificate(KeyPair key) throws Exception {
        Instant now = Instant.now();
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                new X500Name("CN=a.example.test"), BigInteger.TEN, Date.from(now), Date.from(now.plus(Duration.ofDays(1))),
                new X500Name("CN=a.example.test"), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    }

    @Test
    void certificateAndPrivateKeyAreSeparateEntriesAndTheKeyIsASecret() throws Exception {
        MemoryStorage storage = new MemoryStorage();
        StoredCertificates stored = new StoredCertificates(storage, "acme/le/");
        KeyPair key = Keys.generate("EC256");
        X509Certificate leaf = certificate(key);
        stored.write(Set.of("a.example.test"), key, List.of(leaf));

        assertEquals(List.of("acme/le/certificates/a.example.test", "acme/le/keys/a.example.test"), storage.list(""));
        assertEquals(List.of("acme/le/keys/a.example.test"), storage.secrets);
        String certificateEntry = new String(storage.entries.get("acme/le/certificates/a.example.test"), StandardCharsets.UTF_8);
        assertFalse(certificateEntry.contains("PRIVATE KEY"), certificateEntry);

        StoredCertificates.Entry read = stored.read("acme/le/certificates/a.example.test").orElseThrow();
        assertEquals(Set.of("a.example.test"), read.domains());
        assertEquals(leaf, read.chain().get(0));
        assertArrayEquals(key.getPrivate().getEncoded(), read.key().getPrivate().getEncoded());
    }

    @Test
    void aCertificateWhosePrivateKeyIsNotYetStoredOrIsAnotherOneIsNotServed() throws Exception {
        MemoryStorage storage = new MemoryStorage();
        StoredCertificates stored = new StoredCertificates(storage, "acme/le/");
        KeyPair key = Keys.generate("EC256");
        stored.write(Set.of("a.example.test"), key, List.of(certificate(key)));
        // A renewal between its two writes: the new key is stored, the certificate still the old one.
        storage.put("acme/le/keys/a.example.test", Keys.pem(Keys.generate("EC256")).getBytes(StandardCharsets.UTF_8));
        IOException mismatch = assertThrows(IOException.class, () -> stored.read("acme/le/certificates/a.example.test"));
        assertTrue(mismatch.getMessage().contains("not the certificate's"), mismatch.getMessage());

        storage.delete("acme/le/keys/a.example.test");
        IOException missing = assertThrows(IOException.class, () -> stored.read("acme/le/certificates/a.example.test"));
        assertTrue(missing.getMessage().contains("acme/le/keys/a.example.test"), missing.getMessage());
    }

    @Test
    void anEntryHoldingKeyAndChainTogetherIsSplitWhenRead() throws Exception {
        MemoryStorage storage = new MemoryStorage();
        KeyPair key = Keys.generate("EC256");
        X509Certificate leaf = certificate(key);
        // The layout before shared storage (and of an imported acme.json): one value with the key.
        storage.put("acme/le/certificates/a.example.test", ("domains: a.example.test,b.example.test\n" + Keys.pem(key)
                + Keys.pem(List.of(leaf))).getBytes(StandardCharsets.UTF_8));

        StoredCertificates.Entry read = new StoredCertificates(storage, "acme/le/")
                .read("acme/le/certificates/a.example.test").orElseThrow();

        assertEquals(List.of("a.example.test", "b.example.test"), List.copyOf(read.domains()));
        assertEquals(List.of("acme/le/keys/a.example.test"), storage.secrets);
        assertFalse(new String(storage.entries.get("acme/le/certificates/a.example.test"), StandardCharsets.UTF_8)
                .contains("PRIVATE KEY"));
        assertEquals(leaf, new StoredCertificates(storage, "acme/le/").read("acme/le/certificates/a.example.test")
                .orElseThrow().chain().get(0));
    }
}
