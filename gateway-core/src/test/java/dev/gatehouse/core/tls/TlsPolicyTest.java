package dev.gatehouse.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.config.dynamic.ClientAuthConfig;
import dev.gatehouse.core.config.dynamic.TlsOptionsConfig;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TlsPolicyTest {

    @ParameterizedTest
    @CsvSource({
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,   TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384,                 TLS_AES_256_GCM_SHA384",
    })
    void mapsGoCipherSuiteNamesToJavaNames(String go, String java) {
        assertEquals(java, TlsPolicy.cipherSuite(go));
    }

    @Test
    void clientAuthTypeDefaultsAndChecks() {
        assertEquals("NoClientCert", TlsPolicy.clientAuthType(null));
        assertEquals("RequireAndVerifyClientCert", TlsPolicy.clientAuthType(new ClientAuthConfig(List.of("ca.pem"), null)));
        assertEquals("RequestClientCert", TlsPolicy.clientAuthType(new ClientAuthConfig(null, "RequestClientCert")));
        assertThrows(IllegalArgumentException.class, () -> TlsPolicy.clientAuthType(new ClientAuthConfig(null, "Sometimes")));
        assertThrows(IllegalArgumentException.class,
                () -> TlsPolicy.clientAuthType(new ClientAuthConfig(null, "RequireAndVerifyClientCert")));
        assertThrows(IllegalArgumentException.class, () -> TlsPolicy.version("VersionTLS14", "minVersion"));
    }

    @Test
    void autoServesSuitesOnlyTheJdkHasWithTheJdkWhileConscryptNamesItself() throws Exception {
        // Conscrypt has no CBC suites with SHA-256; the JDK has them.
        TlsOptionsConfig cbc = new TlsOptionsConfig("VersionTLS12", null, List.of("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
                null, null, null, null);
        CertificateStore empty = CertificateStore.of(List.of(), null);
        TlsPolicy.create("cbc", cbc, () -> empty, alias -> null, null, TlsEngine.of("auto")).stop();
        TlsPolicy.create("cbc", cbc, () -> empty, alias -> null, null, TlsEngine.JDK).stop();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TlsPolicy.create("cbc", cbc, () -> empty, alias -> null, null, TlsEngine.of("conscrypt")));
        assertEquals("cipherSuites: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256' is not supported by the conscrypt TLS engine",
                e.getMessage());
    }

    @Test
    void pemRoundTripsKeysAndChains() throws Exception {
        KeyPair pair = SelfSignedCertificate.newKeyPair();
        CertifiedKey certified = SelfSignedCertificate.create(pair, "x.test", List.of("x.test", "*.x.test"), Duration.ofDays(1));
        PrivateKey key = Pem.privateKey(Pem.encode(certified.key()));
        assertEquals(certified.key(), key);
        assertEquals(certified.chain(), Pem.certificates(Pem.encode(certified.chain())));
        assertTrue(certified.names().containsAll(List.of("x.test", "*.x.test")));
    }
}
