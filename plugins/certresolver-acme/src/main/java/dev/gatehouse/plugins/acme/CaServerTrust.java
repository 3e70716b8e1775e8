package dev.gatehouse.plugins.acme;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS trust toward the ACME server, as Traefik builds it (createClientTLSConfig with lego's CreateCertPool):
 * with {@code caCertificates} or {@code caServerName} set, a pool of the {@code caCertificates} only, plus the
 * system's (the JVM's) CAs with {@code caSystemCertPool}; and the server's certificate checked against
 * {@code caServerName} rather than {@code caServer}'s host when that is set.
 */
final class CaServerTrust {

    private CaServerTrust() {
    }

    /** The context for the CA connection; null for the JVM's default (neither key set). */
    static SSLContext sslContext(AcmeConfig config) throws Exception {
        if (!config.ownTrustPool()) {
            return null;
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trustManager(config)}, null);
        return context;
    }

    /** The trust of a configuration with a pool of its own ({@link AcmeConfig#ownTrustPool()}). */
    static X509TrustManager trustManager(AcmeConfig config) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int n = 0;
        if (Boolean.TRUE.equals(config.caSystemCertPool())) {
            for (X509Certificate ca : poolOf(null).getAcceptedIssuers()) {
                trust.setCertificateEntry("system" + n++, ca);
            }
        }
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (String caFile : config.caCertificates()) {
            Collection<? extends java.security.cert.Certificate> cas;
            try {
                cas = factory.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(Path.of(caFile))));
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("caCertificates: " + caFile + " does not exist");
            } catch (IOException e) {
                throw new IllegalArgumentException("caCertificates: " + caFile + " cannot be read (" + e.getMessage() + ")");
            } catch (CertificateException e) {
                // the JDK's message names its own exceptions: not for the operator
                throw new IllegalArgumentException("caCertificates: " + caFile + " is not a PEM certificate file "
                        + "(expected -----BEGIN CERTIFICATE----- blocks)");
            }
            if (cas.isEmpty()) {
                // as lego's CreateCertPool, which refuses a file it finds no certificate in
                throw new IllegalArgumentException("caCertificates: " + caFile + " holds no PEM certificate");
            }
            for (java.security.cert.Certificate ca : cas) {
                trust.setCertificateEntry("configured" + n++, ca);
            }
        }
        X509TrustManager pool = poolOf(trust);
        return config.caServerName() == null ? pool : new NamedServer(pool, config.caServerName());
    }

    private static X509TrustManager poolOf(KeyStore trust) throws Exception {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new IllegalStateException("no X.509 trust manager");
    }

    /**
     * The pool's verdict on the chain, then the leaf's subject alternative names against the configured name (as Go's
     * {@code tls.Config.ServerName}). Being an extended trust manager of its own, the JDK leaves the host name check
     * to it, so {@code caServer}'s host is not checked as well.
     */
    static final class NamedServer extends X509ExtendedTrustManager {
        private final X509TrustManager pool;
        private final String serverName;

        NamedServer(X509TrustManager pool, String serverName) {
            this.pool = pool;
            this.serverName = serverName.toLowerCase(Locale.ROOT);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pool.checkServerTrusted(chain, authType);
            if (!matches(chain[0], serverName)) {
                throw new CertificateException("the ACME server's certificate is not valid for caServerName "
                        + serverName);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server trust manager");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pool.getAcceptedIssuers();
        }
    }

    /**
     * Whether {@code leaf} is valid for {@code name}: an IP literal against its IP address names, else a DNS name
     * (a wildcard covering exactly one leftmost label), as Go's {@code VerifyHostname} without the legacy CN.
     */
    static boolean matches(X509Certificate leaf, String name) throws CertificateParsingException {
        Collection<List<?>> alternatives = leaf.getSubjectAlternativeNames();
        if (alternatives == null) {
            return false;
        }
        boolean ipLiteral = name.matches("[0-9.]+") || name.contains(":");
        for (List<?> alternative : alternatives) {
            int type = (Integer) alternative.get(0);
            String value = String.valueOf(alternative.get(1)).toLowerCase(Locale.ROOT);
            if (ipLiteral && type == 7 && sameAddress(value, name)) {
                return true;
            }
            if (!ipLiteral && type == 2 && dnsMatch(value, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameAddress(String a, String b) {
        try {
            return InetAddress.getByName(a).equals(InetAddress.getByName(b));   // literals only: no lookup
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static boolean dnsMatch(String pattern, String name) {
        String host = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (pattern.startsWith("*.")) {
            int dot = host.indexOf('.');
            return dot > 0 && host.substring(dot + 1).equals(pattern.substring(2));
        }
        return pattern.equals(host);
    }
}
