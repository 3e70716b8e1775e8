package dev.gatehouse.core.tls;

import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.conscrypt.Conscrypt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS implementation behind TLS entry points (static {@code tlsEngine}): the JDK's, or Conscrypt's (BoringSSL,
 * native), whose handshakes cost a fraction of the JDK's pure-Java X25519 and RSA. Conscrypt's provider is used
 * for the gateway's own SSLContexts only and never installed as a JVM-wide provider, so backends, ACME and plugins
 * keep the JDK's TLS.
 */
public final class TlsEngine {

    private static final Logger LOG = LoggerFactory.getLogger(TlsEngine.class);

    /** The JDK's engine. */
    public static final TlsEngine JDK = new TlsEngine("jdk", null, false);

    private static volatile Provider conscrypt;

    private final String name;
    private final Provider provider;
    private final boolean automatic;

    private TlsEngine(String name, Provider provider, boolean automatic) {
        this.name = name;
        this.provider = provider;
        this.automatic = automatic;
    }

    /**
     * The engine a {@code tlsEngine} value asks for: {@code jdk}; {@code conscrypt}, failing when its native library
     * does not load here; {@code auto} (or null), Conscrypt where it loads, else the JDK.
     *
     * @throws IllegalArgumentException naming the value, or why Conscrypt cannot be used
     */
    public static TlsEngine of(String configured) {
        String value = configured == null ? "auto" : configured;
        switch (value) {
            case "jdk":
                return JDK;
            case "conscrypt":
                return new TlsEngine("conscrypt", conscrypt(), false);
            case "auto":
                try {
                    return new TlsEngine("conscrypt", conscrypt(), true);
                } catch (IllegalArgumentException e) {
                    LOG.debug("tlsEngine auto: {}", e.getMessage());
                    return JDK;
                }
            default:
                throw new IllegalArgumentException("tlsEngine: '" + configured + "' is not one of auto, jdk, conscrypt");
        }
    }

    private static Provider conscrypt() {
        Provider provider = conscrypt;
        if (provider != null) {
            return provider;
        }
        Throwable reason;
        try {
            Conscrypt.checkAvailability();
            provider = Conscrypt.newProvider();
            conscrypt = provider;
            return provider;
        } catch (LinkageError | RuntimeException e) {
            reason = e;
        }
        throw new IllegalArgumentException("tlsEngine conscrypt: Conscrypt's native library does not load on "
                + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                + " (" + reason + "); use tlsEngine jdk or auto");
    }

    /** {@code jdk} or {@code conscrypt}. */
    public String name() {
        return name;
    }

    /** Whether {@code auto} chose it, and so options it cannot honour may take the JDK's engine instead. */
    boolean automatic() {
        return automatic;
    }

    /** Whether the engine takes the key-exchange groups of SSLParameters (Conscrypt has no way to set them). */
    boolean appliesGroups() {
        return provider == null;
    }

    /** A new, uninitialised TLS context of this engine. */
    SSLContext newContext() throws NoSuchAlgorithmException {
        return provider == null ? SSLContext.getInstance("TLS") : SSLContext.getInstance("TLS", provider);
    }

    /** Whether {@code engine} is Conscrypt's, for the ALPN processor. */
    static boolean isConscrypt(SSLEngine engine) {
        return engine.getClass().getName().startsWith("org.conscrypt.");
    }

    /** What the start-up log says about it. */
    public String describe() {
        return provider == null ? "JDK (" + System.getProperty("java.vendor") + " " + Runtime.version() + ")"
                : "Conscrypt " + conscryptVersion() + " (BoringSSL)";
    }

    private static String conscryptVersion() {
        Conscrypt.Version version = Conscrypt.version();
        return version == null ? "" : version.major() + "." + version.minor() + "." + version.patch();
    }

    @Override
    public String toString() {
        return name;
    }
}
