package dev.gatehouse.plugins.docker;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.GatewayEnvironment;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.stream.Stream;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The PEM files of {@code providers.docker.tls}, in the formats OpenSSL writes (PKCS#8 since OpenSSL 3, the
 * traditional RSA and EC forms before), read without any security provider registered by name: the gateway
 * registers none for this plugin, which is what broke docker-java's own reader.
 */
class EngineClientsTlsFilesTest {

    @TempDir
    Path dir;

    private final GatewayEnvironment environment = new GatewayEnvironment() {
        @Override
        public String version() {
            return "test";
        }

        @Override
        public Path home() {
            return dir;
        }

        @Override
        public Path resolve(String path) {
            return dir.resolve(path);
        }
    };

    static Stream<Arguments> keys() {
        return Stream.of(
                Arguments.of("RSA", 2048, true, "BEGIN PRIVATE KEY"),
                Arguments.of("RSA", 2048, false, "BEGIN RSA PRIVATE KEY"),
                Arguments.of("EC", 256, true, "BEGIN PRIVATE KEY"),
                Arguments.of("EC", 256, false, "BEGIN EC PRIVATE KEY"));
    }

    @ParameterizedTest(name = "{0} key as {3}")
    @MethodSource("keys")
    void acceptsTheKeyFormatsOpenSslWrites(String algorithm, int size, boolean pkcs8, String header) throws Exception {
        KeyPair pair = keyPair(algorithm, size);
        write("ca.pem", selfSigned(pair, algorithm));
        write("cert.pem", selfSigned(pair, algorithm));
        String key = pkcs8 ? pem(new JcaPKCS8Generator(pair.getPrivate(), null))
                : algorithm.equals("EC") ? sec1(pair) : pem(pair.getPrivate());
        assertTrue(key.contains(header), key);
        write("key.pem", key);
        assertDoesNotThrow(() -> new EngineClients(config("ca.pem", "cert.pem", "key.pem"), environment));
    }

    @Test
    void filesWithoutWhatTheOptionNeedsAreRefusedNamingTheFile() throws Exception {
        KeyPair pair = keyPair("EC", 256);
        String cert = selfSigned(pair, "EC");
        write("cert.pem", cert);
        write("not-a-key.pem", cert);
        write("empty.pem", "");
        IllegalArgumentException noKey = assertThrows(IllegalArgumentException.class,
                () -> new EngineClients(config(null, "cert.pem", "not-a-key.pem"), environment));
        assertTrue(noKey.getMessage().startsWith("providers.docker.tls: cannot read the PEM files: no private key in ")
                && noKey.getMessage().contains("not-a-key.pem"), noKey.getMessage());
        IllegalArgumentException noCa = assertThrows(IllegalArgumentException.class,
                () -> new EngineClients(config("empty.pem", null, null), environment));
        assertTrue(noCa.getMessage().contains("no certificate in ") && noCa.getMessage().contains("empty.pem"),
                noCa.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new EngineClients(config(null, "cert.pem", "absent.pem"), environment));
        assertTrue(missing.getMessage().startsWith("providers.docker.tls.key: ") && missing.getMessage().contains("absent.pem"),
                missing.getMessage());
    }

    private static DockerProviderConfig config(String ca, String cert, String key) {
        return new DockerProviderConfig("tcp://127.0.0.1:2376", new DockerProviderConfig.Tls(ca, cert, key, null),
                null, null, null, null, null, null, null, null);
    }

    private void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text);
    }

    private static KeyPair keyPair(String algorithm, int size) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        generator.initialize(size);
        return generator.generateKeyPair();
    }

    private static String selfSigned(KeyPair pair, String algorithm) throws OperatorCreationException, GeneralSecurityException,
            IOException {
        X500Name name = new X500Name("CN=test");
        Instant now = Instant.now();
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                name, BigInteger.ONE, Date.from(now), Date.from(now.plus(1, ChronoUnit.DAYS)), name, pair.getPublic())
                .build(new JcaContentSignerBuilder(algorithm.equals("EC") ? "SHA256withECDSA" : "SHA256withRSA")
                        .build(pair.getPrivate())));
        return pem(certificate);
    }

    /**
     * {@code BEGIN EC PRIVATE KEY} as OpenSSL writes it (SEC1 with the curve inside; Bouncy Castle's writer leaves
     * the curve out when the JDK made the key).
     */
    private static String sec1(KeyPair pair) throws IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded());
        ECPrivateKey key = ECPrivateKey.getInstance(info.parsePrivateKey());
        ECPrivateKey withCurve = new ECPrivateKey(256, key.getKey(), info.getPrivateKeyAlgorithm().getParameters());
        StringWriter out = new StringWriter();
        try (PemWriter writer = new PemWriter(out)) {
            writer.writeObject(new PemObject("EC PRIVATE KEY", withCurve.getEncoded()));
        }
        return out.toString();
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
