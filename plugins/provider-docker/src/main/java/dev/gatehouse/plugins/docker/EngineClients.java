package dev.gatehouse.plugins.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.core.util.CertificateUtils;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.SSLConfig;
import dev.gatehouse.api.GatewayEnvironment;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Makes docker-java clients for the configured endpoint. Two kinds: one for requests, with a response timeout so
 * that a hung engine cannot stall the provider, and one for the event stream, which is silent for as long as
 * nothing happens and so has none.
 */
final class EngineClients {

    private final URI endpoint;
    private final SSLConfig ssl;
    private final Duration requestTimeout;

    /** @throws IllegalArgumentException for an endpoint or TLS files that cannot be used, naming the option */
    EngineClients(DockerProviderConfig config, GatewayEnvironment environment) {
        String raw = config.endpoint();
        URI uri;
        try {
            uri = URI.create(raw);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("providers.docker.endpoint: '" + raw + "' is not a URL", e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (!scheme.equals("unix") && !scheme.equals("tcp")) {
            throw new IllegalArgumentException("providers.docker.endpoint: '" + raw
                    + "' must start with unix:// (a socket path) or tcp:// (host:port)");
        }
        if (config.tls() != null && scheme.equals("unix")) {
            throw new IllegalArgumentException("providers.docker.tls: TLS applies to tcp:// endpoints, not to " + raw);
        }
        this.endpoint = uri;
        this.ssl = config.tls() == null ? null : sslConfig(config.tls(), environment);
        this.requestTimeout = config.httpClientTimeout();
    }

    URI endpoint() {
        return endpoint;
    }

    DockerClient requests() {
        return client(requestTimeout);
    }

    DockerClient events() {
        return client(null);
    }

    private DockerClient client(Duration responseTimeout) {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(endpoint.toString())
                .withDockerTlsVerify(ssl != null)
                .build();
        ApacheDockerHttpClient.Builder http = new ApacheDockerHttpClient.Builder()
                .dockerHost(endpoint)
                .sslConfig(ssl)
                .maxConnections(8)
                .connectionTimeout(Duration.ofSeconds(5));
        if (responseTimeout != null) {
            http.responseTimeout(responseTimeout);
        }
        return DockerClientImpl.getInstance(config, http.build());
    }

    private static SSLConfig sslConfig(DockerProviderConfig.Tls tls, GatewayEnvironment environment) {
        if ((tls.cert() == null) != (tls.key() == null)) {
            throw new IllegalArgumentException("providers.docker.tls: set both cert and key, or neither");
        }
        Path ca = tls.ca() == null ? null : existing(environment.resolve(tls.ca()), "ca");
        Path cert = tls.cert() == null ? null : existing(environment.resolve(tls.cert()), "cert");
        Path key = tls.key() == null ? null : existing(environment.resolve(tls.key()), "key");
        // Read now, so that a wrong file is reported at start, naming the option.
        KeyManager[] keyManagers;
        TrustManager[] trustManagers;
        try {
            keyManagers = cert == null ? null : keyManagers(cert, key);
            trustManagers = tls.insecureSkipVerify() ? new TrustManager[] {new TrustAll()}
                    : ca == null ? null : trustManagers(ca);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("providers.docker.tls: cannot read the PEM files: " + e.getMessage(), e);
        }
        return () -> {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trustManagers, null);
            return context;
        };
    }

    private static Path existing(Path path, String option) {
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("providers.docker.tls." + option + ": " + path + " does not exist");
        }
        return path;
    }

    private static KeyManager[] keyManagers(Path cert, Path key) throws IOException, GeneralSecurityException {
        char[] password = "gatehouse".toCharArray();
        PrivateKey privateKey;
        List<Certificate> chain;
        try (Reader keyReader = Files.newBufferedReader(key); Reader certReader = Files.newBufferedReader(cert)) {
            privateKey = CertificateUtils.loadPrivateKey(keyReader);
            chain = CertificateUtils.loadCertificates(certReader);
        }
        if (privateKey == null || chain.isEmpty()) {
            throw new GeneralSecurityException("no private key in " + key + " or no certificate in " + cert);
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setKeyEntry("docker", privateKey, password, chain.toArray(new Certificate[0]));
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, password);
        return factory.getKeyManagers();
    }

    private static TrustManager[] trustManagers(Path ca) throws IOException, GeneralSecurityException {
        KeyStore store;
        try (Reader reader = Files.newBufferedReader(ca)) {
            store = CertificateUtils.createTrustStore(reader);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    /** {@code insecureSkipVerify}: as Traefik's option of the same name, for tests against throwaway engines. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
