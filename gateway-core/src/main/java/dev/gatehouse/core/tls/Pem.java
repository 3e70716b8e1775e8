package dev.gatehouse.core.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.KeyStore;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificate chains and private keys, as Traefik's {@code certFile}/{@code keyFile} take them: a
 * file path, or the PEM text itself. Keys may be PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY})
 * or SEC1 ({@code EC PRIVATE KEY}).
 */
public final class Pem {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+?)-----END \\1-----");

    private Pem() {
    }

    /** The text of {@code fileOrContent}: the value itself when it holds PEM, else the file it names. */
    public static String text(String fileOrContent, Path baseDir) throws IOException {
        if (fileOrContent == null || fileOrContent.isBlank()) {
            throw new IOException("no file or PEM content given");
        }
        if (fileOrContent.contains("-----BEGIN")) {
            return fileOrContent;
        }
        Path written = Path.of(fileOrContent.strip());
        Path path = written;
        if (!path.isAbsolute() && baseDir != null) {
            path = baseDir.resolve(path);
        }
        try {
            return Files.readString(path, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            // the JDK's message is the bare path; say what is wrong in words a user reads. A relative path is
            // resolved against a folder the user may not have in mind (the working directory): name both.
            throw new IOException("no such file: " + (written.isAbsolute() ? path : path.toAbsolutePath().normalize()
                    + " (" + written + " is relative to " + (baseDir == null ? "the working directory "
                    + Path.of("").toAbsolutePath() : baseDir) + "; write an absolute path)"), e);
        } catch (AccessDeniedException e) {
            throw new IOException("permission denied: " + path, e);
        } catch (CharacterCodingException e) {
            throw new IOException(path + " is not a PEM text file", e);
        }
    }

    /** An in-memory trust store holding {@code certificates} (a servers transport's {@code rootCAs}). */
    public static KeyStore trustStore(List<? extends Certificate> certificates) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < certificates.size(); i++) {
            store.setCertificateEntry("ca" + i, certificates.get(i));
        }
        return store;
    }

    /** The certificates of a PEM text, the leaf first as the file lists them. */
    public static List<X509Certificate> certificates(String pem) throws GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> chain = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            if (m.group(1).equals("CERTIFICATE")) {
                chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(decode(m.group(2)))));
            }
        }
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no PEM CERTIFICATE block found");
        }
        return chain;
    }

    /** The first private key of a PEM text. */
    public static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            byte[] der = decode(m.group(2));
            switch (m.group(1)) {
                case "PRIVATE KEY":
                    return pkcs8(der);
                case "RSA PRIVATE KEY":
                    return pkcs8(Der.sequence(Der.integer(BigInteger.ZERO),
                            Der.sequence(Der.oid("1.2.840.113549.1.1.1"), Der.tlv(Der.NULL)),
                            Der.tlv(Der.OCTET_STRING, der)));
                case "EC PRIVATE KEY":
                    return pkcs8(Der.sequence(Der.integer(BigInteger.ZERO),
                            Der.sequence(Der.oid("1.2.840.10045.2.1"), sec1Curve(der)),
                            Der.tlv(Der.OCTET_STRING, der)));
                case "ENCRYPTED PRIVATE KEY":
                    throw new GeneralSecurityException("encrypted private keys are not supported; decrypt it first");
                default:
                    // EC PARAMETERS and other blocks next to the key are skipped
            }
        }
        throw new GeneralSecurityException("no PEM private key block found (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    /** PEM text of a certificate chain. */
    public static String encode(List<X509Certificate> chain) throws GeneralSecurityException {
        StringBuilder out = new StringBuilder();
        for (X509Certificate certificate : chain) {
            out.append(block("CERTIFICATE", certificate.getEncoded()));
        }
        return out.toString();
    }

    /** PEM text of a private key, PKCS#8. */
    public static String encode(PrivateKey key) {
        return block("PRIVATE KEY", key.getEncoded());
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] sec1Curve(byte[] sec1) throws GeneralSecurityException {
        try {
            Der.Reader fields = new Der.Reader(sec1).next().children();
            while (fields.hasNext()) {
                Der.Element field = fields.next();
                if (field.tag() == 0xa0) {
                    return field.children().next().encoded();
                }
            }
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("malformed EC PRIVATE KEY: " + e.getMessage());
        }
        throw new GeneralSecurityException("the EC PRIVATE KEY does not name its curve");
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("unsupported private key: " + last.getMessage());
    }

    private static byte[] decode(String base64) {
        return Base64.getMimeDecoder().decode(base64);
    }
}
