package dev.gatehouse.plugins.acme;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Key pairs and PEM text for the storage, with the JDK only. */
final class Keys {

    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+?)-----END \\1-----");

    private Keys() {
    }

    /** A new key pair: {@code EC256}, {@code EC384}, {@code RSA2048}, {@code RSA4096} or {@code RSA8192}. */
    static KeyPair generate(String keyType) throws GeneralSecurityException {
        switch (keyType) {
            case "EC256", "EC384" -> {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec(keyType.equals("EC256") ? "secp256r1" : "secp384r1"));
                return generator.generateKeyPair();
            }
            case "RSA2048", "RSA4096", "RSA8192" -> {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(Integer.parseInt(keyType.substring(3)));
                return generator.generateKeyPair();
            }
            default -> throw new GeneralSecurityException("keyType '" + keyType
                    + "' is not one of EC256, EC384, RSA2048, RSA4096, RSA8192");
        }
    }

    static String pem(KeyPair pair) {
        return block("PRIVATE KEY", pair.getPrivate().getEncoded()) + block("PUBLIC KEY", pair.getPublic().getEncoded());
    }

    static String pem(List<X509Certificate> chain) throws GeneralSecurityException {
        StringBuilder out = new StringBuilder();
        for (X509Certificate certificate : chain) {
            out.append(block("CERTIFICATE", certificate.getEncoded()));
        }
        return out.toString();
    }

    static KeyPair keyPair(String pem) throws GeneralSecurityException {
        byte[] privateKey = null;
        byte[] publicKey = null;
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            if (m.group(1).equals("PRIVATE KEY")) {
                privateKey = Base64.getMimeDecoder().decode(m.group(2));
            } else if (m.group(1).equals("PUBLIC KEY")) {
                publicKey = Base64.getMimeDecoder().decode(m.group(2));
            }
        }
        if (privateKey == null || publicKey == null) {
            throw new GeneralSecurityException("a stored key pair is incomplete");
        }
        for (String algorithm : new String[] {"EC", "RSA"}) {
            try {
                KeyFactory factory = KeyFactory.getInstance(algorithm);
                PrivateKey key = factory.generatePrivate(new PKCS8EncodedKeySpec(privateKey));
                PublicKey pub = factory.generatePublic(new X509EncodedKeySpec(publicKey));
                return new KeyPair(pub, key);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("a stored key pair cannot be read");
    }

    static List<X509Certificate> chain(String pem) throws GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> chain = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            if (m.group(1).equals("CERTIFICATE")) {
                chain.add((X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(Base64.getMimeDecoder().decode(m.group(2)))));
            }
        }
        return chain;
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
