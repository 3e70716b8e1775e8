package dev.gatehouse.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

class ClientHelloTest {

    /** The first flight of a real JDK client. */
    private static ByteBuffer hello(String sni, String... alpn) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLEngine engine = context.createSSLEngine("peer", 443);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        parameters.setApplicationProtocols(alpn);
        engine.setSSLParameters(parameters);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        return out;
    }

    @Test
    void readsServerNameAndAlpnFromAJdkClientHello() throws Exception {
        ByteBuffer bytes = hello("app.example.com", "h2", "http/1.1");
        assertTrue(ClientHello.isTls(bytes));
        assertEquals(bytes.remaining(), ClientHello.needed(bytes));
        assertEquals(new ClientHello("app.example.com", List.of("h2", "http/1.1")), ClientHello.parse(bytes));
        assertEquals(0, bytes.position(), "parsing does not consume the bytes the handshake needs");
        assertEquals(new ClientHello(null, List.of("acme-tls/1")), ClientHello.parse(hello(null, "acme-tls/1")));
    }

    @Test
    void plainHttpIsNotTlsAndTruncatedHellosGiveNothing() throws Exception {
        assertFalse(ClientHello.isTls(ByteBuffer.wrap("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII))));
        assertFalse(ClientHello.isTls(ByteBuffer.wrap("PRI * HTTP/2.0\r\n".getBytes(StandardCharsets.US_ASCII))));
        ByteBuffer whole = hello("app.example.com");
        ByteBuffer part = whole.duplicate();
        part.limit(40);
        assertTrue(ClientHello.needed(part) > part.remaining(), "more bytes are needed");
        assertEquals(ClientHello.NONE, ClientHello.parse(part));
    }
}
