package dev.gatehouse.core.tls;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Map;
import java.util.WeakHashMap;
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
    private static final Map<PrivateKey, PrivateKey> NATIVE_KEYS = new WeakHashMap<>();

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

    /** The JDK's switch for TLS 1.2 session tickets of server contexts, read when a context is created. */
    private static final String JDK_SERVER_TICKETS_PROPERTY = "jdk.tls.server.enableSessionTicketExtension";
    /**
     * Held while the property is switched off, so that two policies created at once do not restore each other's
     * value. Not the property's name: that string is interned, and any other code locking on it would share the lock.
     */
    private static final Object SERVER_TICKETS_SWITCH = new Object();

    /**
     * A new, uninitialised server context, without TLS 1.2 session tickets when {@code sessionTickets} is false.
     * The JDK has no per-context switch for them: its server contexts read {@value #JDK_SERVER_TICKETS_PROPERTY}
     * when created, so the property is set to false for the moment this context is created and then restored. Only
     * server contexts read it (the gateway's clients, ACME and backends use client contexts), and a server context
     * another thread created in that instant would at worst issue no TLS 1.2 tickets either. (Conscrypt's engines
     * are told per engine, in {@link #prepare}; TLS 1.3 tickets of the JDK are stopped in TlsPolicy.)
     */
    SSLContext newServerContext(boolean sessionTickets) throws NoSuchAlgorithmException {
        if (sessionTickets || provider != null) {
            return newContext();
        }
        synchronized (SERVER_TICKETS_SWITCH) {
            String before = System.getProperty(JDK_SERVER_TICKETS_PROPERTY);
            System.setProperty(JDK_SERVER_TICKETS_PROPERTY, "false");
            try {
                return newContext();
            } finally {
                if (before == null) {
                    System.clearProperty(JDK_SERVER_TICKETS_PROPERTY);
                } else {
                    System.setProperty(JDK_SERVER_TICKETS_PROPERTY, before);
                }
            }
        }
    }

    /**
     * The key as this engine signs with it fastest. Conscrypt, handed a JDK key, parses it into a native key on
     * every handshake, and the native key's RSA precomputations (Montgomery forms, blinding) are redone with it:
     * a key converted once and kept is reused as it is. Keys are held weakly, so replaced certificates' go.
     */
    PrivateKey engineKey(PrivateKey key) {
        if (provider == null || key == null) {
            return key;
        }
        synchronized (NATIVE_KEYS) {
            PrivateKey converted = NATIVE_KEYS.get(key);
            if (converted == null) {
                try {
                    converted = KeyFactory.getInstance(key.getAlgorithm(), provider)
                            .generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
                } catch (GeneralSecurityException | RuntimeException e) {
                    // a key type Conscrypt's factories do not take: Conscrypt converts it per handshake itself
                    converted = key;
                }
                NATIVE_KEYS.put(key, converted);
            }
            return converted;
        }
    }

    /**
     * Conscrypt issues no session tickets unless asked, so its TLS 1.3 clients could never resume and every
     * connection paid a full handshake (the JDK's engine and nginx do resume). Tickets are sealed with keys of
     * this policy's context, so a ticket never resumes a session under other options. With
     * {@code disableSessionTickets} they stay off (BoringSSL then sends no NewSessionTicket in TLS 1.2 or 1.3).
     */
    static void prepare(SSLEngine engine, boolean sessionTickets) {
        if (isConscrypt(engine)) {
            Conscrypt.setUseSessionTickets(engine, sessionTickets);
        }
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
