package dev.gatehouse.core.proxy;

import dev.gatehouse.core.config.dynamic.ServersTransportConfig;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SNIHostName;
import dev.gatehouse.core.tls.Pem;
import dev.gatehouse.core.tls.TlsPolicy;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** The TLS side of a servers transport: one place for the static default transport and the dynamic ones. */
public final class UpstreamTls {

    private UpstreamTls() {
    }

    /**
     * How to talk TLS to {@code https} servers as {@code config} says: its {@code insecureSkipVerify},
     * {@code rootCAs}, {@code certificates} (mTLS) and {@code serverName}. Used for every
     * {@code http.serversTransports} entry and for the static {@code serversTransport} (the default one).
     */
    public static SslContextFactory.Client of(ServersTransportConfig config) throws Exception {
        SslContextFactory.Client ssl = new SslContextFactory.Client();
        if (Boolean.TRUE.equals(config.insecureSkipVerify())) {
            ssl.setTrustAll(true);
            ssl.setEndpointIdentificationAlgorithm(null);
        } else {
            ssl.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!config.rootCAs().isEmpty()) {
            List<Certificate> roots = new ArrayList<>();
            for (String ca : config.rootCAs()) {
                try {
                    roots.addAll(Pem.certificates(Pem.text(ca, null)));
                } catch (Exception e) {
                    throw new IllegalArgumentException("rootCAs: cannot read '" + ca + "': " + e.getMessage(), e);
                }
            }
            ssl.setTrustStore(Pem.trustStore(roots));
        }
        if (!config.certificates().isEmpty()) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] password = "gatehouse".toCharArray();
            for (int i = 0; i < config.certificates().size(); i++) {
                ServersTransportConfig.Certificate certificate = config.certificates().get(i);
                try {
                    List<X509Certificate> chain = Pem.certificates(Pem.text(certificate.certFile(), null));
                    keys.setKeyEntry("client" + i, Pem.privateKey(Pem.text(certificate.keyFile(), null)), password,
                            chain.toArray(new Certificate[0]));
                } catch (Exception e) {
                    throw new IllegalArgumentException("certificates[" + i + "]: " + e.getMessage(), e);
                }
            }
            ssl.setKeyStore(keys);
            ssl.setKeyStorePassword("gatehouse");
        }
        applyVersionsAndSuites(ssl, config);
        String serverName = config.serverName();
        if (serverName != null && !serverName.isBlank()) {
            // The JDK checks the certificate against the SNI name when one is sent.
            SNIHostName sni = new SNIHostName(serverName.strip());
            ssl.setSNIProvider((engine, names) -> List.of(sni));
        }
        return ssl;
    }

    /**
     * {@code minVersion}, {@code maxVersion} and {@code cipherSuites} (Traefik v3.7), with the names and checks of
     * {@code tls.options}; unset, the engine's defaults. As in Go, the cipher suites restrict TLS 1.2 and below.
     */
    private static void applyVersionsAndSuites(SslContextFactory.Client ssl, ServersTransportConfig config) {
        if (config.minVersion() != null || config.maxVersion() != null) {
            ssl.setIncludeProtocols(TlsPolicy.protocols(config.minVersion(), config.maxVersion()).toArray(new String[0]));
        }
        if (!config.cipherSuites().isEmpty()) {
            java.util.Set<String> supported;
            try {
                supported = java.util.Set.of(javax.net.ssl.SSLContext.getDefault().getSupportedSSLParameters()
                        .getCipherSuites());
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JVM has no TLS", e);
            }
            List<String> suites = new ArrayList<>(TlsPolicy.TLS13_SUITES);
            for (String goName : config.cipherSuites()) {
                String javaName = TlsPolicy.cipherSuite(goName);
                if (!supported.contains(javaName)) {
                    throw new IllegalArgumentException("cipherSuites: '" + goName + "' is not supported");
                }
                suites.add(javaName);
            }
            ssl.setExcludeCipherSuites();
            ssl.setIncludeCipherSuites(suites.toArray(new String[0]));
        }
    }
}
