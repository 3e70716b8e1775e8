package dev.gatehouse.core.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Chooses the server certificate of a handshake by SNI from the current {@link CertificateStore} (read once per
 * handshake, so a reload or a new certificate applies to the next handshake and never to one under way).
 * With {@code sniStrict}, a handshake without SNI or with a name no certificate covers gets no certificate, and
 * so fails, as in Traefik; otherwise it gets the default certificate.
 */
final class SniKeyManager extends X509ExtendedKeyManager {

    private final Supplier<CertificateStore> store;
    private final boolean sniStrict;
    /** Looks up an alias chosen a moment ago, even when the store was swapped in between. */
    private final java.util.function.Function<String, CertificateStore.Entry> aliases;
    /** The engine's form of a key (Conscrypt's native one, made once per key). */
    private final java.util.function.UnaryOperator<PrivateKey> engineKey;
    /** The OCSP response to staple for a certificate (null: none); null when stapling is off. */
    private final java.util.function.Function<X509Certificate, byte[]> staples;

    SniKeyManager(Supplier<CertificateStore> store, java.util.function.Function<String, CertificateStore.Entry> aliases,
            boolean sniStrict, TlsEngine engine) {
        this(store, aliases, sniStrict, engine, null);
    }

    SniKeyManager(Supplier<CertificateStore> store, java.util.function.Function<String, CertificateStore.Entry> aliases,
            boolean sniStrict, TlsEngine engine, java.util.function.Function<X509Certificate, byte[]> staples) {
        this.store = store;
        this.aliases = aliases;
        this.sniStrict = sniStrict;
        this.engineKey = engine::engineKey;
        this.staples = staples;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        SSLSession session = engine == null ? null : engine.getHandshakeSession();
        CertificateStore.Entry entry = choose(keyType, session);
        if (entry == null) {
            return null;
        }
        if (staples != null && engine != null) {
            staple(engine, entry, session);
        }
        return entry.alias();
    }

    /** The key types Conscrypt asks for, in turn, for one handshake (those of its TLS 1.2 suites). */
    private static final List<String> CONSCRYPT_KEY_TYPES = List.of("RSA", "EC");

    /**
     * Conscrypt asks for the certificate in BoringSSL's certificate callback, where a response to staple is still
     * taken. It asks once per key type and presents the certificate of its last answer; a response handed over
     * cannot be taken back. So a response is handed over only when every certificate this handshake may present
     * has one: then the last one handed over is that of the certificate presented.
     */
    private void staple(SSLEngine engine, CertificateStore.Entry chosen, SSLSession session) {
        byte[] response = staples.apply(chosen.certified().leaf());
        if (response == null) {
            return;
        }
        for (String keyType : CONSCRYPT_KEY_TYPES) {
            CertificateStore.Entry candidate = choose(keyType, session);
            if (candidate != null && candidate != chosen && staples.apply(candidate.certified().leaf()) == null) {
                return;
            }
        }
        ConscryptStapling.staple(engine, response);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        CertificateStore.Entry entry = choose(keyType, socket instanceof SSLSocket ssl ? ssl.getHandshakeSession() : null);
        return entry == null ? null : entry.alias();
    }

    private CertificateStore.Entry choose(String keyType, SSLSession session) {
        CertificateStore current = store.get();
        String sni = serverName(session);
        CertificateStore.Entry entry = current.select(sni, keyType);
        // The default only when no certificate covers the name: a client asked for an EC key first still gets the
        // RSA certificate of its name when it asks for RSA next.
        if (entry == null && !sniStrict && !current.covers(sni)) {
            CertificateStore.Entry fallback = current.defaultEntry();
            if (fallback != null && CertificateStore.matches(fallback.keyType(), keyType)) {
                entry = fallback;
            }
        }
        return entry;
    }

    static String serverName(SSLSession session) {
        if (session instanceof ExtendedSSLSession extended) {
            List<SNIServerName> names = extended.getRequestedServerNames();
            for (SNIServerName name : names) {
                if (name.getType() == StandardConstants.SNI_HOST_NAME && name instanceof SNIHostName host) {
                    return host.getAsciiName();
                }
            }
        }
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        CertificateStore.Entry entry = aliases.apply(alias);
        return entry == null ? null : entry.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        CertificateStore.Entry entry = aliases.apply(alias);
        return entry == null ? null : engineKey.apply(entry.key());
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
