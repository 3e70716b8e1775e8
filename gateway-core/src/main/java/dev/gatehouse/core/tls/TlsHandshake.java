package dev.gatehouse.core.tls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import org.eclipse.jetty.io.ssl.SslConnection;

/** Where a TLS connection stands: what is opened on its decrypted side may wait for the handshake. */
public final class TlsHandshake {

    private TlsHandshake() {
    }

    /** Whether the handshake of {@code ssl} has completed (a renegotiation does not count as not done). */
    public static boolean done(SslConnection ssl) {
        SSLEngine engine = ssl.getSSLEngine();
        return engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                && !"NONE".equals(engine.getSession().getProtocol());
    }
}
