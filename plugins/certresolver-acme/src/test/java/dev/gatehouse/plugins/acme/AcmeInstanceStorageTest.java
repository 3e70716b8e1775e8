package dev.gatehouse.plugins.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatehouse.api.CertificateSink;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How a resolver uses its storage when a certificate is asked for. */
class AcmeInstanceStorageTest {

    /** Counts the reads of each entry. */
    static final class CountingStorage extends StoredCertificatesTest.MemoryStorage {
        final Map<String, Integer> reads = new ConcurrentHashMap<>();

        @Override
        public synchronized Optional<byte[]> get(String key) {
            reads.merge(key, 1, Integer::sum);
            return super.get(key);
        }
    }

    @Test
    void aFreshCertificateInTheStorageIsServedAfterOneReadOfItsEntry() throws Exception {
        CountingStorage storage = new CountingStorage();
        KeyPair key = Keys.generate("EC256");
        X509Certificate leaf = StoredCertificatesTest.certificate(key);
        new StoredCertificates(storage, "acme/le/").write(Set.of("a.example.test"), key, List.of(leaf));
        CountDownLatch issued = new CountDownLatch(1);
        CertificateSink sink = new CertificateSink() {
            @Override
            public void issued(Set<String> domains, PrivateKey privateKey, List<X509Certificate> chain) {
                issued.countDown();
            }

            @Override
            public void failed(Set<String> domains, Throwable cause) {
                throw new AssertionError("failed: " + cause);
            }

            @Override
            public void tlsAlpnChallenge(String domain, byte[] acmeValidation) {
            }

            @Override
            public void tlsAlpnChallengeDone(String domain) {
            }
        };
        AcmeConfig config = new AcmeConfig("admin@example.test", null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null);
        AcmeInstance instance = new AcmeInstance("le", config, storage, sink, null);
        try {
            instance.request(Set.of("a.example.test"));
            assertEquals(true, issued.await(10, TimeUnit.SECONDS), "the stored certificate is served");
            assertEquals(1, storage.reads.get("acme/le/certificates/a.example.test"), "one read of the entry");
        } finally {
            instance.close();
        }
    }
}
