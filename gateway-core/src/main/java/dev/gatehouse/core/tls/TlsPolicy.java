package dev.gatehouse.core.tls;

import dev.gatehouse.core.config.dynamic.ClientAuthConfig;
import dev.gatehouse.core.config.dynamic.TlsOptionsConfig;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * One {@code tls.options.<name>} made ready for handshakes: protocol versions, cipher suites, groups, client
 * certificates and ALPN protocols, with a key manager choosing certificates by SNI from the shared store. Built
 * once per distinct option set and reused across reloads while the options stay the same.
 */
public final class TlsPolicy {

    /** Traefik's version names to Java's. */
    static final Map<String, String> VERSIONS = new LinkedHashMap<>();
    static {
        VERSIONS.put("VersionTLS10", "TLSv1");
        VERSIONS.put("VersionTLS11", "TLSv1.1");
        VERSIONS.put("VersionTLS12", "TLSv1.2");
        VERSIONS.put("VersionTLS13", "TLSv1.3");
    }

    static final Map<String, String> CURVES = Map.of(
            "CurveP256", "secp256r1", "CurveP384", "secp384r1", "CurveP521", "secp521r1", "X25519", "x25519",
            "secp256r1", "secp256r1", "secp384r1", "secp384r1", "secp521r1", "secp521r1", "x25519", "x25519");

    /** The TLS 1.3 suites; as in Go, {@code cipherSuites} restricts TLS 1.2 and below only. */
    public static final List<String> TLS13_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256");

    /**
     * The TLS 1.2 suites offered when {@code cipherSuites} is not set, in Go's preference order: the ECDHE suites
     * with AES-GCM and ChaCha20 of Go's defaults (what Traefik offers), without its CBC ones with SHA-1 (which
     * Jetty leaves out too). Without this list the JDK engine also offered finite-field DHE and the CBC suites with
     * SHA-256/384, which Go never offers and testssl.sh rates weak ("obsoleted CBC ciphers").
     */
    static final List<String> DEFAULT_TLS12_SUITES = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    static final Set<String> CLIENT_AUTH_TYPES = Set.of("NoClientCert", "RequestClientCert", "RequireAnyClientCert",
            "VerifyClientCertIfGiven", "RequireAndVerifyClientCert");

    public static final String ACME_TLS_1 = "acme-tls/1";

    private final String name;
    private final TlsOptionsConfig options;
    private final SslContextFactory.Server sslContextFactory;
    private final PolicySslConnectionFactory connectionFactory;
    private final boolean sniStrict;

    private TlsPolicy(String name, TlsOptionsConfig options, SslContextFactory.Server sslContextFactory,
            List<String> alpn, boolean sniStrict) {
        this.name = name;
        this.options = options;
        this.sslContextFactory = sslContextFactory;
        this.sniStrict = sniStrict;
        ALPNServerConnectionFactory alpnFactory = new ALPNServerConnectionFactory(alpn.toArray(new String[0]));
        alpnFactory.setDefaultProtocol(alpn.contains("http/1.1") ? "http/1.1" : alpn.get(0));
        this.connectionFactory = new PolicySslConnectionFactory(sslContextFactory, alpnFactory,
                options == null || !options.sessionTicketsDisabled());
    }

    /**
     * Builds and starts the policy.
     *
     * @param name the options' qualified name, for messages
     * @param options the options (all defaults when null)
     * @param store the certificates, read per handshake
     * @param aliases finds a certificate by the alias the key manager chose
     * @param baseDir against which relative CA file paths are read
     * @param engine the TLS implementation
     * @throws IllegalArgumentException naming the offending key when an option is invalid
     */
    public static TlsPolicy create(String name, TlsOptionsConfig options, Supplier<CertificateStore> store,
            Function<String, CertificateStore.Entry> aliases, Path baseDir, TlsEngine engine) throws Exception {
        return create(name, options, store, aliases, baseDir, engine, null);
    }

    /**
     * As {@link #create(String, TlsOptionsConfig, Supplier, Function, Path, TlsEngine)}, stapling OCSP responses.
     *
     * @param staples the OCSP response to staple for a certificate (null: none); null when stapling is off
     */
    public static TlsPolicy create(String name, TlsOptionsConfig options, Supplier<CertificateStore> store,
            Function<String, CertificateStore.Entry> aliases, Path baseDir, TlsEngine engine,
            Function<X509Certificate, byte[]> staples) throws Exception {
        TlsOptionsConfig o = options == null ? new TlsOptionsConfig(null, null, null, null, null, null, null) : options;
        boolean sniStrict = Boolean.TRUE.equals(o.sniStrict());
        List<String> protocols = protocols(o.minVersion(), o.maxVersion());

        String[] groups = curves(o.curvePreferences());
        TlsEngine chosen = engine;
        if (groups != null && !engine.appliesGroups()) {
            // Conscrypt has no API for the key-exchange groups: under auto, the JDK serves these options where it
            // can apply them (Java 20+); otherwise BoringSSL's defaults are used, as documented, with a warning.
            if (engine.automatic() && CustomisedSslContextFactory.SET_NAMED_GROUPS != null) {
                chosen = TlsEngine.JDK;
            } else {
                org.slf4j.LoggerFactory.getLogger(TlsPolicy.class).warn("tls.options.{}: curvePreferences {} are not "
                        + "applied by the {} TLS engine, which offers X25519, P-256 and P-384", name,
                        Arrays.toString(groups), engine.name());
                groups = null;
            }
        }
        List<String> javaSuites = o.cipherSuites().stream().map(TlsPolicy::cipherSuite).toList();
        if (!javaSuites.isEmpty() && chosen.automatic() && !supportsAll(chosen, javaSuites)
                && supportsAll(TlsEngine.JDK, javaSuites)) {
            // Conscrypt lacks a few suites the JDK has (the CBC ones with SHA-256/384): under auto, the JDK serves
            // these options rather than a configuration that worked before failing.
            chosen = TlsEngine.JDK;
        }
        SSLContext context = chosen.newServerContext(!o.sessionTicketsDisabled());
        ClientAuthConfig clientAuth = o.clientAuth();
        String clientAuthType = clientAuthType(clientAuth);
        TrustManager[] trust = null;
        if (clientAuthType.equals("RequestClientCert") || clientAuthType.equals("RequireAnyClientCert")) {
            trust = SslContextFactory.TRUST_ALL_CERTS;
        } else if (clientAuthType.startsWith("Verify") || clientAuthType.startsWith("RequireAndVerify")) {
            trust = clientCaTrust(clientAuth.caFiles(), baseDir);
        }
        context.init(new KeyManager[] {new SniKeyManager(store, aliases, sniStrict, chosen, staples)}, trust, null);
        if (o.sessionTicketsDisabled()) {
            disableJdkSessionTickets(context);
        }

        SslContextFactory.Server factory = new CustomisedSslContextFactory(groups);
        factory.setSslContext(context);
        factory.setIncludeProtocols(protocols.toArray(new String[0]));
        factory.setExcludeProtocols("SSL", "SSLv2", "SSLv2Hello", "SSLv3");
        if (!o.cipherSuites().isEmpty()) {
            Set<String> supported = Set.of(context.getSupportedSSLParameters().getCipherSuites());
            List<String> suites = new ArrayList<>();
            for (String goName : o.cipherSuites()) {
                String javaName = cipherSuite(goName);
                if (!supported.contains(javaName)) {
                    throw new IllegalArgumentException("cipherSuites: '" + goName + "' is not supported by the "
                            + chosen.name() + " TLS engine");
                }
                suites.add(javaName);
            }
            suites.addAll(TLS13_SUITES);
            factory.setExcludeCipherSuites();
            factory.setIncludeCipherSuites(suites.toArray(new String[0]));
            factory.setUseCipherSuitesOrder(true);
        } else {
            offerDefaultSuites(factory, context);
        }
        switch (clientAuthType) {
            case "RequestClientCert", "VerifyClientCertIfGiven" -> factory.setWantClientAuth(true);
            case "RequireAnyClientCert", "RequireAndVerifyClientCert" -> factory.setNeedClientAuth(true);
            default -> { }
        }
        factory.setRenegotiationAllowed(false);
        factory.start();

        List<String> alpn = new ArrayList<>();
        for (String protocol : o.alpnProtocols().isEmpty() ? List.of("h2", "http/1.1") : o.alpnProtocols()) {
            if (!protocol.equals("h2") && !protocol.equals("http/1.1") && !protocol.equals(ACME_TLS_1)) {
                throw new IllegalArgumentException("alpnProtocols: '" + protocol + "' is not supported (h2, http/1.1)");
            }
            if (!protocol.equals(ACME_TLS_1)) {
                alpn.add(protocol);
            }
        }
        if (alpn.isEmpty()) {
            alpn.add("http/1.1");
        }
        TlsPolicy policy = new TlsPolicy(name, options, factory, alpn, sniStrict);
        policy.connectionFactory.start();
        return policy;
    }

    /** A policy for ACME TLS-ALPN-01 validations: negotiates {@code acme-tls/1} and presents challenge certificates. */
    public static TlsPolicy acmeTlsAlpn(Supplier<CertificateStore> challengeStore,
            Function<String, CertificateStore.Entry> aliases, TlsEngine engine) throws Exception {
        SSLContext context = engine.newContext();
        context.init(new KeyManager[] {new SniKeyManager(challengeStore, aliases, true, engine)}, null, null);
        SslContextFactory.Server factory = new SslContextFactory.Server();
        factory.setSslContext(context);
        factory.setIncludeProtocols("TLSv1.2", "TLSv1.3");
        offerDefaultSuites(factory, context);
        factory.start();
        TlsPolicy policy = new TlsPolicy("acme-tls/1", null, factory, List.of(ACME_TLS_1), true);
        policy.connectionFactory.start();
        return policy;
    }

    public String name() {
        return name;
    }

    public TlsOptionsConfig options() {
        return options;
    }

    public boolean sniStrict() {
        return sniStrict;
    }

    /** Makes the TLS connection (and the ALPN negotiation behind it) for a connection that sent a ClientHello. */
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        return connectionFactory.newConnection(connector, endPoint);
    }

    /**
     * Makes the TLS connection for a TCP router that terminates TLS: the handshake with these options, then
     * {@code decrypted} makes the connection that reads and writes what is inside (no ALPN is negotiated).
     */
    public Connection newConnection(Connector connector, EndPoint endPoint,
            java.util.function.Function<EndPoint, Connection> decrypted) {
        return connectionFactory.newConnection(connector, endPoint, decrypted);
    }

    public void stop() {
        try {
            connectionFactory.stop();
            sslContextFactory.stop();
        } catch (Exception ignored) {
            // connections made with it keep their engines
        }
    }

    /**
     * Java's protocol names from {@code minVersion} to {@code maxVersion} (Traefik's names; unset, TLS 1.2 and 1.3).
     *
     * @throws IllegalArgumentException for an unknown name, or a minimum above the maximum
     */
    public static List<String> protocols(String minVersion, String maxVersion) {
        String min = version(minVersion == null ? "VersionTLS12" : minVersion, "minVersion");
        String max = version(maxVersion == null ? "VersionTLS13" : maxVersion, "maxVersion");
        List<String> javaVersions = new ArrayList<>(VERSIONS.values());
        List<String> protocols = javaVersions.subList(javaVersions.indexOf(min), javaVersions.indexOf(max) + 1);
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("minVersion " + minVersion + " is above maxVersion " + maxVersion);
        }
        return List.copyOf(protocols);
    }

    public static String version(String traefikName, String key) {
        String version = VERSIONS.get(traefikName);
        if (version == null) {
            throw new IllegalArgumentException(key + ": '" + traefikName + "' is not one of " + VERSIONS.keySet());
        }
        return version;
    }

    /**
     * The JDK's engine has no switch for TLS 1.3 session tickets, but sends no NewSessionTicket from a context whose
     * session timeout is longer than the 7 days a ticket may live (RFC 8446 4.6.1). (TLS 1.2's are off from the
     * context's creation, see {@link TlsEngine#newServerContext}.) The side effect: TLS 1.2 sessions cached by ID,
     * which Go's server has no equivalent of, stay resumable for that long, within the cache's 20480 entries.
     * Conscrypt's engines are told per engine instead (see {@link TlsEngine#prepare}).
     */
    private static void disableJdkSessionTickets(SSLContext context) {
        javax.net.ssl.SSLSessionContext sessions = context.getServerSessionContext();
        if (sessions != null) {
            sessions.setSessionTimeout(JDK_NO_TICKET_SESSION_TIMEOUT);
        }
    }

    /** One second past the longest ticket lifetime TLS allows (7 days), which stops the JDK issuing tickets. */
    static final int JDK_NO_TICKET_SESSION_TIMEOUT = 7 * 24 * 3600 + 1;

    /** The default suites (those of {@link #DEFAULT_TLS12_SUITES} the engine has, and TLS 1.3's), in that order. */
    private static void offerDefaultSuites(SslContextFactory.Server factory, SSLContext context) {
        Set<String> supported = Set.of(context.getSupportedSSLParameters().getCipherSuites());
        List<String> suites = new ArrayList<>(TLS13_SUITES);
        DEFAULT_TLS12_SUITES.stream().filter(supported::contains).forEach(suites::add);
        factory.setIncludeCipherSuites(suites.toArray(new String[0]));
        factory.setUseCipherSuitesOrder(true);
    }

    /** Go's suite names are IANA's, except that Go leaves {@code _SHA256} off the ChaCha20 ones. */
    public static String cipherSuite(String goName) {
        String name = goName.strip().toUpperCase(Locale.ROOT);
        return name.endsWith("_CHACHA20_POLY1305") ? name + "_SHA256" : name;
    }

    private static boolean supportsAll(TlsEngine engine, List<String> javaSuites) throws GeneralSecurityException {
        SSLContext probe = engine.newContext();
        probe.init(null, SslContextFactory.TRUST_ALL_CERTS, null);
        return Set.of(probe.getSupportedSSLParameters().getCipherSuites()).containsAll(javaSuites);
    }

    static String clientAuthType(ClientAuthConfig clientAuth) {
        if (clientAuth == null) {
            return "NoClientCert";
        }
        String type = clientAuth.clientAuthType();
        if (type == null || type.isBlank()) {
            return clientAuth.caFiles().isEmpty() ? "NoClientCert" : "RequireAndVerifyClientCert";
        }
        if (!CLIENT_AUTH_TYPES.contains(type)) {
            throw new IllegalArgumentException("clientAuth.clientAuthType: '" + type + "' is not one of "
                    + new java.util.TreeSet<>(CLIENT_AUTH_TYPES));
        }
        if ((type.equals("VerifyClientCertIfGiven") || type.equals("RequireAndVerifyClientCert"))
                && clientAuth.caFiles().isEmpty()) {
            throw new IllegalArgumentException("clientAuth.clientAuthType " + type + " needs clientAuth.caFiles");
        }
        return type;
    }

    private static TrustManager[] clientCaTrust(List<String> caFiles, Path baseDir)
            throws GeneralSecurityException, IOException {
        KeyStore cas = KeyStore.getInstance("PKCS12");
        cas.load(null, null);
        int n = 0;
        for (String caFile : caFiles) {
            try {
                for (X509Certificate ca : Pem.certificates(Pem.text(caFile, baseDir))) {
                    cas.setCertificateEntry("ca" + n++, ca);
                }
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("clientAuth.caFiles: cannot read " + abbreviate(caFile) + ": " + e.getMessage());
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(cas);
        return factory.getTrustManagers();
    }

    static String abbreviate(String fileOrContent) {
        return fileOrContent.contains("-----BEGIN") ? "(inline PEM)" : fileOrContent;
    }

    private static String[] curves(List<String> curvePreferences) {
        if (curvePreferences.isEmpty()) {
            return null;
        }
        List<String> groups = new ArrayList<>();
        for (String curve : curvePreferences) {
            String group = CURVES.get(curve.strip());
            if (group == null) {
                throw new IllegalArgumentException("curvePreferences: '" + curve + "' is not one of CurveP256, CurveP384, "
                        + "CurveP521, X25519");
            }
            groups.add(group);
        }
        return groups.toArray(new String[0]);
    }

    /** Applies the key-exchange groups per engine where Java allows it (SSLParameters.setNamedGroups, Java 20+). */
    private static final class CustomisedSslContextFactory extends SslContextFactory.Server {
        static final Method SET_NAMED_GROUPS = namedGroupsSetter();
        private final String[] namedGroups;

        CustomisedSslContextFactory(String[] namedGroups) {
            this.namedGroups = namedGroups;
            if (namedGroups != null && SET_NAMED_GROUPS == null) {
                org.slf4j.LoggerFactory.getLogger(TlsPolicy.class).warn("curvePreferences {} need Java 20 or later; "
                        + "this runtime uses its default groups (or the jdk.tls.namedGroups system property)",
                        Arrays.toString(namedGroups));
            }
        }

        @Override
        public SSLParameters customize(SSLParameters parameters) {
            SSLParameters customised = super.customize(parameters);
            if (namedGroups != null && SET_NAMED_GROUPS != null) {
                try {
                    SET_NAMED_GROUPS.invoke(customised, (Object) namedGroups);
                } catch (ReflectiveOperationException e) {
                    // the groups stay the runtime's default
                }
            }
            return customised;
        }

        private static Method namedGroupsSetter() {
            try {
                return SSLParameters.class.getMethod("setNamedGroups", String[].class);
            } catch (NoSuchMethodException e) {
                return null;
            }
        }
    }

    /** Jetty's TLS connection factory, but continuing into this policy's ALPN negotiation. */
    private static final class PolicySslConnectionFactory extends SslConnectionFactory {
        private final SslContextFactory.Server sslContextFactory;
        private final ALPNServerConnectionFactory alpn;
        private final boolean sessionTickets;

        PolicySslConnectionFactory(SslContextFactory.Server sslContextFactory, ALPNServerConnectionFactory alpn,
                boolean sessionTickets) {
            super(sslContextFactory, alpn.getProtocol());
            this.sslContextFactory = sslContextFactory;
            this.alpn = alpn;
            this.sessionTickets = sessionTickets;
            addBean(alpn);
        }

        @Override
        public Connection newConnection(Connector connector, EndPoint endPoint) {
            return newConnection(connector, endPoint, decrypted -> alpn.newConnection(connector, decrypted));
        }

        Connection newConnection(Connector connector, EndPoint endPoint,
                java.util.function.Function<EndPoint, Connection> inner) {
            SocketAddress remote = endPoint.getRemoteSocketAddress();
            SSLEngine engine = remote instanceof InetSocketAddress inet
                    ? sslContextFactory.newSSLEngine(inet) : sslContextFactory.newSSLEngine();
            engine.setUseClientMode(false);
            TlsEngine.prepare(engine, sessionTickets);
            SslConnection ssl = newSslConnection(connector, endPoint, engine);
            ssl.setRenegotiationAllowed(false);
            configure(ssl, connector, endPoint);
            EndPoint decrypted = ssl.getSslEndPoint();
            decrypted.setConnection(inner.apply(decrypted));
            return ssl;
        }
    }
}
