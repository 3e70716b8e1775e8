package dev.gatehouse.core.tls;

import javax.net.ssl.SSLEngine;
import org.eclipse.jetty.alpn.java.server.JDK9ServerALPNProcessor;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.ssl.ALPNProcessor;

/**
 * ALPN for Conscrypt's engines (found by Jetty's ALPN connection factory through ServiceLoader). Jetty's own
 * processor for the JDK applies to the JDK's engines only, but its work is the JDK 9 ALPN API, which Conscrypt's
 * engines implement too: this reuses it rather than Jetty's Conscrypt module, which is not published for the
 * Jetty version used here.
 */
public final class ConscryptAlpnProcessor implements ALPNProcessor.Server {

    private final JDK9ServerALPNProcessor jdkApi = new JDK9ServerALPNProcessor();

    @Override
    public void init() {
        jdkApi.init();
    }

    @Override
    public boolean appliesTo(SSLEngine engine) {
        return TlsEngine.isConscrypt(engine);
    }

    @Override
    public void configure(SSLEngine engine, Connection connection) {
        jdkApi.configure(engine, connection);
    }

    @Override
    public String toString() {
        return "ConscryptAlpnProcessor";
    }
}
