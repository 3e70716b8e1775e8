package dev.gatehouse.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CertificateStoreTest {

    private static KeyPair key;
    private static CertificateStore store;

    @BeforeAll
    static void certificates() throws Exception {
        key = SelfSignedCertificate.newKeyPair();
        store = CertificateStore.of(List.of(
                entry("a.example.com"),
                entry("*.example.com"),
                entry("*.b.example.com", "b.example.com"),
                entry("first.example.org"),
                entry("first.example.org", "second-claim")), entry("default"));
    }

    private static CertificateStore.Entry entry(String... names) throws Exception {
        return CertificateStore.entry(SelfSignedCertificate.create(key, names[0], List.of(names), Duration.ofDays(1)));
    }

    private static String cn(CertificateStore.Entry entry) {
        return entry == null ? null : CertifiedKey.commonName(entry.certified().leaf().getSubjectX500Principal());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(nullValues = "none", value = {
            "a.example.com,      a.example.com",
            "A.EXAMPLE.COM.,     a.example.com",
            "z.example.com,      *.example.com",
            "x.b.example.com,    *.b.example.com",
            "b.example.com,      *.b.example.com",
            "x.y.example.com,    none",
            "example.com,        none",
            "first.example.org,  first.example.org",
            "unknown.test,       none",
    })
    void selectsExactThenOneLevelWildcard(String serverName, String expectedCn) {
        assertEquals(expectedCn, cn(store.select(serverName, "EC")));
    }

    @Test
    void noSniSelectsNothingAndTheKeyTypeMustMatch() {
        assertNull(store.select(null, "EC"));
        assertNull(store.select("a.example.com", "RSA"), "an EC certificate does not serve an RSA key type");
        assertEquals("default", cn(store.defaultEntry()));
    }

    @Test
    void selectsAmongTenThousandCertificatesByName() throws Exception {
        List<CertificateStore.Entry> many = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            many.add(entry("host" + i + ".example.net"));
        }
        CertificateStore big = CertificateStore.of(many, null);
        assertEquals(10_000, big.size());
        for (int i = 0; i < 10_000; i += 997) {
            assertEquals("host" + i + ".example.net", cn(big.select("host" + i + ".example.net", "EC")));
        }
        assertNull(big.select("host10000.example.net", "EC"));
    }
}
