package dev.gatehouse.core.tls;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands an OCSP response to a Conscrypt engine while it chooses its certificate, so that BoringSSL staples it.
 *
 * <p>Conscrypt has no public API for a server's staple: its {@code SSLParametersImpl.setOCSPResponse} is
 * package-private and read when the handshake starts, before the certificate is chosen. BoringSSL itself takes the
 * response until the certificate callback returns, and that callback is where Conscrypt asks our key manager for
 * the certificate; so the response of the certificate just chosen is given to BoringSSL there, through Conscrypt's
 * own binding of {@code SSL_set_ocsp_response}. That binding and the two fields leading to it are internal to
 * Conscrypt (the same from 2.5 to 2.6): if another version lacks them, stapling is off, said once.
 */
final class ConscryptStapling {

    private static final Logger LOG = LoggerFactory.getLogger(ConscryptStapling.class);

    /** ConscryptEngine.ssl: the engine's NativeSsl. */
    private static final Field ENGINE_SSL;
    /** NativeSsl.ssl: the address of BoringSSL's SSL. */
    private static final Field SSL_ADDRESS;
    /** NativeCrypto.SSL_set_ocsp_response(long ssl, NativeSsl holder, byte[] response). */
    private static final Method SET_OCSP_RESPONSE;
    private static final String UNAVAILABLE;

    static {
        Field engineSsl = null;
        Field sslAddress = null;
        Method setResponse = null;
        String unavailable = null;
        try {
            Class<?> engine = Class.forName("org.conscrypt.ConscryptEngine");
            Class<?> nativeSsl = Class.forName("org.conscrypt.NativeSsl");
            Class<?> nativeCrypto = Class.forName("org.conscrypt.NativeCrypto");
            engineSsl = engine.getDeclaredField("ssl");
            sslAddress = nativeSsl.getDeclaredField("ssl");
            setResponse = nativeCrypto.getDeclaredMethod("SSL_set_ocsp_response", long.class, nativeSsl, byte[].class);
            engineSsl.setAccessible(true);
            sslAddress.setAccessible(true);
            setResponse.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            unavailable = e.toString();
            engineSsl = null;
            sslAddress = null;
            setResponse = null;
        }
        ENGINE_SSL = engineSsl;
        SSL_ADDRESS = sslAddress;
        SET_OCSP_RESPONSE = setResponse;
        UNAVAILABLE = unavailable;
    }

    private ConscryptStapling() {
    }

    /** Null when staples can be handed to Conscrypt; else why not (for a DEBUG line beside the warning). */
    static String unavailable() {
        return UNAVAILABLE;
    }

    /**
     * Staples {@code response} to the handshake of {@code engine} (the engine Conscrypt passes to the key manager).
     * Does nothing for other engines or when the binding is missing.
     */
    static void staple(SSLEngine engine, byte[] response) {
        if (SET_OCSP_RESPONSE == null || response == null || !ENGINE_SSL.getDeclaringClass().isInstance(engine)) {
            return;
        }
        try {
            Object nativeSsl = ENGINE_SSL.get(engine);
            SET_OCSP_RESPONSE.invoke(null, SSL_ADDRESS.getLong(nativeSsl), nativeSsl, response);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // the handshake goes on without a staple, as it would without OCSP
            LOG.debug("OCSP staple not handed to Conscrypt", e);
        }
    }
}
