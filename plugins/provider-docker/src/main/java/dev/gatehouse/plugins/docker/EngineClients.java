package dev.gatehouse.plugins.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.SSLConfig;
import dev.gatehouse.api.GatewayEnvironment;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertPathBuilderException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Makes docker-java clients for the configured endpoint. Two kinds: one for requests, with a response timeout so
 * that a hung engine cannot stall the provider, and one for the event stream, which is silent for as long as
 * nothing happens and so has none.
 */
final class EngineClients {

    private final URI endpoint;
    private final SSLConfig ssl;
    private final Duration requestTimeout;
    private final boolean caConfigured;
    private final boolean clientCertificate;

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
        this.caConfigured = config.tls() != null && config.tls().ca() != null;
        this.clientCertificate = config.tls() != null && config.tls().cert() != null;
    }

    URI endpoint() {
        return endpoint;
    }

    /**
     * Why a connection failed, in a user's words (no exception class names): for the log and for the provider's
     * health in the API. What the socket or the address says ("does not exist", "refused", "permission denied")
     * with the way to fix it, and for a failed TLS handshake which option to look at, since "PKIX path building
     * failed" or "bad_certificate" alone does not say what to fix. Called once per change of state (not per
     * retry), so it may take a moment to probe the endpoint.
     */
    String explain(Throwable failure) {
        Throwable root = failure;
        SSLException tlsFailure = null;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException handshake && tlsFailure == null) {
                tlsFailure = handshake;
            }
            root = t;
        }
        String message = root.getMessage() == null || root.getMessage().isBlank() ? "the connection failed"
                : root.getMessage();
        String tlsMessage = null;
        if (tlsFailure != null) {
            tlsMessage = String.valueOf(tlsFailure.getMessage());
        } else if (ssl != null && (root instanceof SocketException || root instanceof EOFException)
                && !(root instanceof ConnectException)) {
            // With TLS 1.3 an engine that rejects the client certificate (or its absence) says so in an alert after
            // the handshake, and the client often sees only the closed connection ("Broken pipe") on its request.
            tlsMessage = probeTls();
            if (tlsMessage != null) {
                message += "; TLS: " + tlsMessage;
            }
        }
        if (tlsMessage == null) {
            return withoutTls(root, message);
        }
        String hint;
        if (tlsMessage.contains("PKIX") || tlsMessage.contains("certification path") || root instanceof CertPathBuilderException) {
            hint = caConfigured ? "the engine's certificate is not signed by providers.docker.tls.ca"
                    : "the engine's certificate is not signed by a CA of the JVM's trust store (set providers.docker.tls.ca)";
        } else if (tlsMessage.contains("subject alternative") || tlsMessage.contains("No name matching")) {
            hint = "the engine's certificate is not for " + endpoint.getHost();
        } else if (tlsMessage.contains("fatal alert")) {
            hint = "the engine refused the TLS connection: it requires a client certificate signed by its CA "
                    + (clientCertificate ? "and did not accept providers.docker.tls.cert" : "and providers.docker.tls.cert is not set");
        } else {
            hint = "TLS handshake failed";
        }
        return hint + "; " + message;
    }

    /** A failure without TLS in it: what the socket or the address says, and what to do about it. */
    private String withoutTls(Throwable root, String message) {
        String lower = message.toLowerCase(java.util.Locale.ROOT);
        if (endpoint.getScheme().equals("unix")) {
            Path socket = Path.of(endpoint.getPath());
            if (!Files.exists(socket)) {
                return "the socket " + socket + " does not exist: start the Docker engine, or set "
                        + "providers.docker.endpoint to its socket (in a container, mount the host's "
                        + "/var/run/docker.sock)";
            }
            if (lower.contains("permission denied") || root instanceof java.nio.file.AccessDeniedException) {
                return "permission denied on the socket " + socket + ": run the gateway as a user that may use it "
                        + "(root, or a member of the group that owns it, usually docker)";
            }
            if (root instanceof ConnectException || lower.contains("connection refused")) {
                return "nothing answers on the socket " + socket + ": is the Docker engine running?";
            }
        } else {
            String address = endpoint.getHost() + ":" + endpoint.getPort();
            if (root instanceof ConnectException || lower.contains("connection refused")) {
                return "connection refused by " + address + ": is the engine listening there (dockerd -H tcp://...)?";
            }
            if (root instanceof java.net.UnknownHostException) {
                return "unknown host " + endpoint.getHost() + " (providers.docker.endpoint)";
            }
            if (root instanceof java.net.SocketTimeoutException || lower.contains("timed out")) {
                return "no answer from " + address + " in time: " + message;
            }
        }
        if (lower.contains("broken pipe") || lower.contains("connection reset") || lower.contains("failed to respond")
                || root instanceof EOFException) {
            return "the engine closed the connection without answering (" + message + "): is it starting or stopping?";
        }
        return message;
    }

    /**
     * A handshake alone, then a short read: an engine that refuses the client's certificate sends its alert and
     * closes. The alert's text, or null when the engine accepted the handshake or could not be reached.
     */
    private String probeTls() {
        try (SSLSocket socket = (SSLSocket) ssl.getSSLContext().getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), 5000);
            socket.setSoTimeout(2000);
            socket.startHandshake();
            socket.getInputStream().read();
            return null;
        } catch (SSLException e) {
            return e.getMessage();
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return null;
        }
    }

    DockerClient requests() {
        return client(requestTimeout);
    }

    DockerClient events() {
        return client(null);
    }

    private DockerClient client(Duration responseTimeout) {
        // TLS is the HTTP client's business (sslConfig below, https when set). The client configuration's own
        // dockerTlsVerify would make docker-java look for DOCKER_CERT_PATH and refuse every request without it.
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(endpoint.toString())
                .withDockerTlsVerify(false)
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
        PrivateKey privateKey = readKey(key);
        List<Certificate> chain = readCertificates(cert);
        if (privateKey == null) {
            throw new GeneralSecurityException("no private key in " + key);
        }
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + cert);
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setKeyEntry("docker", privateKey, password, chain.toArray(new Certificate[0]));
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, password);
        return factory.getKeyManagers();
    }

    private static TrustManager[] trustManagers(Path ca) throws IOException, GeneralSecurityException {
        List<Certificate> authorities = readCertificates(ca);
        if (authorities.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + ca);
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        for (int i = 0; i < authorities.size(); i++) {
            store.setCertificateEntry("ca-" + i, authorities.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    // PEM is read with Bouncy Castle's parser (bundled, relocated) but keys and certificates are made by the JDK's
    // own providers: docker-java's CertificateUtils asks for a security provider named "BC", which nothing
    // registers in this plugin (and registering one JVM-wide from a plugin would affect every other plugin).

    /**
     * The private key in a PEM file: PKCS#8 ({@code BEGIN PRIVATE KEY}, what OpenSSL 3 writes) or the traditional
     * {@code BEGIN RSA PRIVATE KEY} / {@code BEGIN EC PRIVATE KEY}; other blocks (EC parameters) are skipped.
     */
    private static PrivateKey readKey(Path file) throws IOException, GeneralSecurityException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(file))) {
            for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
                if (block instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());   // the public half is optional in an EC key
                }
                if (block instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (block instanceof PEMEncryptedKeyPair || block instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new GeneralSecurityException(file + " holds an encrypted key: give the key without a passphrase");
                }
            }
        }
        return null;
    }

    /** The certificates of a PEM file, in order (a chain or a bundle of CAs). */
    private static List<Certificate> readCertificates(Path file) throws IOException, GeneralSecurityException {
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        List<Certificate> certificates = new ArrayList<>();
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(file))) {
            for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
                if (block instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        }
        return certificates;
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
