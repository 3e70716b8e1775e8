package dev.gatehouse.core.proxy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Reads PEM certificates and PKCS#8 keys, from a file or (as Traefik allows) given inline. */
public final class Pem {

    private Pem() {
    }

    /** The text of {@code fileOrContent}: itself when it is PEM, else the file it names. */
    static String text(String fileOrContent) throws IOException {
        String value = fileOrContent.strip();
        if (value.startsWith("-----BEGIN")) {
            return value;
        }
        return Files.readString(Path.of(value), StandardCharsets.US_ASCII);
    }

    public static List<Certificate> certificates(String fileOrContent) throws IOException, GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<Certificate> certificates = new ArrayList<>(factory.generateCertificates(
                new ByteArrayInputStream(text(fileOrContent).getBytes(StandardCharsets.US_ASCII))));
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + fileOrContent);
        }
        return certificates;
    }

    public static PrivateKey privateKey(String fileOrContent) throws IOException, GeneralSecurityException {
        String text = text(fileOrContent);
        String begin = "-----BEGIN PRIVATE KEY-----";
        int start = text.indexOf(begin);
        int end = text.indexOf("-----END PRIVATE KEY-----");
        if (start < 0 || end < 0) {
            throw new GeneralSecurityException("the key must be PKCS#8 PEM (BEGIN PRIVATE KEY); convert it with "
                    + "'openssl pkcs8 -topk8 -nocrypt'");
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(start + begin.length(), end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "DSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException ignored) {
                // try the next
            }
        }
        throw new GeneralSecurityException("unsupported private key algorithm");
    }

    /** An in-memory trust store holding the certificates. */
    public static KeyStore trustStore(List<Certificate> certificates) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < certificates.size(); i++) {
            store.setCertificateEntry("ca" + i, certificates.get(i));
        }
        return store;
    }
}
